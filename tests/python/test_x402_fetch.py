"""verinfer.x402_fetch against the devnet gateway (its x402 paywall is
@x402/express with the devnet facilitator): one request, paid once, with the
transfer checked in the settling transaction's receipt; refusals before any
payment name the reason and say no money moved."""
import json
import subprocess
import urllib.request

import pytest
from eth_utils import keccak

import verinfer

MODEL = "openai/gpt-5"
TRANSFER = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


def chat_body(text):
    return json.dumps({"model": MODEL, "messages": [{"role": "user", "content": text}], "max_tokens": 8})


def fetch(devnet, **overrides):
    x402 = devnet["x402"]
    args = dict(private_key=devnet["testPayer"]["privateKey"], assets=[(x402["network"], x402["asset"])],
                max_amount=int(x402["amount"]), method="POST", body=chat_body("pay for me"),
                headers={"Content-Type": "application/json"})
    args.update(overrides)
    return verinfer.x402_fetch(devnet["urls"]["gateway"] + "/v1/chat/completions", **args)


def receipt(devnet, tx_hash):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt",
                       "params": [tx_hash]}).encode()
    request = urllib.request.Request(devnet["chain"]["rpcUrl"], body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["result"]


def topic_address(topic):
    return verinfer.checksum_address("0x" + topic[-40:])


def test_a_402_is_paid_once_and_the_transfer_is_on_chain(devnet):
    x402 = devnet["x402"]
    answer = fetch(devnet)
    assert answer.status == 200
    assert answer.json()["choices"][0]["message"]["content"] == "Devnet echo: pay for me"
    assert answer.json()["tee_signature"]  # the gateway's signed answer, for verify_response

    payment = answer.payment
    assert payment["scheme"] == "exact" and payment["network"] == x402["network"]
    assert payment["amount"] == payment["authorized_amount"] == x402["amount"]
    assert payment["payer"] == verinfer.checksum_address(devnet["testPayer"]["address"])
    assert payment["pay_to"] == verinfer.checksum_address(x402["payTo"])
    assert answer.settlement["success"] is True
    assert answer.header("payment-response") is not None

    logs = [log for log in receipt(devnet, answer.settlement["transaction"])["logs"]
            if log["topics"][0] == TRANSFER and log["address"].lower() == x402["asset"].lower()]
    assert len(logs) == 1, logs  # paid exactly once
    assert topic_address(logs[0]["topics"][1]) == payment["payer"]
    assert topic_address(logs[0]["topics"][2]) == payment["pay_to"]
    assert int(logs[0]["data"], 16) == int(x402["amount"])


def test_a_resource_without_a_paywall_is_fetched_without_paying(devnet):
    answer = verinfer.x402_fetch(devnet["urls"]["gateway"] + "/v1/models", private_key=None, assets=[],
                                 max_amount=0)
    assert answer.status == 200 and answer.payment is None and answer.settlement is None
    assert "gpt-5" in {m["id"] for m in answer.json()["data"]}


@pytest.mark.parametrize("overrides, reason", [
    (lambda d: {"max_amount": int(d["x402"]["amount"]) - 1}, "cap"),
    (lambda d: {"assets": [(d["x402"]["network"], "0x" + "11" * 20)]}, "not allowed"),
    (lambda d: {"assets": [("eip155:1", d["x402"]["asset"])]}, "not allowed"),
    (lambda d: {"schemes": ["upto"]}, "scheme"),
    (lambda d: {"private_key": None}, "key"),
])
def test_an_offer_the_policy_refuses_is_not_paid(devnet, overrides, reason):
    with pytest.raises(verinfer.PaymentError) as info:
        fetch(devnet, **overrides(devnet))
    assert info.value.code == "payment_required"
    assert info.value.payment_may_have_been_sent is False
    assert reason in str(info.value).lower(), str(info.value)


def test_bad_arguments_are_refused_before_any_request(devnet):
    with pytest.raises(verinfer.ParseError, match="address"):
        fetch(devnet, assets=[("eip155:31337", "not-an-address")])
    with pytest.raises(verinfer.VerinferError):
        verinfer.x402_fetch("ftp://127.0.0.1/", private_key=None, assets=[], max_amount=0)


# ---- verinfer x402 fetch: the same loop from the shell ----

def run_fetch(cli, devnet, tmp_path, *extra, key=True, url_path="/v1/chat/completions"):
    x402 = devnet["x402"]
    key_file = tmp_path / "payer.key"
    key_file.write_text(devnet["testPayer"]["privateKey"])
    argv = [str(cli), "x402", "fetch", devnet["urls"]["gateway"] + url_path,
            "--asset", f'{x402["network"]}:{x402["asset"]}', *extra]
    if key:
        argv += ["--key-file", str(key_file)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_cli_pays_once_and_prints_the_body(cli, devnet, tmp_path):
    x402 = devnet["x402"]
    body = tmp_path / "body.json"
    body.write_text(chat_body("from the shell"))
    r = run_fetch(cli, devnet, tmp_path, "--max-amount", x402["amount"], "--method", "POST",
                  "--data-file", str(body), "--header", "Content-Type: application/json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["choices"][0]["message"]["content"] == "Devnet echo: from the shell"
    assert f'paid {x402["amount"]} (exact)' in r.stderr and "settlement: tx 0x" in r.stderr

    r = run_fetch(cli, devnet, tmp_path, "--max-amount", x402["amount"], "--method", "POST",
                  "--data", chat_body("as json"), "--header", "Content-Type: application/json", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["status"] == 200 and out["payment"]["authorized_amount"] == x402["amount"]
    assert out["settlement"]["success"] is True
    logs = [log for log in receipt(devnet, out["settlement"]["transaction"])["logs"] if log["topics"][0] == TRANSFER]
    assert len(logs) == 1 and int(logs[0]["data"], 16) == int(x402["amount"])


def test_cli_refusals_and_bad_input(cli, devnet, tmp_path):
    amount = int(devnet["x402"]["amount"])
    post = ["--method", "POST", "--data", chat_body("no"), "--header", "Content-Type: application/json"]
    r = run_fetch(cli, devnet, tmp_path, "--max-amount", str(amount - 1), *post)
    assert r.returncode == 1 and "refused" in r.stderr and "MAY HAVE BEEN MADE" not in r.stderr
    r = run_fetch(cli, devnet, tmp_path, "--max-amount", str(amount), *post, key=False)
    assert r.returncode == 1 and "refused" in r.stderr
    r = run_fetch(cli, devnet, tmp_path, "--max-amount", str(amount), "--header", "no-colon")
    assert r.returncode == 2 and "--header" in r.stderr
    r = run_fetch(cli, devnet, tmp_path, "--max-amount", "0", url_path="/v1/models")
    assert r.returncode == 0 and "no payment asked" in r.stderr
    r = run_fetch(cli, devnet, tmp_path, "--max-amount", "0", url_path="/no-such-path")
    assert r.returncode == 1  # answered, but not 2xx
