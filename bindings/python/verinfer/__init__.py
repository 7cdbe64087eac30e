"""verinfer: verifiable AI calls, checked locally.

Hashing and codecs take and return ``bytes``; errors are raised as
subclasses of :class:`verinfer.errors.VerinferError`.
"""
from . import _verinfer
from .errors import (ExpiredError, InvalidArgument, ParseError, PaymentError, TransportError,
                     UntrustedError, VerificationError, VerinferError)

keccak256 = _verinfer.keccak256
sha256 = _verinfer.sha256
to_hex = _verinfer.to_hex
from_hex = _verinfer.from_hex
to_base64 = _verinfer.to_base64
from_base64 = _verinfer.from_base64

__all__ = [
    "keccak256", "sha256", "to_hex", "from_hex", "to_base64", "from_base64",
    "VerinferError", "ParseError", "InvalidArgument", "TransportError", "PaymentError",
    "VerificationError", "UntrustedError", "ExpiredError",
]
