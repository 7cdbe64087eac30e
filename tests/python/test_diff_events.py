"""Event decoding against ethers-generated ABI data (tests/interop/abi_cases.cjs:
random nested tuples, arrays, dynamic types) wrapped as logs, with topic 0
from eth-utils' keccak of the canonical signature; truncated or padded data
and wrong topics are refused."""
from eth_utils import keccak

from test_diff_eth import node_cases


def make_log(case, rng):
    params = ", ".join(f"{t} p{i}" for i, t in enumerate(case["types"]))
    signature = f"Ev(bytes32 indexed a, address indexed b{', ' if params else ''}{params})"
    canonical = "Ev(" + ",".join(["bytes32", "address"] + case["types"]) + ")"
    a = "0x" + rng.randbytes(32).hex()
    b = "0x" + rng.randbytes(20).hex()
    topics = ["0x" + keccak(text=canonical).hex(), a, "0x" + "00" * 12 + b[2:]]
    return signature, canonical, topics, a, b


def test_random_events_decode_like_ethers_encoded_them(testkit, rng):
    cases = node_cases("abi_cases.cjs", rng.randrange(2**32))
    logs = [make_log(c, rng) for c in cases]
    answers = testkit.run([{"op": "event_decode", "signature": s, "topics": t, "data": c["hex"]}
                           for c, (s, _, t, _, _) in zip(cases, logs)])
    reencode = []
    for c, (sig, canonical, topics, a, b), ans in zip(cases, logs, answers):
        assert ans["ok"], (sig, ans)
        assert ans["signature"] == canonical
        assert ans["topic0"] == topics[0]
        args = ans["event"]["args"]
        assert args["a"] == a and args["b"].lower() == b
        reencode.append({"op": "abi_encode", "types": c["types"],
                         "values": [args[f"p{i}"] for i in range(len(c["types"]))]})
    again = testkit.run(reencode)
    assert all(r["ok"] and r["hex"] == c["hex"] for r, c in zip(again, cases))


def test_malformed_logs_are_refused(testkit, rng):
    cases = [c for c in node_cases("abi_cases.cjs", rng.randrange(2**32), 300) if len(c["hex"]) > 2]
    requests, why = [], []
    for c in cases:
        sig, _, topics, _, _ = make_log(c, rng)
        base = {"op": "event_decode", "signature": sig, "topics": topics, "data": c["hex"]}
        cut = rng.randrange(2, len(c["hex"]) - 1, 2)
        requests += [
            {**base, "data": c["hex"][:cut]},
            {**base, "data": c["hex"] + "00" * rng.choice([1, 31, 32])},
            {**base, "topics": topics[:2]},
            {**base, "topics": ["0x" + rng.randbytes(32).hex()] + topics[1:]},
            {**base, "topics": topics[:2] + ["0x" + "ff" * 32]},  # address with high bytes
        ]
        why += ["truncated", "trailing", "topic count", "topic0", "address"]
    answers = testkit.run(requests)
    accepted = [w for w, a in zip(why, answers) if a["ok"]]
    assert not accepted, f"accepted malformed logs: {accepted[:5]}"
