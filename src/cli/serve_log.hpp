// verinfer serve: one logfmt line per event on stderr (key=value, values
// quoted as JSON strings when they hold spaces or quotes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace verinfer::cli {

class LogLine {
 public:
  LogLine(std::string_view level, std::string_view msg);
  LogLine& kv(std::string_view key, std::string_view value);
  LogLine& kv(std::string_view key, std::int64_t value);
  /// Writes the line with one call, so concurrent lines never interleave.
  void emit();

 private:
  std::string text_;
};

}  // namespace verinfer::cli
