"""verinfer's Ethereum primitives against independent implementations:
ethers 6.17.0 (tests/interop/*.cjs, random cases from a printed seed) and, in
Python, eth-account / eth-abi / coincurve. Plus bad-input sweeps of the
decoders through the testkit."""
import json
import shutil
import subprocess

import pytest
from conftest import ROOT

INTEROP = ROOT / "tests" / "interop"
CASES = 1000


def node_cases(script, seed, count=CASES):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: run scripts/setup.sh")
    if not (INTEROP / "node_modules" / "ethers").is_dir():
        pytest.fail("ethers is not installed in tests/interop: run scripts/setup.sh")
    out = subprocess.run([node, str(INTEROP / script), str(seed), str(count)], cwd=INTEROP,
                         capture_output=True, check=True, timeout=600)
    cases = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(cases) == count
    return cases


def first_mismatches(pairs, limit=3):
    bad = [p for p in pairs if p[0] != p[1]]
    return f"{len(bad)} mismatches, first: {bad[:limit]}"


def test_eip712_random_typed_data_matches_ethers(testkit, rng):
    cases = node_cases("eip712_cases.cjs", rng.randrange(2**32))
    answers = testkit.run([{"op": "eip712_hash", "typed_data": c["typed_data"], "key": c["key"]}
                           for c in cases])
    failures = [(c["typed_data"], a) for c, a in zip(cases, answers) if not a["ok"]]
    assert not failures, f"{len(failures)} refused, first: {failures[0]}"
    for field in ("encode_type", "domain_separator", "struct_hash", "digest"):
        pairs = [(a[field], c[field]) for c, a in zip(cases, answers)]
        assert all(x == y for x, y in pairs), f"{field}: {first_mismatches(pairs)}"
    # Both sides use RFC 6979: the very same signature bytes.
    pairs = [(a["signed"]["signature"], c["signature"]) for c, a in zip(cases, answers)]
    assert all(x == y for x, y in pairs), first_mismatches(pairs)
    recovered = testkit.run([{"op": "recover", "digest": c["digest"], "signature": c["signature"]}
                             for c in cases])
    pairs = [(r.get("result"), c["address"]) for c, r in zip(cases, recovered)]
    assert all(x == y for x, y in pairs), first_mismatches(pairs)


def ints_as_python(typed_data):
    """eth-account reads "-0x.." integer text differently from ethers: hand it ints."""
    types = typed_data["types"]

    def convert(type_name, value):
        if type_name.endswith("]"):
            return [convert(type_name[:type_name.rindex("[")], v) for v in value]
        if type_name in types:
            return {f["name"]: convert(f["type"], value[f["name"]]) for f in types[type_name]}
        if type_name.startswith(("int", "uint")) and isinstance(value, str):
            negative = value.startswith("-")
            magnitude = int(value.lstrip("-"), 0)
            return -magnitude if negative else magnitude
        return value

    out = dict(typed_data)
    out["domain"] = convert("EIP712Domain", typed_data["domain"])
    out["message"] = convert(typed_data["primaryType"], typed_data["message"])
    return out


def test_eip712_random_typed_data_matches_eth_account(rng):
    from eth_account.messages import encode_typed_data, _hash_eip191_message
    from eth_account import Account
    cases = node_cases("eip712_cases.cjs", rng.randrange(2**32), 150)
    for c in cases:
        signable = encode_typed_data(full_message=ints_as_python(c["typed_data"]))
        assert "0x" + _hash_eip191_message(signable).hex() == c["digest"], c["typed_data"]
    c = cases[0]
    signed = Account.sign_message(encode_typed_data(full_message=ints_as_python(c["typed_data"])), c["key"])
    assert "0x" + signed.signature.hex() == c["signature"]


def test_eip712_mutations_are_refused(testkit, rng):
    """Out-of-range integers, wrong byte lengths, missing and extra fields."""
    cases = node_cases("eip712_cases.cjs", rng.randrange(2**32), 300)
    requests, why = [], []
    for c in cases:
        td = c["typed_data"]
        primary = td["primaryType"]
        fields = td["types"][primary]
        f = fields[rng.randrange(len(fields))]
        broken = json.loads(json.dumps(td))
        mutation = rng.choice(["missing", "extra", "value"])
        if mutation == "missing":
            del broken["message"][f["name"]]
            why.append("missing field")
        elif mutation == "extra":
            broken["message"]["zz_extra"] = 1
            why.append("unexpected field")
        else:
            t = f["type"]
            if t.endswith("]") or t in td["types"]:
                broken["message"][f["name"]] = "not a value"
                why.append("EIP-712")
            elif t.startswith("uint"):
                broken["message"][f["name"]] = str(2 ** int(t[4:]))
                why.append("out of range")
            elif t.startswith("int"):
                broken["message"][f["name"]] = str(-(2 ** (int(t[3:]) - 1)) - 1)
                why.append("out of range")
            elif t.startswith("bytes") and t != "bytes":
                broken["message"][f["name"]] = "0x" + "00" * (int(t[5:]) + 1)
                why.append("wrong length")
            else:
                broken["message"][f["name"]] = [1]
                why.append("EIP-712")
        requests.append({"op": "eip712_hash", "typed_data": broken})
    answers = testkit.run(requests)
    for req, reason, a in zip(requests, why, answers):
        assert not a["ok"], req
        assert reason in a["error"], (reason, a["error"])


