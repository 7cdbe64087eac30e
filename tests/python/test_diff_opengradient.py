"""verinfer's TEE response verifier against OpenGradient's own SDK
(opengradient==1.1.4, `opengradient.client.tee_verify`): the same random
requests must give the same canonical bytes, and the same responses (signed
here with a throwaway RSA key, some of them tampered) the same verdicts.
Also the `verify-response` CLI on every vector case."""
import base64
import json
import subprocess

import pytest
from eth_utils import keccak

from conftest import VECTORS as CONFTEST_VECTORS
from test_diff_canonical import random_chat_body, random_string, random_value

VECTORS = CONFTEST_VECTORS / "tee_response"


@pytest.fixture(scope="module")
def og():
    return pytest.importorskip("opengradient.client.tee_verify",
                               reason="opengradient==1.1.4 (requirements-dev.txt) is not installed")


@pytest.fixture(scope="module")
def keys():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    def pem(private):
        return private.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    signer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return signer, pem(signer), other, pem(other)


def sign(private, msg_hash, salt_length=32):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    salt = padding.PSS.MAX_LENGTH if salt_length is None else salt_length
    return base64.b64encode(private.sign(msg_hash, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt),
                                         hashes.SHA256())).decode()


def random_answer(rng):
    """An assistant message as the gateway returns it, and the text it signs."""
    if rng.random() < 0.3:
        calls = [{"id": "call_" + random_string(rng, 6), "type": "function",
                  "function": {"name": random_string(rng, 8), "arguments": json.dumps(random_value(rng, 2))}}
                 for _ in range(rng.randrange(1, 3))]
        return {"role": "assistant", "content": "", "tool_calls": calls}, "tool_calls", json.dumps(calls, sort_keys=True)
    content = random_string(rng, 60)
    return {"role": "assistant", "content": content}, "stop", content


def signed_response(rng, og, canonical_bytes, signer, tee_id):
    message, finish, output = random_answer(rng)
    timestamp = rng.randrange(1_700_000_000, 1_800_000_000)
    request_hash = keccak(canonical_bytes)
    output_hash = keccak(output.encode())
    msg_hash = keccak(request_hash + output_hash + timestamp.to_bytes(32, "big"))
    return {"id": "chatcmpl-x", "object": "chat.completion", "created": timestamp, "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "tee_signature": sign(signer, msg_hash), "tee_request_hash": request_hash.hex(),
            "tee_output_hash": output_hash.hex(), "tee_timestamp": timestamp, "tee_id": tee_id}


def tamper(rng, response, keys, og):
    """Applies one random mutation (or none); returns its name."""
    signer, _, other, other_pem = keys
    kind = rng.choice(["none", "none", "content", "timestamp", "signature_byte", "request_hash", "output_hash",
                       "tee_id", "other_key", "max_salt", "drop_field", "finish_reason"])
    message = response["choices"][0]["message"]
    if kind == "content":
        message["content"] = message["content"] + rng.choice(["x", " ", "\u00e9"])
    elif kind == "timestamp":
        response["tee_timestamp"] += rng.choice([1, -1, 7])
    elif kind == "signature_byte":
        sig = bytearray(base64.b64decode(response["tee_signature"]))
        sig[rng.randrange(len(sig))] ^= 1 << rng.randrange(8)
        response["tee_signature"] = base64.b64encode(bytes(sig)).decode()
    elif kind in ("request_hash", "output_hash"):
        field = "tee_" + kind
        digest = bytearray(bytes.fromhex(response[field]))
        digest[rng.randrange(32)] ^= 1
        response[field] = digest.hex()
    elif kind == "tee_id":
        response["tee_id"] = og.tee_id_for_key(other_pem)
    elif kind in ("other_key", "max_salt"):
        msg_hash = keccak(bytes.fromhex(response["tee_request_hash"]) + bytes.fromhex(response["tee_output_hash"])
                          + response["tee_timestamp"].to_bytes(32, "big"))
        response["tee_signature"] = sign(other, msg_hash) if kind == "other_key" else sign(signer, msg_hash, None)
    elif kind == "drop_field":
        del response[rng.choice(["tee_signature", "tee_request_hash", "tee_output_hash", "tee_timestamp", "tee_id"])]
    elif kind == "finish_reason":
        choice = response["choices"][0]
        choice["finish_reason"] = "stop" if choice["finish_reason"] == "tool_calls" else "tool_calls"
    return kind


