"""ao_kernel: a deterministic ao network (SU, CU, MU) with aos-compatible Lua processes."""

__version__ = "0.1.0"
