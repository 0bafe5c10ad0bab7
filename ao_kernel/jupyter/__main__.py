"""`python -m ao_kernel.jupyter -f CONNECTION_FILE`: start the ao kernel (kernelspec argv)."""

from ipykernel.kernelapp import IPKernelApp

from .kernel import AoKernel

if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=AoKernel)
