// Internal: the one "fields present and well-formed" check the response
// verifiers start with, listing every problem found in one reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "verinfer/verify/report.hpp"

namespace verinfer::internal {

/// Records `check` as passed when `problems` is empty, otherwise failed with
/// "malformed: p1; p2; ..." (the form every verifier's reason takes). Returns
/// whether it passed.
inline bool report_field_problems(VerificationReport& report, std::string_view check,
                                  const std::vector<std::string>& problems, std::string expected) {
  if (problems.empty()) return report.pass(std::string(check));
  std::string reason = "malformed: ";
  for (std::size_t i = 0; i < problems.size(); ++i) reason += (i ? "; " : "") + problems[i];
  return report.fail(std::string(check), ErrorCode::verification_failed, std::move(reason),
                     std::move(expected), "");
}

}  // namespace verinfer::internal
