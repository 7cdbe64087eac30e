"""HPKE (RFC 9180) and Oblivious HTTP (RFC 9458, chunked draft) against an
independent implementation: pyhpke for HPKE, and the OHTTP response
derivations written here from the specs on top of pyhpke's Export and the
`cryptography` package's HMAC/HKDF-Expand/ChaCha20Poly1305. Both directions:
verinfer seals and pyhpke opens, pyhpke seals and verinfer opens."""
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

SUITE = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.CHACHA20_POLY1305)
HDR_SUITE = bytes.fromhex("002000010003")
NONCE_LEN = 32  # max(Nn, Nk) for ChaCha20-Poly1305


def keypair(rng):
    """A pyhpke key pair from random ikm (RFC 9180 DeriveKeyPair) and its raw bytes."""
    kp = SUITE.kem.derive_key_pair(rng.randbytes(32))
    return kp, kp.private_key.to_private_bytes(), kp.public_key.to_public_bytes()


def rand_messages(rng, count):
    return [(rng.randbytes(rng.randrange(24)), rng.randbytes(rng.choice([0, 1, 63, 64, 65, rng.randrange(600)])))
            for _ in range(count)]


def key_config(key_id, pk):
    return bytes([key_id]) + (0x20).to_bytes(2, "big") + pk + (4).to_bytes(2, "big") + (1).to_bytes(2, "big") + (3).to_bytes(2, "big")


def request_info(key_id):
    return b"message/bhttp request\x00" + bytes([key_id]) + HDR_SUITE


def varint(value, rng=None):
    """QUIC varint (RFC 9000 section 16); with rng, sometimes longer than needed."""
    sizes = [n for n, limit in ((1, 1 << 6), (2, 1 << 14), (4, 1 << 30), (8, 1 << 62)) if value < limit]
    size = rng.choice(sizes) if rng else sizes[0]
    prefix = {1: 0, 2: 1, 4: 2, 8: 3}[size] << (8 * size - 2)
    return (prefix | value).to_bytes(size, "big")


def read_varint(data, at):
    size = 1 << (data[at] >> 6)
    return int.from_bytes(data[at:at + size], "big") & ((1 << (8 * size - 2)) - 1), at + size


def response_aead(context, label, enc, response_nonce):
    """RFC 9458 section 4.4: secret = Export(label, 32); prk = HMAC(enc || nonce, secret)."""
    secret = context.export(label, NONCE_LEN)
    prk = hmac.new(enc + response_nonce, secret, hashlib.sha256).digest()
    key = HKDFExpand(hashes.SHA256(), 32, b"key").derive(prk)
    nonce = HKDFExpand(hashes.SHA256(), 12, b"nonce").derive(prk)
    return ChaCha20Poly1305(key), nonce


def chunk_nonce(nonce, counter):
    return bytes(a ^ b for a, b in zip(nonce, counter.to_bytes(12, "big")))


def py_seal_single(context, enc, plaintext, rng):
    response_nonce = rng.randbytes(NONCE_LEN)
    aead, nonce = response_aead(context, b"message/bhttp response", enc, response_nonce)
    return response_nonce + aead.encrypt(nonce, plaintext, b"")


def py_open_single(context, enc, body):
    aead, nonce = response_aead(context, b"message/bhttp response", enc, body[:NONCE_LEN])
    return aead.decrypt(nonce, body[NONCE_LEN:], b"")


def py_seal_chunked(context, enc, chunks, rng):
    response_nonce = rng.randbytes(NONCE_LEN)
    aead, nonce = response_aead(context, b"message/bhttp chunked response", enc, response_nonce)
    body = response_nonce
    for i, chunk in enumerate(chunks):
        final = i == len(chunks) - 1
        sealed = aead.encrypt(chunk_nonce(nonce, i), chunk, b"final" if final else b"")
        body += varint(0 if final else len(sealed), rng) + sealed
    return body


