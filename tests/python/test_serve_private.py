"""`verinfer serve --route private_relay`: an unmodified OpenAI client gets
verified answers (buffered and streamed) while every prompt crosses the
devnet's relay sealed to the attested enclave; the relay's record of what it
carried never holds the prompt or the answer."""
import base64

import openai

from serve_helpers import health, serving
from test_private_path import relay_exchanges

MODEL = "openai/gpt-5"


def test_openai_client_through_the_private_relay(cli, devnet, tmp_path, rng):
    marker = f"sealed-for-the-enclave-{rng.randrange(10**12)}"
    before = {e["request"] for e in relay_exchanges(devnet)}
    with serving(cli, tmp_path, devnet, "--route", "private_relay") as server:
        client = openai.OpenAI(base_url=server.base_url + "/v1", api_key="unused-by-the-proxy",
                               max_retries=0, timeout=120)
        raw = client.chat.completions.with_raw_response.create(
            model=MODEL, messages=[{"role": "user", "content": marker}])
        assert raw.headers["X-Verinfer-Verified"] == "true"
        completion = raw.parse()
        assert completion.choices[0].message.content == f"Devnet echo: {marker}"
        chunks = list(client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": marker + " streamed"}], stream=True))
        streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert streamed == f"Devnet echo: {marker} streamed"
        for verification in (completion.model_extra["verinfer_verification"],
                             chunks[-1].model_extra["verinfer_verification"]):
            assert verification["verified"] is True
            assert verification["tee_id"] == devnet["tee"]["teeId"].lower()
            names = {c["name"]: c["passed"] for c in verification["checks"]}
            assert all(names.values()), names
            for required in ("ohttp_config.signature", "ohttp.response", "tee_response.signature",
                             "nitro.user_data.signing_key", "registry.registered"):
                assert names.get(required) is True, required
            # What the relay says it paid, passed on as stated (buffered and streamed).
            assert verification["stated_cost"]["opg"] == devnet["x402"]["amount"]
        assert "ohttp.stream_complete" in {
            c["name"] for c in chunks[-1].model_extra["verinfer_verification"]["checks"]}
        assert health(server)["spent"] == "0"  # the relay paid, not the key
    assert "route=private_relay" in server.log()

    carried = [e for e in relay_exchanges(devnet) if e["request"] not in before]
    assert len(carried) == 2  # one sealed request per call, nothing else
    needles = [marker.encode(), base64.b64encode(marker.encode()), marker.encode().hex().encode(),
               b"Devnet echo"]
    for exchange in carried:
        request, response = (base64.b64decode(exchange[k]) for k in ("request", "response"))
        assert request[:7] == bytes.fromhex("01002000010003")  # OHTTP, key id 1, the one suite
        for blob in (request, response):
            for needle in needles:
                assert needle not in blob
