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


def decode_x402_header(value: str):
    """Any x402 header value (PAYMENT-REQUIRED, -SIGNATURE, -RESPONSE) as a dict."""
    import json
    return json.loads(_verinfer.decode_x402_header(value))


__all__ = [
    "keccak256", "sha256", "to_hex", "from_hex", "to_base64", "from_base64",
    "eip191_digest", "recover_address", "checksum_address", "eip712_hash", "decode_x402_header",
    "verify_response", "verify_attestation", "verify_payment", "verify_merkle_proof",
    "LLM", "AsyncLLM", "ChatStream", "ChatResult", "Check", "Report", "ToolCall",
    "VerinferError", "ParseError", "InvalidArgument", "TransportError", "PaymentError",
    "VerificationError", "UntrustedError", "ExpiredError",
]
