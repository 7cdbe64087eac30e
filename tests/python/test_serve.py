"""`verinfer serve` against the local devnet, driven by the real, unmodified
OpenAI Python client: chats (buffered, streamed under both policies, tool
calls), completions, the side endpoints, a misbehaving gateway answered with
502 and no content, the spend cap, bad requests and 16 calls at once."""
import json
import re
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor

import httpx
import openai
import pytest
from eth_utils import keccak

from serve_helpers import ServeProcess, gateway_misbehaving, serving

MODEL = "openai/gpt-5"
WEATHER_TOOL = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]},
    },
}]


@pytest.fixture(scope="module")
def proxy(cli, devnet, tmp_path_factory):
    """verify-first (the default stream policy)."""
    with serving(cli, tmp_path_factory.mktemp("serve"), devnet) as server:
        yield server


@pytest.fixture(scope="module")
def proxy_low_latency(cli, devnet, tmp_path_factory):
    with serving(cli, tmp_path_factory.mktemp("serve-ll"), devnet,
                 "--stream-policy", "low-latency") as server:
        yield server


def client_for(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url + "/v1", api_key="unused-by-the-proxy",
                         max_retries=0, timeout=120)


def assert_verified(verification: dict, content: str, tee_id: str) -> None:
    assert verification["verified"] is True
    assert verification["tee_id"] == tee_id
    assert re.fullmatch(r"0x[0-9a-f]{64}", verification["request_hash"])
    # The proxy reports the output hash the TEE signed; recompute it independently.
    assert verification["output_hash"] == "0x" + keccak(content.encode()).hex()
    names = {c["name"]: c["passed"] for c in verification["checks"]}
    assert all(names.values()), names
    for required in ("tee_response.signature", "tee_response.output_hash", "nitro.nonce",
                     "nitro.user_data.signing_key", "payment.settled", "registry.registered",
                     "registry.enabled", "registry.tls_certificate", "registry.pcr_hash",
                     "client.pinned_tee_id"):
        assert names.get(required) is True, required


def test_buffered_chat_is_verified_and_prompt_not_logged(proxy, devnet):
    prompt = "hello proxy marker-7f3a"
    raw = client_for(proxy).chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": prompt}], max_tokens=32)
    assert raw.headers["X-Verinfer-Verified"] == "true"
    tee_id = raw.headers["X-Verinfer-TEE-Id"]
    assert tee_id == devnet["tee"]["teeId"].lower()
    completion = raw.parse()
    content = completion.choices[0].message.content
    assert content == f"Devnet echo: {prompt}"
    verification = completion.model_extra["verinfer_verification"]
    assert_verified(verification, content, tee_id)
    assert verification["request_hash"] == "0x" + completion.model_extra["tee_request_hash"]
    assert verification["payment"]["success"] is True
    assert "marker-7f3a" not in proxy.log()  # prompts stay out of logs without --log-prompts
    assert "msg=call" in proxy.log() and "outcome=verified" in proxy.log()


def test_completion_is_verified(proxy, devnet):
    completion = client_for(proxy).completions.create(model="openai/gpt-4o", prompt="Once upon",
                                                      max_tokens=8)
    text = completion.choices[0].text
    assert text
    assert_verified(completion.model_extra["verinfer_verification"], text,
                    devnet["tee"]["teeId"].lower())


@pytest.mark.parametrize("policy", ["verify-first", "low-latency"])
def test_streamed_chat_ends_with_the_verdict(policy, proxy, proxy_low_latency, devnet):
    server = proxy if policy == "verify-first" else proxy_low_latency
    prompt = f"stream me please {policy}"
    stream = client_for(server).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True)
    chunks = list(stream)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == f"Devnet echo: {prompt}"
    assert len(chunks) >= 2
    final = chunks[-1]
    assert final.choices[0].finish_reason == "stop"
    assert_verified(final.model_extra["verinfer_verification"], content,
                    devnet["tee"]["teeId"].lower())
    # Only the last chunk carries a verdict.
    assert all("verinfer_verification" not in (c.model_extra or {}) for c in chunks[:-1])


@pytest.mark.parametrize("policy", ["verify-first", "low-latency"])
def test_streamed_completion_ends_with_the_verdict(policy, proxy, proxy_low_latency, devnet):
    server = proxy if policy == "verify-first" else proxy_low_latency
    chunks = list(client_for(server).completions.create(
        model="openai/gpt-4o", prompt=f"Once upon a {policy} time", max_tokens=16, stream=True))
    text = "".join(c.choices[0].text for c in chunks)
    assert text == " ... and the devnet said: done."
    assert [c.choices[0].text for c in chunks[:-1]] == [" ...", " and", " the", " devnet", " said:", " done."]
    assert all(c.object == "text_completion" and c.id.startswith("cmpl-") for c in chunks)
    final = chunks[-1]
    assert final.choices[0].text == "" and final.choices[0].finish_reason == "stop"
    assert final.usage.completion_tokens == 6
    assert_verified(final.model_extra["verinfer_verification"], text, devnet["tee"]["teeId"].lower())
    assert all("verinfer_verification" not in (c.model_extra or {}) for c in chunks[:-1])


