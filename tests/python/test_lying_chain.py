"""Settlement verification against a chain node that lies (tests/python/lying_node.py:
a real JSON-RPC server on 127.0.0.1 forwarding to the devnet's anvil and
altering its answers). One real paid, individually settled call is made
first; then every lie is told about its receipts, and `verinfer settlement
check`, `verinfer receipt` and `LLM(settlement_check=True)` must each end in
the specific rejection: the failed check's name and its reason."""
import json
import subprocess

import pytest

import verinfer
from conftest import DEVNET_RUN
from lying_node import LyingNode

MODEL = "openai/gpt-5"


@pytest.fixture(scope="module")
def node(devnet):
    with LyingNode(devnet["chain"]["rpcUrl"]) as n:
        yield n


@pytest.fixture(scope="module")
def lying_profile(devnet, node, tmp_path_factory):
    """The devnet profile with its rpcUrl pointing at the lying node."""
    profile = json.loads((DEVNET_RUN / "profile.json").read_text())
    profile["chain"]["rpcUrl"] = node.url
    path = tmp_path_factory.mktemp("lying") / "profile.json"
    path.write_text(json.dumps(profile))
    return str(path)


def llm(devnet, profile, timeout=30.0):
    return verinfer.LLM(profile, private_key=devnet["testPayer"]["privateKey"], settlement_check=True,
                        timeout=timeout)


@pytest.fixture(scope="module")
def settled(devnet, node, lying_profile, tmp_path_factory):
    """An honest paid call through the (truthful) node: every chain check passes."""
    node.lie = None
    result = llm(devnet, lying_profile).chat(model=MODEL, messages=[{"role": "user", "content": "lie to me"}],
                                             x402_settlement_mode="individual")
    names = {c.name for c in result.report.checks}
    assert {"x402.block", "x402.logs", "x402.confirmations", "settlement.block", "settlement.logs",
            "settlement.confirmations", "settlement.tee_id"} <= names, result.report
    assert result.report.ok
    response = tmp_path_factory.mktemp("settled") / "response.json"
    response.write_text(json.dumps(result.response))
    return {"tx": result.settlement["tx_hash"], "payment_tx": result.payment["transaction"],
            "response": str(response)}


def run_cli(cli, *args):
    return subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=60)


def failed(checks):
    return {c["name"]: c for c in checks if not c["passed"]}


# lie -> (the check that must fail, words of its reason). Every lie is told about the
# settlement transaction only; "other_receipt*" answer with the payment's real receipt.
CLI_CASES = {
    "chain_id": ("settlement.receipt", "RPC endpoint serves another chain"),
    "no_receipt": ("settlement.receipt", "no receipt for the settlement transaction"),
    "other_receipt": ("settlement.receipt", "receipt is for another transaction"),
    "other_receipt_renamed": ("settlement.receipt", "a log belongs to another transaction"),
    "other_receipt_relabelled": ("settlement.block", "does not hold its transaction at its index"),
    "reorg": ("settlement.block", "is another block (reorg?)"),
    "block_gone": ("settlement.block", "no longer on the chain"),
    "log_address": ("settlement.contract", "event emitted by another contract"),
    "log_topic": ("settlement.tee_id", "teeId on chain differs"),
    "log_data": ("settlement.input_hash", "inputHash on chain differs"),
    "log_dropped": ("settlement.event", "no IndividualSettlement event"),
    "log_duplicated": ("settlement.receipt", "log indices do not rise"),
    "log_index": ("settlement.logs", "not the block's logs of the transaction"),
    "log_tx_index": ("settlement.receipt", "transactionIndex differs from the receipt's"),
    "reverted": ("settlement.receipt_status", "settlement transaction reverted"),
    "head_lag": ("settlement.confirmations", "head is behind the receipt's block"),
    "wrong_id": ("settlement.receipt", "response id does not match the request"),
    "missing_result": ("settlement.receipt", "exactly one of result and error"),
    "error_object": ("settlement.receipt", "JSON-RPC error -32000: lying node refuses"),
    "huge_body": ("settlement.receipt", "resource_exhausted"),
    "slow": ("settlement.receipt", "deadline_exceeded"),
}
# Altered logs also disagree with the block's logs by eth_getLogs.
ALSO_LOGS = {"log_address", "log_topic", "log_data", "log_dropped", "other_receipt_relabelled"}


@pytest.mark.parametrize("lie", sorted(CLI_CASES))
def test_settlement_check_rejects_a_lying_node(cli, devnet, node, settled, lie):
    node.lie, node.target, node.other = lie, settled["tx"], settled["payment_tx"]
    node.slow_seconds = 3.0
    try:
        out = run_cli(cli, "settlement", "check", "--response", settled["response"], "--tx", settled["tx"],
                      "--rpc", node.url, "--contract", devnet["contracts"]["settlementRelay"],
                      "--chain-id", str(devnet["chain"]["chainId"]), "--rpc-timeout", "1", "--json")
    finally:
        node.lie = None
    assert out.returncode == 1, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["verified"] is False
    name, words = CLI_CASES[lie]
    bad = failed(report["checks"])
    assert name in bad, (lie, bad)
    check = bad[name]
    text = check.get("reason", "") + " " + check.get("code", "") + " " + check.get("actual", "")
    assert words in text, (lie, check)
    if lie in ALSO_LOGS:
        assert "settlement.logs" in bad, (lie, bad)
    if lie == "chain_id":
        assert check["actual"] == f"expected chain id {devnet['chain']['chainId']}, got 1"


