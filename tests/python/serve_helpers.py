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


class Registry:
    """The devnet's TEERegistry, written with transactions signed here
    (eth_account) by the test payer (an account no devnet process sends from,
    so no nonce races) and read with eth_call."""

    # The devnet registry admin: account 0 of the standard "test ... junk" mnemonic (public).
    ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

    def __init__(self, devnet: dict, key: str = ""):
        self.rpc_url = devnet["chain"]["rpcUrl"]
        self.chain_id = int(devnet["chain"]["chainId"])
        self.address = devnet["contracts"]["teeRegistry"]
        self.pcr_hash = bytes.fromhex(devnet["attestation"]["pcrHash"].removeprefix("0x"))
        from eth_account import Account
        self.account = Account.from_key(key or devnet["testPayer"]["privateKey"])

    def _rpc(self, method: str, params: list):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
        request = urllib.request.Request(self.rpc_url, data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            reply = json.loads(answer.read())
        assert "error" not in reply, reply
        return reply["result"]

    @staticmethod
    def _calldata(signature: str, types: list, values: list) -> str:
        from eth_abi import encode
        from eth_utils import keccak
        return "0x" + (keccak(text=signature)[:4] + encode(types, values)).hex()

    def _send(self, data: str) -> dict:
        tx = {"to": self.address, "data": data, "value": 0, "gas": 3_000_000,
              "gasPrice": int(self._rpc("eth_gasPrice", []), 16), "chainId": self.chain_id,
              "nonce": int(self._rpc("eth_getTransactionCount", [self.account.address, "pending"]), 16)}
        signed = self.account.sign_transaction(tx)
        tx_hash = self._rpc("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # anvil mines at once; the receipt may lag a moment
            receipt = self._rpc("eth_getTransactionReceipt", [tx_hash])
            if receipt:
                assert int(receipt["status"], 16) == 1, receipt
                return receipt
            time.sleep(0.05)
        raise AssertionError(f"no receipt for {tx_hash}")

    def register_tee(self, endpoint: str, tls: "TlsIdentity", pcr_hash: bytes = b"",
                     tee_type: int = 0) -> str:
        """Registers a fresh TEE (new RSA-2048 signing key, `tls`'s certificate,
        the devnet's approved PCR hash unless another approved one is given) at
        `endpoint`; returns its tee_id (keccak256 of the key's SPKI DER) as 0x-hex."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from eth_utils import keccak
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self._send(self._calldata(
            "registerTEE(bytes,bytes,bytes32,string,address,uint8)",
            ["bytes", "bytes", "bytes32", "string", "address", "uint8"],
            [spki, tls.cert_der, pcr_hash or self.pcr_hash, endpoint, self.account.address,
             tee_type]))
        return "0x" + keccak(spki).hex()

    def set_pcr_approved(self, pcr_hash: bytes, approved: bool) -> None:
        """approvePCR / revokePCR: only the admin (Registry(devnet, Registry.ADMIN_KEY))."""
        name = "approvePCR(bytes32)" if approved else "revokePCR(bytes32)"
        self._send(self._calldata(name, ["bytes32"], [pcr_hash]))

    def set_enabled(self, tee_id: str, enabled: bool) -> None:
        self._send(self._calldata("setTEEEnabled(bytes32,bool)", ["bytes32", "bool"],
                                  [bytes.fromhex(tee_id.removeprefix("0x")), enabled]))

    def is_active(self, tee_id: str) -> bool:
        data = self._calldata("isTEEActive(bytes32)", ["bytes32"],
                              [bytes.fromhex(tee_id.removeprefix("0x"))])
        return int(self._rpc("eth_call", [{"to": self.address, "data": data}, "latest"]), 16) == 1


class TlsIdentity:
    """A self-signed P-256 certificate for 127.0.0.1 and its key, as files."""

    def __init__(self, directory: Path):
        import datetime
        import ipaddress
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "verinfer test TEE")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                .sign(key, hashes.SHA256()))
        self.cert_der = cert.public_bytes(serialization.Encoding.DER)
        directory.mkdir(parents=True, exist_ok=True)
        self.cert_path = directory / "tls.pem"
        self.key_path = directory / "tls.key"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                    serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(server) -> dict:
    with urllib.request.urlopen(server.base_url + "/health", timeout=10) as answer:
        return json.loads(answer.read())


def wait_for_health(server, predicate, timeout: float = 30.0) -> dict:
    """Polls /health until `predicate(health)` holds (the background refresh
    runs on its own clock); fails with the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        current = health(server)
        if predicate(current):
            return current
        if time.monotonic() > deadline:
            raise AssertionError(f"/health never matched: {json.dumps(current, indent=1)}")
        time.sleep(0.2)


class AcceptingListener:
    """A loopback port whose accepted connections go to `handle(conn)` on a
    background thread until close()."""

    def __init__(self, handle):
        import socket
        import threading
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]

        def serve():
            while True:
                try:
                    conn, _ = self._socket.accept()
                except OSError:
                    return  # closed
                handle(conn)

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()

    def close(self):
        self._socket.close()


class ResettingListener(AcceptingListener):
    """A loopback port that completes the TLS handshake with `tls`, reads the
    start of the request and then resets the connection (SO_LINGER 0): a
    connection that was made and then lost."""

    def __init__(self, tls: TlsIdentity):
        import socket
        import ssl
        import struct
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.cert_path, tls.key_path)
        self.resets = 0

        def reset(conn):
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            try:
                conn.settimeout(10)
                with context.wrap_socket(conn, server_side=True) as tls_conn:
                    tls_conn.recv(1)  # the request has started
                    self.resets += 1
            except (OSError, ssl.SSLError):
                pass
            conn.close()

        super().__init__(reset)


class CountingListener(AcceptingListener):
    """A loopback port that accepts connections, counts them and closes them
    at once: a TEE endpoint that shows whether anyone tried it."""

    def __init__(self):
        self.connections = 0

        def count(conn):
            self.connections += 1
            conn.close()

        super().__init__(count)


TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def token_transfers_from(devnet: dict, payer: str, from_block: int) -> list:
    """The payment token's Transfer events from `payer` since `from_block`, as
    (to, amount) pairs read from the chain."""
    registry = Registry(devnet)
    logs = registry._rpc("eth_getLogs", [{
        "address": devnet["contracts"]["paymentToken"], "fromBlock": hex(from_block),
        "toBlock": "latest",
        "topics": [TRANSFER_TOPIC, "0x" + "00" * 12 + payer.lower().removeprefix("0x")]}])
    return [("0x" + log["topics"][2][-40:], int(log["data"], 16)) for log in logs]


def block_number(devnet: dict) -> int:
    return int(Registry(devnet)._rpc("eth_blockNumber", []), 16)


class BlackholeListener:
    """A loopback port that listens but never accepts, its accept queue
    already full (backlog 0, one queued connection): the kernel drops every
    new SYN, so connecting times out, as to a host that is down (a closed
    port would refuse at once)."""

    def __init__(self):
        import socket
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(0)
        self.port = self._socket.getsockname()[1]
        self._queued = []
        for _ in range(2):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", self.port))
            self._queued.append(s)

    def drops_connections(self, wait: float = 0.3) -> bool:
        """Whether a new connection gets no answer within `wait` seconds."""
        import socket
        with socket.socket() as probe:
            probe.settimeout(wait)
            try:
                probe.connect(("127.0.0.1", self.port))
            except (socket.timeout, TimeoutError):
                return True
            return False

    def close(self):
        for s in self._queued:
            s.close()
        self._socket.close()
