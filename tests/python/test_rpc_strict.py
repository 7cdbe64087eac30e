"""RpcClient against a scripted JSON-RPC server on 127.0.0.1 (started here):
well-formed answers parse, and every malformed one (wrong types, leading
zeros, huge numbers, truncated data, wrong or missing ids in batches, another
chain, JSON-RPC errors, HTTP failures) is a specific error."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TX = "0x" + "ab" * 32
BLOCK = "0x" + "cd" * 32
ADDR = "0x" + "11" * 20
TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


class Node:
    def __init__(self):
        self.handler = None
        self.requests = []
        self.url = None

    def answer(self, result_for_method):
        """Replies {result} per method (a dict, or a callable of the request)."""
        def handle(req):
            if isinstance(req, list):
                return 200, [{"jsonrpc": "2.0", "id": r["id"], "result": result_for_method[r["method"]]}
                             for r in req]
            result = result_for_method[req["method"]]
            if callable(result):
                result = result(req)
            return 200, {"jsonrpc": "2.0", "id": req["id"], "result": result}
        self.handler = handle


@pytest.fixture
def node():
    state = Node()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(body)
            status, payload = state.handler(body)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    yield state
    server.shutdown()
    server.server_close()


def rpc(testkit, node, call, **kw):
    return testkit.run([{"op": "rpc", "url": node.url, "call": call, **kw}])[0]


def receipt(**over):
    r = {
        "transactionHash": TX, "transactionIndex": "0x0", "blockHash": BLOCK, "blockNumber": "0x10",
        "from": ADDR, "to": ADDR, "contractAddress": None, "status": "0x1", "gasUsed": "0x5208",
        "cumulativeGasUsed": "0x5208", "effectiveGasPrice": "0x3b9aca00", "type": "0x2",
        "logs": [{"address": ADDR, "topics": [TOPIC], "data": "0x", "blockNumber": "0x10", "blockHash": BLOCK,
                  "transactionHash": TX, "transactionIndex": "0x0", "logIndex": "0x0", "removed": False}],
    }
    r.update(over)
    return r


def test_well_formed_answers_parse(testkit, node):
    node.answer({"eth_chainId": "0x7a69", "eth_blockNumber": "0x0", "eth_gasPrice": "0x" + "f" * 64,
                 "eth_getTransactionReceipt": receipt(), "eth_call": "0x00ff"})
    assert rpc(testkit, node, "chain_id")["result"] == 31337
    assert rpc(testkit, node, "block_number")["result"] == 0
    assert rpc(testkit, node, "gas_price")["result"] == str(2**256 - 1)
    assert rpc(testkit, node, "eth_call")["result"] == "0x00ff"
    got = rpc(testkit, node, "receipt", hash=TX)
    assert got["ok"], got
    assert got["blockNumber"] == "0x10" and got["status"] == "0x1" and got["gasUsed"] == "0x5208"
    assert got["logs"][0]["topics"] == [TOPIC]
    sent = node.requests[-1]
    assert sent["jsonrpc"] == "2.0" and sent["method"] == "eth_getTransactionReceipt" and sent["params"] == [TX]


def test_pending_receipt_is_null(testkit, node):
    node.answer({"eth_getTransactionReceipt": None})
    assert rpc(testkit, node, "receipt", hash=TX) == {"ok": True, "result": None}


@pytest.mark.parametrize("value,reason", [
    ("0x07a69", "leading zero"),
    ("7a69", "0x"),
    ("0x", "0x"),
    (31337, "not a string"),
    ("0x7g69", "non-hex"),
    ("0x1" + "0" * 64, "256 bits"),
    ("0x10000000000000000", "2^64-1"),
    (None, "not a string"),
])
def test_malformed_quantities_are_rejected(testkit, node, value, reason):
    node.answer({"eth_chainId": value})
    got = rpc(testkit, node, "chain_id")
    assert not got["ok"] and got["code"] == "parse_error"
    assert reason in got["error"], got


@pytest.mark.parametrize("over,reason", [
    ({"status": "0x2"}, "0x0 or 0x1"),
    ({"status": None}, "not a string"),
    ({"blockHash": "0x" + "cd" * 31}, "expected 32 bytes"),
    ({"blockHash": "0x" + "c" * 63}, "odd number"),
    ({"from": "0x" + "11" * 21}, "20-byte address"),
    ({"gasUsed": 21000}, "not a string"),
    ({"logs": {}}, "not an array"),
    ({"logs": [{"address": ADDR, "topics": [TOPIC[:-2]], "data": "0x"}]}, "expected 32 bytes"),
    ({"logs": [{"address": ADDR, "topics": [TOPIC] * 5, "data": "0x"}]}, "more than 4"),
    ({"logs": [{"address": ADDR, "topics": [], "data": "0x0"}]}, "odd number"),
    ({"logs": [{"address": ADDR, "topics": [], "data": "0x", "removed": "no"}]}, "not a boolean"),
    ({"logs": [{"address": ADDR, "topics": [], "data": "0x", "transactionHash": BLOCK}]}, "another transaction"),
    ({"transactionHash": BLOCK, "logs": []}, "another transaction"),
    ({"effectiveGasPrice": "0x00"}, "leading zero"),
])
def test_malformed_receipts_are_rejected(testkit, node, over, reason):
    bad = receipt(**over)
    node.answer({"eth_getTransactionReceipt": bad})
    got = rpc(testkit, node, "receipt", hash=TX)
    assert not got["ok"] and got["code"] == "parse_error", got
    assert reason in got["error"], got


def test_missing_receipt_field_is_named(testkit, node):
    bad = receipt()
    del bad["effectiveGasPrice"]
    node.answer({"eth_getTransactionReceipt": bad})
    got = rpc(testkit, node, "receipt", hash=TX)
    assert not got["ok"] and "effectiveGasPrice" in got["error"]


def test_envelope_errors(testkit, node):
    node.handler = lambda req: (200, {"jsonrpc": "2.0", "id": req["id"] + 1, "result": "0x1"})
    got = rpc(testkit, node, "chain_id")
    assert not got["ok"] and "does not match" in got["error"]
    node.handler = lambda req: (200, {"jsonrpc": "2.0", "id": str(req["id"]), "result": "0x1"})
    assert "not our integer id" in rpc(testkit, node, "chain_id")["error"]
    node.handler = lambda req: (200, {"id": req["id"], "result": "0x1"})
    assert "jsonrpc" in rpc(testkit, node, "chain_id")["error"]
    node.handler = lambda req: (200, {"jsonrpc": "2.0", "id": req["id"], "result": "0x1", "error": {}})
    assert "exactly one" in rpc(testkit, node, "chain_id")["error"]
    node.handler = lambda req: (200, b'{"jsonrpc":"2.0","id":1,"result":"0x1"')
    assert rpc(testkit, node, "chain_id")["code"] == "parse_error"
    node.handler = lambda req: (500, b"upstream broke")
    got = rpc(testkit, node, "chain_id")
    assert got["code"] == "unavailable" and "HTTP 500" in got["error"]


def test_json_rpc_error_objects_carry_code_and_message(testkit, node):
    node.handler = lambda req: (200, {"jsonrpc": "2.0", "id": req["id"],
                                      "error": {"code": 3, "message": "execution reverted", "data": "0x08c379a0"}})
    got = rpc(testkit, node, "eth_call")
    assert not got["ok"] and got["code"] == "invalid_argument"
    assert "eth_call: JSON-RPC error 3: execution reverted" in got["error"] and "0x08c379a0" in got["error"]
    node.handler = lambda req: (200, {"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32005, "message": "limit"}})
    assert rpc(testkit, node, "block_number")["code"] == "unavailable"
    node.handler = lambda req: (200, {"jsonrpc": "2.0", "id": req["id"], "error": {"message": "no code"}})
    assert "malformed JSON-RPC error" in rpc(testkit, node, "block_number")["error"]


def test_another_chain_is_refused_before_any_other_call(testkit, node):
    node.answer({"eth_chainId": "0x1", "eth_blockNumber": "0x5"})
    got = rpc(testkit, node, "block_number", expected_chain_id=31337)
    assert got["code"] == "verification_failed"
    assert "expected chain id 31337, got 1" in got["error"]
    assert [r["method"] for r in node.requests] == ["eth_chainId"]
    node.answer({"eth_chainId": "0x7a69", "eth_blockNumber": "0x5"})
    assert rpc(testkit, node, "block_number", expected_chain_id=31337)["result"] == 5


CALLS = [{"method": "eth_chainId", "params": []}, {"method": "eth_blockNumber", "params": []},
         {"method": "eth_gasPrice", "params": []}]


def batch_handler(mutate):
    def handle(req):
        assert isinstance(req, list)
        answers = [{"jsonrpc": "2.0", "id": r["id"], "result": hex(i + 1)} for i, r in enumerate(req)]
        return 200, mutate(answers)
    return handle


def test_batches_match_ids_in_any_order(testkit, node):
    node.handler = batch_handler(lambda a: a[::-1])
    got = rpc(testkit, node, "batch", calls=CALLS)
    assert got["ok"]
    assert [x["result"] for x in got["result"]] == ["0x1", "0x2", "0x3"]
    # One failing call does not fail the others.
    def one_error(a):
        a[1] = {"jsonrpc": "2.0", "id": a[1]["id"], "error": {"code": -32601, "message": "method not found"}}
        return a
    node.handler = batch_handler(one_error)
    got = rpc(testkit, node, "batch", calls=CALLS)
    assert [x["ok"] for x in got["result"]] == [True, False, True]
    assert "method not found" in got["result"][1]["error"]


@pytest.mark.parametrize("mutate,reason", [
    (lambda a: a[:2], "no response"),
    (lambda a: a + [a[0]], "same id"),
    (lambda a: [dict(a[0], id=a[0]["id"] + 100)] + a[1:], "not asked"),
    (lambda a: [dict(a[0], id=None)] + a[1:], "not our integer id"),
    (lambda a: a[0], "not an array"),
])
def test_malformed_batches_are_rejected(testkit, node, mutate, reason):
    node.handler = batch_handler(mutate)
    got = rpc(testkit, node, "batch", calls=CALLS)
    assert not got["ok"] and got["code"] == "parse_error", got
    assert reason in got["error"]


def test_send_raw_checks_the_reported_hash(testkit, node):
    from eth_utils import keccak
    raw = "0x02c0"
    node.answer({"eth_sendRawTransaction": "0x" + keccak(bytes.fromhex(raw[2:])).hex()})
    assert rpc(testkit, node, "send_raw", raw=raw)["ok"]
    node.answer({"eth_sendRawTransaction": TX})
    got = rpc(testkit, node, "send_raw", raw=raw)
    assert got["code"] == "verification_failed" and "another transaction hash" in got["error"]


def test_wait_for_receipt_counts_confirmations_and_respects_the_deadline(testkit, node):
    state = {"polls": 0}

    def get_receipt(req):
        state["polls"] += 1
        return receipt() if state["polls"] > 2 else None

    def head(req):
        return hex(0x10 + max(0, state["polls"] - 3))  # mined at poll 3 in the head block, then +1 per poll

    node.answer({"eth_getTransactionReceipt": get_receipt, "eth_blockNumber": head,
                 "eth_getBlockByNumber": lambda req: {
                     "number": req["params"][0], "hash": BLOCK, "parentHash": TX, "timestamp": "0x1",
                     "gasLimit": "0x1", "gasUsed": "0x0", "baseFeePerGas": "0x1"}})
    got = rpc(testkit, node, "wait_receipt", hash=TX, confirmations=3, deadline_ms=5000)
    assert got["ok"], got
    assert state["polls"] == 5  # 3 confirmations of block 0x10 need head 0x12
    # The block now has another hash: a reorg; never settles before the deadline.
    node.answer({"eth_getTransactionReceipt": receipt(), "eth_blockNumber": "0x20",
                 "eth_getBlockByNumber": lambda req: {
                     "number": req["params"][0], "hash": TX, "parentHash": TX, "timestamp": "0x1",
                     "gasLimit": "0x1", "gasUsed": "0x0"}})
    got = rpc(testkit, node, "wait_receipt", hash=TX, confirmations=1, deadline_ms=300)
    assert got["code"] == "deadline_exceeded" and "replaced" in got["error"]
    node.answer({"eth_getTransactionReceipt": None})
    got = rpc(testkit, node, "wait_receipt", hash=TX, deadline_ms=200)
    assert got["code"] == "deadline_exceeded" and "not yet mined" in got["error"]
