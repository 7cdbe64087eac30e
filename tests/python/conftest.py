"""Shared fixtures: the build's binaries, a testkit driver, and a random seed
that every randomised test prints so a failure can be replayed."""
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("VERINFER_BUILD_DIR", ROOT / "build"))
VECTORS = ROOT / "tests" / "vectors"

# Import the package assembled in the build tree unless one is installed.
_BUILT_PACKAGE = BUILD / "python"
if (_BUILT_PACKAGE / "verinfer").is_dir():
    sys.path.insert(0, str(_BUILT_PACKAGE))


def binary(name: str) -> Path:
    for candidate in (BUILD / name, BUILD / "tests" / name):
        if candidate.exists():
            return candidate
    pytest.fail(f"{name} not built in {BUILD}: run scripts/test.sh (or cmake --build build)")


class Testkit:
    """Sends many requests to one verinfer_testkit process."""

    def __init__(self):
        self.path = binary("verinfer_testkit")

    def run(self, requests):
        payload = "".join(json.dumps(r) + "\n" for r in requests)
        out = subprocess.run([str(self.path)], input=payload.encode(), capture_output=True,
                             check=True, timeout=600)
        answers = [json.loads(line) for line in out.stdout.decode().splitlines()]
        assert len(answers) == len(requests), out.stderr.decode()
        return answers


@pytest.fixture(scope="session")
def testkit():
    return Testkit()


@pytest.fixture(scope="session")
def cli():
    return binary("verinfer")


@pytest.fixture
def rng(request):
    seed = int(os.environ.get("VERINFER_SEED", random.SystemRandom().randrange(2**32)))
    print(f"\n[{request.node.name}] seed={seed} (replay with VERINFER_SEED={seed})")
    return random.Random(seed)


DEVNET = ROOT / "devnet"
# DEVNET_PORT_BASE selects a private devnet (own ports and run dir; devnet/slot.sh).
_PORT_BASE = os.environ.get("DEVNET_PORT_BASE", "")
DEVNET_RUN = DEVNET / (f"run-{_PORT_BASE}" if _PORT_BASE else "run")
DEVNET_GATEWAY_PORT = os.environ.get("DEVNET_GATEWAY_PORT",
                                     str(int(_PORT_BASE) + 1) if _PORT_BASE else "8600")


@pytest.fixture(scope="session")
def devnet():
    """A running local devnet (started here if needed, stopped at the end if
    this session started it). Yields the parsed profile.json of its run dir."""
    profile_path = DEVNET_RUN / "profile.json"
    os.environ["VERINFER_DEVNET_PROFILE"] = str(profile_path)
    was_running = subprocess.run(["curl", "-sf", "-o", "/dev/null",
                                  f"http://127.0.0.1:{DEVNET_GATEWAY_PORT}/health"],
                                 check=False).returncode == 0
    if was_running and not profile_path.exists():
        pytest.fail("a devnet that is not this checkout's answers on the gateway port; stop it or "
                    "set the DEVNET_*_PORT variables (devnet/README.md)")
    if not was_running:
        started = subprocess.run([str(DEVNET / "start.sh")], capture_output=True, text=True,
                                 timeout=300)
        if started.returncode != 0:
            pytest.fail(f"devnet did not start:\n{started.stdout}\n{started.stderr}")
    try:
        yield json.loads(profile_path.read_text())
    finally:
        if not was_running:
            subprocess.run([str(DEVNET / "stop.sh")], capture_output=True, timeout=120, check=False)
