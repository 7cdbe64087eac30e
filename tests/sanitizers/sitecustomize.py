"""Imported by every Python process of an ASan pytest run (scripts/sanitize.sh
puts tests/sanitizers on PYTHONPATH): checks for leaks when the interpreter
starts to exit, while it still holds its modules. After Py_Finalize, objects
CPython and other extensions never free are left unreferenced and would drown
ours. A leak ends the process with ASan's exit code, and the end-of-process
check does not run a second time."""
import atexit
import ctypes
import os

if "libasan" in os.environ.get("LD_PRELOAD", ""):
    # Registered first, so it runs after every other exit handler.
    atexit.register(ctypes.CDLL(None).__lsan_do_leak_check)