@pytest.mark.parametrize("mode, code", [("bad_signature", "tee_response.signature"),
                                        ("stream_truncated", "payment_may_have_been_made")])
def test_a_bad_completion_stream_is_refused(mode, code, proxy, proxy_low_latency, devnet):
    prompt = f"do not leak me {mode}"
    with gateway_misbehaving(devnet, mode):
        with pytest.raises(openai.APIStatusError) as replayed:
            list(client_for(proxy).completions.create(model=MODEL, prompt=prompt, stream=True))
        # low-latency: the pieces went out, then an error event instead of [DONE].
        with pytest.raises(openai.APIError) as live:
            list(client_for(proxy_low_latency).completions.create(model=MODEL, prompt=prompt,
                                                                   stream=True))
    error = replayed.value
    assert error.status_code == 502 and error.body["code"] == code
    assert "choices" not in error.response.json() and "devnet said" not in error.response.text
    assert code in str(live.value) or code in str(getattr(live.value, "body", ""))
    if mode == "stream_truncated":
        assert "stream truncated" in error.body["message"] and "stream truncated" in str(live.value)


def test_verify_first_stream_headers_promise_verification(proxy):
    with client_for(proxy).chat.completions.with_streaming_response.create(
            model=MODEL, messages=[{"role": "user", "content": "headers"}], stream=True) as r:
        assert r.headers["X-Verinfer-Verified"] == "true"
        assert r.headers["content-type"].startswith("text/event-stream")
        assert any(True for _ in r.parse())


def test_tool_call_is_verified(proxy, devnet):
    completion = client_for(proxy).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "What is the weather in Paris? use the tool"}],
        tools=WEATHER_TOOL, tool_choice="required")
    message = completion.choices[0].message
    assert message.tool_calls, completion
    call = message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert "city" in json.loads(call.function.arguments)
    verification = completion.model_extra["verinfer_verification"]
    assert verification["verified"] is True
    assert all(c["passed"] for c in verification["checks"])


@pytest.mark.parametrize("policy", ["verify-first", "low-latency"])
def test_streamed_tool_call(policy, proxy, proxy_low_latency):
    server = proxy if policy == "verify-first" else proxy_low_latency
    chunks = list(client_for(server).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "weather in Oslo? use the tool"}],
        tools=WEATHER_TOOL, tool_choice="required", stream=True))
    calls = [t for c in chunks if c.choices for t in (c.choices[0].delta.tool_calls or [])]
    assert calls and calls[0].function.name == "get_weather"
    assert "city" in json.loads(calls[0].function.arguments)
    assert chunks[-1].model_extra["verinfer_verification"]["verified"] is True


def test_models_health_metrics(proxy, devnet):
    client = client_for(proxy)
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "count me"}])
    ids = [m.id for m in client.models.list()]
    assert MODEL in ids
    health = httpx.get(proxy.base_url + "/health", timeout=10).json()
    assert health["status"] == "ok"
    assert health["tee_id"] == devnet["tee"]["teeId"].lower()
    assert int(health["spent"]) > 0
    metrics = httpx.get(proxy.base_url + "/metrics", timeout=10)
    assert metrics.status_code == 200
    text = metrics.text
    verified = int(re.search(r"^verinfer_serve_verified_total (\d+)$", text, re.M).group(1))
    assert verified >= 1
    calls = sum(int(n) for n in re.findall(r'^verinfer_serve_calls_total\{endpoint="\w+"\} (\d+)$',
                                           text, re.M))
    assert calls >= verified
    count = int(re.search(r"^verinfer_serve_call_duration_seconds_count (\d+)$", text,
                          re.M).group(1))
    inf = int(re.search(r'^verinfer_serve_call_duration_seconds_bucket\{le="\+Inf"\} (\d+)$',
                        text, re.M).group(1))
    assert inf == count >= verified
    assert f'verinfer_serve_active_tee{{tee_id="{devnet["tee"]["teeId"].lower()}"}} 1' in text


