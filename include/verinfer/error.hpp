// verinfer: error model. Every operation that can fail at run time returns
// Result<T>; verification failures carry a readable reason, never a bare bool.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace verinfer {

/// Canonical error codes (in the spirit of Abseil's) plus this domain's own.
enum class ErrorCode {
  invalid_argument,     ///< the caller passed something unusable
  parse_error,          ///< bytes or text that do not decode
  unavailable,          ///< transient: network, 5xx; retryable
  deadline_exceeded,    ///< a deadline ran out
  cancelled,            ///< the caller cancelled
  resource_exhausted,   ///< a size or count limit was hit
  payment_required,     ///< a payment was asked for and not (or not acceptably) made
  verification_failed,  ///< evidence does not check out: tampered or wrong
  untrusted,            ///< evidence is valid but not trusted by policy
  expired,              ///< evidence is valid but outside its time window
  internal,             ///< a bug or an unexpected library failure
};

/// Stable lower-case name of a code, e.g. "verification_failed".
[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

class VerificationReport;

/// Whether money may have moved before a call failed. A caller that would
/// retry elsewhere (another gateway, another TEE) may only do so on `none`.
enum class PaymentState {
  none,  ///< no request that pays was sent: nothing can have been taken
  /// A request carrying a payment (an x402 payment header, or a sealed request
  /// a relay pays for) was handed to the transport before the failure: it may
  /// have reached the server and the payment may have settled.
  may_have_been_sent,
};

/// An error: a code, a one-line message for humans and optional detail
/// (expected vs. got, a position, a server's answer). A call rejected by
/// verification also carries the whole report of what was checked.
struct Error {
  Error() = default;
  /// An error with code `c`, message `m`, detail `d` and, for rejected
  /// evidence, the report `r`.
  Error(ErrorCode c, std::string m, std::string d = {},
        std::shared_ptr<const VerificationReport> r = {})
      : code(c), message(std::move(m)), detail(std::move(d)), report(std::move(r)) {}

  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::string detail;
  std::shared_ptr<const VerificationReport> report;
  /// Set by calls that pay: whether the failure came after a payment left.
  PaymentState payment = PaymentState::none;

  /// "code: message (detail)" on one line.
  [[nodiscard]] std::string to_string() const;
};

/// A value or the Error why there is none.
template <class T>
using Result = std::expected<T, Error>;

/// Success or the Error of a failure, for operations without a value.
using Status = std::expected<void, Error>;

/// Shorthand for `std::unexpected(Error{...})`.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message,
                                                 std::string detail = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(detail)});
}

}  // namespace verinfer
