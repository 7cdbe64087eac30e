// verinfer: the answer of every verifier. A report lists each check it made
// (name, passed, expected vs. actual); a Verified<T> can only be made by a
// verifier, so unverified data cannot pass for verified data by accident.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer {

/// One thing a verifier checked, and what it found.
struct Check {
  std::string name;      ///< stable id, e.g. "tee_response.signature"
  bool passed = false;
  std::string expected;  ///< what the verifier required (may be empty)
  std::string actual;    ///< what it found
  std::string reason;    ///< why it failed, readable; empty when passed
  ErrorCode code = ErrorCode::verification_failed;  ///< meaningful when !passed
};

/// Every check of one verification, in the order they ran.
class VerificationReport {
 public:
  /// Records a check; returns `passed` so callers can stop early if they wish.
  bool add(Check check);
  /// Records a passed check.
  bool pass(std::string name, std::string expected = {}, std::string actual = {});
  /// Records a failed check with its error code and reason; returns false.
  bool fail(std::string name, ErrorCode code, std::string reason, std::string expected = {},
            std::string actual = {});
  /// Appends another report's checks (e.g. attestation into a call's report).
  void merge(const VerificationReport& other);

  /// Every check, in order.
  [[nodiscard]] const std::vector<Check>& checks() const noexcept { return checks_; }
  /// At least one check, and all passed.
  [[nodiscard]] bool ok() const noexcept;
  /// The first failed check, or nullptr when all passed.
  [[nodiscard]] const Check* first_failure() const noexcept;
  /// Error for the first failure (code and "name: reason (expected X, got Y)").
  [[nodiscard]] Error to_error() const;
  /// Human-readable multi-line summary, one line per check.
  [[nodiscard]] std::string to_string() const;
  /// {"verified", "error" (when failed), "checks": [{name, passed, expected?,
  /// actual?, reason?, code?}]}: the one JSON form of a report (CLI, proxy).
  [[nodiscard]] Json to_json() const;

 private:
  std::vector<Check> checks_;
};

/// A value that passed verification, with the report that says how.
template <class T>
class Verified {
 public:
  /// The verified value.
  /// @{
  [[nodiscard]] const T& value() const noexcept { return value_; }
  [[nodiscard]] const T* operator->() const noexcept { return &value_; }
  /// @}
  /// How it was verified: every check, all passed.
  [[nodiscard]] const VerificationReport& report() const noexcept { return report_; }

 private:
  Verified(T value, VerificationReport report)
      : value_(std::move(value)), report_(std::move(report)) {}
  template <class U>
  friend Verified<U> make_verified(U value, VerificationReport report);

  T value_;
  VerificationReport report_;
};


/// Only for verifiers (src/verify): wraps a value whose report is ok().
template <class U>
Verified<U> make_verified(U value, VerificationReport report) {
  return Verified<U>(std::move(value), std::move(report));
}

}  // namespace verinfer
