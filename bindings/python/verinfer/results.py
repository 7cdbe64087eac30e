"""Result objects: immutable, printable, comparable."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Check:
    """One thing a verifier checked."""
    name: str
    passed: bool
    expected: str = ""
    actual: str = ""
    reason: str = ""
    code: str = ""

    def __str__(self) -> str:
        if self.passed:
            return f"ok    {self.name}"
        extra = f" (expected {self.expected}, got {self.actual})" if self.expected or self.actual else ""
        return f"FAIL  {self.name}: {self.reason}{extra}"


@dataclass(frozen=True)
class Report:
    """Every check of one verification, in order."""
    checks: Tuple[Check, ...] = ()

    @classmethod
    def from_raw(cls, raw: List[Dict[str, Any]]) -> "Report":
        """From check dicts (name, passed, expected, actual, reason, code),
        e.g. the ``checks`` of a CLI ``--json`` report."""
        return cls(tuple(Check(**c) for c in raw))

    @property
    def ok(self) -> bool:
        """True when there was at least one check and every check passed."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failures(self) -> Tuple[Check, ...]:
        """The failed checks, in order; the first is the reason for a rejection."""
        return tuple(c for c in self.checks if not c.passed)

    def __str__(self) -> str:
        return "\n".join(str(c) for c in self.checks)


@dataclass(frozen=True)
class ToolCall:
    """A function call the model asked for; ``arguments`` is JSON text."""
    id: str
    name: str
    arguments: str
    type: str = "function"


@dataclass(frozen=True)
class ChatResult:
    """A verified answer and everything that vouches for it."""
    content: str
    tool_calls: Tuple[ToolCall, ...]
    finish_reason: str
    tee_id: str
    request_hash: str
    output_hash: str
    tee_timestamp: int
    report: Report
    payment: Optional[Dict[str, Any]] = None
    #: base units the signed x402 payment authorised (None when the call did not pay)
    authorized_amount: Optional[int] = None
    #: the cost the relay states (X-Inference-Cost-OPG / -USD: {"opg", "usd"}, decimal text);
    #: informational, no signature covers it. None when not stated or malformed.
    stated_cost: Optional[Dict[str, str]] = None
    settlement: Dict[str, str] = field(default_factory=dict)
    response: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_raw(cls, raw: Dict[str, Any]) -> "ChatResult":
        """From the dict the compiled client returns (internal)."""
        return cls(
            content=raw["content"],
            tool_calls=tuple(ToolCall(**c) for c in raw["tool_calls"]),
            finish_reason=raw["finish_reason"],
            tee_id=raw["tee_id"],
            request_hash=raw["request_hash"],
            output_hash=raw["output_hash"],
            tee_timestamp=raw["tee_timestamp"],
            report=Report.from_raw(raw["checks"]),
            payment=raw["payment"],
            authorized_amount=None if raw["authorized_amount"] is None else int(raw["authorized_amount"]),
            stated_cost=raw["stated_cost"],
            settlement=raw["settlement"],
            response=json.loads(raw["response_json"]),
        )
