"""`verinfer attestation verify|inspect` on the real Nitro document
(tests/vectors/nitro): exit codes, the named failed check on stderr and in
--json, and the decoded fields against expected.json."""
import json
import subprocess

import pytest

from conftest import VECTORS

NITRO = VECTORS / "nitro"
EXPECTED = json.loads((NITRO / "expected.json").read_text())
CASES = json.loads((NITRO / "negative" / "cases.json").read_text())["cases"]


def run(cli, *args, stdin=None):
    return subprocess.run([str(cli), "attestation", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_verify_accepts_at_the_vector_time_in_both_time_forms(cli):
    for at in ("2026-02-12T18:00:00Z", "1770919200", "2026-02-12T19:00:00+01:00",
               "2026-02-12T18:00:00.999Z"):
        out = run(cli, "verify", NITRO / "attestation_doc.b64", "--at", at,
                  "--nonce", EXPECTED["nonce_hex"], "--max-age", "300",
                  "--pcr-hash", EXPECTED["pcr_hash_keccak256_pcr0_pcr1_pcr2"],
                  "--pcr", f"0={EXPECTED['pcrs']['0']}", "--json")
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        assert report["verified"] is True
        assert report["at"] == "2026-02-12T18:00:00Z"
        names = [c["name"] for c in report["checks"]]
        for name in ("nitro.cose_signature", "nitro.chain", "nitro.validity_0", "nitro.nonce",
                     "nitro.freshness", "nitro.pcr_hash", "nitro.pcr0"):
            assert name in names
        assert all(c["passed"] for c in report["checks"])
        assert report["attestation"]["module_id"] == EXPECTED["module_id"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_verify_negative_cases_name_their_check(cli, case):
    args = ["verify", NITRO / case["document_file"], "--at", case["verify_at"]]
    if case.get("expected_nonce_hex"):
        args += ["--nonce", case["expected_nonce_hex"]]
    if case.get("freshness_policy"):
        args += ["--max-age", "300", "--max-future-skew", "60"]
    plain = run(cli, *args)
    out = run(cli, *args, "--json")
    report = json.loads(out.stdout)
    if case["expected_outcome"] == "accept":
        assert plain.returncode == 0 and out.returncode == 0, plain.stderr
        assert report["verified"] is True
        return
    failed = "nitro." + case["expected_failed_check"]
    assert plain.returncode == 1 and out.returncode == 1
    assert plain.stderr.startswith(f"verinfer: rejected: ") and f" {failed}: " in plain.stderr
    assert report["verified"] is False
    first = next(c for c in report["checks"] if not c["passed"])
    assert first["name"] == failed
    assert first["reason"] and first["code"] in ("verification_failed", "expired", "untrusted")


def test_verify_with_the_root_given_as_a_file_and_a_wrong_root(cli, tmp_path):
    ok = run(cli, "verify", NITRO / "attestation_doc.b64", "--root", NITRO / "aws_nitro_root_g1.pem",
             "--at", "1770919200")
    assert ok.returncode == 0, ok.stderr
    # The regional CA is a valid certificate but not the root: the chain is rejected.
    chain = (NITRO / "chain.pem").read_text()
    regional = chain.split("-----END CERTIFICATE-----")[3] + "-----END CERTIFICATE-----\n"
    wrong = tmp_path / "wrong.pem"
    wrong.write_text(regional.strip() + "\n")
    out = run(cli, "verify", NITRO / "attestation_doc.b64", "--root", wrong, "--at", "1770919200")
    assert out.returncode == 1
    assert "nitro.root_pinned" in out.stderr


def test_verify_reads_stdin_and_rejects_garbage_documents(cli):
    text = (NITRO / "attestation_doc.b64").read_text()
    assert run(cli, "verify", "-", "--at", "1770919200", stdin=text).returncode == 0
    truncated = run(cli, "verify", "-", "--at", "1770919200", stdin=text[:4000])
    assert truncated.returncode == 1 and "nitro.cose_structure: cbor: truncated" in truncated.stderr


@pytest.mark.parametrize("args,message", [
    ([], "needs --at"),
    (["--at", "yesterday"], "--at needs Unix seconds or ISO 8601"),
    (["--at", "2026-02-30T00:00:00Z"], "--at needs Unix seconds or ISO 8601"),
    (["--at", "2026-02-12T18:00:00"], "--at needs Unix seconds or ISO 8601"),
    (["--at", "1770919200", "--pcr", "32=00"], "--pcr needs INDEX=HEX"),
    (["--at", "1770919200", "--pcr", "0"], "--pcr needs INDEX=HEX"),
    (["--at", "1770919200", "--nonce", "xyz"], "--nonce"),
    (["--at", "1770919200", "--max-age", "-1"], "--max-age needs a whole number"),
    (["--at", "1770919200", "--pcr-hash", "0x12"], "--pcr-hash"),
])
def test_verify_unusable_options_exit_2(cli, args, message):
    out = run(cli, "verify", NITRO / "attestation_doc.b64", *args)
    assert out.returncode == 2
    assert message in out.stderr


def test_unusable_documents_exit_2(cli, tmp_path):
    bad = tmp_path / "bad.b64"
    bad.write_text("not base64!")
    assert run(cli, "verify", bad, "--at", "1770919200").returncode == 2
    assert run(cli, "verify", tmp_path / "missing.b64", "--at", "1770919200").returncode == 2
    assert run(cli, "inspect", bad).returncode == 2
    assert run(cli, "inspect", NITRO / "attestation_doc.b64", "extra").returncode == 2


def test_inspect_prints_the_decoded_fields(cli):
    out = run(cli, "inspect", NITRO / "attestation_doc.b64", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["module_id"] == EXPECTED["module_id"]
    assert doc["timestamp_ms"] == EXPECTED["timestamp_ms"]
    assert doc["timestamp"] == "2026-02-12T17:56:02Z"
    assert doc["digest"] == "SHA384"
    assert doc["pcrs"] == EXPECTED["pcrs"]
    assert doc["pcr_hash"] == EXPECTED["pcr_hash_keccak256_pcr0_pcr1_pcr2"]
    assert doc["nonce"] == EXPECTED["nonce_hex"]
    assert doc["public_key"] == EXPECTED["public_key_hex"]
    assert doc["user_data"] == EXPECTED["user_data_hex"]
    split = EXPECTED["user_data_split"]
    assert doc["opengradient_user_data"] == {
        "tls_certificate_sha256": split["tls_certificate_sha256"],
        "signing_key_sha256": split["signing_key_spki_sha256"]}
    assert len(doc["cabundle"]) == EXPECTED["cabundle_count"]
    assert doc["certificate_sha256"] == EXPECTED["leaf_certificate"]["sha256_der"]
    assert doc["signature"] == EXPECTED["cose"]["signature_hex"]
    assert doc["cose_tagged"] is False
    text = run(cli, "inspect", NITRO / "attestation_doc.b64")
    assert text.returncode == 0
    assert text.stdout.startswith("NOT VERIFIED")
    assert EXPECTED["module_id"] in text.stdout
