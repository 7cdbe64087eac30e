// SSE parsing per WHATWG HTML, section 9.2.6 "Interpreting an event stream".
#include "verinfer/transport/sse.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

namespace verinfer {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool all_ascii_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

SseParser::SseParser(EventSink on_event, SseLimits limits)
    : on_event_(std::move(on_event)), limits_(limits) {}

Status SseParser::feed(ByteView bytes) {
  if (failed_) return std::unexpected(*failed_);
  std::string_view in(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto fail_with = [&](Error e) -> Status {
    failed_ = e;
    return std::unexpected(std::move(e));
  };

  // The BOM may itself arrive split; a partial match that fails is content.
  while (start_ && !in.empty()) {
    if (in.front() == kBom[bom_seen_]) {
      in.remove_prefix(1);
      if (++bom_seen_ == kBom.size()) start_ = false;
    } else {
      line_.assign(kBom.substr(0, bom_seen_));
      start_ = false;
    }
  }

  std::size_t pos = 0;
  while (pos < in.size()) {
    if (after_cr_) {
      after_cr_ = false;
      if (in[pos] == '\n') {
        ++pos;
        continue;
      }
    }
    std::size_t end = in.find_first_of("\r\n", pos);
    std::string_view piece = in.substr(pos, end == std::string_view::npos ? in.size() - pos : end - pos);
    if (line_.size() + piece.size() > limits_.max_line_bytes) {
      return fail_with(Error(ErrorCode::resource_exhausted, "SSE line too long",
                             "limit " + std::to_string(limits_.max_line_bytes) + " bytes, got at least " +
                                 std::to_string(line_.size() + piece.size())));
    }
    if (end == std::string_view::npos) {  // the line goes on in the next chunk
      line_.append(piece);
      break;
    }
    Status st;
    if (line_.empty()) {
      st = process_line(piece);
    } else {
      line_.append(piece);
      st = process_line(line_);
      line_.clear();
    }
    if (!st) return fail_with(st.error());
    pos = end + 1;
    if (in[end] == '\r') after_cr_ = true;
  }
  return {};
}

Status SseParser::process_line(std::string_view line) {
  if (line.empty()) return dispatch();
  if (line.front() == ':') return {};  // comment
  std::string_view field = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (data_.size() + type_.size() + value.size() + 1 > limits_.max_event_bytes) {
      return fail(ErrorCode::resource_exhausted, "SSE event too large",
                  "limit " + std::to_string(limits_.max_event_bytes) + " bytes, got " +
                      std::to_string(data_.size() + type_.size() + value.size() + 1));
    }
    data_.append(value);
    data_.push_back('\n');
    event_pending_ = true;
  } else if (field == "event") {
    if (data_.size() + value.size() > limits_.max_event_bytes) {
      return fail(ErrorCode::resource_exhausted, "SSE event too large",
                  "event type of " + std::to_string(value.size()) + " bytes");
    }
    type_.assign(value);
    event_pending_ = true;
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_event_id_.assign(value);
  } else if (field == "retry") {
    // Only all-digit values count; overflow is ignored like other bad values.
    if (all_ascii_digits(value) && value.size() <= 18) retry_ms_ = std::stoull(std::string(value));
  }
  return {};  // other fields are ignored, as the spec says
}

Status SseParser::dispatch() {
  event_pending_ = false;
  if (data_.empty()) {
    type_.clear();
    return {};
  }
  SseEvent event;
  data_.pop_back();  // the "\n" after the last data line
  event.data = std::move(data_);
  if (!type_.empty()) event.type = std::move(type_);
  event.last_event_id = last_event_id_;
  data_.clear();
  type_.clear();
  return on_event_(event);
}

Status SseParser::finish() {
  if (failed_) return std::unexpected(*failed_);
  std::size_t discarded = line_.size() + data_.size();
  bool truncated = !line_.empty() || event_pending_ || (start_ && bom_seen_ > 0);
  line_.clear();
  data_.clear();
  type_.clear();
  event_pending_ = false;
  if (truncated) {
    return fail(ErrorCode::unavailable, "stream truncated: it ended inside an SSE event",
                std::to_string(discarded) + " bytes of an unfinished event discarded");
  }
  return {};
}

}  // namespace verinfer
