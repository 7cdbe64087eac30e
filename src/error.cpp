#include "verinfer/error.hpp"

namespace verinfer {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::parse_error: return "parse_error";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::deadline_exceeded: return "deadline_exceeded";
    case ErrorCode::cancelled: return "cancelled";
    case ErrorCode::resource_exhausted: return "resource_exhausted";
    case ErrorCode::payment_required: return "payment_required";
    case ErrorCode::verification_failed: return "verification_failed";
    case ErrorCode::untrusted: return "untrusted";
    case ErrorCode::expired: return "expired";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out{verinfer::to_string(code)};
  out += ": ";
  out += message;
  if (!detail.empty()) {
    out += " (";
    out += detail;
    out += ")";
  }
  return out;
}

}  // namespace verinfer
