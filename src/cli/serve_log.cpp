#include "cli/serve_log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "verinfer/json.hpp"

namespace verinfer::cli {
namespace {

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(ms.count()));
  return out;
}

}  // namespace

LogLine::LogLine(std::string_view level, std::string_view msg) {
  text_ = "ts=" + utc_now() + " level=" + std::string(level) + " msg=" + std::string(msg);
}

LogLine& LogLine::kv(std::string_view key, std::string_view value) {
  text_ += ' ';
  text_ += key;
  text_ += '=';
  bool plain = !value.empty();
  for (char c : value) plain = plain && c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f;
  if (plain) {
    text_ += value;
  } else {
    append_json_string(text_, value);
  }
  return *this;
}

LogLine& LogLine::kv(std::string_view key, std::int64_t value) {
  return kv(key, std::to_string(value));
}

void LogLine::emit() {
  text_ += '\n';
  std::fwrite(text_.data(), 1, text_.size(), stderr);
}

}  // namespace verinfer::cli
