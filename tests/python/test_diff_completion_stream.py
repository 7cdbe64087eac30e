"""verinfer's stream verifier on streamed text completions against an
independent Python verifier written here from the protocol (PROTOCOL.md 2.1:
the canonical completion request of tee-gateway's completions_controller, the
output hash of the joined choices[0].text pieces, keccak256 msg hash, RSA-PSS
salt 32 with `cryptography`): 1000 random streams, signed with a throwaway
key, most of them tampered one way or another, must get the same verdicts."""
import base64
import json

import pytest
from eth_utils import keccak

from test_diff_canonical import random_string
from test_diff_opengradient import sign as pss


@pytest.fixture(scope="module")
def keys():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    signer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return signer, other


def public_pem(private):
    from cryptography.hazmat.primitives import serialization
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def tee_id(private):
    from cryptography.hazmat.primitives import serialization
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return "0x" + keccak(der).hex()


def pss_ok(private, signature_b64, msg_hash):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        private.public_key().verify(signature, msg_hash,
                                    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError):
        return False


def random_body(rng):
    body = {"model": rng.choice(["gpt-4.1", "gpt-5", "claude-haiku-4-5"]), "prompt": random_string(rng, 40)}
    if rng.random() < 0.7:
        body["temperature"] = rng.choice([0, 0.0, 0.5, 1, 0.7, 1e-05, 2])
    if rng.random() < 0.5:
        body["max_tokens"] = rng.randrange(1, 5000)
    if rng.random() < 0.3:
        body["stop"] = rng.choice(["\n", ["\n", "END"], ["###"]])
    body["stream"] = True
    return body


def canonical(body):
    """tee-gateway completions_controller: {model, prompt, temperature (float, default 0.0)}
    plus max_tokens when given and stop when truthy, json.dumps(sort_keys=True)."""
    d = {"model": body["model"], "prompt": body["prompt"], "temperature": float(body.get("temperature", 0.0))}
    if body.get("max_tokens") is not None:
        d["max_tokens"] = body["max_tokens"]
    if body.get("stop"):
        d["stop"] = body["stop"]
    return json.dumps(d, sort_keys=True).encode()


def split(rng, text):
    cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randrange(0, 8)))) if len(text) > 1 else []
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])] or [""]


def chunk(text, finish=None):
    return {"id": "cmpl-d", "object": "text_completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": finish}]}


def random_stream(rng, keys):
    """(request body, events as JSON-able objects or "[DONE]", the signer's key, mutation name)."""
    signer, other = keys
    body = random_body(rng)
    text = random_string(rng, 80)
    timestamp = rng.randrange(1_700_000_000, 1_800_000_000)
    request_hash, output_hash = keccak(canonical(body)), keccak(text.encode())
    final = {**chunk("", rng.choice(["stop", "length"])), "usage": {"completion_tokens": 3},
             "tee_signature": pss(signer, keccak(request_hash + output_hash + timestamp.to_bytes(32, "big"))),
             "tee_request_hash": request_hash.hex(), "tee_output_hash": output_hash.hex(),
             "tee_timestamp": timestamp, "tee_id": tee_id(signer)}
    events = [chunk(p) for p in split(rng, text)] + [final, "[DONE]"]
    kind = rng.choice(["none", "none", "none", "settlement_frame", "piece_altered", "piece_dropped",
                       "piece_added", "signature_byte", "timestamp", "other_key", "prompt", "no_final",
                       "no_done", "after_final", "tee_id", "output_hash_field"])
    pieces = len(events) - 2
    if kind == "settlement_frame":  # not data of the stream: ignored
        events.insert(rng.randrange(len(events)), ("x402-settlement", {"success": True, "paymentResponse": "e30="}))
    elif kind == "piece_altered":
        i = rng.randrange(pieces)
        events[i] = chunk(events[i]["choices"][0]["text"] + rng.choice(["x", " ", "\u00e9", "\U0001F600"]))
    elif kind == "piece_dropped" and pieces > 1 and text:
        del events[rng.randrange(pieces)]
    elif kind == "piece_added":
        events.insert(rng.randrange(pieces + 1), chunk(rng.choice(["!", " more", "\u00e9"])))
    elif kind == "signature_byte":
        sig = bytearray(base64.b64decode(final["tee_signature"]))
        sig[rng.randrange(len(sig))] ^= 1 << rng.randrange(8)
        final["tee_signature"] = base64.b64encode(bytes(sig)).decode()
    elif kind == "timestamp":
        final["tee_timestamp"] += rng.choice([1, -1, 60])
    elif kind == "other_key":
        final["tee_signature"] = pss(other, keccak(request_hash + output_hash + timestamp.to_bytes(32, "big")))
    elif kind == "prompt":  # the stream answers another request than the one checked
        body = {**body, "prompt": body["prompt"] + "?"}
    elif kind == "no_final":
        events.remove(final)
    elif kind == "no_done":  # the signed last event is there: the signature still covers the whole text
        events.pop()
    elif kind == "after_final":
        events.insert(len(events) - 1, chunk("late"))
    elif kind == "tee_id":
        final["tee_id"] = tee_id(other)
    elif kind == "output_hash_field":
        final["tee_output_hash"] = keccak(text.encode() + b"!").hex()
    return body, events, kind


