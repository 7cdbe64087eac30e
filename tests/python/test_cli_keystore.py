"""The CLI's key options with Ethereum V3 keystores: a keystore eth-account wrote
signs an x402 payment through `x402 sign --keystore` (signer recovered with
eth-account), `keystore new` files decrypt with eth-account, the passphrase comes
from --passphrase-env or a no-echo terminal prompt, and every failure is exit 2
with a message saying what to do."""
import base64
import json
import os
import pty
import subprocess

import pytest
from conftest import ROOT
from eth_account import Account
from eth_account.messages import encode_typed_data

REQUIRED = (ROOT / "tests" / "vectors" / "x402" / "generated" / "exact_payment_required.b64").read_text().strip()
KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
PASSPHRASE = "correct horse ☃ battery"


def run(cli, *args, env=None):
    return subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                          start_new_session=True)  # no controlling terminal: no prompt


def payment_signer(header_value):
    """The EIP-3009 authorization's signer, recovered by eth-account."""
    payment = json.loads(base64.b64decode(header_value))
    accepted, auth = payment["accepted"], payment["payload"]["authorization"]
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"},
                             {"name": "verifyingContract", "type": "address"}],
            "TransferWithAuthorization": [
                {"name": "from", "type": "address"}, {"name": "to", "type": "address"},
                {"name": "value", "type": "uint256"}, {"name": "validAfter", "type": "uint256"},
                {"name": "validBefore", "type": "uint256"}, {"name": "nonce", "type": "bytes32"}]},
        "primaryType": "TransferWithAuthorization",
        "domain": {"name": accepted["extra"]["name"], "version": accepted["extra"]["version"],
                   "chainId": int(accepted["network"].split(":")[1]), "verifyingContract": accepted["asset"]},
        "message": {"from": auth["from"], "to": auth["to"], "value": int(auth["value"]),
                    "validAfter": int(auth["validAfter"]), "validBefore": int(auth["validBefore"]),
                    "nonce": bytes.fromhex(auth["nonce"][2:])},
    }
    signer = Account.recover_message(encode_typed_data(full_message=typed),
                                     signature=payment["payload"]["signature"])
    assert signer == auth["from"]
    return signer


@pytest.mark.parametrize("kdf, iterations", [("pbkdf2", 1000), ("scrypt", 1024)])
def test_x402_sign_with_an_eth_account_keystore(cli, tmp_path, kdf, iterations):
    path = tmp_path / "payer.json"
    path.write_text(json.dumps(Account.encrypt(KEY, PASSPHRASE, kdf=kdf, iterations=iterations)))
    r = run(cli, "x402", "sign", "--required", REQUIRED, "--keystore", str(path),
            "--passphrase-env", "PAYER_PASS", env={"PAYER_PASS": PASSPHRASE})
    assert r.returncode == 0, r.stderr
    assert payment_signer(r.stdout.strip()) == Account.from_key(KEY).address
    # The same payment from the raw key file: the key options are interchangeable.
    key_file = tmp_path / "payer.key"
    key_file.write_text(KEY.hex() + "\n")
    raw = run(cli, "x402", "sign", "--required", REQUIRED, "--key-file", str(key_file))
    assert raw.returncode == 0, raw.stderr
    assert payment_signer(raw.stdout.strip()) == Account.from_key(KEY).address


def test_keystore_failures_are_exit_2_and_say_what_to_do(cli, tmp_path):
    path = tmp_path / "payer.json"
    keystore = Account.encrypt(KEY, PASSPHRASE, kdf="pbkdf2", iterations=1000)
    path.write_text(json.dumps(keystore))
    sign = ["x402", "sign", "--required", REQUIRED]
    cases = [
        (["--keystore", str(path), "--passphrase-env", "PAYER_PASS"], {"PAYER_PASS": "wrong"},
         "MAC mismatch: wrong passphrase or corrupted keystore"),
        (["--keystore", str(path)], {},
         "no passphrase for the keystore: set a variable and give its name with --passphrase-env NAME, "
         "or run on a terminal to be prompted"),
        (["--keystore", str(path), "--passphrase-env", "UNSET_PASS_ZZ"], {}, "passphrase variable not set (UNSET_PASS_ZZ)"),
        (["--keystore", str(path), "--key-file", str(path)], {}, "give either --key-file or --keystore, not both"),
        (["--key-file", "env:K", "--passphrase-env", "P"], {"K": KEY.hex(), "P": "x"},
         "--passphrase-env is the passphrase of a --keystore file"),
        (["--keystore", str(tmp_path / "missing.json"), "--passphrase-env", "P"], {"P": "x"}, "cannot read file"),
        ([], {}, "x402 sign needs --key-file or --keystore"),
    ]
    for extra, env, message in cases:
        r = run(cli, *sign, *extra, env=env)
        assert r.returncode == 2 and message in r.stderr and r.stdout == "", (extra, r.stderr)
    assert PASSPHRASE not in run(cli, *sign, *cases[0][0], env=cases[0][1]).stderr

    tampered = dict(keystore, address="00" * 20)
    path.write_text(json.dumps(tampered))
    r = run(cli, *sign, "--keystore", str(path), "--passphrase-env", "P", env={"P": PASSPHRASE})
    assert r.returncode == 2 and "keystore address does not match its key" in r.stderr, r.stderr


