"""Every example runs, so none can rot."""
import os
import subprocess
import sys

from conftest import BUILD, DEVNET_RUN, ROOT, VECTORS

CASE = VECTORS / "tee_response" / "cases" / "02_chat_system_user_temp07_unhashed_fields"
NEGATIVE = VECTORS / "tee_response" / "negative" / "tampered_content" / "response.json"
KEY = VECTORS / "tee_response" / "keys" / "tee_public_key.pem"
NOW = "1770919261"  # the case's tee_timestamp + 1 s


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(BUILD / "python") + os.pathsep + env.get("PYTHONPATH", "")
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
