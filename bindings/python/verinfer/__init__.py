"""verinfer: verifiable AI calls, checked locally.

Binary data is ``bytes`` in and out; errors are subclasses of
:class:`verinfer.VerinferError`.
"""
from . import _verinfer
from .errors import (ExpiredError, InvalidArgument, ParseError, PaymentError, TransportError,
                     UntrustedError, VerificationError, VerinferError)
from .llm import LLM, AsyncLLM, ChatStream
from .results import ChatResult, Check, Report, ToolCall
from .verify import verify_attestation, verify_merkle_proof, verify_payment, verify_response
from .x402 import PaidResponse, x402_fetch

keccak256 = _verinfer.keccak256
sha256 = _verinfer.sha256
to_hex = _verinfer.to_hex
from_hex = _verinfer.from_hex
to_base64 = _verinfer.to_base64
from_base64 = _verinfer.from_base64
eip191_digest = _verinfer.eip191_digest
recover_address = _verinfer.recover_address
checksum_address = _verinfer.checksum_address


def eip712_hash(typed_data):
    """EIP-712 hashes of typed data (a dict or JSON text): encode_type,
    type_hash, domain_separator, struct_hash, digest (bytes)."""
    import json
    text = typed_data if isinstance(typed_data, str) else json.dumps(typed_data)
    return _verinfer.eip712_hash(text)


def decrypt_keystore(keystore, passphrase: str, *,
                     max_scrypt_memory: int = _verinfer.KEYSTORE_MAX_SCRYPT_MEMORY,
                     max_scrypt_work: int = _verinfer.KEYSTORE_MAX_SCRYPT_WORK,
                     max_pbkdf2_iterations: int = _verinfer.KEYSTORE_MAX_PBKDF2_ITERATIONS) -> bytes:
    """The 32-byte private key in an Ethereum V3 keystore (JSON text, bytes or
    a dict; the files geth, eth-account and MetaMask write), as
    ``eth_account.Account.decrypt`` returns it. Raises VerificationError on a
    wrong passphrase ("MAC mismatch"), an ``address`` field that is not the
    key's or a plaintext that is no valid key; InvalidArgument on an
    unsupported version, kdf, prf or cipher; ParseError on malformed fields;
    VerinferError (resource_exhausted) on KDF costs beyond the limits, before
    any work: scrypt memory 128*n*r bytes, scrypt work 128*n*r*p, PBKDF2
    iterations (defaults take every real keystore; lower them for files you
    do not trust). The GIL is released while the KDF runs."""
    import json
    text = json.dumps(keystore) if isinstance(keystore, dict) else keystore
    return _verinfer.decrypt_keystore(text, passphrase, max_scrypt_memory, max_scrypt_work, max_pbkdf2_iterations)


def encrypt_keystore(private_key: bytes, passphrase: str, *, kdf: str = "scrypt", n: int = 262144,
                     r: int = 8, p: int = 1, iterations: int = 262144) -> str:
    """An Ethereum V3 keystore JSON text for a 32-byte private key: ``kdf``
    "scrypt" (cost ``n``, ``r``, ``p``; geth's defaults) or "pbkdf2"
    (HMAC-SHA256, ``iterations``), AES-128-CTR with a fresh salt and IV, a
    Keccak-256 MAC, a UUID v4 ``id`` and the ``address`` field.
    ``Account.decrypt`` and geth read it. The GIL is released while the KDF runs."""
    return _verinfer.encrypt_keystore(private_key, passphrase, kdf, n, r, p, iterations)


def decode_x402_header(value: str):
    """Any x402 header value (PAYMENT-REQUIRED, -SIGNATURE, -RESPONSE) as a dict."""
    import json
    return json.loads(_verinfer.decode_x402_header(value))


__all__ = [
    "keccak256", "sha256", "to_hex", "from_hex", "to_base64", "from_base64",
    "eip191_digest", "recover_address", "checksum_address", "eip712_hash", "decode_x402_header",
    "decrypt_keystore", "encrypt_keystore", "x402_fetch", "PaidResponse", "verify_response", "verify_attestation", "verify_payment", "verify_merkle_proof",
    "LLM", "AsyncLLM", "ChatStream", "ChatResult", "Check", "Report", "ToolCall",
    "VerinferError", "ParseError", "InvalidArgument", "TransportError", "PaymentError",
    "VerificationError", "UntrustedError", "ExpiredError",
]
