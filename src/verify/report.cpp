#include "verinfer/verify/report.hpp"

#include <algorithm>

namespace verinfer {

bool VerificationReport::add(Check check) {
  bool passed = check.passed;
  checks_.push_back(std::move(check));
  return passed;
}

bool VerificationReport::pass(std::string name, std::string expected, std::string actual) {
  return add(Check{std::move(name), true, std::move(expected), std::move(actual), {},
                   ErrorCode::verification_failed});
}

bool VerificationReport::fail(std::string name, ErrorCode code, std::string reason,
                              std::string expected, std::string actual) {
  return add(Check{std::move(name), false, std::move(expected), std::move(actual),
                   std::move(reason), code});
}

void VerificationReport::merge(const VerificationReport& other) {
  checks_.insert(checks_.end(), other.checks_.begin(), other.checks_.end());
}

bool VerificationReport::ok() const noexcept {
  return !checks_.empty() &&
         std::all_of(checks_.begin(), checks_.end(), [](const Check& c) { return c.passed; });
}

const Check* VerificationReport::first_failure() const noexcept {
  for (const auto& c : checks_) {
    if (!c.passed) return &c;
  }
  return nullptr;
}

Error VerificationReport::to_error() const {
  const Check* f = first_failure();
  if (f == nullptr) {
    if (checks_.empty()) return Error{ErrorCode::verification_failed, "nothing was checked", {}};
    return Error{ErrorCode::internal, "report has no failure", {}};
  }
  std::string detail;
  if (!f->expected.empty() || !f->actual.empty()) {
    detail = "expected " + f->expected + ", got " + f->actual;
  }
  return Error{f->code, f->name + ": " + f->reason, std::move(detail),
               std::make_shared<const VerificationReport>(*this)};
}

Json VerificationReport::to_json() const {
  Json checks = Json::array();
  for (const Check& c : checks_) {
    Json entry = Json::object();
    entry.set("name", c.name);
    entry.set("passed", c.passed);
    if (!c.expected.empty()) entry.set("expected", c.expected);
    if (!c.actual.empty()) entry.set("actual", c.actual);
    if (!c.passed) {
      entry.set("reason", c.reason);
      entry.set("code", std::string(verinfer::to_string(c.code)));
    }
    checks.push_back(std::move(entry));
  }
  Json out = Json::object();
  out.set("verified", ok());
  if (!ok()) out.set("error", to_error().to_string());
  out.set("checks", std::move(checks));
  return out;
}

std::string VerificationReport::to_string() const {
  std::string out;
  for (const auto& c : checks_) {
    out += c.passed ? "  ok    " : "  FAIL  ";
    out += c.name;
    if (!c.passed) {
      out += ": " + c.reason;
      if (!c.expected.empty() || !c.actual.empty()) {
        out += " (expected " + c.expected + ", got " + c.actual + ")";
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace verinfer
