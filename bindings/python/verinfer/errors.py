"""The verinfer exception hierarchy. Every error carries the C++ error code
name (``code``) and a detail string (expected vs. got, a position, ...)."""


class VerinferError(Exception):
    """Base class of every verinfer error.

    ``payment_may_have_been_sent`` is True when the call failed after a
    request carrying a payment (an x402 payment, or a sealed request the relay
    pays for) had left: the money may have moved, so do not simply retry the
    call elsewhere. False means nothing was paid."""

    def __init__(self, message: str, code: str = "internal", detail: str = "",
                 payment_may_have_been_sent: bool = False):
        super().__init__(f"{message} ({detail})" if detail else message)
        self.message = message
        self.code = code
        self.detail = detail
        self.payment_may_have_been_sent = payment_may_have_been_sent


class ParseError(VerinferError, ValueError):
    """Bytes or text that do not decode (bad hex, JSON, CBOR, ...)."""


class InvalidArgument(VerinferError, ValueError):
    """An unusable argument."""


class TransportError(VerinferError):
    """Network trouble: unreachable, deadline exceeded, cancelled, too large."""


class PaymentError(VerinferError):
    """A payment was asked for and could not (or may not) be made."""


class VerificationError(VerinferError):
    """Evidence did not check out. ``report`` holds every check when known."""

    def __init__(self, message: str, code: str = "verification_failed", detail: str = "",
                 report=None):
        super().__init__(message, code, detail)
        self.report = report


class UntrustedError(VerificationError):
    """Evidence is valid but not trusted by the policy."""


class ExpiredError(VerificationError):
    """Evidence is valid but outside its time window."""


_BY_CODE = {
    "parse_error": ParseError,
    "invalid_argument": InvalidArgument,
    "unavailable": TransportError,
    "deadline_exceeded": TransportError,
    "cancelled": TransportError,
    "resource_exhausted": TransportError,
    "payment_required": PaymentError,
    "verification_failed": VerificationError,
    "untrusted": UntrustedError,
    "expired": ExpiredError,
}


def error_class(code: str) -> type:
    """The exception class for a C++ error code name."""
    return _BY_CODE.get(code, VerinferError)
