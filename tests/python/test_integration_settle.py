"""Settlement layer against the real devnet (anvil chain, contracts, TEE
gateway, x402 facilitator; no mocks): paid calls made by a wallet, then
verinfer fetches and decodes receipts, checks the x402 payment on chain, the
individual settlement field by field, the batch inclusion proof from the
facilitator's dump against the on-chain root, reads the registry and runs an
on-chain ML inference round trip."""
import json
import subprocess
import urllib.request

import pytest

from conftest import ROOT

DEVNET = ROOT / "devnet"


@pytest.fixture(scope="module")
def paid(devnet):
    script = (ROOT / "tests" / "integration" / "paid_calls.mjs").read_text()
    out = subprocess.run(["node", "--input-type=module"], input=script, cwd=DEVNET, capture_output=True,
                         text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def run_cli(cli, *args):
    return subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=120)


def test_receipt_of_an_x402_payment_decodes_transfer_and_authorization(cli, devnet, paid):
    tx = paid["individual"]["payment"]["transaction"]
    out = run_cli(cli, "receipt", tx, "--rpc", devnet["chain"]["rpcUrl"], "--json")
    assert out.returncode == 0, out.stderr
    receipt = json.loads(out.stdout)
    events = {e["decoded"]["event"]: e["decoded"]["args"] for e in receipt["events"] if "decoded" in e}
    assert events["Transfer"]["from"].lower() == devnet["testPayer"]["address"].lower()
    assert events["Transfer"]["to"].lower() == devnet["x402"]["payTo"].lower()
    assert events["Transfer"]["value"] == str(devnet["x402"]["amount"])
    assert events["AuthorizationUsed"]["authorizer"].lower() == devnet["testPayer"]["address"].lower()


def test_x402_payment_checked_on_chain(testkit, devnet, paid):
    base = {"op": "x402_check", "url": devnet["chain"]["rpcUrl"], "tx": paid["individual"]["payment"]["transaction"],
            "token": devnet["token"]["address"], "payer": devnet["testPayer"]["address"],
            "pay_to": devnet["x402"]["payTo"], "max_amount": str(devnet["x402"]["amount"])}
    good, cheaper, elsewhere = testkit.run([
        base,
        {**base, "max_amount": str(int(devnet["x402"]["amount"]) - 1)},
        {**base, "pay_to": "0x" + "22" * 20},
    ])
    assert good["verified"], good
    assert [c["name"] for c in good["checks"]] == ["x402.receipt_status", "x402.transfer", "x402.amount",
                                                   "x402.authorization_used"]
    assert not cheaper["verified"] and not elsewhere["verified"]


