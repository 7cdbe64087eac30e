"""The Python package over the vectors (offline verification) and against the
devnet (the LLM call API, sync, streamed and async)."""
import asyncio
import base64
import json
import time

import pytest

import verinfer
from conftest import VECTORS

TEE = VECTORS / "tee_response"


def _load_case(case):
    request = json.loads((VECTORS / "tee_response" / case["request_file"]).read_text())
    response = (TEE / case["response_file"]).read_text()
    return request, response


def test_verify_response_accepts_every_vector_case():
    cases = json.loads((TEE / "cases.json").read_text())
    key = (TEE / "keys" / "tee_public_key.pem").read_text()
    for case in cases["cases"]:
        request = (TEE / case["request_file"]).read_text()
        response = (TEE / case["response_file"]).read_text()
        report = verinfer.verify_response(request, response, key, now=case["timestamp"] + 1,
                                          stream=case["response_file"].endswith(".sse"))
        assert report.ok, case["id"]
        assert any(c.name == "tee_response.signature" and c.passed for c in report.checks)


def test_verify_response_rejects_every_negative_with_a_report():
    cases = json.loads((TEE / "cases.json").read_text())
    key = (TEE / "keys" / "tee_public_key.pem").read_text()
    # Checked at the base case's own time, so only the tampering can reject it.
    when = {c["request_file"]: c["timestamp"] for c in cases["cases"]}
    for case in cases["negative_cases"]:
        request = (TEE / case["request_file"]).read_text()
        response = (TEE / case["response_file"]).read_text()
        try:
            report = verinfer.verify_response(request, response, key, now=when[case["request_file"]] + 1,
                                              stream=case["response_file"].endswith(".sse"))
        except verinfer.VerificationError as error:
            assert error.report is not None, case["id"]
            assert not error.report.ok
            assert error.report.failures[0].reason, case["id"]
            assert error.report.failures[0].name != "tee_response.timestamp", case["id"]
        except verinfer.ParseError:
            pass  # e.g. a missing signature field is unusable input
        else:
            pytest.fail(f"{case['id']} accepted: {report}")


def test_verify_attestation_real_document():
    nitro = VECTORS / "nitro"
    doc = base64.b64decode((nitro / "attestation_doc.b64").read_text().strip())
    at = 1770919200  # 2026-02-12T18:00:00Z, inside the leaf's validity
    report = verinfer.verify_attestation(doc, at=at)
    assert report.ok
    with pytest.raises(verinfer.ExpiredError) as info:
        verinfer.verify_attestation(doc, at=at + 30 * 86400)
    assert info.value.report.failures


def test_payment_and_merkle_helpers():
    x402 = VECTORS / "x402"
    header = (x402 / "spec_examples" / "payment_signature.b64").read_text().strip()
    payload = verinfer.decode_x402_header(header)
    assert verinfer.verify_payment(payload, now=1740672119).ok
    with pytest.raises(verinfer.ExpiredError):
        verinfer.verify_payment(payload, now=1740672154)
    dump = (VECTORS / "merkle" / "tree_3.dump.json").read_text()
    leaf = verinfer.verify_merkle_proof(dump, 1)
    assert len(leaf) == 32
    with pytest.raises(verinfer.VerinferError):
        verinfer.verify_merkle_proof(dump, 1, root=b"\x00" * 32)


def test_results_print_and_compare():
    check = verinfer.Check("x.y", False, "a", "b", "differs", "verification_failed")
    assert str(check) == "FAIL  x.y: differs (expected a, got b)"
    assert verinfer.Report((check,)) == verinfer.Report((check,))
    assert not verinfer.Report(()).ok


@pytest.fixture(scope="module")
def llm(devnet):
    return verinfer.LLM(str(__import__("conftest").DEVNET_RUN / "profile.json"),
                        private_key=devnet["testPayer"]["privateKey"])


