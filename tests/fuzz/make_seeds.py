#!/usr/bin/env python3
"""Builds the fuzz seed corpora from tests/vectors: one directory per target,
one file per seed, each in the input format that target reads (selector bytes
first where the target has them; see the target's source). Usage:
make_seeds.py VECTORS_DIR OUT_DIR"""
import base64
import hashlib
import json
import sys
from pathlib import Path

VECTORS = Path(sys.argv[1])
OUT = Path(sys.argv[2])
seeds: dict[str, list[bytes]] = {}


def add(target: str, data: bytes) -> None:
    seeds.setdefault(target, []).append(data)


def text(path: Path) -> bytes:
    return path.read_bytes()


def case_dirs():
    return sorted(p for p in (VECTORS / "tee_response" / "cases").iterdir() if p.is_dir())


def pem_certs(path: Path) -> list[bytes]:
    out, body = [], None
    for line in path.read_text().splitlines():
        if line.startswith("-----BEGIN"):
            body = []
        elif line.startswith("-----END"):
            out.append(base64.b64decode("".join(body)))
            body = None
        elif body is not None:
            body.append(line.strip())
    return out


def word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def abi_bytes(b: bytes) -> bytes:
    return word(len(b)) + b + b"\0" * (-len(b) % 32)


def rlp(item) -> bytes:
    def head(n: int, short: int, long: int) -> bytes:
        if n < 56:
            return bytes([short + n])
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return bytes([long + len(size)]) + size
    if isinstance(item, bytes):
        if len(item) == 1 and item[0] < 0x80:
            return item
        return head(len(item), 0x80, 0xb7) + item
    payload = b"".join(rlp(x) for x in item)
    return head(len(payload), 0xc0, 0xf7) + payload


# base64/hex: mode byte 0 = hex, 1 = standard base64, 2 = url base64.
for path in sorted(VECTORS.glob("x402/**/*.b64")):
    add("fuzz_base64_hex", b"\x01" + text(path).strip())
add("fuzz_base64_hex", b"\x01" + text(VECTORS / "nitro/attestation_doc.b64").strip()[:4096])
add("fuzz_base64_hex", b"\x00" + b"0xdeadBEEF00")
add("fuzz_base64_hex", b"\x02" + base64.urlsafe_b64encode(b"verinfer url?>").rstrip(b"="))

# SSE and chat streams: shape byte (low 3 bits: split count - 1; bit 7: small
# limits), the split sizes, then the body.
streams = [text(VECTORS / "tee_response/cases/14_chat_streaming_sse/response.sse"),
           text(VECTORS / "tee_response/negative/tampered_stream_chunk/response.sse")]
for body in streams:
    add("fuzz_sse", b"\x03\x05\x01\x07\x02" + body)
    add("fuzz_chat_stream", b"\x03\x05\x01\x07\x02" + body)
add("fuzz_sse", b"\x01\x03\x02" + b"\xef\xbb\xbf: comment\r\nevent: x402-settlement\r\nid: 7\rretry: 1500\n"
    b"data: {\"success\":true}\n\ndata: a\ndata:b\n\n")
add("fuzz_chat_stream", b"\x00\x04" + b'data: {"choices":[{"index":0,"delta":{"role":"assistant",'
    b'"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":"{\\"a\\""}}]}}]}\n\n'
    b'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},'
    b'"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n'
    b'event: x402-settlement\ndata: {"success":true,"paymentResponse":"e30="}\n\n')
add("fuzz_chat_stream", b"\x00\x04" + b'data: {"error":{"message":"upstream failed"}}\n\n')

# Response JSON: mode byte (1 = SSE), case byte (the target's case list), body.
target_cases = ["01_chat_plain_defaults", "03_chat_tools_tool_call_answer",
                "05_chat_unicode_emoji_escapes", "10_chat_multimodal_attachments",
                "11_completion", "14_chat_streaming_sse"]
for index, name in enumerate(target_cases):
    folder = VECTORS / "tee_response/cases" / name
    if (folder / "response.json").exists():
        add("fuzz_response_json", bytes([0, index]) + text(folder / "response.json"))
    else:
        add("fuzz_response_json", bytes([1, index]) + text(folder / "response.sse"))
for path in sorted((VECTORS / "tee_response/negative").glob("*/response.json")):
    add("fuzz_response_json", b"\x00\x00" + text(path))

# Nitro: the document and its tampered forms as CBOR bytes.
for path in [VECTORS / "nitro/attestation_doc.b64", *sorted((VECTORS / "nitro/negative").glob("*.b64"))]:
    add("fuzz_nitro", base64.b64decode(text(path)))
