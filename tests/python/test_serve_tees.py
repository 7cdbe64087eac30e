"""`verinfer serve` choosing its TEE from the devnet's on-chain registry: a
second TEE registered here by a signed transaction, whose endpoint refuses
connections, resets them or never answers them (connect timeout), makes the
proxy fail over to the live one; pins that exclude every TEE stop it at start,
naming each reason (not pinned, not registered, another TEE type, a PCR hash
no longer approved); the background refresh stops using a TEE
deactivated on chain; on-chain settlement checks; the spend cap charges the
amount each payment authorised. (Its own file, after test_serve.py, so no
proxy of that module ever sees the extra TEE.)"""
import re
import subprocess

import httpx
import openai
import pytest

from serve_helpers import (BlackholeListener, Registry, ResettingListener, TlsIdentity,
                           closed_port, health, serving, wait_for_health)

MODEL = "openai/gpt-5"


def client_for(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url + "/v1", api_key="unused-by-the-proxy",
                         max_retries=0, timeout=120)


def check_names(verification: dict) -> dict:
    return {c["name"]: c["passed"] for c in verification["checks"]}


@pytest.fixture
def registry(devnet):
    return Registry(devnet)


@pytest.fixture
def live_tee(devnet):
    return devnet["tee"]["teeId"].lower()


@pytest.fixture
def dead_tee(registry, request, tmp_path):
    """A TEE registered and active on chain whose endpoint refuses connections
    (or, with the parameter "reset", completes TLS and resets the connection
    once the request starts; with "blackhole", never answers a connection
    attempt); deactivated again after the test so the registry lists only the
    live one."""
    tls = TlsIdentity(tmp_path / "dead-tee")
    kind = getattr(request, "param", "refused")
    listener = {"reset": lambda: ResettingListener(tls), "blackhole": BlackholeListener,
                "refused": lambda: None}[kind]()
    if kind == "blackhole":
        assert listener.drops_connections()
    port = listener.port if listener else closed_port()
    tee_id = registry.register_tee(f"https://127.0.0.1:{port}", tls)
    assert registry.is_active(tee_id)
    yield tee_id
    if listener:
        if kind == "reset":
            assert listener.resets > 0  # the proxy did try it
        listener.close()
    if registry.is_active(tee_id):
        registry.set_enabled(tee_id, False)


@pytest.mark.parametrize("dead_tee, policy", [("refused", "verify-first"),
                                              ("reset", "low-latency"),
                                              ("blackhole", "verify-first")],
                         indirect=["dead_tee"])
def test_unreachable_tee_fails_over_to_the_live_one(cli, devnet, dead_tee, live_tee, tmp_path,
                                                    policy, request):
    price = str(devnet["x402"]["amount"])
    with serving(cli, tmp_path, devnet, "--tee-id", dead_tee, "--tee-id", live_tee,
                 "--refresh-seconds", "0", "--stream-policy", policy,
                 "--connect-timeout-ms", "300") as server:
        before = health(server)
        assert before["tee_id"] == dead_tee  # the first pin is preferred
        assert [c["tee_id"] for c in before["candidates"]] == [dead_tee, live_tee]
        assert before["failovers"] == 0

        prompt = f"fail over please {policy}"
        chunks = list(client_for(server).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True))
        content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert content == f"Devnet echo: {prompt}"
        verification = chunks[-1].model_extra["verinfer_verification"]
        assert verification["verified"] is True and verification["tee_id"] == live_tee
        assert all(check_names(verification).values())

        raw = client_for(server).chat.completions.with_raw_response.create(
            model=MODEL, messages=[{"role": "user", "content": "and buffered"}])
        assert raw.headers["X-Verinfer-TEE-Id"] == live_tee  # the dead one is cooling down

        after = health(server)
        assert after["failovers"] == 1
        assert after["tee_id"] == live_tee
        states = {c["tee_id"]: (c["state"], c["failures"]) for c in after["candidates"]}
        assert states == {dead_tee: ("cooling_down", 1), live_tee: ("active", 0)}
        # Nothing was paid to the unreachable TEE: two calls, each charged the price.
        assert after["spent"] == str(2 * int(price))
        metrics = httpx.get(server.base_url + "/metrics", timeout=10).text
        assert re.search(r"^verinfer_serve_failovers_total 1$", metrics, re.M)
        assert f'verinfer_serve_active_tee{{tee_id="{live_tee}"}} 1' in metrics
        assert re.search(rf'^verinfer_serve_tee_candidate\{{tee_id="{dead_tee}",endpoint="[^"]+",'
                         r'state="cooling_down"\} 1$', metrics, re.M)
    log = server.log()
    assert f"msg=failover from_tee={dead_tee}" in log and f"to_tee={live_tee}" in log
    # Refused: never connected. Reset: connected (TLS with the registered certificate), then lost
    # during the signing-key GET, which comes before any payment. Blackhole: no connection within
    # --connect-timeout-ms.
    lost = {"refused": "connection failed", "reset": "connection lost",
            "blackhole": "connect timed out"}[request.node.callspec.params["dead_tee"]]
    assert re.search(rf'msg=failover .*error="GET https://127\.0\.0\.1:\d+/signing-key: {lost}"',
                     log), log
    assert re.search(r"msg=call .*outcome=verified .*failovers=1", log)


