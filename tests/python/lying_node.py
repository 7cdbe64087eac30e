"""A JSON-RPC node that lies: an HTTP server on 127.0.0.1 that forwards every
call to a real node (the devnet's anvil) and alters the real answer the way
the current `lie` says. Tests point verinfer at it and assert the specific
rejection. Lies only touch the transaction under test (`target`), so the
chain id check and unrelated calls see the truth unless the lie is about them.
"""
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _flip_hex(text: str, nibble: int) -> str:
    """`text` ("0x...") with the hex digit at `nibble` (after 0x) changed."""
    i = 2 + nibble
    return text[:i] + format(int(text[i], 16) ^ 0x1, "x") + text[i + 1:]


def _receipt_logs(lie):
    """Lies that rewrite the logs of the target's receipt: the one with the most
    data (IndividualSettlement in a settlement, Transfer in a payment)."""
    def victim(logs):
        return max(logs, key=lambda log: len(log["data"]))
    def address(logs):
        victim(logs)["address"] = "0x" + "66" * 20
    def topic(logs):
        log = victim(logs)
        log["topics"][1] = _flip_hex(log["topics"][1], 63)  # teeId / Transfer's from
    def data(logs):
        log = victim(logs)
        log["data"] = _flip_hex(log["data"], 63)  # the last byte of inputHash / the value
    def dropped(logs):
        logs.remove(victim(logs))
    def duplicated(logs):
        logs.append(dict(logs[-1]))
    def log_index(logs):
        log = victim(logs)
        log["logIndex"] = hex(int(log["logIndex"], 16) + 5)
    def tx_index(logs):
        log = victim(logs)
        log["transactionIndex"] = hex(int(log["transactionIndex"], 16) + 1)
    return {"log_address": address, "log_topic": topic, "log_data": data, "log_dropped": dropped,
            "log_duplicated": duplicated, "log_index": log_index, "log_tx_index": tx_index}.get(lie)


class LyingNode:
    """Start with `with LyingNode(upstream) as node:`; set `node.lie` (and
    `node.target`, the transaction hash the lies are about) per case."""

    # Lies that shape the HTTP answer itself, for any method in `envelope_methods`.
    ENVELOPE_LIES = ("wrong_id", "missing_result", "error_object", "huge_body", "slow")

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.lie = None
        self.target = None
        self.other = None  # another transaction, for "other_receipt*"
        self.envelope_methods = {"eth_getTransactionReceipt"}
        self.slow_seconds = 5.0
        self.calls = []
        self._server = None

    # ---- forwarding ----

    def forward(self, method, params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
        req = urllib.request.Request(self.upstream, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())["result"]

    def _targeted(self, method, params):
        """A receipt call the lies are about (every receipt when no target is set)."""
        return method == "eth_getTransactionReceipt" and (
            self.target is None or params[0].lower() == self.target.lower())

    def result(self, method, params):
        """The real result of a call, altered by the current lie."""
        lie = self.lie
        if method == "eth_chainId" and lie == "chain_id":
            return "0x1"
        if method == "eth_blockNumber" and lie == "head_lag":
            return "0x1"
        if method == "eth_getBlockByNumber" and lie in ("reorg", "block_gone"):
            block = self.forward(method, params)
            if lie == "block_gone" or block is None:
                return None
            block["hash"] = _flip_hex(block["hash"], 0)
            return block
        if self._targeted(method, params):
            if lie == "no_receipt":
                return None
            if lie in ("other_receipt", "other_receipt_renamed", "other_receipt_relabelled"):
                receipt = self.forward(method, [self.other])
                if lie != "other_receipt":  # the asked hash written over the other one's
                    receipt["transactionHash"] = params[0]
                if lie == "other_receipt_relabelled":  # ... in its logs too
                    for log in receipt["logs"]:
                        log["transactionHash"] = params[0]
                return receipt
            receipt = self.forward(method, params)
            if lie == "reverted":
                receipt["status"] = "0x0"
            elif _receipt_logs(lie):
                _receipt_logs(lie)(receipt["logs"])
            return receipt
        return self.forward(method, params)

    def answer(self, call):
        """(status, bytes, delay seconds) for one JSON-RPC request object."""
        method, params = call["method"], call.get("params", [])
        self.calls.append(method)
        envelope = self.lie in self.ENVELOPE_LIES and method in self.envelope_methods and (
            method != "eth_getTransactionReceipt" or self._targeted(method, params))
        out = {"jsonrpc": "2.0", "id": call["id"], "result": self.result(method, params)}
        delay = 0.0
        if envelope:
            if self.lie == "wrong_id":
                out["id"] = call["id"] + 1000
            elif self.lie == "missing_result":
                del out["result"]
            elif self.lie == "error_object":
                del out["result"]
                out["error"] = {"code": -32000, "message": "lying node refuses"}
            elif self.lie == "huge_body":
                # Past RpcClient's 32 MiB answer limit.
                return 200, json.dumps(out).encode() + b" " * (33 << 20), 0.0
            elif self.lie == "slow":
                delay = self.slow_seconds
        return 200, json.dumps(out).encode(), delay

    # ---- the server ----

    def __enter__(self):
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                call = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, data, delay = node.answer(call)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout, size limit): that is the point

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a "slow" answer may still be sleeping
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
