"""Starts and stops `verinfer serve` for the tests, and talks to the devnet's
misbehaviour switch."""
import json
import re
import signal
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

LISTENING = re.compile(r"msg=listening address=127\.0\.0\.1:(\d+)")


class ServeProcess:
    """One `verinfer serve` on an ephemeral loopback port (port 0: the server
    binds a free one and logs it)."""

    def __init__(self, cli: Path, workdir: Path, devnet: dict, *extra: str):
        workdir.mkdir(parents=True, exist_ok=True)
        key = workdir / "payer.key"
        key.write_text(devnet["testPayer"]["privateKey"] + "\n")
        key.chmod(0o600)
        self.log_path = workdir / "serve.log"
        # The profile the fixture read (a later devnet restart rewrites run/profile.json).
        profile = workdir / "profile.json"
        profile.write_text(json.dumps(devnet))
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(cli), "serve", "--profile", str(profile), "--listen", "127.0.0.1:0",
             "--key-file", str(key), *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log)
        self.port = self._wait_for_port()
        self.base_url = f"http://127.0.0.1:{self.port}"

    def _wait_for_port(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = LISTENING.search(self.log())
            if match:
                return int(match.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"verinfer serve did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, sig=signal.SIGTERM) -> int:
        """Signals the server and waits (bounded); kills it if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        return self.proc.returncode


@contextmanager
def serving(cli, workdir, devnet, *extra):
    server = ServeProcess(cli, workdir, devnet, *extra)
    try:
        yield server
    finally:
        server.stop()


def misbehave(devnet: dict, mode: str) -> None:
    request = urllib.request.Request(
        devnet["urls"]["gateway"] + "/admin/misbehave", method="POST",
        data=json.dumps({"mode": mode}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


@contextmanager
def gateway_misbehaving(devnet: dict, mode: str):
    """The gateway misbehaves inside the block and is always reset after."""
    try:
        misbehave(devnet, mode)
        yield
    finally:
        misbehave(devnet, "none")
