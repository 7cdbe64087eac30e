"""Every example runs, so none can rot."""
import os
import subprocess
import sys
from pathlib import Path

from conftest import BUILD, DEVNET_RUN, ROOT, VECTORS

CASE = VECTORS / "tee_response" / "cases" / "02_chat_system_user_temp07_unhashed_fields"
NEGATIVE = VECTORS / "tee_response" / "negative" / "tampered_content" / "response.json"
KEY = VECTORS / "tee_response" / "keys" / "tee_public_key.pem"
NOW = "1770919261"  # the case's tee_timestamp + 1 s


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(BUILD / "python") + os.pathsep + env.get("PYTHONPATH", "")
    env["PATH"] = str(BUILD) + os.pathsep + env.get("PATH", "")  # the verinfer CLI
    return env


def _run(args):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300,
                          env=_env(), cwd=ROOT)


def test_python_verify_saved_response_example():
    ok = _run([sys.executable, ROOT / "examples/python/verify_saved_response.py",
               CASE / "request.json", CASE / "response.json", KEY, NOW])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok    tee_response.signature" in ok.stdout
    bad = _run([sys.executable, ROOT / "examples/python/verify_saved_response.py",
                CASE / "request.json", NEGATIVE, KEY, NOW])
    assert bad.returncode == 1 and "REJECTED" in bad.stdout


def test_cpp_verify_saved_response_example():
    exe = BUILD / "examples" / "example_verify_saved_response"
    ok = _run([exe, CASE / "request.json", CASE / "response.json", KEY, NOW])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = _run([exe, CASE / "request.json", NEGATIVE, KEY, NOW])
    assert bad.returncode == 1 and "tee_response.output_hash" in bad.stdout


def test_python_devnet_chat_example(devnet):
    run = _run([sys.executable, ROOT / "examples/python/devnet_chat.py", DEVNET_RUN / "profile.json"])
    assert run.returncode == 0, run.stdout + run.stderr
    assert "stream verified: True" in run.stdout


def _devnet_example(name):
    run = _run([sys.executable, ROOT / "examples/python" / name, DEVNET_RUN / "profile.json"])
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_python_devnet_streamed_chat_example(devnet):
    out = _devnet_example("devnet_streamed_chat.py")
    # the devnet model echoes the prompt: once from LLM, once from AsyncLLM
    assert out.count("Devnet echo: Stream a short answer, please.") == 2, out
    assert "checks: True" in out
    assert " ... and the devnet said: done.\ncompletion verified: True" in out, out


def test_python_devnet_settlement_receipt_example(devnet):
    out = _devnet_example("devnet_settlement_receipt.py")
    for check in ("settlement.event", "settlement.input_hash", "settlement.output_hash",
                  "settlement.signature"):
        assert f"ok    {check}" in out, out
    assert "FAIL" not in out
    payer = devnet["testPayer"]["address"].lower()
    transfer = next(line for line in out.splitlines() if "Transfer" in line).lower()
    assert payer in transfer and devnet["x402"]["payTo"].lower() in transfer, out


def test_every_python_example_is_run_here():
    source = Path(__file__).read_text()
    for example in (ROOT / "examples" / "python").glob("*.py"):
        assert f'"{example.name}"' in source or f"/{example.name}" in source, \
            f"examples/python/{example.name} is not run by this file"
