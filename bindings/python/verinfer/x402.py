"""x402 payments for any HTTP resource: one request that pays a 402 once."""
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple, Union

from . import _verinfer


@dataclass(frozen=True)
class PaidResponse:
    """The final answer to an x402 request, and what was paid for it."""
    status: int
    #: every header of the final answer, in order, as (name, value)
    headers: Tuple[Tuple[str, str], ...]
    body: bytes = field(repr=False)
    #: the one payment signed: scheme, network, asset, pay_to, amount (asked),
    #: authorized_amount (the most it lets anyone take), payer, header_name;
    #: None when the server did not ask for payment
    payment: Optional[Dict[str, str]] = None
    #: the server's PAYMENT-RESPONSE: success, transaction, network, payer, error_reason
    settlement: Optional[Dict[str, Any]] = None

    def header(self, name: str) -> Optional[str]:
        """The first value of a header (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def x402_fetch(url: str, *, private_key: Optional[str], assets: Iterable[Tuple[str, str]],
               max_amount: int, method: str = "GET", body: Union[bytes, str, None] = None,
               headers: Optional[Mapping[str, str]] = None, schemes: Iterable[str] = ("exact", "upto"),
               timeout_ms: int = 120000, ca_file: Optional[str] = None) -> PaidResponse:
    """Sends one HTTP request; if the server answers 402, pays once with
    ``private_key`` (hex) and sends it again, never paying twice.

    The payment must be in one of ``assets`` (``(network, token address)``
    pairs, e.g. ``("eip155:8453", "0x8335...")``), by one of ``schemes``, and
    at most ``max_amount`` base units; otherwise :class:`PaymentError` says
    why each offer was refused. A paid request answered 402 again is a
    :class:`PaymentError` with the server's reason. Once the paid request was
    sent, any error has ``payment_may_have_been_sent`` True. TLS is verified
    (``ca_file``: a PEM bundle to trust instead of the system's). The GIL is
    released while the request runs."""
    data = body.encode() if isinstance(body, str) else body
    raw = _verinfer.x402_fetch(url, method, data, list((headers or {}).items()), private_key,
                               [(n, a) for n, a in assets], str(int(max_amount)), list(schemes),
                               timeout_ms, ca_file or "")
    return PaidResponse(status=raw["status"], headers=tuple(raw["headers"]), body=raw["body"],
                        payment=raw["payment"], settlement=raw["settlement"])