def test_abi_random_encodings_match_ethers_and_round_trip(testkit, rng):
    cases = node_cases("abi_cases.cjs", rng.randrange(2**32))
    answers = testkit.run([{"op": "abi_encode", "types": c["types"], "values": c["values"]}
                           for c in cases])
    failures = [(c, a) for c, a in zip(cases, answers) if not a["ok"]]
    assert not failures, f"{len(failures)} refused, first: {failures[0]}"
    pairs = [(a["hex"], c["hex"]) for c, a in zip(cases, answers)]
    assert all(x == y for x, y in pairs), first_mismatches(pairs)
    assert all(a["round_trip"] for a in answers)
    # Decoding ethers' bytes gives the generated values back (addresses in
    # EIP-55 form on our side; the generator sometimes writes lower case).
    decoded = testkit.run([{"op": "abi_decode", "types": c["types"], "hex": c["hex"]} for c in cases])
    reencoded = testkit.run([{"op": "abi_encode", "types": c["types"], "values": d["result"]}
                             for c, d in zip(cases, decoded)])
    pairs = [(r.get("hex"), c["hex"]) for c, r in zip(cases, reencoded)]
    assert all(x == y for x, y in pairs), first_mismatches(pairs)


def to_eth_abi(type_str, value):
    """Our JSON value form to eth-abi's Python values."""
    from eth_abi.grammar import parse
    t = parse(type_str) if isinstance(type_str, str) else type_str
    if t.is_array:
        return [to_eth_abi(t.item_type, v) for v in value]
    if t.is_tuple if hasattr(t, "is_tuple") else type(t).__name__ == "TupleType":
        return tuple(to_eth_abi(c, v) for c, v in zip(t.components, value))
    base = t.base
    if base in ("uint", "int"):
        return int(value)
    if base == "bytes":
        return bytes.fromhex(value[2:])
    return value


def test_abi_random_encodings_match_eth_abi(rng):
    from eth_abi import encode
    cases = node_cases("abi_cases.cjs", rng.randrange(2**32), 300)
    for c in cases:
        values = [to_eth_abi(t, v) for t, v in zip(c["types"], c["values"])]
        assert "0x" + encode(c["types"], values).hex() == c["hex"], c


def test_abi_every_truncation_and_random_garbage_is_refused(testkit, rng):
    cases = node_cases("abi_cases.cjs", rng.randrange(2**32), 60)
    requests = []
    for c in cases:
        data = bytes.fromhex(c["hex"][2:])
        requests += [{"op": "abi_decode", "types": c["types"], "hex": "0x" + data[:n].hex()}
                     for n in range(len(data))]
    answers = testkit.run(requests)
    accepted = [r for r, a in zip(requests, answers) if a["ok"]]
    assert not accepted, f"{len(accepted)} truncations accepted, first: {accepted[0]}"
    assert all(a["code"] == "parse_error" for a in answers)
    # Random bytes and single-bit flips: the process answers every line
    # (no crash, no over-read under the sanitizer builds).
    garbage = [{"op": "abi_decode", "types": c["types"], "hex": "0x" + rng.randbytes(rng.randrange(400)).hex()}
               for c in cases for _ in range(10)]
    for c in cases:
        data = bytearray(bytes.fromhex(c["hex"][2:]))
        if data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        garbage.append({"op": "abi_decode", "types": c["types"], "hex": "0x" + data.hex()})
    answers = testkit.run(garbage)
    assert all(a["ok"] or a["code"] in ("parse_error", "resource_exhausted") for a in answers)


def test_personal_sign_random_messages_match_ethers(testkit, rng):
    cases = node_cases("message_cases.cjs", rng.randrange(2**32))
    digests = testkit.run([{"op": "eip191_digest", "hex": c["hex"]} for c in cases])
    pairs = [(d.get("result"), c["digest"]) for c, d in zip(cases, digests)]
    assert all(x == y for x, y in pairs), first_mismatches(pairs)
    signed = testkit.run([{"op": "sign_digest", "key": c["key"], "digest": c["digest"]} for c in cases])
    pairs = [(s.get("signature"), c["signature"]) for c, s in zip(cases, signed)]
    assert all(x == y for x, y in pairs), first_mismatches(pairs)
    pairs = [(s.get("address"), c["address"]) for c, s in zip(cases, signed)]
    assert all(x == y for x, y in pairs), first_mismatches(pairs)
    recovered = testkit.run([{"op": "recover", "digest": c["digest"], "signature": c["signature"]}
                             for c in cases])
    pairs = [(r.get("result"), c["address"]) for c, r in zip(cases, recovered)]
    assert all(x == y for x, y in pairs), first_mismatches(pairs)


