// Pure helpers of the HTTP client, kept apart so unit tests reach them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "verinfer/error.hpp"
#include "verinfer/transport/http.hpp"

namespace verinfer::internal {

/// A Retry-After value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date,
/// relative to `now`; a date in the past is zero. nullopt when unparseable.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

/// Full-jitter backoff before retry number `retry` (1 = first retry), from a
/// uniform draw `unit` in [0, 1].
[[nodiscard]] std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit);

/// The URL without user info, query or fragment, for messages.
[[nodiscard]] std::string redact_url(std::string_view url);

/// Checks a method token and header names/values (no CR, LF or NUL).
[[nodiscard]] Status validate_request_shape(const HttpRequest& request);

/// True for statuses worth retrying: 429, 502, 503, 504.
[[nodiscard]] constexpr bool is_retryable_status(int status) noexcept {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

/// Whether the request carries an x402 payment header.
[[nodiscard]] bool carries_payment(const HttpHeaders& headers);

}  // namespace verinfer::internal