def py_open_chunked(context, enc, body):
    aead, nonce = response_aead(context, b"message/bhttp chunked response", enc, body[:NONCE_LEN])
    at, counter, out = NONCE_LEN, 0, []
    while True:
        length, at = read_varint(body, at)
        if length == 0:
            out.append(aead.decrypt(chunk_nonce(nonce, counter), body[at:], b"final"))
            return out
        out.append(aead.decrypt(chunk_nonce(nonce, counter), body[at:at + length], b""))
        at, counter = at + length, counter + 1


def final_indicator_offset(body):
    at = NONCE_LEN
    while True:
        length, after = read_varint(body, at)
        if length == 0:
            return at
        at = after + length


def random_splits(rng, size):
    splits, left = [], size
    while left > 0:
        n = rng.choice([1, 1, 2, 7, 33, rng.randrange(1, 200)])
        splits.append(n)
        left -= n
    return splits


def test_hpke_verinfer_seals_pyhpke_opens(testkit, rng):
    cases = []
    for _ in range(300):
        kp, _, pk = keypair(rng)
        info = rng.randbytes(rng.randrange(40))
        messages = rand_messages(rng, rng.randrange(1, 5))
        exports = [(rng.randbytes(rng.randrange(20)), rng.choice([1, 16, 32, 33, 64, 200]))]
        cases.append((kp, info, messages, exports))
    answers = testkit.run([{
        "op": "hpke_seal", "pkr": pk_of(kp).hex(), "info": info.hex(),
        "messages": [{"aad": a.hex(), "pt": p.hex()} for a, p in messages],
        "exports": [{"context": c.hex(), "length": n} for c, n in exports]}
        for kp, info, messages, exports in cases])
    encs = set()
    for (kp, info, messages, exports), answer in zip(cases, answers):
        assert answer["ok"], answer
        enc = bytes.fromhex(answer["enc"])
        encs.add(enc)
        recipient = SUITE.create_recipient_context(enc, kp.private_key, info)
        for (aad, pt), ct in zip(messages, answer["cts"]):
            assert recipient.open(bytes.fromhex(ct), aad) == pt
        assert [recipient.export(c, n).hex() for c, n in exports] == answer["exports"]
    assert len(encs) == len(cases), "ephemeral keys repeat"


def pk_of(kp):
    return kp.public_key.to_public_bytes()


def test_hpke_pyhpke_seals_verinfer_opens_and_rejects_tampering(testkit, rng):
    cases, requests = [], []
    for i in range(300):
        kp, sk, _ = keypair(rng)
        info = rng.randbytes(rng.randrange(40))
        messages = rand_messages(rng, rng.randrange(1, 5))
        enc, sender = SUITE.create_sender_context(kp.public_key, info)
        cts = [sender.seal(pt, aad) for aad, pt in messages]
        exports = [(rng.randbytes(rng.randrange(20)), rng.choice([1, 32, 100]))]
        tamper = i % 3 == 0
        if tamper:  # flip one bit of one ciphertext (or of its aad)
            j = rng.randrange(len(cts))
            if rng.random() < 0.8 or not messages[j][0]:
                ct = bytearray(cts[j])
                ct[rng.randrange(len(ct))] ^= 1 << rng.randrange(8)
                cts[j] = bytes(ct)
            else:
                aad = bytearray(messages[j][0])
                aad[rng.randrange(len(aad))] ^= 1
                messages[j] = (bytes(aad), messages[j][1])
        cases.append((messages, [sender.export(c, n).hex() for c, n in exports], tamper))
        requests.append({"op": "hpke_open", "skr": sk.hex(), "enc": enc.hex(), "info": info.hex(),
                         "messages": [{"aad": a.hex(), "ct": c.hex()} for (a, _), c in zip(messages, cts)],
                         "exports": [{"context": c.hex(), "length": n} for c, n in exports]})
    for (messages, exports, tamper), answer in zip(cases, testkit.run(requests)):
        if tamper:
            assert not answer["ok"] and answer["code"] == "verification_failed", answer
            assert "HPKE open failed" in answer["error"]
        else:
            assert answer["ok"], answer
            assert answer["pts"] == [pt.hex() for _, pt in messages]
            assert answer["exports"] == exports


