"""Failures after a payment may have been made, end to end on the devnet: the
gateway settles a paid call on chain and then cuts the connection
(misbehave mode drop_after_payment). The Python client says the payment may
have been sent; `verinfer serve` answers 502 saying so and never tries a
second TEE, so exactly one payment per call moves on chain. A TEE that cannot
be reached before anything was paid is still failed over. (After
test_serve.py, so its proxies never see the extra TEE.)"""
import json
import re

import httpx
import openai
import pytest

import verinfer
from serve_helpers import (CountingListener, Registry, TlsIdentity, block_number, closed_port,
                           gateway_misbehaving, health, serving, token_transfers_from)

MODEL = "openai/gpt-5"


def client_for(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url + "/v1", api_key="unused-by-the-proxy",
                         max_retries=0, timeout=120)


@pytest.fixture
def watched_tee(devnet, tmp_path):
    """A second TEE, registered and active on chain, whose endpoint only counts
    the connections it gets; deactivated after the test."""
    registry = Registry(devnet)
    listener = CountingListener()
    tee_id = registry.register_tee(f"https://127.0.0.1:{listener.port}",
                                   TlsIdentity(tmp_path / "watched-tee"))
    yield tee_id, listener
    listener.close()
    if registry.is_active(tee_id):
        registry.set_enabled(tee_id, False)


def test_python_error_says_whether_the_payment_may_have_been_sent(devnet, tmp_path):
    payer = devnet["testPayer"]
    llm = verinfer.LLM("devnet", payer["privateKey"])
    start = block_number(devnet)
    with gateway_misbehaving(devnet, "drop_after_payment"):
        with pytest.raises(verinfer.TransportError) as lost:
            llm.chat(model=MODEL, messages=[{"role": "user", "content": "paid, then lost"}])
    assert lost.value.payment_may_have_been_sent is True
    assert token_transfers_from(devnet, payer["address"], start + 1) == [
        (devnet["x402"]["payTo"].lower(), int(devnet["x402"]["amount"]))]

    unreachable = dict(devnet, urls=dict(devnet["urls"], gateway=f"http://127.0.0.1:{closed_port()}"))
    profile = tmp_path / "unreachable.json"
    profile.write_text(json.dumps(unreachable))
    with pytest.raises(verinfer.TransportError) as refused:
        verinfer.LLM(str(profile), payer["privateKey"]).chat(
            model=MODEL, messages=[{"role": "user", "content": "never sent"}])
    assert refused.value.payment_may_have_been_sent is False


def test_a_call_lost_after_payment_is_never_retried_on_another_tee(cli, devnet, watched_tee,
                                                                   tmp_path):
    watched, listener = watched_tee
    live = devnet["tee"]["teeId"].lower()
    price = int(devnet["x402"]["amount"])
    payer = devnet["testPayer"]["address"]
    with serving(cli, tmp_path, devnet, "--tee-id", live, "--tee-id", watched,
                 "--refresh-seconds", "0", "--max-call-spend", str(price)) as server:
        assert [c["tee_id"] for c in health(server)["candidates"]] == [live, watched]
        start = block_number(devnet)
        with gateway_misbehaving(devnet, "drop_after_payment"):
            for stream in (False, True):
                with pytest.raises(openai.APIStatusError) as lost:
                    answer = client_for(server).chat.completions.create(
                        model=MODEL, messages=[{"role": "user", "content": f"lost {stream}"}],
                        stream=stream)
                    if stream:
                        list(answer)
                assert lost.value.status_code == 502
                error = lost.value.body
                assert error["code"] == "payment_may_have_been_made"
                assert error["payment_may_have_been_made"] is True
                assert error["message"].startswith(
                    "the call failed after its payment was sent, so the payment may have been made")
                assert "connection" in error["message"]  # what failed
        # Neither call went near the second TEE, and each paid exactly once.
        assert listener.connections == 0
        assert token_transfers_from(devnet, payer, start + 1) == [
            (devnet["x402"]["payTo"].lower(), price)] * 2
        after = health(server)
        assert after["failovers"] == 0
        assert after["spent"] == str(2 * price)  # charged the per-call cap: it may have paid
        metrics = httpx.get(server.base_url + "/metrics", timeout=10).text
        assert re.search(r"^verinfer_serve_failed_after_payment_total 2$", metrics, re.M)
        assert re.search(r"^verinfer_serve_failovers_total 0$", metrics, re.M)
    assert server.log().count("payment=may_have_been_made") == 2
