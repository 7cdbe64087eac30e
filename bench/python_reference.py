#!/usr/bin/env python3
"""Times the Python reference path next to verinfer's C++ figures.

Builds the same 200 B / 16 KiB / 256 KiB signed conversations as
bench/bench_tee.cpp (same construction, same test-only vector key), checks the
canonical sizes equal the C++ labels, times opengradient's verify_response and
eth-account/eth-keys ecrecover, and prints a markdown table with ratios
against the Google Benchmark JSON files given on the command line.

usage: python_reference.py bench_tee.json bench_crypto.json
"""
import base64
import json
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys import KeyAPI
from eth_keys.backends import NativeECCBackend
from eth_utils import keccak
from opengradient.client import tee_verify

KEYS = Path(__file__).resolve().parent.parent / "tests/vectors/tee_response/keys"
TIMESTAMP = 1770919200
OUTPUT = "The answer is forty-two."


def conversation(size: int) -> dict:
    """The request bench_tee.cpp's Fixture builds for `size` bytes of text."""
    messages = []
    made = 0
    i = 0
    while made < size or i < 2:
        text = chr(ord("a") + i % 26) * min(4096, size - made if size > made else 16)
        made += len(text)
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": text})
        i += 1
    return {"model": "gpt-5", "messages": messages, "temperature": 0.7}


def signed_fixture(size: int):
    request = conversation(size)
    _, canonical = tee_verify.build_inner_request(request)
    canonical_bytes = tee_verify.canonical_request_bytes(canonical)
    msg_hash = keccak(keccak(canonical_bytes) + keccak(OUTPUT.encode()) + TIMESTAMP.to_bytes(32, "big"))
    private = serialization.load_pem_private_key((KEYS / "tee_TEST_ONLY_private_key.pem").read_bytes(), None)
    signature = private.sign(msg_hash, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                             hashes.SHA256())
    pem = (KEYS / "tee_public_key.pem").read_text()
    response = {
        "choices": [{"index": 0, "message": {"role": "assistant", "content": OUTPUT}, "finish_reason": "stop"}],
        "tee_signature": base64.b64encode(signature).decode(),
        "tee_request_hash": keccak(canonical_bytes).hex(),
        "tee_output_hash": keccak(OUTPUT.encode()).hex(),
        "tee_timestamp": TIMESTAMP,
        "tee_id": tee_verify.tee_id_for_key(pem),
    }
    return request, response, pem, len(canonical_bytes)


def per_call_ns(fn, min_time: float = 0.5) -> float:
    """Mean wall time of fn() in ns over at least min_time seconds."""
    fn()
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            return elapsed * 1e9 / calls


def cpp_times(paths):
    """name -> (real_time ns, label) from Google Benchmark JSON files."""
    out = {}
    for path in paths:
        for b in json.loads(Path(path).read_text())["benchmarks"]:
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
            out[b["name"]] = (b["real_time"] * scale, b.get("label", ""))
    return out


def fmt(ns: float) -> str:
    return f"{ns / 1e3:.1f} µs" if ns < 1e6 else f"{ns / 1e6:.2f} ms"


def main() -> int:
    cpp = cpp_times(sys.argv[1:])
    rows = []
    for size in (200, 16 << 10, 256 << 10):
        request, response, pem, canonical_size = signed_fixture(size)
        name = f"BM_VerifyTeeResponse/{size}"
        cpp_ns, label = cpp[name]
        if label != f"{canonical_size} canonical bytes":
            raise SystemExit(f"{name}: inputs differ (C++ {label!r}, Python {canonical_size} canonical bytes)")

        def verify():
            _, canonical = tee_verify.build_inner_request(request)
            tee_verify.verify_response(canonical_request=canonical, response_body=response,
                                       response_content=tee_verify.response_content_for_hash(response),
                                       signing_key_pem=pem, expected_tee_id=response["tee_id"])

        py_ns = per_call_ns(verify)
        rows.append((f"TEE response verify, {canonical_size} canonical bytes",
                     "opengradient `verify_response` (+ build_inner_request)", py_ns, name, cpp_ns))

    account = Account.from_key(keccak(b"bench key 0"))
    message = encode_defunct(text="bench message 0")
    signature = account.sign_message(message).signature
    digest = keccak(b"\x19Ethereum Signed Message:\n15bench message 0")
    native = KeyAPI(NativeECCBackend)
    vrs = native.Signature(signature_bytes=bytes(signature[:64]) + bytes([signature[64] - 27]))
    assert Account.recover_message(message, signature=signature) == account.address
    assert native.ecdsa_recover(digest, vrs).to_checksum_address() == account.address
    cpp_ns = cpp["BM_RecoverVerinfer"][0]
    rows.append(("ecrecover to address", "eth-account `recover_message` (default backend: coincurve)",
                 per_call_ns(lambda: Account.recover_message(message, signature=signature)),
                 "BM_RecoverVerinfer", cpp_ns))
    rows.append(("ecrecover to address", "eth-keys NativeECCBackend (pure Python)",
                 per_call_ns(lambda: native.ecdsa_recover(digest, vrs).to_checksum_address()),
                 "BM_RecoverVerinfer", cpp_ns))

    print("| what | Python reference | Python | verinfer (C++) | C++ | Python / C++ |")
    print("|---|---|---:|---|---:|---:|")
    for what, py_name, py_ns, cpp_name, cpp_ns in rows:
        print(f"| {what} | {py_name} | {fmt(py_ns)} | `{cpp_name}` | {fmt(cpp_ns)} | {py_ns / cpp_ns:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