def sse(rng, events):
    newline = rng.choice(["\n", "\r\n"])
    out = []
    for e in events:
        if isinstance(e, tuple):
            out.append(f"event: {e[0]}{newline}data: {json.dumps(e[1])}{newline}{newline}")
        else:
            data = e if e == "[DONE]" else json.dumps(e, ensure_ascii=rng.random() < 0.5)
            out.append(f"data: {data}{newline}{newline}")
    return "".join(out)


def reference_verdict(body, events, signer, now):
    """The independent verifier: the last data event carries tee_*, the text is
    the joined choices[0].text of the events, nothing but [DONE] after it."""
    data = [e for e in events if not isinstance(e, tuple)]
    if data and data[-1] == "[DONE]":
        data = data[:-1]
    if not data or "[DONE]" in data:
        return False
    final = data[-1]
    fields = ("tee_signature", "tee_request_hash", "tee_output_hash", "tee_timestamp", "tee_id")
    if not all(f in final for f in fields):
        return False
    text = "".join(e["choices"][0]["text"] for e in data)
    request_hash, output_hash = keccak(canonical(body)), keccak(text.encode())
    ts = final["tee_timestamp"]
    return (final["tee_id"] == tee_id(signer) and final["tee_request_hash"] == request_hash.hex()
            and final["tee_output_hash"] == output_hash.hex() and -60 <= now - ts <= 300
            and pss_ok(signer, final["tee_signature"], keccak(request_hash + output_hash + ts.to_bytes(32, "big"))))


def test_completion_stream_verdicts_match_an_independent_verifier(testkit, rng, keys):
    signer, _ = keys
    pem = public_pem(signer)
    cases = []
    for _ in range(1000):
        body, events, kind = random_stream(rng, keys)
        # The verifier's clock: the event's timestamp, so that freshness passes and the signature decides.
        now = next((e["tee_timestamp"] for e in events if isinstance(e, dict) and "tee_timestamp" in e), 1_750_000_000)
        cases.append((body, events, kind, now, sse(rng, events)))
    answers = testkit.run([{"op": "verify_tee_response", "request": json.dumps(body), "response": transcript,
                            "public_key": pem, "now": now, "stream": True}
                           for body, _, _, now, transcript in cases])
    counts, differ = {}, []
    for (body, events, kind, now, transcript), answer in zip(cases, answers):
        expected = reference_verdict(body, events, signer, now)
        got = answer["ok"] and answer["verified"]
        counts.setdefault(kind, [0, 0])[expected] += 1
        if got != expected:
            differ.append((kind, expected, answer, transcript[:400]))
    print("completion stream verdicts by mutation (rejected, accepted):", counts)
    assert counts["none"][1] > 100 and counts["settlement_frame"][1] > 20 and counts["no_done"][1] > 20
    assert sum(r for r, _ in counts.values()) > 400
    assert not differ, f"{len(differ)} of {len(cases)} verdicts differ; first: {differ[0]!r}"