add("fuzz_nitro", bytes.fromhex("bf6161f5616282010203ff"))  # {"a": true, "b": [1, [2, 3]]}

# Certificates: cabundle count, each cabundle DER (root first) behind a u16
# length, then the leaf. chain.pem is leaf first, then cabundle[3]..[0].
chain = pem_certs(VECTORS / "nitro/chain.pem")
leaf, bundle = chain[0], list(reversed(chain[1:]))
add("fuzz_certificates", bytes([len(bundle)]) + b"".join(len(c).to_bytes(2, "big") + c for c in bundle) + leaf)
add("fuzz_certificates", b"\x01" + len(bundle[0]).to_bytes(2, "big") + bundle[0] + leaf)

# ABI: type byte (index into the target's list), then the encoding.
add("fuzz_abi", b"\x00" + word(2**256 - 1))
add("fuzz_abi", b"\x03" + word(0xC0FFEE))
add("fuzz_abi", b"\x04" + word(1))
add("fuzz_abi", b"\x07" + word(32) + abi_bytes(b"verinfer"))
add("fuzz_abi", b"\x09" + word(32) + word(3) + word(1) + word(2) + word(3))
add("fuzz_abi", b"\x0c" + word(32) + word(5) + word(64) + abi_bytes(b"\x01\x02"))
leaves = json.loads(text(VECTORS / "merkle/leaves.json"))
for item in leaves["items"][:3]:
    tee, req, out, sig, ts = item["value"]
    head = b"".join(bytes.fromhex(h[2:]) for h in (tee, req, out)) + word(0xa0) + word(int(ts))
    add("fuzz_abi", b"\x10" + head + abi_bytes(bytes.fromhex(sig[2:])))

# RLP: canonical encodings of strings, integers and nested lists.
for item in [b"", b"\x7f", b"\x80", b"dog", b"x" * 60, [], [b"cat", [b"dog", []]],
             [b"\x01", b"\x04\xa8\x17\xc8\x00", b"\x52\x08", b"\x35" * 20, b"", b"data" * 20]]:
    add("fuzz_rlp", rlp(item))

# JSON-RPC answers: selector byte (0 receipt, 1 log, 2 block, 3 quantity,
# 4 data, 5 hash, 6 address), then the JSON.
transfer = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
log = {"address": "0x" + "35" * 20, "topics": [transfer, "0x" + "00" * 12 + "11" * 20, "0x" + "00" * 12 + "22" * 20],
       "data": "0x" + "00" * 31 + "64", "blockNumber": "0x10", "blockHash": "0x" + "ab" * 32,
       "transactionHash": "0x" + "cd" * 32, "transactionIndex": "0x0", "logIndex": "0x1", "removed": False}
receipt = {"transactionHash": "0x" + "cd" * 32, "transactionIndex": "0x0", "blockHash": "0x" + "ab" * 32,
           "blockNumber": "0x10", "from": "0x" + "11" * 20, "to": "0x" + "35" * 20, "contractAddress": None,
           "status": "0x1", "gasUsed": "0x5208", "cumulativeGasUsed": "0x5208",
           "effectiveGasPrice": "0x3b9aca00", "type": "0x2", "logs": [log], "logsBloom": "0x" + "00" * 256}
block = {"number": "0x10", "hash": "0x" + "ab" * 32, "parentHash": "0x" + "aa" * 32, "timestamp": "0x6567",
         "gasLimit": "0x1c9c380", "gasUsed": "0x5208", "baseFeePerGas": "0x7"}
for selector, value in [(0, receipt), (1, log), (2, block), (3, "0x1a"), (4, "0xdeadbeef"),
                        (5, "0x" + "cd" * 32), (6, "0x" + "35" * 20)]:
    add("fuzz_rpc", bytes([selector]) + json.dumps(value).encode())

# x402: selector (0 PAYMENT-REQUIRED, 1 PAYMENT-RESPONSE, 2 JSON body, 3 payment payload).
for path in sorted(VECTORS.glob("x402/**/*required*.b64")):
    add("fuzz_x402", b"\x00" + text(path).strip())
for path in sorted(VECTORS.glob("x402/**/*response*.b64")):
    add("fuzz_x402", b"\x01" + text(path).strip())
for path in sorted(VECTORS.glob("x402/**/*.decoded.json")):
    add("fuzz_x402", (b"\x03" if "signature" in path.name else b"\x02") + text(path))
for path in sorted(VECTORS.glob("x402/generated/*signature*.b64")):
    add("fuzz_x402", b"\x03" + base64.b64decode(text(path)))

# Merkle dumps, EIP-712 typed data, JSON for canonicalisation.
for path in sorted(VECTORS.glob("merkle/*.dump.json")):
    add("fuzz_merkle_dump", text(path))