def write_json(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(json.dumps(value))
    return str(path)


def test_individual_settlement_matches_the_response(cli, devnet, paid, tmp_path):
    ind = paid["individual"]
    tx = ind["headers"]["x-settlement-tx-hash"]
    resp = write_json(tmp_path, "resp.json", ind["body"])
    relay = devnet["contracts"]["settlementRelay"]
    out = run_cli(cli, "settlement", "check", "--response", resp, "--tx", tx, "--rpc", devnet["chain"]["rpcUrl"],
                  "--contract", relay, "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    names = [c["name"] for c in json.loads(out.stdout)["checks"]]
    assert {"settlement.tee_id", "settlement.input_hash", "settlement.output_hash", "settlement.timestamp",
            "settlement.signature"} <= set(names)
    # Without --tx the settlement is found in the chain's logs.
    out = run_cli(cli, "settlement", "check", "--response", resp, "--rpc", devnet["chain"]["rpcUrl"],
                  "--contract", relay, "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    # A batch-settled response has no IndividualSettlement to find.
    batch_resp = write_json(tmp_path, "batch.json", paid["batch"][0]["body"])
    out = run_cli(cli, "settlement", "check", "--response", batch_resp, "--rpc", devnet["chain"]["rpcUrl"],
                  "--json")
    assert out.returncode == 1, out.stdout
    assert [c["name"] for c in json.loads(out.stdout)["checks"] if not c["passed"]] == ["settlement.found"]
    # Another response (a batch one) does not match this settlement.
    other = write_json(tmp_path, "other.json", paid["batch"][0]["body"])
    out = run_cli(cli, "settlement", "check", "--response", other, "--tx", tx, "--rpc", devnet["chain"]["rpcUrl"])
    assert out.returncode == 1, out.stdout


def test_batch_inclusion_from_the_facilitator_dump(cli, devnet, paid, tmp_path):
    for item in paid["batch"]:
        job = item["job"]
        assert job["status"] == "settled", job
        with urllib.request.urlopen(f"{devnet['urls']['blobs']}/blobs/{job['blobId']}") as r:
            dump = json.loads(r.read())
        dump_path = write_json(tmp_path, "dump.json", dump)
        resp = write_json(tmp_path, "resp.json", item["body"])
        out = run_cli(cli, "settlement", "check", "--response", resp, "--tx", job["txHash"],
                      "--rpc", devnet["chain"]["rpcUrl"], "--dump", dump_path, "--json")
        assert out.returncode == 0, out.stdout + out.stderr
        checks = {c["name"] for c in json.loads(out.stdout)["checks"]}
        assert {"settlement.batch_root", "settlement.batch_leaf", "settlement.batch_proof"} <= checks
        # The same leaf against the on-chain root with the merkle verb.
        b = item["body"]
        import base64
        leaf = [b["tee_id"], "0x" + b["tee_request_hash"], "0x" + b["tee_output_hash"],
                "0x" + base64.b64decode(b["tee_signature"]).hex(), str(b["tee_timestamp"])]
        out = run_cli(cli, "merkle", "verify", "--dump", dump_path, "--leaf", json.dumps(leaf),
                      "--root", job["merkleRoot"])
        assert out.returncode == 0, out.stderr
        # The individual response is not in this batch.
        other = write_json(tmp_path, "other.json", paid["individual"]["body"])
        out = run_cli(cli, "settlement", "check", "--response", other, "--tx", job["txHash"],
                      "--rpc", devnet["chain"]["rpcUrl"], "--dump", dump_path)
        assert out.returncode == 1


def test_registry_read(testkit, devnet):
    got = testkit.run([{"op": "registry_read", "url": devnet["chain"]["rpcUrl"],
                        "registry": devnet["contracts"]["teeRegistry"], "tee_id": devnet["tee"]["teeId"]}])[0]
    assert got["ok"], got
    entry = got["entry"]
    assert entry["tee_id"] == devnet["tee"]["teeId"].lower()
    assert entry["public_key"] == "0x" + devnet["tee"]["publicKeySpkiDerHex"].lower().removeprefix("0x")
    assert entry["endpoint"] == devnet["tee"]["endpoint"]
    assert entry["pcr_hash"] == devnet["attestation"]["pcrHash"].lower()
    assert entry["enabled"] and got["active"]
    assert devnet["tee"]["teeId"].lower() in got["active_ids"]
    unknown = testkit.run([{"op": "registry_read", "url": devnet["chain"]["rpcUrl"],
                            "registry": devnet["contracts"]["teeRegistry"], "tee_id": "0x" + "00" * 32}])[0]
    assert not unknown["ok"] and "not registered" in unknown["error"]


def test_ml_inference_round_trip(testkit, devnet):
    got = testkit.run([{
        "op": "inference_run", "url": devnet["chain"]["rpcUrl"], "key": devnet["testPayer"]["privateKey"],
        "contract": devnet["contracts"]["inference"], "model": "devnet/linear-v1", "mode": 2,
        "numbers": [{"name": "x", "values": [[15, 1], [-2, 0], [125, 2]], "shape": [3]}],
        "strings": [{"name": "s", "values": ["hello", "Wörld"]}],
    }])[0]
    assert got["ok"], got
    # y = 1*1.5 + 2*(-2) + 3*1.25 + 0.5 = 1.75, at max(1, decimals) = 2 places
    assert got["numbers"] == [{"name": "y", "values": [[175, 2]]}]
    assert got["strings"] == [{"name": "s", "values": ["HELLO", "WöRLD"]}]
    assert got["jsons"] == {"model_id": "devnet/linear-v1", "mode": "2"}
