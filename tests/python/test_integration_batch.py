"""A batch-settled call, end to end through the Python API and the CLI: the
response's leaf is proven under the root posted on chain, and a gateway
that settles an altered leaf is caught."""
import json
import subprocess
import urllib.request

import pytest

import verinfer
from conftest import DEVNET_RUN


def _post(url, body=None):
    req = urllib.request.Request(url, method="POST", data=json.dumps(body or {}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def _batch_call_and_check(cli, devnet, tmp_path, name, sent_content=None):
    llm = verinfer.LLM(str(DEVNET_RUN / "profile.json"), private_key=devnet["testPayer"]["privateKey"])
    result = llm.chat(model="openai/gpt-5", messages=[{"role": "user", "content": name}],
                      x402_settlement_mode="batch")
    job_id = result.settlement["job_id"]
    assert job_id, result.settlement
    _post(devnet["urls"]["facilitator"] + "/admin/flush")
    job = json.loads(_get(f"{devnet['urls']['facilitator']}/v1/settlements/{job_id}"))
    assert job["status"] == "settled", job
    dump = tmp_path / f"{name}.dump.json"
    dump.write_bytes(_get(f"{devnet['urls']['blobs']}/blobs/{job['blobId']}"))
    response = tmp_path / f"{name}.response.json"
    response.write_text(json.dumps(result.response))
    # The body the LLM class sent (provider prefix stripped), or another one.
    request = tmp_path / f"{name}.request.json"
    request.write_text(json.dumps({"model": "gpt-5", "messages": [
        {"role": "user", "content": sent_content if sent_content is not None else name}]}))
    return subprocess.run([str(cli), "settlement", "check", "--request", str(request),
                           "--response", str(response), "--tx", job["txHash"],
                           "--rpc", devnet["chain"]["rpcUrl"], "--dump", str(dump), "--json"],
                          capture_output=True, text=True, timeout=120)


def test_batch_settled_call_is_proven_on_chain(cli, devnet, tmp_path):
    out = _batch_call_and_check(cli, devnet, tmp_path, "honest")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["verified"] is True


def test_settlement_of_another_request_is_rejected(cli, devnet, tmp_path):
    out = _batch_call_and_check(cli, devnet, tmp_path, "mine", sent_content="not what was sent")
    assert out.returncode == 1, out.stdout + out.stderr
    failed = [c["name"] for c in json.loads(out.stdout)["checks"] if not c["passed"]]
    assert failed == ["settlement.request_hash"], failed


def test_altered_merkle_leaf_is_rejected(cli, devnet, tmp_path):
    _post(devnet["urls"]["gateway"] + "/admin/misbehave", {"mode": "merkle_leaf_altered"})
    try:
        out = _batch_call_and_check(cli, devnet, tmp_path, "altered")
    finally:
        _post(devnet["urls"]["gateway"] + "/admin/misbehave", {"mode": "none"})
    assert out.returncode == 1, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["verified"] is False
    failed = [c["name"] for c in report["checks"] if not c["passed"]]
    assert failed and failed[0].startswith("settlement.batch"), failed
