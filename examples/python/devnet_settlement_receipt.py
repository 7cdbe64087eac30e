"""Checking receipts of a paid call: the call settles in individual mode, then
the ``verinfer`` command-line tool checks on chain that the settlement event
records exactly this call and decodes the payment transaction's Transfer.
(The Python package has no chain client of its own; the CLI's JSON is the
interface.)

    python devnet_settlement_receipt.py [PROFILE.json]
"""
import json
import subprocess
import sys
import tempfile

import verinfer


def verinfer_cli(*args):
    """Runs ``verinfer ARGS --json``: (exit code, parsed JSON output)."""
    done = subprocess.run(["verinfer", *args, "--json"], capture_output=True, text=True, check=False)
    if done.returncode == 2:
        raise verinfer.VerinferError(done.stderr.strip(), "invalid_argument")
    return done.returncode, json.loads(done.stdout)


def main(profile_path="devnet/run/profile.json"):
    with open(profile_path) as f:  # the devnet's throwaway key; use a file or env var for real ones
        devnet = json.load(f)
    rpc = devnet["chain"]["rpcUrl"]
    llm = verinfer.LLM(profile_path, private_key=devnet["testPayer"]["privateKey"])
    result = llm.chat(model="openai/gpt-5", messages=[{"role": "user", "content": "Settle this one."}],
                      x402_settlement_mode="individual")

    with tempfile.NamedTemporaryFile("w", suffix=".json") as saved:
        json.dump(result.response, saved)  # what you would archive with the call
        saved.flush()
        code, settlement = verinfer_cli("settlement", "check", "--response", saved.name,
                                        "--tx", result.settlement["tx_hash"], "--rpc", rpc)
    print("settlement", result.settlement["tx_hash"])
    print(verinfer.Report.from_raw(settlement["checks"]))

    _, payment = verinfer_cli("receipt", result.payment["transaction"], "--rpc", rpc)
    print("payment", result.payment["transaction"], "status", payment["status"])
    for event in payment["events"]:
        if event.get("decoded", {}).get("event") == "Transfer":
            print("  Transfer", event["decoded"]["args"])
    return code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
