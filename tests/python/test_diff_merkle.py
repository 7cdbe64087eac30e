"""OpenZeppelin StandardMerkleTree: verinfer against @openzeppelin/merkle-tree
1.0.8 (tests/interop/merkle_oracle.cjs) on random trees from a printed seed.
Every dump the library writes must parse and validate, every proof must be
the library's and verify, and tampered proofs, leaves, roots and dumps must
be rejected."""
import json
import shutil
import subprocess

import pytest

from conftest import ROOT

INTEROP = ROOT / "tests" / "interop"
TREES = 210

SETTLEMENT = ["bytes32", "bytes32", "bytes32", "bytes", "uint256"]
OTHER_ENCODINGS = [
    ["address", "uint256"],
    ["string", "bool"],
    ["uint8[]", "bytes"],
    ["(uint32,string)", "int64"],
    ["bytes32"],
]


def oracle(cases):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: run scripts/setup.sh")
    if not (INTEROP / "node_modules" / "@openzeppelin" / "merkle-tree").is_dir():
        pytest.fail("@openzeppelin/merkle-tree is not installed in tests/interop: run scripts/setup.sh")
    payload = "".join(json.dumps(c) + "\n" for c in cases)
    out = subprocess.run([node, str(INTEROP / "merkle_oracle.cjs")], input=payload.encode(), cwd=INTEROP,
                         capture_output=True, check=True, timeout=600)
    answers = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(answers) == len(cases), out.stderr.decode()
    return answers


def hex_bytes(rng, n):
    return "0x" + rng.randbytes(n).hex()


def random_field(rng, t):
    if t == "bytes32":
        return hex_bytes(rng, 32)
    if t == "bytes":
        return hex_bytes(rng, rng.choice([0, 1, 31, 32, 33, 256, rng.randrange(300)]))
    if t == "uint256":
        return str(rng.choice([0, 1, rng.randrange(1_700_000_000, 1_900_000_000), 2**256 - 1,
                               rng.randrange(2**256)]))
    if t == "address":
        return hex_bytes(rng, 20)
    if t == "string":
        return "".join(rng.choice("abcxyz é€\U0001f600") for _ in range(rng.randrange(12)))
    if t == "bool":
        return rng.random() < 0.5
    if t == "uint8[]":
        return [str(rng.randrange(256)) for _ in range(rng.randrange(4))]
    if t == "(uint32,string)":
        return [str(rng.randrange(2**32)), random_field(rng, "string")]
    if t == "int64":
        return str(rng.randrange(-2**63, 2**63))
    raise AssertionError(t)


def random_case(rng):
    encoding = SETTLEMENT if rng.random() < 0.7 else rng.choice(OTHER_ENCODINGS)
    size = rng.randint(1, 64)
    values, seen = [], set()
    while len(values) < size:
        v = [random_field(rng, t) for t in encoding]
        key = json.dumps(v)
        if key in seen:  # equal leaves are legal but make "which proof" ambiguous
            if encoding == ["bytes32"] or len(seen) > 2 ** 20:
                continue
            continue
        seen.add(key)
        values.append(v)
    multi = sorted(rng.sample(range(size), rng.randint(1, size)))
    return {"encoding": encoding, "values": values, "multi": multi}


def flip_hex(h, rng):
    raw = bytearray.fromhex(h[2:])
    i = rng.randrange(len(raw))
    raw[i] ^= 1 << rng.randrange(8)
    return "0x" + raw.hex()


def tamper_value(value, encoding, rng):
    """Changes one field so the leaf differs."""
    v = json.loads(json.dumps(value))
    i = rng.randrange(len(encoding))
    t = encoding[i]
    if t in ("bytes32", "address"):
        v[i] = flip_hex(v[i], rng)
    elif t == "bytes":
        v[i] = v[i] + "00"
    elif t == "uint256":
        v[i] = str((int(v[i]) + 1) % 2**256)
    elif t == "string":
        v[i] = v[i] + "!"
    elif t == "bool":
        v[i] = not v[i]
    elif t == "uint8[]":
        v[i] = v[i] + ["0"]
    elif t == "(uint32,string)":
        v[i] = [str((int(v[i][0]) + 1) % 2**32), v[i][1]]
    elif t == "int64":
        v[i] = str(int(v[i]) + 1 if int(v[i]) < 2**63 - 1 else int(v[i]) - 1)
    return v


@pytest.fixture(scope="module")
def trees(request):
    import os
    import random
    seed = int(os.environ.get("VERINFER_SEED", random.SystemRandom().randrange(2**32)))
    print(f"\n[merkle trees] seed={seed} (replay with VERINFER_SEED={seed})")
    rng = random.Random(seed)
    cases = [random_case(rng) for _ in range(TREES)]
    return rng, cases, oracle(cases)


