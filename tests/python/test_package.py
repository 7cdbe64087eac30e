"""The Python package: names, bytes in/bytes out, exceptions, and that the
type stubs list exactly what the package exports."""
import ast
import inspect
from pathlib import Path

import pytest

import verinfer
from verinfer import errors

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "bindings" / "python" / "verinfer"


def test_hashes_are_bytes_in_bytes_out():
    assert verinfer.keccak256(b"abc").hex() == \
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert verinfer.keccak256(bytearray(b"abc")) == verinfer.keccak256(memoryview(b"abc"))
    assert verinfer.sha256(b"abc") == bytes.fromhex(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    with pytest.raises(TypeError, match="encode"):
        verinfer.keccak256("abc")


def test_codecs_round_trip_and_raise_parse_error():
    assert verinfer.from_hex("0x00ff") == b"\x00\xff"
    assert verinfer.to_hex(b"\x00\xff") == "0x00ff"
    assert verinfer.from_base64(verinfer.to_base64(b"\xfb\xff", url=True), url=True) == b"\xfb\xff"
    with pytest.raises(verinfer.ParseError) as info:
        verinfer.from_hex("0xabc")
    assert info.value.code == "parse_error"
    assert "odd" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_error_classes_map_codes():
    assert errors.error_class("expired") is verinfer.ExpiredError
    assert issubclass(verinfer.ExpiredError, verinfer.VerificationError)
    assert issubclass(verinfer.TransportError, verinfer.VerinferError)
    assert errors.error_class("no_such_code") is verinfer.VerinferError


def _stub_functions():
    tree = ast.parse((PACKAGE_DIR / "__init__.pyi").read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = [a.arg for a in node.args.args + node.args.kwonlyargs]
        elif isinstance(node, ast.ImportFrom) and node.module not in ("typing",):
            for alias in node.names:
                out[alias.asname or alias.name] = None
    return out


def _runtime_params(obj):
    try:
        return [p for p in inspect.signature(obj).parameters]
    except (TypeError, ValueError):
        # pybind11 functions carry their signature in the first doc line.
        first = (obj.__doc__ or "").splitlines()[0]
        inside = first[first.index("(") + 1:first.rindex(")")]
        return [part.split(":")[0].strip() for part in inside.split(",") if part.strip()]


def test_stubs_match_the_package():
    stub = _stub_functions()
    assert set(stub) == set(verinfer.__all__), (set(stub) ^ set(verinfer.__all__))
    for name, params in stub.items():
        if params is not None:
            assert _runtime_params(getattr(verinfer, name)) == params, name
    assert (PACKAGE_DIR / "py.typed").exists()