for case in json.loads(text(VECTORS / "eip712/cases.json"))["cases"][:12]:
    add("fuzz_eip712", json.dumps(case["typed_data"]).encode())
for folder in case_dirs():
    for name in ("request.json", "response.json", "canonical_request.txt"):
        if (folder / name).exists():
            add("fuzz_canonical_json", text(folder / name))
add("fuzz_canonical_json", b'{"a": [1.5e300, -0.0, 1e-7, 123456789012345678901234567890, "\\ud83d\\ude00\\u0000"]}')

# OHTTP: mode 0 key config, 1 application/ohttp-keys, 2 hostile bytes,
# 3 chunked response plan, 4 single response plan (see plan_of in the target).
config = bytes.fromhex(json.loads(text(VECTORS / "hpke/vectors.json"))["rfc9458_appendix_A"]["key_config"])
add("fuzz_ohttp", b"\x00" + config)
add("fuzz_ohttp", b"\x01" + len(config).to_bytes(2, "big") + config + len(config).to_bytes(2, "big") + config)
hpke = json.loads(text(VECTORS / "hpke/vectors.json"))["rfc9458_appendix_A"]
add("fuzz_ohttp", b"\x02" + bytes.fromhex(hpke["encapsulated_request"]))
add("fuzz_ohttp", b"\x02" + bytes.fromhex(hpke["encapsulated_response"]))
plan = b"\x02" + b"\x05hello" + b"\x03abc" + b"\x00\x00" + b"\x00" + b"\x01" + b"\x04" + b"final answer"
add("fuzz_ohttp", b"\x03" + plan)
add("fuzz_ohttp", b"\x04" + plan)
add("fuzz_ohttp", b"\x03" + b"\x01\x04abcd" + b"\x00\x30" + b"\x01" + b"\x01" + b"\x02" + b"tampered")

# Keystores: passphrase length byte, the passphrase, then the file. eth-account
# files with tiny KDFs reach the MAC and the decryption; variants reach the
# IV padding, "Crypto", a mismatched address and a MAC mismatch.
small = json.loads(text(VECTORS / "keystore/small_kdf.json"))
password = small["password"].encode()


def keystore_seed(doc, passphrase: bytes = password, indent=None) -> None:
    add("fuzz_keystore", bytes([len(passphrase)]) + passphrase + json.dumps(doc, indent=indent).encode())


for doc in small["keystores"].values():
    keystore_seed(doc, indent=2)
    keystore_seed(doc, passphrase=b"wrong")
scrypt_doc = small["keystores"]["scrypt_n16"]
keystore_seed({k.capitalize() if k == "crypto" else k: v for k, v in scrypt_doc.items()})
keystore_seed({**scrypt_doc, "address": "00" * 20})
keystore_seed({k: v for k, v in scrypt_doc.items() if k != "address"})
short_iv = json.loads(json.dumps(scrypt_doc))
short_iv["crypto"]["cipherparams"]["iv"] = short_iv["crypto"]["cipherparams"]["iv"][2:]
keystore_seed(short_iv)
pbkdf2_doc = small["keystores"]["pbkdf2_c1"]
for doc, path, value in [(scrypt_doc, ("kdfparams", "n"), 1000), (scrypt_doc, ("kdfparams", "r"), 0),
                         (scrypt_doc, ("kdfparams", "p"), 2 ** 40), (scrypt_doc, ("kdfparams", "dklen"), 64),
                         (scrypt_doc, ("kdfparams", "salt"), "0x12"), (scrypt_doc, ("kdf",), "argon2id"),
                         (pbkdf2_doc, ("kdfparams", "c"), 0), (pbkdf2_doc, ("kdfparams", "prf"), "hmac-sha512"),
                         (pbkdf2_doc, ("cipher",), "aes-128-cbc"), (pbkdf2_doc, ("mac",), "00")]:
    changed = json.loads(json.dumps(doc))
    *parents, last = path
    at = changed["crypto"]
    for key in parents:
        at = at[key]
    at[last] = value
    keystore_seed(changed)
keystore_seed({**pbkdf2_doc, "version": "3", "address": None})
for name in ("pbkdf2_v3.json", "scrypt_v3.json"):  # the spec's: over the tight limits
    keystore_seed(json.loads(text(VECTORS / "keystore" / name)), passphrase=b"testpassword")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for target, items in seeds.items():
        folder = OUT / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for data in items:
            (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
    (OUT / ".stamp").write_text("\n".join(f"{t} {len(s)}" for t, s in sorted(seeds.items())) + "\n")


main()
