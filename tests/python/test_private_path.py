"""The private path (OHTTP to the attested enclave) against the devnet.

Through verinfer.LLM / AsyncLLM on both private routes, and raw against the
devnet's relay with pyhpke (an HPKE implementation independent of both
verinfer and the devnet's @hpke/*): what the relay sees and logs never holds
the prompt, the relay refuses what it must, and each gateway misbehaviour is
rejected by its named check, a forged key config before any prompt is sent."""
import asyncio
import base64
import json
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

import verinfer
from conftest import DEVNET_RUN
from test_diff_hpke import NONCE_LEN, request_info, response_aead

SUITE = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.CHACHA20_POLY1305)
MODEL = "openai/gpt-5"


def http(url, data=None, headers=None, method=None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def gateway_admin(devnet, mode=None):
    url = devnet["urls"]["gateway"] + "/admin/misbehave"
    if mode is None:
        return json.loads(http(url)[2])
    status, _, body = http(url, json.dumps({"mode": mode}).encode(), {"Content-Type": "application/json"})
    assert status == 200, body


@pytest.fixture
def misbehaving(devnet):
    modes = []

    def set_mode(mode):
        modes.append(mode)
        gateway_admin(devnet, mode)
    yield set_mode
    if modes:
        gateway_admin(devnet, "none")


def relay_exchanges(devnet):
    return json.loads(http(devnet["relay"]["url"] + "/admin/traffic")[2])["exchanges"]


def seal(devnet, body: bytes):
    """A message/ohttp-req for the devnet TEE's registered key, sealed by pyhpke."""
    pk = SUITE.kem.deserialize_public_key(bytes.fromhex(devnet["tee"]["ohttp"]["publicKeyHex"]))
    enc, ctx = SUITE.create_sender_context(pk, request_info(1))
    return bytes([1]) + bytes.fromhex("002000010003") + enc + ctx.seal(body, b""), enc, ctx


def relay_post(devnet, wire, tee_id=None, token=None, content_type="message/ohttp-req"):
    headers = {"Content-Type": content_type,
               "Authorization": "Bearer " + (devnet["relay"]["accountToken"] if token is None else token),
               "X-TEE-ID": devnet["tee"]["teeId"] if tee_id is None else tee_id}
    return http(devnet["relay"]["url"] + devnet["relay"]["path"], wire, headers)


def test_llm_private_relay_chat_stream_completion(devnet, rng):
    llm = verinfer.LLM("devnet", route="private_relay")
    marker = f"relay-secret-{rng.randrange(10**12)}"
    result = llm.chat(model=MODEL, messages=[{"role": "user", "content": marker}],
                      x402_settlement_mode="private")
    assert result.content == f"Devnet echo: {marker}"
    names = {c.name for c in result.report.checks}
    assert {"nitro.nonce", "ohttp_config.signature", "ohttp.response", "tee_response.signature"} <= names
    assert result.report.ok and result.payment is None  # the relay paid
    # The relay states what it paid (informational: no signature covers it).
    amount = devnet["x402"]["amount"]
    assert result.stated_cost["opg"] == amount
    assert Decimal(result.stated_cost["usd"]) == Decimal(amount) / 10 ** devnet["token"]["decimals"]

    stream = llm.chat(model=MODEL, messages=[{"role": "user", "content": "stream me please"}],
                      stream=True, x402_settlement_mode="private")
    assert "".join(stream) == "Devnet echo: stream me please"
    assert "ohttp.stream_complete" in {c.name for c in stream.result.report.checks}

    completion = llm.completion(model=MODEL, prompt="Once upon", x402_settlement_mode="private")
    assert completion.content == " ... and the devnet said: done."


def test_async_llm_private_gateway_paid_by_the_caller(devnet):
    llm = verinfer.AsyncLLM("devnet", devnet["testPayer"]["privateKey"], route="private_gateway",
                            ohttp_config="gateway")

    async def main():
        return await llm.chat(model=MODEL, messages=[{"role": "user", "content": "async private"}])
    result = asyncio.run(main())
    assert result.content == "Devnet echo: async private"
    assert result.payment and result.payment["success"]
    assert result.settlement["type"] == "individual"


def test_bad_route_options_are_refused(devnet):
    with pytest.raises(verinfer.InvalidArgument):
        verinfer.LLM("devnet", route="secret")
    with pytest.raises(verinfer.InvalidArgument):
        verinfer.LLM("devnet", route="private_relay", ohttp_config="dns")


def test_the_relay_never_sees_or_logs_the_prompt(devnet, rng):
    marker = f"never-in-clear-{rng.randrange(10**12)}"
    llm = verinfer.LLM("devnet", route="private_relay")
    before = len(relay_exchanges(devnet))
    answer = llm.chat(model=MODEL, messages=[{"role": "user", "content": marker}],
                      x402_settlement_mode="private")
    streamed = "".join(llm.chat(model=MODEL, messages=[{"role": "user", "content": marker + " streamed"}],
                                stream=True, x402_settlement_mode="private"))
    assert marker in answer.content and marker in streamed  # the enclave did see it
    exchanges = relay_exchanges(devnet)
    assert len(exchanges) >= before + 2
    needles = [marker.encode(), base64.b64encode(marker.encode()), marker.encode().hex().encode()]
    for ex in exchanges[-2:]:
        request, response = base64.b64decode(ex["request"]), base64.b64decode(ex["response"])
        assert request[:7] == bytes.fromhex("01002000010003")  # an OHTTP request, key id 1
        assert len(response) > NONCE_LEN
        for blob in (request, response, json.dumps(ex).encode()):
            for needle in needles:
                assert needle not in blob
    log = (DEVNET_RUN / "relay.log").read_bytes()
    assert devnet["tee"]["teeId"].encode() in log  # it does log what it may
    for needle in needles:
        assert needle not in log


def test_relay_forwards_pyhpke_requests_with_either_tee_id_form(devnet):
    tee = devnet["tee"]["teeId"]
    for tee_id in (tee, tee[2:], tee.upper().replace("0X", "0x")):
        wire, enc, ctx = seal(devnet, json.dumps({"model": "gpt-5", "messages": [
            {"role": "user", "content": "pyhpke"}]}).encode())
        status, headers, body = relay_post(devnet, wire, tee_id=tee_id)
        assert status == 200, body
        assert headers["Content-Type"].startswith("message/ohttp-res")
        assert headers["X-Inference-Cost-OPG"] == devnet["x402"]["amount"]
        assert float(headers["X-Inference-Cost-USD"]) == int(devnet["x402"]["amount"]) / 10 ** 6
        aead, nonce = response_aead(ctx, b"message/bhttp response", enc, body[:NONCE_LEN])
        inner = json.loads(aead.decrypt(nonce, body[NONCE_LEN:], b""))
        assert inner["choices"][0]["message"]["content"] == "Devnet echo: pyhpke"
        assert inner["tee_id"] == tee


def test_sealed_inner_errors_and_relay_refusals(devnet):
    # Not JSON inside the seal: a sealed {"status": 400, "body"} under an outer 200.
    wire, enc, ctx = seal(devnet, b"{not json")
    status, _, body = relay_post(devnet, wire)
    assert status == 200
    aead, nonce = response_aead(ctx, b"message/bhttp response", enc, body[:NONCE_LEN])
    inner = json.loads(aead.decrypt(nonce, body[NONCE_LEN:], b""))
    assert inner["status"] == 400 and "not valid JSON" in inner["body"]["error"]

    wire, _, _ = seal(devnet, b"{}")
    assert relay_post(devnet, wire, token="")[0] == 401
    assert relay_post(devnet, wire, token=devnet["relay"]["accountToken"] + "x")[0] == 401
    assert relay_post(devnet, wire, tee_id="0x1234")[0] == 400
    assert relay_post(devnet, wire, tee_id="0x" + "ab" * 32)[0] == 404
    assert relay_post(devnet, wire, content_type="application/json")[0] == 415
    assert relay_post(devnet, b"\x01" * (512 * 1024 + 1))[0] == 413
    # A body that does not open: the gateway answers in clear, the relay passes it on.
    status, _, body = relay_post(devnet, wire[:-1] + bytes([wire[-1] ^ 1]))
    assert status == 400 and b"malformed encapsulated request" in body
    # Straight to the gateway without paying: a plaintext 402, nothing opened.
    status, headers, _ = http(devnet["urls"]["gateway"] + "/v1/ohttp", wire,
                              {"Content-Type": "message/ohttp-req"})
    assert status == 402 and headers["PAYMENT-REQUIRED"]


def test_tampered_and_truncated_answers_fail_their_checks(devnet, misbehaving):
    llm = verinfer.LLM("devnet", route="private_relay")
    misbehaving("ohttp_tampered_response")
    with pytest.raises(verinfer.VerificationError) as info:
        llm.chat(model=MODEL, messages=[{"role": "user", "content": "x"}], x402_settlement_mode="private")
    assert info.value.report.failures[0].name == "ohttp.response"
    deltas = []
    with pytest.raises(verinfer.VerificationError) as info:
        for d in llm.chat(model=MODEL, messages=[{"role": "user", "content": "y"}], stream=True,
                          x402_settlement_mode="private"):
            deltas.append(d)
    assert info.value.report.failures[0].name == "ohttp.response" and deltas == []

    misbehaving("ohttp_dropped_final_chunk")
    with pytest.raises(verinfer.VerificationError) as info:
        list(llm.chat(model=MODEL, messages=[{"role": "user", "content": "z"}], stream=True,
                      x402_settlement_mode="private"))
    assert info.value.report.failures[0].name == "ohttp.stream_complete"


@pytest.mark.parametrize("source", ["registry", "gateway"])
def test_a_forged_config_is_refused_before_the_prompt_leaves(devnet, misbehaving, source):
    misbehaving("ohttp_forged_config")
    before = gateway_admin(devnet)["ohttpRequests"]
    exchanges = len(relay_exchanges(devnet))
    llm = verinfer.LLM("devnet", route="private_relay", ohttp_config=source)
    with pytest.raises(verinfer.VerificationError) as info:
        llm.chat(model=MODEL, messages=[{"role": "user", "content": "must not leave"}])
    assert info.value.report.failures[0].name == "ohttp_config.signature"
    assert gateway_admin(devnet)["ohttpRequests"] == before
    assert len(relay_exchanges(devnet)) == exchanges