def test_every_openzeppelin_dump_parses_and_every_proof_matches(testkit, trees):
    _, cases, answers = trees
    assert len(cases) >= 200
    results = testkit.run([{"op": "merkle_dump", "dump": a["dump"]} for a in answers])
    proofs = 0
    for case, ref, got in zip(cases, answers, results):
        assert got["ok"], got
        assert got["root"] == ref["root"]
        assert len(got["leaves"]) == len(case["values"])
        for i, leaf in enumerate(got["leaves"]):
            assert leaf["leaf"] == ref["leafHashes"][i]
            assert leaf["proof"] == ref["proofs"][i]
            assert leaf["tree_index"] == ref["dump"]["values"][i]["treeIndex"]
            proofs += 1
    assert proofs >= 200


def test_every_openzeppelin_proof_verifies_and_tampering_is_rejected(testkit, trees):
    rng, cases, answers = trees
    good, bad = [], []
    for k, (case, ref) in enumerate(zip(cases, answers)):
        enc, root = case["encoding"], ref["root"]
        for value, proof in zip(case["values"], ref["proofs"]):
            good.append({"op": "merkle_verify", "encoding": enc, "value": value, "proof": proof, "root": root})
        i = rng.randrange(len(case["values"]))
        value, proof = case["values"][i], ref["proofs"][i]
        base = {"op": "merkle_verify", "encoding": enc, "root": root}
        bad.append({**base, "what": "leaf", "value": tamper_value(value, enc, rng), "proof": proof})
        bad.append({**base, "what": "root", "value": value, "proof": proof, "root": flip_hex(root, rng)})
        other = answers[(k + 1) % len(answers)]["root"]
        if other != root:
            bad.append({**base, "what": "other root", "value": value, "proof": proof, "root": other})
        if proof:
            j = rng.randrange(len(proof))
            flipped = proof[:j] + [flip_hex(proof[j], rng)] + proof[j + 1:]
            bad.append({**base, "what": "flipped proof", "value": value, "proof": flipped})
            bad.append({**base, "what": "truncated proof", "value": value, "proof": proof[:-1]})
        bad.append({**base, "what": "extra node", "value": value, "proof": proof + [hex_bytes(rng, 32)]})
    good_answers = testkit.run(good)
    assert all(a["ok"] and a["valid"] for a in good_answers), [a for a in good_answers if not a.get("valid")][:3]
    bad_answers = testkit.run([{k: v for k, v in b.items() if k != "what"} for b in bad])
    accepted = [b["what"] for b, a in zip(bad, bad_answers) if not a["ok"] or a["valid"]]
    assert not accepted, f"{len(accepted)} tampered proofs accepted: {accepted[:5]}"
    assert len(bad) >= 4 * len(cases)


def test_openzeppelin_multiproofs_verify_and_tampered_ones_do_not(testkit, trees):
    rng, cases, answers = trees
    good, bad = [], []
    for case, ref in zip(cases, answers):
        m = ref["multiproof"]
        req = {"op": "merkle_multiproof", "encoding": case["encoding"], "root": ref["root"], **m}
        good.append(req)
        j = rng.randrange(len(m["leaves"]))
        leaves = m["leaves"][:j] + [tamper_value(m["leaves"][j], case["encoding"], rng)] + m["leaves"][j + 1:]
        bad.append({**req, "leaves": leaves})
        if m["proof"]:
            bad.append({**req, "proof": [flip_hex(m["proof"][0], rng)] + m["proof"][1:]})
    assert all(a["ok"] and a["valid"] for a in testkit.run(good))
    # A wrong multiproof either fails verification or is structurally rejected.
    assert not any(a["ok"] and a["valid"] for a in testkit.run(bad))


def test_tampered_dumps_are_rejected(testkit, trees):
    rng, cases, answers = trees
    requests = []
    for ref in answers:
        dump = json.loads(json.dumps(ref["dump"]))
        i = rng.randrange(len(dump["tree"]))
        dump["tree"][i] = flip_hex(dump["tree"][i], rng)
        requests.append({"op": "merkle_dump", "dump": dump})
        if len(dump["values"]) >= 2:
            d2 = json.loads(json.dumps(ref["dump"]))
            a, b = rng.sample(range(len(d2["values"])), 2)
            d2["values"][a]["treeIndex"], d2["values"][b]["treeIndex"] = \
                d2["values"][b]["treeIndex"], d2["values"][a]["treeIndex"]
            requests.append({"op": "merkle_dump", "dump": d2})
    answers_ = testkit.run(requests)
    assert not any(a["ok"] for a in answers_)
    assert all(a["code"] == "verification_failed" for a in answers_)
