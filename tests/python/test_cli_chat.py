"""`verinfer chat` and `verinfer completion` against the devnet: the answer on
stdout only when every check passed (exit 0), a tampered or untrusted answer
rejected with the failing check named and nothing on stdout (exit 1), unusable
input refused before any call (exit 2)."""
import json
import os
import pty
import subprocess

import pytest

from serve_helpers import gateway_misbehaving

MODEL = "openai/gpt-5"


@pytest.fixture
def call(cli, devnet, tmp_path):
    """Runs a verb against this session's devnet, paying with its test payer's key file."""
    key = tmp_path / "payer.key"
    key.write_text(devnet["testPayer"]["privateKey"] + "\n")
    key.chmod(0o600)
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(devnet))

    def run(verb, *args, key_file=str(key), stdin="", env=None):
        argv = [str(cli), verb, "--profile", str(profile), *args]
        if key_file:
            argv += ["--key-file", key_file]
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120,
                              env={**os.environ, **(env or {})})
    return run


def test_chat_is_verified_and_prints_the_answer(call, devnet):
    r = call("chat", "--model", MODEL, "--message", "hello there")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Devnet echo: hello there\n"
    lines = r.stderr.splitlines()
    for check in ("tee_response.signature", "nitro.cose_signature", "registry.registered", "payment.settled"):
        assert f"✓ {check}" in lines, r.stderr
    assert not any(line.startswith("✗") for line in lines), r.stderr
    assert "\x1b" not in r.stderr and "\r" not in r.stderr  # no spinner off a terminal
    summary = lines[-1]
    assert summary.startswith("verified: tee 0x") and "settlement individual" in summary, summary
    assert f"payment authorized {devnet['x402']['amount']} (tx 0x" in summary, summary


def test_chat_reads_stdin_and_a_messages_file(call, tmp_path):
    r = call("chat", "--model", MODEL, stdin="from stdin\n")
    assert r.returncode == 0 and r.stdout == "Devnet echo: from stdin\n", r.stderr
    talk = tmp_path / "talk.json"
    talk.write_text(json.dumps([{"role": "user", "content": "first"}, {"role": "assistant", "content": "ok"},
                                {"role": "user", "content": "second"}]))
    r = call("chat", "--model", MODEL, "--messages-file", str(talk), "--system", "be brief", "--settlement", "private")
    assert r.returncode == 0 and r.stdout == "Devnet echo: second\n", r.stderr
    assert "settlement private" in r.stderr.splitlines()[-1]