def test_recover_matches_coincurve_and_refuses_bad_signatures(testkit, rng):
    import coincurve
    from eth_utils import keccak, to_checksum_address
    N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    keys = [coincurve.PrivateKey(rng.randbytes(32)) for _ in range(300)]
    digests = [rng.randbytes(32) for _ in keys]
    sigs = [k.sign_recoverable(d, hasher=None) for k, d in zip(keys, digests)]
    expected = [to_checksum_address(keccak(k.public_key.format(compressed=False)[1:])[12:]) for k in keys]
    requests, high = [], []
    for d, s in zip(digests, sigs):
        v = s[64] + rng.choice([0, 27])
        requests.append({"op": "recover", "digest": "0x" + d.hex(), "signature": "0x" + (s[:64] + bytes([v])).hex()})
        r, s_val = s[:32], int.from_bytes(s[32:64], "big")
        flipped = r + (N - s_val).to_bytes(32, "big") + bytes([27 + (1 - s[64])])
        high.append({"op": "recover", "digest": "0x" + d.hex(), "signature": "0x" + flipped.hex()})
    answers = testkit.run(requests)
    assert [a.get("result") for a in answers] == expected
    strict = testkit.run(high)
    assert all(not a["ok"] and "s > n/2" in a["error"] for a in strict)
    lax = testkit.run([dict(h, allow_high_s=True) for h in high])
    assert [a.get("result") for a in lax] == expected
    # v outside {0, 1, 27, 28} and wrong lengths.
    bad = [{"op": "recover", "digest": requests[0]["digest"],
            "signature": requests[0]["signature"][:-2] + format(v, "02x")} for v in (2, 26, 29, 37, 255)]
    bad.append({"op": "recover", "digest": requests[0]["digest"], "signature": requests[0]["signature"][:-2]})
    assert all(not a["ok"] for a in testkit.run(bad))


def test_checksum_addresses_match_eth_utils(testkit, rng):
    from eth_utils import to_checksum_address
    raw = [rng.randbytes(20) for _ in range(1000)]
    answers = testkit.run([{"op": "parse_address", "address": "0x" + r.hex()} for r in raw])
    assert [a["result"] for a in answers] == [to_checksum_address(r) for r in raw]
    # Flip the case of one letter of a checksummed address: refused.
    broken = []
    for r in raw[:300]:
        s = to_checksum_address(r)
        letters = [i for i, ch in enumerate(s) if i >= 2 and ch.isalpha()]
        if not letters:
            continue
        i = rng.choice(letters)
        flipped = s[:i] + s[i].swapcase() + s[i + 1:]
        if flipped[2:].islower() or flipped[2:].isupper():
            continue  # single-case text carries no checksum and is rightly accepted
        broken.append(flipped)
    answers = testkit.run([{"op": "parse_address", "address": b} for b in broken])
    assert broken and all(not a["ok"] and "checksum" in a["error"] for a in answers)


def test_cli_eip712_hash_and_recover(cli, tmp_path):
    vectors = json.loads((ROOT / "tests/vectors/eip712/cases.json").read_text())
    for case in vectors["cases"]:
        path = tmp_path / (case["name"] + ".json")
        path.write_text(json.dumps(case["typed_data"]))
        out = subprocess.run([str(cli), "eip712-hash", str(path), "--json"], capture_output=True, check=True)
        got = json.loads(out.stdout)
        assert got["digest"] == case["digest"]
        assert got["domain_separator"] == case["domain_separator"]
        assert got["struct_hash"] == case["struct_hash"]
        out = subprocess.run([str(cli), "recover", "--digest", case["digest"], "--signature",
                              case["signature"]["serialized"]], capture_output=True, check=True)
        assert out.stdout.decode().strip() == case["recovered_address"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"types":{"A":[{"name":"x","type":"uint8"}]},"primaryType":"A","domain":{},"message":{"x":256}}')
    out = subprocess.run([str(cli), "eip712-hash", str(bad)], capture_output=True)
    assert out.returncode == 2
    err = out.stderr.decode()
    assert err.count("\n") == 1 and "out of range" in err
    out = subprocess.run([str(cli), "recover", "--digest", "0x12", "--signature", "0x00"], capture_output=True)
    assert out.returncode == 2 and "--digest" in out.stderr.decode()
