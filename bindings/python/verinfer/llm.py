"""The call API, shaped like OpenGradient's Python SDK (``LLM.chat`` /
``LLM.completion`` with the same parameter names), but every answer is
verified before it is returned."""
from __future__ import annotations

import asyncio
import json
import queue
import threading
from typing import Any, AsyncIterator, Dict, Iterator, List, Optional, Sequence, Union

from . import _verinfer
from .errors import VerinferError
from .results import ChatResult, Report

__all__ = ["LLM", "AsyncLLM", "ChatStream"]

_PROVIDERS = ("openai/", "anthropic/", "google/", "x-ai/", "meta/")


def _mode(value: Any) -> str:
    return str(getattr(value, "value", value))


def _model(model: str) -> str:
    for p in _PROVIDERS:
        if model.startswith(p):
            return model[len(p):]
    return model


def _common(body: Dict[str, Any], max_tokens, stop_sequence, temperature) -> Dict[str, Any]:
    if max_tokens is not None:
        body["max_tokens"] = int(max_tokens)
    if temperature is not None:
        body["temperature"] = float(temperature)
    if stop_sequence:
        body["stop"] = [stop_sequence] if isinstance(stop_sequence, str) else list(stop_sequence)
    return body


def _chat_body(model, messages, max_tokens, stop_sequence, temperature, tools, tool_choice,
               response_format, web_search, stream) -> str:
    body = _common({"model": _model(model), "messages": list(messages)}, max_tokens,
                   stop_sequence, temperature)
    if tools:
        body["tools"] = list(tools)
    if tool_choice is not None:
        body["tool_choice"] = tool_choice
    if response_format is not None:
        body["response_format"] = response_format
    if web_search is not None:
        body["web_search"] = bool(web_search)
    if stream:
        body["stream"] = True
    return json.dumps(body)


class ChatStream:
    """Iterates over content deltas (of a chat, or the text pieces of a
    completion) as they arrive. The deltas are NOT verified until the stream
    ends: ``result`` then holds the verified answer (or the iteration raises
    VerificationError)."""

    _END = object()

    def __init__(self, client, body: str, settlement: str, kind: str = "chat"):
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self.result: Optional[ChatResult] = None
        self._error: Optional[BaseException] = None

        def run():
            try:
                raw = client.call_stream(body, settlement, self._queue.put, kind)
                self.result = ChatResult.from_raw(raw)
            except BaseException as exc:  # handed to the iterating thread
                self._error = exc
            finally:
                self._queue.put(self._END)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[str]:
        while True:
            item = self._queue.get()
            if item is self._END:
                break
            yield item
        self._thread.join()
        if self._error is not None:
            raise self._error


class LLM:
    """Verified LLM calls through a TEE gateway.

    ``profile`` is "devnet", "opengradient" or a path to a profile.json;
    ``private_key`` (hex) pays x402 payments: read it from a file or the
    environment, never hard-code it. ``route``: "direct", "private_relay"
    (sealed with Oblivious HTTP to the attested enclave and sent through the
    profile's relay, which pays and never sees the prompt) or
    "private_gateway" (sealed, straight to the gateway, paid with
    ``private_key``); ``ohttp_config``: where the enclave's OHTTP key comes
    from, "registry" or "gateway" (checked against the attested key either way).
    ``settlement_check``: after each paid call, read the profile's chain
    (``rpc_url``, which must serve its ``chain_id``) and check the payment's
    and the settlement's receipts: success, the Transfer and the event field
    by field, and that each receipt's block is still the chain's block.
    """

    def __init__(self, profile: str = "devnet", private_key: Optional[str] = None, *,
                 attestation: bool = True, timeout: float = 120.0, route: str = "direct",
                 ohttp_config: str = "registry", settlement_check: bool = False):
        self._client = _verinfer.Client(profile, private_key, attestation, int(timeout * 1000),
                                        route, ohttp_config, settlement_check)

    def chat(self, model: str, messages: Sequence[Dict[str, Any]], max_tokens: Optional[int] = None,
             stop_sequence: Union[str, List[str], None] = None, temperature: Optional[float] = None,
             tools: Optional[List[Dict[str, Any]]] = None, tool_choice: Any = None,
             response_format: Optional[Dict[str, Any]] = None,
             x402_settlement_mode: Any = "individual", stream: bool = False,
             web_search: Optional[bool] = None) -> Union[ChatResult, ChatStream]:
        """A verified chat completion (parameter names as in OpenGradient's SDK).

        Pays with x402 when the gateway asks, checks the TEE signature over
        this request and the answer (and the enclave's attestation), and
        returns a ChatResult; with ``stream=True`` a ChatStream of deltas,
        verified when it ends. ``x402_settlement_mode``: "private", "batch"
        or "individual". Raises VerificationError (``.report``),
        PaymentError or TransportError.
        """
        body = _chat_body(model, messages, max_tokens, stop_sequence, temperature, tools,
                          tool_choice, response_format, web_search, stream)
        if stream:
            return ChatStream(self._client, body, _mode(x402_settlement_mode))
        return ChatResult.from_raw(self._client.call("chat", body, _mode(x402_settlement_mode)))

    def completion(self, model: str, prompt: str, max_tokens: Optional[int] = None,
                   stop_sequence: Union[str, List[str], None] = None,
                   temperature: Optional[float] = None,
                   x402_settlement_mode: Any = "individual",
                   stream: bool = False) -> Union[ChatResult, ChatStream]:
        """A verified text completion of ``prompt``; with ``stream=True`` a
        ChatStream of text pieces, verified when it ends. See ``chat`` for
        payment, verification and errors."""
        body = _common({"model": _model(model), "prompt": prompt}, max_tokens, stop_sequence,
                       temperature)
        if stream:
            body["stream"] = True
            return ChatStream(self._client, json.dumps(body), _mode(x402_settlement_mode),
                              "completion")
        return ChatResult.from_raw(
            self._client.call("completion", json.dumps(body), _mode(x402_settlement_mode)))


class AsyncLLM:
    """``LLM`` for asyncio: awaitable calls and ``async for`` over a stream."""

    def __init__(self, *args: Any, **kwargs: Any):
        self._sync = LLM(*args, **kwargs)

    async def chat(self, *args: Any, stream: bool = False, **kwargs: Any):
        """``LLM.chat`` awaited: a ChatResult, or with ``stream=True`` an
        async iterator of deltas (verified when it ends)."""
        if not stream:
            return await asyncio.to_thread(self._sync.chat, *args, **kwargs)
        return self._stream(self._sync.chat(*args, stream=True, **kwargs))

    async def completion(self, *args: Any, stream: bool = False, **kwargs: Any):
        """``LLM.completion`` awaited: a ChatResult, or with ``stream=True``
        an async iterator of text pieces (verified when it ends)."""
        if not stream:
            return await asyncio.to_thread(self._sync.completion, *args, **kwargs)
        return self._stream(self._sync.completion(*args, stream=True, **kwargs))

    @staticmethod
    async def _stream(stream: ChatStream) -> AsyncIterator[str]:
        iterator = iter(stream)
        end = object()
        while True:
            item = await asyncio.to_thread(next, iterator, end)
            if item is end:
                return
            yield item
