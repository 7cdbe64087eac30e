"""pytest plugin for a sanitizer run of tests/python (scripts/sanitize.sh loads
it with -p sanitizer_preload).

The pytest interpreter runs with the sanitizer runtimes in LD_PRELOAD: an
uninstrumented CPython can only import a sanitizer-built _verinfer if the
sanitizer's runtime came first. Tools the tests start must not inherit it (curl hangs under
a preloaded ASan; node, anvil and g++ gain nothing), so it leaves the
environment here, and Python children get it back through a wrapper
interpreter (sys.executable). C++ doc snippets link the sanitizer-built
libverinfer.a, so g++ gets the sanitizer flags through a wrapper on PATH."""
import os
import shutil
import sys
import tempfile
from pathlib import Path

_PRELOAD = os.environ.pop("LD_PRELOAD", "")
_CXXFLAGS = os.environ.get("VERINFER_SANITIZE_CXXFLAGS", "")


def _wrapper(directory: Path, name: str, line: str) -> str:
    path = directory / name
    path.write_text(f"#!/bin/sh\n{line}\n")
    path.chmod(0o755)
    return str(path)


if _PRELOAD or _CXXFLAGS:
    _BIN = Path(tempfile.mkdtemp(prefix="verinfer-sanitize-bin-"))
    if _PRELOAD:
        sys.executable = _wrapper(_BIN, "python",
                                  f'LD_PRELOAD="{_PRELOAD}" exec "{sys.executable}" "$@"')
    if _CXXFLAGS:
        _wrapper(_BIN, "g++", f'exec "{shutil.which("g++")}" {_CXXFLAGS} "$@"')
        os.environ["PATH"] = f"{_BIN}{os.pathsep}{os.environ['PATH']}"


def pytest_unconfigure(config):
    if _PRELOAD or _CXXFLAGS:
        shutil.rmtree(_BIN, ignore_errors=True)