@pytest.mark.parametrize("pin, fragment", [
    (["--pcr-hash", "0x" + "11" * 32], "is not pinned"),
    (["--tee-id", "0x" + "22" * 32], "not registered in the TEE registry"),
    (["--tee-type", "1", "--tee-id", "LIVE"], "registered as TEE type 0, not type 1"),
])
def test_pins_that_exclude_every_tee_stop_it_at_start(cli, devnet, live_tee, pin, fragment):
    pin = [live_tee if p == "LIVE" else p for p in pin]
    out = subprocess.run([str(cli), "serve", "--listen", "127.0.0.1:0", *pin],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stderr
    assert "no usable TEE in the registry" in out.stderr
    assert fragment in out.stderr
    if pin[0] == "--pcr-hash":  # the live TEE is named with the reason it was left out
        assert live_tee in out.stderr and devnet["attestation"]["pcrHash"].lower() in out.stderr


def test_a_tee_whose_pcr_hash_was_revoked_is_excluded_with_the_reason(cli, devnet, registry,
                                                                      tmp_path, rng):
    admin = Registry(devnet, Registry.ADMIN_KEY)
    measurement = rng.randbytes(32)
    admin.set_pcr_approved(measurement, True)
    tee_id = registry.register_tee("https://127.0.0.1:9", TlsIdentity(tmp_path / "revoked"),
                                   pcr_hash=measurement)
    assert registry.is_active(tee_id)
    admin.set_pcr_approved(measurement, False)
    assert not registry.is_active(tee_id)
    out = subprocess.run([str(cli), "serve", "--listen", "127.0.0.1:0", "--tee-id", tee_id],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stderr
    assert (f"{tee_id} (https://127.0.0.1:9): enabled but not active: its PCR hash "
            f"0x{measurement.hex()} is no longer approved") in out.stderr


def test_refresh_stops_using_a_deactivated_tee(cli, devnet, registry, dead_tee, live_tee,
                                               tmp_path):
    with serving(cli, tmp_path, devnet, "--tee-id", dead_tee, "--tee-id", live_tee,
                 "--refresh-seconds", "1") as server:
        assert health(server)["tee_id"] == dead_tee
        registry.set_enabled(dead_tee, False)
        after = wait_for_health(server, lambda h: h["tee_id"] == live_tee)
        assert [c["tee_id"] for c in after["candidates"]] == [live_tee]
        excluded = {e["tee_id"]: e["reason"] for e in after["excluded"]}
        assert excluded[dead_tee] == "disabled in the registry"
        # The call goes straight to the live TEE: no failover, so the dead one was never tried.
        completion = client_for(server).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "after the refresh"}])
        assert completion.model_extra["verinfer_verification"]["tee_id"] == live_tee
        assert health(server)["failovers"] == 0
        # Enabled again, it comes back as the preferred TEE.
        registry.set_enabled(dead_tee, True)
        back = wait_for_health(server, lambda h: h["tee_id"] == dead_tee)
        assert [c["tee_id"] for c in back["candidates"]] == [dead_tee, live_tee]
        assert back["registry"]["errors"] == 0 and back["registry"]["reads"] >= 3
    assert "msg=registry_refresh outcome=changed" in server.log()


def test_settlement_check_verifies_payment_and_settlement_on_chain(cli, devnet, live_tee,
                                                                   tmp_path):
    with serving(cli, tmp_path, devnet, "--settlement", "individual",
                 "--settlement-check") as server:
        assert health(server)["settlement_check"] is True
        completion = client_for(server).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "settle me on chain"}])
        verification = completion.model_extra["verinfer_verification"]
        names = check_names(verification)
        assert all(names.values()), names
        for required in ("registry.registered", "registry.pcr_hash", "x402.transfer",
                         "x402.amount", "settlement.tee_id", "settlement.output_hash",
                         "settlement.signature"):
            assert names.get(required) is True, (required, names)
        assert verification["settlement"]["type"] == "individual"
        assert re.fullmatch(r"0x[0-9a-f]{64}", verification["settlement"]["tx_hash"])


def test_settlement_check_refuses_batch_mode(cli, devnet):
    out = subprocess.run([str(cli), "serve", "--listen", "127.0.0.1:0", "--settlement-check"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "--settlement individual or private" in out.stderr


def test_spend_cap_charges_the_authorised_amount(cli, devnet, tmp_path):
    price = int(str(devnet["x402"]["amount"]))
    # Each call reserves the per-call cap (1.2 x price) and is charged what its
    # payment authorised (the price): three calls fit in 3.5 x price. Charged
    # at the cap, the third would already be refused.
    with serving(cli, tmp_path, devnet, "--max-spend", str(price * 7 // 2),
                 "--max-call-spend", str(price * 6 // 5)) as server:
        client = client_for(server)
        for i in range(3):
            completion = client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": f"paid call {i}"}])
            payment = completion.model_extra["verinfer_verification"]["payment"]
            assert payment["authorized_amount"] == str(price)
            assert health(server)["spent"] == str(price * (i + 1))
        with pytest.raises(openai.APIStatusError) as refused:
            client.chat.completions.create(model=MODEL,
                                           messages=[{"role": "user", "content": "one too many"}])
        assert refused.value.status_code == 402
        assert refused.value.body["code"] == "spend_limit_reached"
        assert "a call may cost up to " + str(price * 6 // 5) in refused.value.body["message"]
        metrics = httpx.get(server.base_url + "/metrics", timeout=10).text
        assert re.search(rf"^verinfer_serve_spent_base_units {price * 3}$", metrics, re.M)
