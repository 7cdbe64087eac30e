"""Keccak-256 and SHA-256 against independent implementations (eth-hash via
eth-utils, and hashlib), on random messages of random lengths."""
import hashlib

from eth_utils import keccak


def test_keccak_random_messages_match_eth_utils(testkit, rng):
    messages = [rng.randbytes(rng.choice([0, 1, 31, 32, 135, 136, 137, 271, 272, rng.randrange(4096)]))
                for _ in range(1500)]
    answers = testkit.run([{"op": "keccak256", "hex": m.hex()} for m in messages])
    mismatches = [m.hex() for m, a in zip(messages, answers)
                  if not a["ok"] or a["result"] != "0x" + keccak(m).hex()]
    assert not mismatches, f"{len(mismatches)} of {len(messages)} differ, first: {mismatches[0]}"


def test_sha256_random_messages_match_hashlib(testkit, rng):
    messages = [rng.randbytes(rng.randrange(300)) for _ in range(300)]
    answers = testkit.run([{"op": "sha256", "hex": m.hex()} for m in messages])
    for m, a in zip(messages, answers):
        assert a["result"] == "0x" + hashlib.sha256(m).hexdigest()


def test_base64_random_round_trips_and_rejections(testkit, rng):
    import base64
    blobs = [rng.randbytes(rng.randrange(64)) for _ in range(300)]
    answers = testkit.run([{"op": "base64_decode", "text": base64.b64encode(b).decode()} for b in blobs])
    assert all(a["ok"] and a["result"] == "0x" + b.hex() for a, b in zip(answers, blobs))
    url = testkit.run([{"op": "base64_decode", "url": True,
                        "text": base64.urlsafe_b64encode(b).decode().rstrip("=")} for b in blobs])
    assert all(a["ok"] and a["result"] == "0x" + b.hex() for a, b in zip(url, blobs))
    bad = testkit.run([{"op": "base64_decode", "text": t} for t in ["Zg", "Zh==", "Zm9v!", "=Zm9"]])
    assert not any(a["ok"] for a in bad)
    assert all(a["code"] == "parse_error" for a in bad)
