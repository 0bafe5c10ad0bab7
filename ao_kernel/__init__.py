"""ao_kernel: a deterministic ao network (SU, CU, MU) with aos-compatible Lua processes."""

from . import compiled as _compiled

_compiled.install()  # before the engine modules below are imported: their builds, if current

from .errors import AoError, LuaError, UnknownProcess
from .jupyter import load_ipython_extension as load_ipython_extension
from .message import Message, Result
from .network import Network
from .process import Process, Wallet

__version__ = "0.1.0"
__all__ = ["AoError", "LuaError", "Message", "Network", "Process", "Result", "UnknownProcess",
           "Wallet"]
