"""Offline verification of saved evidence. Each function returns the Report
when every check passed and raises VerificationError (``.report`` holds every
check) when one failed."""
from __future__ import annotations

import json
from typing import Any, Dict, Optional, Union

from . import _verinfer
from .errors import VerificationError, error_class
from .results import Report

__all__ = ["verify_response", "verify_attestation", "verify_payment", "verify_merkle_proof"]

JsonLike = Union[str, bytes, Dict[str, Any]]


def _text(value: JsonLike) -> str:
    if isinstance(value, dict):
        return json.dumps(value)
    return value.decode() if isinstance(value, bytes) else value


def _settle(raw) -> Report:
    report = Report.from_raw(raw)
    if not report.ok:
        first = report.failures[0] if report.failures else None
        cls = error_class(first.code) if first else VerificationError
        if not issubclass(cls, VerificationError):
            cls = VerificationError
        message = f"{first.name}: {first.reason}" if first else "nothing was checked"
        detail = f"expected {first.expected}, got {first.actual}" if first and (first.expected or first.actual) else ""
        error = cls(message, first.code if first else "verification_failed", detail)
        error.report = report
        raise error
    return report


def verify_response(request: JsonLike, response: Union[str, bytes, Dict[str, Any]], public_key: str, *,
                    now: int, stream: bool = False) -> Report:
    """A TEE-signed response (or, with ``stream=True``, a whole SSE transcript)
    against the request that was sent and the enclave's RSA key (PEM)."""
    return _settle(_verinfer.check_tee_response(_text(request), _text(response), public_key, now, stream))


def verify_attestation(document: bytes, *, at: int, nonce: Optional[bytes] = None,
                       root_pem: str = "", pcr_hash: Optional[bytes] = None, max_age: int = 0) -> Report:
    """An AWS Nitro attestation document (raw COSE bytes) at time ``at``."""
    return _settle(_verinfer.check_attestation(document, at, nonce, root_pem, pcr_hash, max_age))


def verify_payment(payment: JsonLike, *, now: int) -> Report:
    """An x402 payment payload (decoded PAYMENT-SIGNATURE)."""
    return _settle(_verinfer.check_payment(_text(payment), now))


def verify_merkle_proof(dump: JsonLike, index: int, root: Optional[bytes] = None) -> bytes:
    """The inclusion of value ``index`` of an OpenZeppelin standard-v1 dump
    under ``root`` (default: the dump's own root). Returns the leaf hash."""
    return _verinfer.merkle_verify(_text(dump), index, root)