def test_ohttp_verinfer_client_against_python_gateway(testkit, rng):
    """verinfer encapsulates (fixed ephemeral key so the Python side can build
    its gateway context first), opens Python-sealed single-shot and chunked
    responses; Python opens verinfer's request with pyhpke."""
    cases, requests = [], []
    for i in range(250):
        kp, _, pk = keypair(rng)
        key_id = rng.randrange(256)
        eph, ske, enc = keypair(rng)
        body = rng.randbytes(rng.randrange(2000))
        gateway = SUITE.create_recipient_context(enc, kp.private_key, request_info(key_id))
        answer_pt = rng.randbytes(rng.randrange(800))
        chunks = [rng.randbytes(rng.choice([0, 1, rng.randrange(300)])) for _ in range(rng.randrange(1, 9))]
        chunked = py_seal_chunked(gateway, enc, chunks, rng)
        cases.append((kp, key_id, enc, body, answer_pt, chunks))
        requests.append({"op": "ohttp_client", "key_config": key_config(key_id, pk).hex(),
                         "plaintext": body.hex(), "ske": ske.hex(),
                         "response": py_seal_single(gateway, enc, answer_pt, rng).hex(),
                         "chunked_response": chunked.hex(), "splits": random_splits(rng, len(chunked))})
    for (kp, key_id, enc, body, answer_pt, chunks), answer in zip(cases, testkit.run(requests)):
        assert answer["ok"], answer
        wire = bytes.fromhex(answer["wire"])
        assert wire[:7] == bytes([key_id]) + HDR_SUITE and wire[7:39] == enc
        recipient = SUITE.create_recipient_context(wire[7:39], kp.private_key, request_info(key_id))
        assert recipient.open(wire[39:], b"") == body
        assert answer["response_pt"] == answer_pt.hex()
        assert answer["chunks"] == [c.hex() for c in chunks]


def test_ohttp_python_client_against_verinfer_gateway(testkit, rng):
    cases, requests = [], []
    for i in range(250):
        kp, sk, pk = keypair(rng)
        key_id = rng.randrange(256)
        body = rng.randbytes(rng.randrange(2000))
        enc, client = SUITE.create_sender_context(kp.public_key, request_info(key_id))
        wire = bytes([key_id]) + HDR_SUITE + enc + client.seal(body, b"")
        answer_pt = rng.randbytes(rng.randrange(800))
        chunks = [rng.randbytes(rng.choice([0, 1, rng.randrange(300)])) for _ in range(rng.randrange(1, 9))]
        cases.append((client, enc, key_id, pk, body, answer_pt, chunks))
        requests.append({"op": "ohttp_server", "skr": sk.hex(), "key_id": key_id, "wire": wire.hex(),
                         "response_pt": answer_pt.hex(), "chunks": [c.hex() for c in chunks]})
    for (client, enc, key_id, pk, body, answer_pt, chunks), answer in zip(cases, testkit.run(requests)):
        assert answer["ok"], answer
        assert answer["request_pt"] == body.hex()
        assert answer["key_config"] == key_config(key_id, pk).hex()
        assert py_open_single(client, enc, bytes.fromhex(answer["response"])) == answer_pt
        assert py_open_chunked(client, enc, bytes.fromhex(answer["chunked_response"])) == chunks