def test_settlement_check_passes_through_the_truthful_node(cli, devnet, node, settled):
    out = run_cli(cli, "settlement", "check", "--response", settled["response"], "--tx", settled["tx"],
                  "--rpc", node.url, "--contract", devnet["contracts"]["settlementRelay"],
                  "--chain-id", str(devnet["chain"]["chainId"]), "--confirmations", "1", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    # Deeper than the chain is: the same receipt with too few confirmations.
    out = run_cli(cli, "settlement", "check", "--response", settled["response"], "--tx", settled["tx"],
                  "--rpc", node.url, "--confirmations", "100000", "--json")
    assert out.returncode == 1
    assert failed(json.loads(out.stdout)["checks"])["settlement.confirmations"]["reason"] == "too few confirmations"


# lie -> (exit code, words on stderr)
RECEIPT_CASES = {
    "chain_id": (2, "RPC endpoint serves another chain (expected chain id"),
    "no_receipt": (1, "no receipt for"),
    "reorg": (1, "receipt.block: the chain's block at the receipt's number is another block (reorg?)"),
    "log_data": (1, "receipt.logs: the receipt's logs are not the block's logs of the transaction"),
    "head_lag": (1, "receipt.confirmations: the chain's head is behind the receipt's block"),
    "wrong_id": (2, "response id does not match the request"),
}


@pytest.mark.parametrize("lie", sorted(RECEIPT_CASES))
def test_receipt_verb_rejects_a_lying_node(cli, devnet, node, settled, lie):
    node.lie, node.target = lie, settled["tx"]
    try:
        out = run_cli(cli, "receipt", settled["tx"], "--rpc", node.url,
                      "--chain-id", str(devnet["chain"]["chainId"]))
    finally:
        node.lie = None
    code, words = RECEIPT_CASES[lie]
    assert out.returncode == code, out.stdout + out.stderr
    assert words in out.stderr
    assert "status" not in out.stdout  # nothing shown as a fact


def test_receipt_verb_reports_a_reverted_transaction(cli, node, settled):
    node.lie, node.target = "reverted", settled["tx"]
    try:
        out = run_cli(cli, "receipt", settled["tx"], "--rpc", node.url)
    finally:
        node.lie = None
    assert out.returncode == 1 and "status 0 (reverted)" in out.stdout


# Through the Client: every receipt the call reads is lied about (the payment's
# comes first). lie -> (the check that must fail, words of its reason).
LLM_CASES = {
    "chain_id": ("x402.receipt", "RPC endpoint serves another chain"),
    "no_receipt": ("x402.receipt", "no receipt for the transaction"),
    "reorg": ("x402.block", "is another block (reorg?)"),
    "log_data": ("x402.logs", "not the block's logs of the transaction"),
    "reverted": ("x402.receipt_status", "payment transaction reverted"),
    "head_lag": ("x402.confirmations", "head is behind the receipt's block"),
    "error_object": ("x402.receipt", "JSON-RPC error -32000: lying node refuses"),
    "slow": ("x402.receipt", "deadline_exceeded"),
}


@pytest.mark.parametrize("lie", sorted(LLM_CASES))
def test_llm_settlement_check_rejects_a_lying_node(devnet, node, lying_profile, settled, lie):
    node.lie, node.target = lie, None
    node.slow_seconds = 3.0
    try:
        with pytest.raises(verinfer.VerinferError) as info:
            llm(devnet, lying_profile, timeout=2.0 if lie == "slow" else 30.0).chat(
                model=MODEL, messages=[{"role": "user", "content": f"lie {lie}"}],
                x402_settlement_mode="individual")
    finally:
        node.lie = None
    err = info.value
    # A payment the chain does not show (reverted, or a Transfer of another
    # amount) is a PaymentError; everything else a VerificationError.
    paid_wrong = lie in ("reverted", "log_data")
    assert isinstance(err, verinfer.PaymentError if paid_wrong else verinfer.VerificationError), err
    assert err.report is not None, err
    name, words = LLM_CASES[lie]
    bad = {c.name: c for c in err.report.checks if not c.passed}
    assert name in bad, (lie, err.report)
    assert words in bad[name].reason + " " + bad[name].actual, (lie, bad[name])
    if lie != "chain_id" and lie not in ("slow", "error_object", "no_receipt"):
        # The settlement's receipt is lied about the same way.
        assert any(n.startswith("settlement.") for n in bad), (lie, bad)


def test_chat_refuses_a_tee_whose_registry_entry_cannot_be_read(cli, devnet, node, lying_profile, tmp_path):
    """The registry node fails every eth_call: the call fails closed before any
    payment, and says the entry was unreadable, not that the TEE is unregistered."""
    key = tmp_path / "payer.key"
    key.write_text(devnet["testPayer"]["privateKey"])
    node.envelope_methods, node.lie = {"eth_call"}, "error_object"
    try:
        out = run_cli(cli, "chat", "--profile", lying_profile, "--model", MODEL, "--message", "unreadable",
                      "--key-file", str(key), "--json")
    finally:
        node.envelope_methods, node.lie = {"eth_getTransactionReceipt"}, None
    assert out.returncode == 1, out.stderr
    bad = failed(json.loads(out.stdout)["checks"])
    assert bad["registry.registered"]["actual"] == "registry entry unreadable", bad
    assert "lying node refuses" in bad["registry.registered"]["reason"], bad
    assert "payment" not in " ".join(bad), bad  # refused before paying: no payment check ran
    assert "Devnet echo" not in out.stdout