def og_verdict(og, canonical, response, pem):
    try:
        og.verify_response(canonical_request=canonical, response_body=response,
                           response_content=og.response_content_for_hash(response), signing_key_pem=pem)
        return True
    except og.VerificationError:
        return False


def test_canonical_bytes_match_opengradient_sdk(testkit, rng, og):
    bodies = [random_chat_body(rng) for _ in range(1500)]
    # Some bodies the SDK refuses (unknown roles, malformed tool calls): both must refuse.
    for body in bodies[::10]:
        body["messages"].append(rng.choice([{"role": "robot", "content": "x"}, {"role": None},
                                            {"role": "assistant", "tool_calls": ["x"]},
                                            {"role": "assistant", "tool_calls": [{"function": None}]}]))
    answers = testkit.run([{"op": "canonical_request", "body": json.dumps(b)} for b in bodies])
    differ = []
    refused = 0
    for body, answer in zip(bodies, answers):
        try:
            expected = og.canonical_request_bytes(og.build_inner_request(body)[1]).decode()
        except Exception as exc:  # the SDK's refusal (UnsupportedRequestError, AttributeError, ...)
            refused += 1
            if answer["ok"]:
                differ.append((body, f"SDK refused: {exc!r}", answer))
            continue
        if not answer["ok"] or answer["canonical"] != expected:
            differ.append((body, expected, answer))
        elif answer["request_hash"] != keccak(expected.encode()).hex():
            differ.append((body, "hash", answer))
    print(f"{len(bodies)} bodies, {refused} refused by both")
    assert refused >= len(bodies) // 10
    assert not differ, f"{len(differ)} of {len(bodies)} differ; first: {differ[0]!r}"


def test_object_user_content_is_the_one_documented_divergence(testkit, og):
    # The SDK hashes Python's str() of an object-valued user content ("{'a': 1}");
    # verinfer refuses it rather than imitate Python's repr (see canonical.hpp).
    body = {"model": "m", "messages": [{"role": "user", "content": {"a": 1}}]}
    assert og.build_inner_request(body)[1]["messages"][0]["content"] == "{'a': 1}"
    answer = testkit.run([{"op": "canonical_request", "body": json.dumps(body)}])[0]
    assert not answer["ok"] and "value cannot be canonicalised" in answer["error"]


def test_verdicts_match_opengradient_sdk(testkit, rng, og, keys):
    signer, pem, _, _ = keys
    tee_id = og.tee_id_for_key(pem)
    cases = []
    while len(cases) < 1000:
        body = random_chat_body(rng)
        try:
            canonical = og.build_inner_request(body)[1]
        except Exception:
            continue
        response = signed_response(rng, og, og.canonical_request_bytes(canonical), signer, tee_id)
        timestamp = response["tee_timestamp"]
        kind = tamper(rng, response, keys, og)
        cases.append((body, canonical, response, kind, timestamp))
    answers = testkit.run([{"op": "verify_tee_response", "request": json.dumps(body), "response": json.dumps(response),
                            "public_key": pem, "now": timestamp} for body, _, response, _, timestamp in cases])
    differ = []
    counts = {}
    for (body, canonical, response, kind, _), answer in zip(cases, answers):
        expected = og_verdict(og, canonical, response, pem)
        got = answer["ok"] and answer["verified"]
        counts.setdefault(kind, [0, 0])[expected] += 1
        if got != expected:
            differ.append((kind, expected, answer, response))
    print("verdicts by mutation (rejected, accepted):", counts)
    assert counts["none"][1] > 100 and sum(r for r, _ in counts.values()) > 500
    assert not differ, f"{len(differ)} of {len(cases)} verdicts differ; first: {differ[0]!r}"