def test_bad_signature_is_502_without_content(proxy, proxy_low_latency, devnet):
    client = client_for(proxy)
    prompt = "do not leak me 51c2"
    with gateway_misbehaving(devnet, "bad_signature"):
        with pytest.raises(openai.APIStatusError) as buffered:
            client.chat.completions.create(model=MODEL,
                                           messages=[{"role": "user", "content": prompt}])
        with pytest.raises(openai.APIStatusError) as streamed:
            list(client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True))
        # low-latency: a 502 if the verdict came before the first delta, else
        # the stream ends with an error event instead of [DONE].
        with pytest.raises(openai.APIError) as live:
            list(client_for(proxy_low_latency).chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True))
    for error in (buffered.value, streamed.value):
        assert error.status_code == 502
        assert error.body["code"] == "tee_response.signature"
        assert error.body["type"] == "verification_failed"
        assert prompt not in error.response.text  # no content: not even the echo
        assert "choices" not in error.response.json()
        verdict = error.response.json()["verinfer_verification"]
        assert verdict["verified"] is False and verdict["failed_check"] == "tee_response.signature"
    assert "tee_response.signature" in str(live.value)
    metrics = httpx.get(proxy.base_url + "/metrics", timeout=10).text
    assert re.search(r'^verinfer_serve_rejected_total\{reason="tee_response.signature"\} [1-9]',
                     metrics, re.M)


def test_sixteen_parallel_calls_all_verified(proxy, devnet):
    client = client_for(proxy)

    def ask(i):
        prompt = f"parallel call {i}"
        r = client.chat.completions.with_raw_response.create(
            model=MODEL, messages=[{"role": "user", "content": prompt}], max_tokens=16)
        c = r.parse()
        return prompt, r.headers["X-Verinfer-Verified"], c

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(ask, range(16)))
    hashes = set()
    for prompt, header, completion in results:
        assert header == "true"
        content = completion.choices[0].message.content
        assert content == f"Devnet echo: {prompt}"
        verification = completion.model_extra["verinfer_verification"]
        assert_verified(verification, content, devnet["tee"]["teeId"].lower())
        hashes.add(verification["request_hash"])
    assert len(hashes) == 16


@pytest.mark.parametrize("headers, body, status, fragment", [
    ({"Content-Type": "text/plain"}, b'{"model":"m"}', 415, "Content-Type"),
    ({"Content-Type": "application/json"}, b'{"model": ', 400, "not valid JSON"),
    ({"Content-Type": "application/json"}, b'{"model":"m"}', 400, "messages"),
    ({"Content-Type": "application/json"},
     b'{"model":"m","messages":[{"role":"wizard","content":"x"}]}', 400, "unknown role"),
    ({"Content-Type": "application/json"}, b"{" + b" " * (1 << 20) + b"}", 413, "larger than"),
])
def test_bad_requests_get_openai_errors(proxy, headers, body, status, fragment):
    r = httpx.post(proxy.base_url + "/v1/chat/completions", headers=headers, content=body,
                   timeout=30)
    assert r.status_code == status
    error = r.json()["error"]
    assert fragment in error["message"]
    assert error["type"] == "invalid_request_error"


def test_other_bad_requests(proxy):
    r = httpx.post(proxy.base_url + "/v1/completions", timeout=30,
                   json={"model": "m", "prompt": "p", "stream": "yes"})
    assert r.status_code == 400 and "stream must be a boolean" in r.json()["error"]["message"]
    r = httpx.get(proxy.base_url + "/v1/nothing-here", timeout=30)
    assert r.status_code == 404 and r.json()["error"]["type"] == "invalid_request_error"


def test_spend_cap_refuses_with_402(cli, devnet, tmp_path):
    price = int(str(devnet["x402"]["amount"]))
    # The cap covers exactly one call at the devnet price.
    with serving(cli, tmp_path, devnet, "--max-spend", str(price)) as server:
        client = client_for(server)
        first = client.chat.completions.create(model=MODEL,
                                               messages=[{"role": "user", "content": "one"}])
        assert first.model_extra["verinfer_verification"]["verified"] is True
        with pytest.raises(openai.APIStatusError) as refused:
            client.chat.completions.create(model=MODEL,
                                           messages=[{"role": "user", "content": "two"}])
        assert refused.value.status_code == 402
        assert refused.value.body["code"] == "spend_limit_reached"
        assert httpx.get(server.base_url + "/health", timeout=10).json()["spent"] == str(price)


def test_non_loopback_needs_allow_remote(cli, devnet):
    out = subprocess.run([str(cli), "serve", "--listen", "0.0.0.0:0"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2
    assert "--allow-remote" in out.stderr


def test_sigint_drains_and_exits_zero(cli, devnet, tmp_path):
    server = ServeProcess(cli, tmp_path, devnet)
    try:
        client_for(server).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "before shutdown"}])
    finally:
        code = server.stop(signal.SIGINT)
    assert code == 0
    assert "msg=draining" in server.log() and "msg=stopped" in server.log()