def test_keystore_new_and_address(cli, tmp_path):
    key_file = tmp_path / "payer.key"
    key_file.write_text(KEY.hex())
    address = Account.from_key(KEY).address
    for kdf in ("pbkdf2", "scrypt"):
        out = tmp_path / f"{kdf}.json"
        r = run(cli, "keystore", "new", "--out", str(out), "--kdf", kdf, "--key-file", str(key_file),
                "--passphrase-env", "NEW_PASS", env={"NEW_PASS": PASSPHRASE})
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == address and KEY.hex() not in r.stdout + r.stderr
        assert out.stat().st_mode & 0o777 == 0o600
        keystore = json.loads(out.read_text())
        assert keystore["crypto"]["kdf"] == kdf and keystore["address"] == address[2:].lower()
        assert Account.decrypt(keystore, PASSPHRASE) == KEY
        shown = run(cli, "keystore", "address", str(out), "--json")
        assert shown.returncode == 0 and json.loads(shown.stdout) == {"address": address}
    # Never overwrites; a generated key's address is printed, the key never.
    again = run(cli, "keystore", "new", "--out", str(tmp_path / "pbkdf2.json"), "--passphrase-env", "P",
                env={"P": "x"})
    assert again.returncode == 2 and "must not exist yet" in again.stderr
    fresh = tmp_path / "fresh.json"
    r = run(cli, "keystore", "new", "--out", str(fresh), "--kdf", "pbkdf2", "--passphrase-env", "P", env={"P": "x"})
    assert r.returncode == 0, r.stderr
    generated = Account.decrypt(json.loads(fresh.read_text()), "x")
    assert r.stdout.strip() == Account.from_key(generated).address
    bad = run(cli, "keystore", "new", "--out", str(tmp_path / "x.json"), "--kdf", "argon2", "--passphrase-env", "P",
              env={"P": "x"})
    assert bad.returncode == 2 and "--kdf must be scrypt or pbkdf2, got argon2" in bad.stderr
    spec = ROOT / "tests" / "vectors" / "keystore" / "pbkdf2_v3.json"
    none = run(cli, "keystore", "address", str(spec))
    assert none.returncode == 2 and "keystore has no address field" in none.stderr


def on_terminal(cli, args, answers):
    """Runs the CLI with a pseudo-terminal as its controlling terminal, typing each
    answer after a prompt; returns (exit code, everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(str(cli), [str(cli), *args])
    shown = b""
    answered_at = 0  # answer each prompt once: only output after the last answer counts
    pending = list(answers)
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        if pending and shown[answered_at:].endswith(b": "):
            os.write(fd, pending.pop(0).encode() + b"\n")
            answered_at = len(shown)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_passphrase_prompt_on_the_terminal_does_not_echo(cli, tmp_path):
    out = tmp_path / "typed.json"
    code, shown = on_terminal(cli, ["keystore", "new", "--out", str(out), "--kdf", "pbkdf2"], [PASSPHRASE, PASSPHRASE])
    assert code == 0, shown
    assert f"Passphrase for {out}:" in shown and "Repeat the passphrase:" in shown
    assert PASSPHRASE not in shown
    keystore = json.loads(out.read_text())
    key = Account.decrypt(keystore, PASSPHRASE)

    code, shown = on_terminal(cli, ["x402", "sign", "--required", REQUIRED, "--keystore", str(out)], [PASSPHRASE])
    assert code == 0, shown
    assert PASSPHRASE not in shown
    assert payment_signer(shown.strip().splitlines()[-1]) == Account.from_key(key).address

    code, shown = on_terminal(cli, ["keystore", "new", "--out", str(tmp_path / "x.json")], ["one", "two"])
    assert code == 2 and "the passphrases differ" in shown


def test_devnet_calls_are_paid_from_a_keystore(cli, devnet, tmp_path):
    """chat and serve pay the devnet gateway with the key of an eth-account keystore."""
    import re
    import signal
    import time

    import httpx

    payer = bytes.fromhex(devnet["testPayer"]["privateKey"].removeprefix("0x"))
    keystore = tmp_path / "payer.json"
    keystore.write_text(json.dumps(Account.encrypt(payer, PASSPHRASE, kdf="scrypt", iterations=1024)))
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(devnet))
    key_args = ["--keystore", str(keystore), "--passphrase-env", "PAYER_PASS"]
    env = {**os.environ, "PAYER_PASS": PASSPHRASE}

    chat = subprocess.run([str(cli), "chat", "--model", "openai/gpt-5", "--message", "keystore paid",
                           "--profile", str(profile), "--json", *key_args],
                          capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    assert chat.returncode == 0, chat.stderr
    out = json.loads(chat.stdout)
    assert out["answer"] == "Devnet echo: keystore paid" and out["verified"] is True
    assert out["payment"]["success"] is True

    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(cli), "serve", "--profile", str(profile), "--listen", "127.0.0.1:0", *key_args],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, env=env)
        try:
            port = None
            for _ in range(600):
                match = re.search(r"msg=listening address=127\.0\.0\.1:(\d+)", log_path.read_text())
                if match or proc.poll() is not None:
                    break
                time.sleep(0.05)
            assert match, log_path.read_text()
            port = match.group(1)
            assert "payer=set" in log_path.read_text()
            r = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", timeout=120,
                           json={"model": "openai/gpt-5", "messages": [{"role": "user", "content": "via serve"}]})
            assert r.status_code == 200, r.text
            verification = r.json()["verinfer_verification"]
            assert verification["verified"] is True and verification["payment"]["success"] is True
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
    assert PASSPHRASE not in log_path.read_text()