def test_llm_chat_is_verified_and_paid(llm, devnet):
    result = llm.chat(model="openai/gpt-5", messages=[{"role": "user", "content": "hi python"}],
                      max_tokens=16, x402_settlement_mode="individual")
    assert result.content == "Devnet echo: hi python"
    assert result.report.ok
    assert result.payment and result.payment["success"]
    assert result.authorized_amount == int(devnet["x402"]["amount"])
    assert result.stated_cost is None  # the gateway's direct route states no cost header
    assert result.tee_id.startswith("0x") and len(result.tee_id) == 66
    assert "ok    tee_response.signature" in str(result.report)


def test_llm_stream_and_completion(llm):
    stream = llm.chat(model="openai/gpt-5", messages=[{"role": "user", "content": "stream please"}],
                      stream=True, x402_settlement_mode="batch")
    pieces = list(stream)
    assert "".join(pieces) == stream.result.content
    assert stream.result.report.ok
    completion = llm.completion(model="openai/gpt-4o", prompt="Once upon", max_tokens=8)
    assert completion.report.ok and completion.content


def test_async_llm(devnet):
    async def main():
        client = verinfer.AsyncLLM(str(__import__("conftest").DEVNET_RUN / "profile.json"),
                                   private_key=devnet["testPayer"]["privateKey"])
        results = await asyncio.gather(*[
            client.chat(model="openai/gpt-5", messages=[{"role": "user", "content": f"n{i}"}])
            for i in range(3)])
        chunks = [c async for c in await client.chat(
            model="openai/gpt-5", messages=[{"role": "user", "content": "async stream"}], stream=True)]
        return results, chunks
    results, chunks = asyncio.run(main())
    assert [r.content for r in results] == [f"Devnet echo: n{i}" for i in range(3)]
    assert "".join(chunks).startswith("Devnet echo")


def test_llm_rejects_a_bad_signature_with_the_report(llm, devnet):
    import urllib.request
    gateway = devnet["urls"]["gateway"]

    def misbehave(mode):
        req = urllib.request.Request(gateway + "/admin/misbehave", method="POST",
                                     data=json.dumps({"mode": mode}).encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()

    misbehave("bad_signature")
    try:
        with pytest.raises(verinfer.VerificationError) as info:
            llm.chat(model="openai/gpt-5", messages=[{"role": "user", "content": "x"}])
        assert info.value.report.failures[0].name == "tee_response.signature"
        assert info.value.code == "verification_failed"
    finally:
        misbehave("none")


def test_llm_completion_stream_pieces_then_verdict(llm, devnet):
    from serve_helpers import gateway_misbehaving
    stream = llm.completion(model="openai/gpt-4o", prompt="Once upon a time", max_tokens=16,
                            stream=True, x402_settlement_mode="private")
    pieces = list(stream)
    assert pieces == [" ...", " and", " the", " devnet", " said:", " done."]
    assert stream.result.content == "".join(pieces) and stream.result.report.ok
    assert stream.result.output_hash == "0x" + __import__("eth_utils").keccak(
        "".join(pieces).encode()).hex()
    with gateway_misbehaving(devnet, "bad_signature"):
        bad = llm.completion(model="openai/gpt-4o", prompt="tampered", stream=True)
        with pytest.raises(verinfer.VerificationError) as info:
            list(bad)
    assert info.value.report.failures[0].name == "tee_response.signature"
    assert bad.result is None
    with gateway_misbehaving(devnet, "stream_truncated"):
        cut = llm.completion(model="openai/gpt-4o", prompt="cut short", stream=True)
        with pytest.raises(verinfer.TransportError) as lost:
            list(cut)
    assert lost.value.message == "stream truncated: no `data: [DONE]`"
    assert lost.value.payment_may_have_been_sent


def test_async_llm_completion_stream(devnet):
    async def main():
        client = verinfer.AsyncLLM(str(__import__("conftest").DEVNET_RUN / "profile.json"),
                                   private_key=devnet["testPayer"]["privateKey"])
        return [c async for c in await client.completion(
            model="openai/gpt-4o", prompt="async pieces", stream=True)]
    assert "".join(asyncio.run(main())) == " ... and the devnet said: done."