# ---- the CLI on the vectors -------------------------------------------------

def run_cli(cli, *args):
    return subprocess.run([str(cli), "verify-response", *map(str, args)], capture_output=True, text=True, timeout=60)


def test_cli_accepts_every_vector_case(cli):
    cases = json.loads((VECTORS / "cases.json").read_text())["cases"]
    assert len(cases) == 14
    for case in cases:
        out = run_cli(cli, "--request", VECTORS / case["request_file"], "--response", VECTORS / case["response_file"],
                      "--public-key", VECTORS / "keys/tee_public_key.pem", "--at", case["timestamp"], "--json")
        assert out.returncode == 0, (case["id"], out.stderr)
        report = json.loads(out.stdout)
        assert report["verified"] is True
        assert {c["name"] for c in report["checks"]} >= {"tee_response.request_hash", "tee_response.signature"}


def test_cli_rejects_every_negative_case_naming_the_check(cli):
    names = {"malformed": "tee_response.fields", "tee_id_mismatch": "tee_response.tee_id",
             "request_hash_mismatch": "tee_response.request_hash",
             "output_hash_mismatch": "tee_response.output_hash", "signature_invalid": "tee_response.signature"}
    negatives = json.loads((VECTORS / "cases.json").read_text())["negative_cases"]
    assert len(negatives) == 10
    for case in negatives:
        args = ["--request", VECTORS / case["request_file"], "--response", VECTORS / case["response_file"],
                "--public-key", VECTORS / case["pinned_key"], "--any-age"]
        out = run_cli(cli, *args)
        assert out.returncode == 1, (case["id"], out.stderr)
        assert names[case["expected_reason"]] in out.stderr and out.stdout == ""
        report = json.loads(run_cli(cli, *args, "--json").stdout)
        first = next(c for c in report["checks"] if not c["passed"])
        assert report["verified"] is False and first["name"] == names[case["expected_reason"]]


def test_cli_time_policy_and_unusable_input(cli, tmp_path):
    case = VECTORS / "cases/01_chat_plain_defaults"
    key = VECTORS / "keys/tee_public_key.pem"
    base = ["--request", case / "request.json", "--response", case / "response.json", "--public-key", key]
    assert run_cli(cli, *base, "--at", 1770919200 + 300).returncode == 0
    late = run_cli(cli, *base, "--at", 1770919200 + 301)
    assert late.returncode == 1 and "expired" in late.stderr and "tee_response.timestamp" in late.stderr
    assert run_cli(cli, *base, "--at", 1770919200 + 10**6, "--max-age", 10**6).returncode == 0
    assert run_cli(cli, *base, "--any-age").returncode == 0
    pinned = run_cli(cli, *base, "--any-age", "--tee-id", "0x" + "11" * 32)
    assert pinned.returncode == 1 and "untrusted" in pinned.stderr
    # Unusable input: exit 2 with a one-line reason.
    bad_request = tmp_path / "bad_request.json"
    bad_request.write_text('{"model": "m", "messages": [{"role": "robot"}]}')
    not_json = tmp_path / "not.json"
    not_json.write_text("{")
    for args, needle in [
            (["--request", case / "request.json", "--response", case / "response.json"], "--public-key"),
            ([*base[:4], "--public-key", case / "request.json"], "--public-key"),
            (["--request", bad_request, *base[2:]], "unknown message role"),
            (["--request", not_json, *base[2:]], "--request"),
            ([*base[:2], "--response", not_json, *base[4:]], "--response"),
            ([*base, "--at", "soon"], "--at"),
            ([*base, "--tee-id", "0x12"], "--tee-id")]:
        out = run_cli(cli, *args)
        assert out.returncode == 2 and needle in out.stderr, (args, out.stderr)