def test_ohttp_tampered_and_truncated_responses_are_rejected(testkit, rng):
    cases, requests = [], []
    for i in range(200):
        kp, _, pk = keypair(rng)
        _, ske, enc = keypair(rng)
        gateway = SUITE.create_recipient_context(enc, kp.private_key, request_info(1))
        chunks = [rng.randbytes(rng.randrange(1, 100)) for _ in range(rng.randrange(1, 5))]
        chunked = bytearray(py_seal_chunked(gateway, enc, chunks, rng))
        single = bytearray(py_seal_single(gateway, enc, rng.randbytes(50), rng))
        kind = ["flip", "truncate", "drop_final"][i % 3]
        if kind == "flip":
            chunked[rng.randrange(len(chunked))] ^= 1 << rng.randrange(8)
            single[rng.randrange(len(single))] ^= 1 << rng.randrange(8)
            request = {"response": bytes(single).hex()}
        elif kind == "truncate":
            chunked = chunked[:rng.randrange(len(chunked))]
            request = {"response": bytes(single[:rng.randrange(len(single))]).hex()}
        else:  # every non-final chunk intact, the final one missing
            chunked = chunked[:final_indicator_offset(bytes(chunked))]
            request = {}
        cases.append(kind)
        requests.append({"op": "ohttp_client", "key_config": key_config(1, pk).hex(), "plaintext": "",
                         "ske": ske.hex(), "chunked_response": bytes(chunked).hex(),
                         "splits": random_splits(rng, len(chunked)), **request})
    answers = testkit.run(requests)
    for kind, answer in zip(cases, answers):
        assert not answer["ok"], (kind, answer)
        assert answer["code"] in ("verification_failed", "parse_error", "resource_exhausted"), answer
        if kind == "drop_final":
            assert answer["code"] == "verification_failed" and "truncated" in answer["error"], answer


def test_ohttp_config_hash_and_signature_match_eth_abi_and_cryptography(testkit, rng):
    """configHash = keccak256(abi.encode(...)) per PROTOCOL.md section 8, computed
    here with eth-abi + eth-utils; signatures made with `cryptography` RSA-PSS
    (SHA-256, salt 32) verify, and a tampered field or signature fails the
    check it should."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from eth_abi import encode
    from eth_utils import keccak

    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = signing_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    cases, requests = [], []
    for i in range(300):
        _, _, pk = keypair(rng)
        key_id = rng.choice([1, 1, 1, rng.randrange(256)])
        tee_id = rng.randbytes(32)
        config = key_config(key_id, pk)
        fields = dict(key_id=key_id, kem_id=0x20, kdf_id=1, aead_id=3, public_key=pk, key_config=config)
        digest = keccak(encode(["bytes32", "bytes32", "uint256", "uint256", "uint256", "uint256", "bytes32", "bytes32"],
                               [keccak(b"OPENGRADIENT_TEE_OHTTP_CONFIG_V1"), tee_id, key_id, 0x20, 1, 3,
                                keccak(pk), keccak(config)]))
        signature = signing_key.sign(digest, pss, hashes.SHA256())
        kind = ["good", "good", "signature", "public_key", "key_config", "tee_id"][i % 6]
        if kind == "signature":
            bad = bytearray(signature)
            bad[rng.randrange(len(bad))] ^= 1 << rng.randrange(8)
            signature = bytes(bad)
        elif kind == "public_key":
            bad = bytearray(pk)
            bad[rng.randrange(32)] ^= 1
            fields["public_key"] = bytes(bad)
        elif kind == "key_config":
            bad = bytearray(config)
            bad[rng.randrange(3, 35)] ^= 1
            fields["key_config"] = bytes(bad)
        elif kind == "tee_id":
            tee_id = bytes([tee_id[0] ^ 1]) + tee_id[1:]
        cases.append((kind, digest))
        requests.append({"op": "ohttp_config_verify", "tee_id": tee_id.hex(), "signature": signature.hex(),
                         "signing_key_pem": pem,
                         **{k: (v.hex() if isinstance(v, bytes) else v) for k, v in fields.items()}})
    for (kind, digest), answer in zip(cases, testkit.run(requests)):
        assert answer["ok"], answer
        if kind in ("good", "signature"):
            assert answer["config_hash"] == digest.hex()
        if kind == "good":
            assert answer["verified"] and answer["failed_checks"] == []
        else:
            assert not answer["verified"]
            assert "ohttp_config.signature" in answer["failed_checks"], (kind, answer)
            if kind in ("public_key", "key_config"):
                assert "ohttp_config.public_key" in answer["failed_checks"], (kind, answer)