def test_chat_json_has_answer_payment_and_every_check(call, devnet):
    r = call("chat", "--model", MODEL, "--message", "count these four words", "--max-tokens", "3", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["answer"] == "Devnet echo: count"  # max_tokens counts words on the devnet
    assert out["finish_reason"] == "length"
    assert out["usage"]["completion_tokens"] == 3
    assert out["verified"] is True
    assert out["tee_id"] == devnet["tee"]["teeId"].lower()
    assert out["payment"]["authorized_amount"] == devnet["x402"]["amount"] and out["payment"]["success"] is True
    assert out["settlement"]["type"] == "individual"
    names = [c["name"] for c in out["checks"]]
    for check in ("tee_response.signature", "nitro.cose_signature", "registry.registered", "payment.settled"):
        assert check in names, names
    assert all(c["passed"] for c in out["checks"])
    assert r.stderr == ""


def test_chat_stream_prints_deltas_then_verifies(call):
    r = call("chat", "--model", MODEL, "--message", "stream me five words", "--stream")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Devnet echo: stream me five words\n"
    assert "✓ tee_response.signature" in r.stderr.splitlines() and "NOT VERIFIED" not in r.stderr
    r = call("chat", "--model", MODEL, "--message", "streamed json", "--stream", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["answer"] == "Devnet echo: streamed json"


def test_completion_is_verified(call):
    r = call("completion", "--model", MODEL, "--prompt", "Once upon a time")
    assert r.returncode == 0, r.stderr
    assert r.stdout == " ... and the devnet said: done.\n"
    assert "✓ tee_response.signature" in r.stderr.splitlines()
    r = call("completion", "--model", MODEL, "--stop", "devnet", "--json", stdin="Once")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["answer"] == " ... and the " and out["verified"] is True


def test_completion_stream_prints_pieces_then_verifies(call):
    r = call("completion", "--model", MODEL, "--prompt", "Once upon a time", "--stream")
    assert r.returncode == 0, r.stderr
    assert r.stdout == " ... and the devnet said: done.\n"
    lines = r.stderr.splitlines()
    assert "✓ tee_response.signature" in lines and "✓ tee_response.output_hash" in lines, r.stderr
    assert "NOT VERIFIED" not in r.stderr
    r = call("completion", "--model", MODEL, "--stream", "--json", "--max-tokens", "3", stdin="Once")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)  # one object, no pieces before it
    # max_tokens counts words on the devnet and the cut text is trimmed at the start
    assert out["answer"] == "... and the" and out["finish_reason"] == "length" and out["verified"] is True


@pytest.mark.parametrize("mode, code, says", [
    ("bad_signature", 1, "verinfer: rejected: "),
    ("stream_truncated", 2, "stream truncated: no `data: [DONE]`"),
])
def test_a_bad_completion_stream_is_loudly_not_verified(call, devnet, mode, code, says):
    with gateway_misbehaving(devnet, mode):
        r = call("completion", "--model", MODEL, "--prompt", "tampered?", "--stream")
    assert r.returncode == code, (r.stdout, r.stderr)
    # The pieces were shown as they came; the verdict says loudly they are not verified.
    assert r.stdout == " ... and the devnet said: done.\n"
    assert "THE STREAMED TEXT ABOVE WAS NOT VERIFIED" in r.stderr and says in r.stderr, r.stderr
    if mode == "bad_signature":
        assert "FAIL  tee_response.signature" in r.stderr


@pytest.mark.parametrize("route", ["private_gateway", "private_relay"])
def test_private_routes_seal_the_call(call, route):
    r = call("chat", "--model", MODEL, "--message", f"sealed via {route}", "--route", route, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["answer"] == f"Devnet echo: sealed via {route}"
    names = {c["name"] for c in out["checks"]}
    assert {"ohttp_config.signature", "ohttp.response", "tee_response.signature"} <= names, names
    # The relay pays the gateway itself; the direct-to-gateway route pays from the key.
    assert ("payment" in out) == (route == "private_gateway"), out


@pytest.mark.parametrize("route", ["private_gateway", "private_relay"])
def test_private_routes_stream_a_completion(call, devnet, route):
    r = call("completion", "--model", MODEL, "--prompt", f"sealed {route}", "--route", route, "--stream")
    assert r.returncode == 0, r.stderr
    assert r.stdout == " ... and the devnet said: done.\n"
    lines = r.stderr.splitlines()
    assert "✓ ohttp.response" in lines and "✓ tee_response.output_hash" in lines, r.stderr
    # Cut inside the sealed stream: its last sealed chunk is a piece, not the signed event.
    with gateway_misbehaving(devnet, "stream_truncated"):
        r = call("completion", "--model", MODEL, "--prompt", "cut", "--route", route, "--stream")
    assert r.returncode == 2 and "stream truncated" in r.stderr, r.stderr
    assert "NOT VERIFIED" in r.stderr


def test_no_attestation_leaves_only_the_signature_checks(call):
    r = call("chat", "--model", MODEL, "--message", "trust the key", "--no-attestation", "--json")
    assert r.returncode == 0, r.stderr
    names = [c["name"] for c in json.loads(r.stdout)["checks"]]
    assert "tee_response.signature" in names
    assert not [n for n in names if n.startswith(("nitro.", "registry."))], names


def test_report_prints_the_full_report(call):
    r = call("chat", "--model", MODEL, "--message", "report", "--report")
    assert r.returncode == 0, r.stderr
    assert "  ok    tee_response.signature" in r.stderr.splitlines()


@pytest.mark.parametrize("mode, check", [
    ("bad_signature", "tee_response.signature"),
    ("wrong_tee_id", "tee_response.tee_id"),
    ("pcr_not_approved", "nitro.pcr_hash"),
])
@pytest.mark.parametrize("stream", [False, True])
def test_a_failed_check_rejects_the_answer(call, devnet, mode, check, stream):
    with gateway_misbehaving(devnet, mode):
        r = call("chat", "--model", MODEL, "--message", "tampered?", *(["--stream"] if stream else []))
    assert r.returncode == 1, (r.stdout, r.stderr)
    rejected = [line for line in r.stderr.splitlines() if line.startswith("verinfer: rejected: ")]
    assert len(rejected) == 1 and check in rejected[0], r.stderr
    assert f"FAIL  {check}" in r.stderr
    if stream and mode != "pcr_not_approved":
        # The text was shown as it came; the verdict says loudly it is not verified.
        assert "Devnet echo: tampered?" in r.stdout and "NOT VERIFIED" in r.stderr
    else:
        assert r.stdout == "" and "NOT VERIFIED" not in r.stderr


def test_a_rejected_json_call_prints_the_report_without_an_answer(call, devnet):
    with gateway_misbehaving(devnet, "bad_signature"):
        r = call("completion", "--model", MODEL, "--prompt", "x", "--json")
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["verified"] is False and "answer" not in out
    failed = [c["name"] for c in out["checks"] if not c["passed"]]
    assert failed == ["tee_response.signature"], out


@pytest.mark.parametrize("args, message", [
    (["--message", "hi"], "needs --model"),
    (["--model", MODEL, "--max-tokens", "zero"], "--max-tokens takes a positive integer"),
    (["--model", MODEL, "--message", "hi", "--temperature", "hot"], "--temperature takes a number"),
    (["--model", MODEL, "--message", "hi", "--settlement", "sometimes"], "sometimes"),
    (["--model", MODEL, "--message", "hi", "--route", "carrier_pigeon"], "carrier_pigeon"),
    (["--model", MODEL, "--message", "hi", "--timeout", "-1"], "--timeout takes seconds"),
    (["--model", MODEL, "--messages-file", "/nonexistent/talk.json"], "cannot read file"),
    (["--model", MODEL, "--message", "hi", "extra"], "no positional arguments"),
    (["--model", MODEL], "nothing to send"),
])
def test_unusable_input_exits_2(call, args, message):
    r = call("chat", *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and r.stdout == ""


@pytest.mark.parametrize("content, message", [
    ('{"model": "x"}', "holds no messages array"),
    ("[1, 2", "--messages-file"),
    ('[{"content": "who am I?"}]', "role"),
    ("[]", "messages must be a non-empty array"),
])
def test_a_bad_messages_file_exits_2(call, tmp_path, content, message):
    talk = tmp_path / "talk.json"
    talk.write_text(content)
    r = call("chat", "--model", MODEL, "--messages-file", str(talk))
    assert r.returncode == 2 and message in r.stderr and r.stdout == "", r.stderr
    r = call("chat", "--model", MODEL, "--messages-file", str(talk), "--message", "both")
    assert r.returncode == 2 and r.stdout == "", r.stderr


def test_key_problems_exit_2_and_a_key_is_never_an_argument(call, devnet, tmp_path):
    r = call("chat", "--model", MODEL, "--message", "hi", key_file=str(tmp_path / "missing.key"))
    assert r.returncode == 2 and "cannot read file" in r.stderr
    r = call("chat", "--model", MODEL, "--message", "hi", key_file="env:VERINFER_TEST_UNSET_KEY")
    assert r.returncode == 2 and "VERINFER_TEST_UNSET_KEY" in r.stderr
    # From the environment it works; as an argument there is no option to take it.
    r = call("chat", "--model", MODEL, "--message", "env key", key_file="env:PAYER",
             env={"PAYER": devnet["testPayer"]["privateKey"]})
    assert r.returncode == 0 and r.stdout == "Devnet echo: env key\n", r.stderr
    for option in ("--key", "--private-key", "--payer"):
        r = call("chat", "--model", MODEL, "--message", "hi", option, devnet["testPayer"]["privateKey"], key_file="")
        assert r.returncode == 2 and f"unknown option {option}" in r.stderr
    # Without a key the paid gateway's 402 is no answer: unusable, with a hint.
    r = call("completion", "--model", MODEL, "--prompt", "hi", key_file="")
    assert r.returncode == 2 and "--key-file" in r.stderr and r.stdout == ""


def test_an_unreachable_gateway_is_unusable(call, devnet, tmp_path):
    from serve_helpers import closed_port
    profile = dict(devnet, urls=dict(devnet["urls"], gateway=f"http://127.0.0.1:{closed_port()}"))
    path = tmp_path / "down.json"
    path.write_text(json.dumps(profile))
    r = call("chat", "--model", MODEL, "--message", "hi", "--profile", str(path))
    assert r.returncode == 2 and r.stdout == "" and "unavailable" in r.stderr, r.stderr


def test_spinner_draws_on_a_terminal_only(cli, devnet, tmp_path):
    """stderr on a pseudo-terminal shows the spinner (and erases it); --json never does."""
    key = tmp_path / "payer.key"
    key.write_text(devnet["testPayer"]["privateKey"] + "\n")
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(devnet))
    for extra, drawn in (([], True), (["--json"], False)):
        master, terminal = pty.openpty()
        proc = subprocess.Popen([str(cli), "chat", "--profile", str(profile), "--key-file", str(key),
                                 "--model", MODEL, "--message", "spin", *extra],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal)
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's last writer is gone
                break
            if not chunk:
                break
            seen += chunk
        out, _ = proc.communicate(timeout=120)
        os.close(master)
        assert proc.returncode == 0, seen
        assert (("checking the TEE, waiting for the answer".encode() in seen) == drawn), seen
        assert out.startswith(b"Devnet echo: spin" if not extra else b"{")
