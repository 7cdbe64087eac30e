"""RLP and transaction signing against independent implementations: pyrlp
(the `rlp` package) and eth-account 0.14. Both sign with RFC 6979, so every
random transaction must come out byte-identical."""
import rlp
from eth_account import Account
from eth_utils import to_checksum_address

CASES = 1200


def hexs(b):
    h = b.hex() if isinstance(b, (bytes, bytearray)) else bytes(b).hex()
    return h if h.startswith("0x") else "0x" + h


def random_item(rng, depth=0):
    if depth < 4 and rng.random() < 0.35:
        return [random_item(rng, depth + 1) for _ in range(rng.randrange(5))]
    n = rng.choice([0, 1, 1, 2, 55, 56, rng.randrange(300)])
    if n == 1:
        return bytes([rng.choice([0, 0x7f, 0x80, 0xff, rng.randrange(256)])])
    return rng.randbytes(n)


def to_json(item):
    return [to_json(i) for i in item] if isinstance(item, list) else "0x" + item.hex()


def test_rlp_encoding_matches_pyrlp_and_decodes_back(testkit, rng):
    items = [random_item(rng) for _ in range(CASES)]
    enc = testkit.run([{"op": "rlp_encode", "item": to_json(i)} for i in items])
    for item, a in zip(items, enc):
        assert a["ok"] and a["result"] == "0x" + rlp.encode(item).hex(), item
    dec = testkit.run([{"op": "rlp_decode", "hex": "0x" + rlp.encode(i).hex()} for i in items])
    assert all(a["ok"] and a["result"] == to_json(i) for a, i in zip(dec, items))


def test_rlp_rejects_what_pyrlp_strict_decoding_rejects(testkit, rng):
    """Random mutations of valid encodings: verinfer accepts exactly the ones
    pyrlp's strict decoder accepts, with the same item."""
    samples = []
    for _ in range(CASES):
        raw = bytearray(rlp.encode(random_item(rng)))
        op = rng.randrange(4)
        if op == 0 and raw:
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        elif op == 1 and raw:
            del raw[rng.randrange(len(raw)):]
        elif op == 2:
            raw += bytes([rng.randrange(256)])
        else:
            raw = bytearray(rng.choice([b"\x81\x05", b"\xb8\x01\x80", b"\xf8\x01\xc0", b"\xb9\x00\x38" + b"a" * 56,
                                        b"\xc1", b"\x82\x01"]))
        samples.append(bytes(raw))
    answers = testkit.run([{"op": "rlp_decode", "hex": "0x" + s.hex()} for s in samples])
    for s, a in zip(samples, answers):
        try:
            ref = rlp.decode(s, strict=True)
        except Exception:  # noqa: BLE001 - any pyrlp rejection
            ref = None
        if ref is None:
            assert not a["ok"], f"accepted non-canonical {s.hex()}"
            assert a["code"] in ("parse_error", "resource_exhausted")
        else:
            assert a["ok"] and a["result"] == to_json(ref), s.hex()


def random_tx(rng):
    def big():
        return rng.choice([0, 1, 127, 128, 255, 256, rng.randrange(2**64), rng.randrange(2**256)])
    tx_type = rng.choice([0, 2])
    out = {
        "type": tx_type,
        "nonce": rng.choice([0, 1, rng.randrange(2**64)]),
        "gas": rng.choice([21000, rng.randrange(2**64)]),
        "value": str(big()),
        "data": "0x" + rng.randbytes(rng.choice([0, 1, 4, 68, rng.randrange(600)])).hex(),
        "to": None if rng.random() < 0.1 else "0x" + rng.randbytes(20).hex(),
    }
    if tx_type == 0:
        out["chain_id"] = None if rng.random() < 0.1 else rng.choice([1, 31337, 10740, rng.randrange(1, 2**53)])
        out["gas_price"] = str(big())
    else:
        out["chain_id"] = rng.choice([1, 31337, 84532, rng.randrange(1, 2**53)])
        out["max_priority_fee"] = str(big())
        out["max_fee"] = str(big())
        out["access_list"] = [{"address": "0x" + rng.randbytes(20).hex(),
                               "storage_keys": ["0x" + rng.randbytes(32).hex() for _ in range(rng.randrange(3))]}
                              for _ in range(rng.choice([0, 0, 1, 2]))]
    return out


def eth_account_dict(tx):
    d = {"nonce": tx["nonce"], "gas": tx["gas"], "value": int(tx["value"]), "data": tx["data"]}
    if tx["to"] is not None:
        d["to"] = to_checksum_address(tx["to"])
    if tx["type"] == 0:
        d["gasPrice"] = int(tx["gas_price"])
        if tx["chain_id"] is not None:
            d["chainId"] = tx["chain_id"]
    else:
        d.update(type=2, chainId=tx["chain_id"], maxFeePerGas=int(tx["max_fee"]),
                 maxPriorityFeePerGas=int(tx["max_priority_fee"]),
                 accessList=[{"address": to_checksum_address(e["address"]),
                              "storageKeys": e["storage_keys"]} for e in tx["access_list"]])
    return d


def test_random_transactions_sign_byte_identical_to_eth_account(testkit, rng):
    keys = ["0x" + rng.randbytes(32).hex() for _ in range(8)]
    txs = [random_tx(rng) for _ in range(CASES)]
    requests = []
    for i, tx in enumerate(txs):
        requests.append({"op": "tx_sign", "key": keys[i % len(keys)], **tx})
    answers = testkit.run(requests)
    for i, (tx, a) in enumerate(zip(txs, answers)):
        key = keys[i % len(keys)]
        ref = Account.sign_transaction(eth_account_dict(tx), key)
        assert a["ok"], (tx, a)
        assert a["raw"] == hexs(ref.raw_transaction), tx
        assert a["hash"] == hexs(ref.hash)
        assert a["from"] == Account.from_key(key).address.lower()
    decoded = testkit.run([{"op": "tx_decode", "raw": a["raw"]} for a in answers])
    assert all(d["ok"] and d["hash"] == a["hash"] and d["from"] == a["from"] for d, a in zip(decoded, answers))


def test_tampered_raw_transactions_never_keep_their_sender(testkit, rng):
    key = "0x" + rng.randbytes(32).hex()
    sender = Account.from_key(key).address.lower()
    raws = []
    for _ in range(CASES):
        raw = bytearray(Account.sign_transaction(eth_account_dict(random_tx(rng)), key).raw_transaction)
        raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        raws.append(bytes(raw))
    answers = testkit.run([{"op": "tx_decode", "raw": "0x" + r.hex()} for r in raws])
    kept = [r.hex() for r, a in zip(raws, answers) if a["ok"] and a["from"] == sender]
    assert not kept, f"{len(kept)} tampered transactions still recover the signer: {kept[:2]}"
