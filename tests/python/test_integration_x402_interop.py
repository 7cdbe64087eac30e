"""x402 interop with the real @x402/* packages on the devnet: headers made by
their client (@x402/fetch + @x402/evm) are parsed and verified by verinfer;
verinfer's own payments are accepted by @x402/express and its facilitator
(every paid call of the C++ and Python devnet tests goes through them)."""
import json
import subprocess
import time

import verinfer
from conftest import DEVNET, ROOT


def test_headers_from_the_x402_client_parse_and_verify(devnet):
    script = (ROOT / "tests" / "integration" / "x402_client_headers.mjs").read_text()
    out = subprocess.run(["node", "--input-type=module"], input=script, cwd=DEVNET, capture_output=True,
                         text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["paymentRequired"] and seen["paymentSignature"] and seen["paymentResponse"]

    required = verinfer.decode_x402_header(seen["paymentRequired"][0])
    assert required["x402Version"] == 2
    assert required["accepts"][0]["asset"].lower() == devnet["x402"]["asset"].lower()

    payload = verinfer.decode_x402_header(seen["paymentSignature"][0])
    report = verinfer.verify_payment(payload, now=int(time.time()))
    assert report.ok, str(report)
    signed_by = payload["payload"]["authorization"]["from"]
    assert verinfer.checksum_address(signed_by) == verinfer.checksum_address(seen["payer"])

    # A value changed after signing no longer verifies.
    payload["payload"]["authorization"]["value"] = str(int(payload["payload"]["authorization"]["value"]) + 1)
    try:
        verinfer.verify_payment(payload, now=int(time.time()))
        raise AssertionError("tampered payment accepted")
    except verinfer.VerificationError as error:
        assert error.report.failures[0].name == "x402.signature"

    settled = verinfer.decode_x402_header(seen["paymentResponse"][0])
    assert settled["success"] is True and settled["transaction"].startswith("0x")
