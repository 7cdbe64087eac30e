"""The settlement verbs' exit codes offline: 0 verified, 1 rejected, 2 unusable."""
import json
import subprocess

from conftest import VECTORS

MERKLE = VECTORS / "merkle"


def run(cli, *args):
    return subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=60)


def test_merkle_verify_exit_codes(cli, tmp_path):
    dump = str(MERKLE / "tree_20.dump.json")
    expected = json.loads((MERKLE / "tree_20.expected.json").read_text())
    other_root = json.loads((MERKLE / "tree_3.expected.json").read_text())["root"]
    leaf = expected["leaves"][7]
    ok = run(cli, "merkle", "verify", "--dump", dump, "--leaf", json.dumps(leaf["value"]), "--root", expected["root"],
             "--json")
    assert ok.returncode == 0, ok.stderr
    answer = json.loads(ok.stdout)
    assert answer["verified"] and answer["proof"] == leaf["proof"] and answer["leaf"] == leaf["leaf_hash"]
    assert run(cli, "merkle", "verify", "--dump", dump, "--leaf-index", "19").returncode == 0
    assert run(cli, "merkle", "verify", "--dump", dump, "--leaf-index", "0", "--root", other_root).returncode == 1
    tampered = list(leaf["value"])
    tampered[4] = str(int(tampered[4]) + 1)
    assert run(cli, "merkle", "verify", "--dump", dump, "--leaf", json.dumps(tampered)).returncode == 1
    broken = json.loads((MERKLE / "tree_20.dump.json").read_text())
    broken["tree"][0] = "0x" + "00" * 32
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    assert run(cli, "merkle", "verify", "--dump", str(tmp_path / "broken.json"), "--leaf-index", "0").returncode == 1
    for bad in (["--leaf-index", "20"], ["--leaf-index", "x"], ["--leaf", "[1]"], []):
        assert run(cli, "merkle", "verify", "--dump", dump, *bad).returncode == 2, bad
    assert run(cli, "merkle", "verify", "--dump", str(tmp_path / "missing.json"), "--leaf-index", "0").returncode == 2


def test_receipt_and_settlement_check_refuse_unusable_input(cli, tmp_path):
    assert run(cli, "receipt", "0x1234", "--rpc", "http://127.0.0.1:9").returncode == 2
    assert run(cli, "receipt", "0x" + "00" * 32).returncode == 2
    # Nothing listens on port 9: an RPC failure is unusable, not a rejection.
    assert run(cli, "receipt", "0x" + "00" * 32, "--rpc", "http://127.0.0.1:9").returncode == 2
    resp = tmp_path / "resp.json"
    resp.write_text(json.dumps({"tee_id": "0x" + "11" * 32}))
    assert run(cli, "settlement", "check", "--response", str(resp), "--tx", "0x" + "00" * 32,
               "--rpc", "http://127.0.0.1:9").returncode == 2
