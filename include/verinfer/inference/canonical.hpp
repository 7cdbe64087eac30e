// verinfer: the canonical request bytes an OpenGradient TEE gateway hashes.
// The gateway hashes Python's `json.dumps(obj, sort_keys=True)` of a reduced
// copy of the request (PROTOCOL.md section 2.1), so a verifier must reproduce
// both the reduction and Python's serialisation byte for byte.
#pragma once

#include <string>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer {

/// Python's `json.dumps(value, sort_keys=True)` with its defaults: separators
/// ", " and ": ", ensure_ascii (non-ASCII as lower-case `\uXXXX`, astral code
/// points as surrogate pairs, DEL as `\u007f`), keys sorted by code point,
/// integers as their exact decimal text, floats as Python's repr().
/// Fails only for strings that are not valid UTF-8 (Python strings cannot be).
[[nodiscard]] Result<std::string> python_json_dumps(const Json& value);

/// Python's repr() of a finite double: shortest round-trip digits, exponent
/// form when the decimal exponent is < -4 or >= 16 ("1e-05", "1.5e+300"),
/// otherwise fixed with at least one fractional digit ("0.0", "-0.0", "100.0").
/// Precondition: `value` is finite.
[[nodiscard]] std::string python_float_repr(double value);

/// Where OpenGradient's sources disagree on what is hashed (see
/// tests/vectors/tee_response/README.md). Defaults follow the vectors, the
/// SDK (0afa3f34) and the newer gateway.
struct CanonicalRequestOptions {
  /// `"web_search": true` is hashed when the request asks for it; gateway
  /// snapshot cb95a5c drops the field instead.
  bool hash_web_search = true;
  /// `response_format` is hashed when truthy; gateway 06ed1e28 omits it.
  bool hash_response_format = true;
};

/// The reduced chat request object the gateway hashes, from the body as sent
/// to POST /v1/chat/completions: {model, messages (normalised per role),
/// temperature (always a float, default 0.0)} plus max_tokens when not null,
/// stop / tools / response_format when truthy and `"web_search": true`.
/// Errors (invalid_argument) name the offending field: a missing model or
/// messages, an unknown role, a value Python would not accept.
[[nodiscard]] Result<Json> canonical_chat_request(const Json& body,
                                                  const CanonicalRequestOptions& options = {});

/// The reduced completion request {model, prompt, temperature, max_tokens?,
/// stop?} from the body sent to POST /v1/completions.
[[nodiscard]] Result<Json> canonical_completion_request(const Json& body);

/// Chat or completion by the body's shape ("messages" vs. "prompt"), then
/// python_json_dumps of the reduced object: the exact bytes that are hashed.
[[nodiscard]] Result<std::string> canonical_request_bytes(
    const Json& body, const CanonicalRequestOptions& options = {});

/// keccak256(canonical_request_bytes(body)): the gateway's tee_request_hash.
[[nodiscard]] Result<Hash32> tee_request_hash(const Json& body,
                                              const CanonicalRequestOptions& options = {});

}  // namespace verinfer
