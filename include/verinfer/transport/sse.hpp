// verinfer: Server-Sent Events. An incremental parser that follows the
// WHATWG HTML "event stream" interpretation rules (section 9.2.6) and
// survives any split of the stream into chunks, with bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// One dispatched event.
struct SseEvent {
  std::string type = "message";  ///< the `event:` field, "message" when absent
  std::string data;              ///< `data:` lines joined with "\n"
  std::string last_event_id;     ///< the last `id:` seen so far (it persists across events)

  friend bool operator==(const SseEvent&, const SseEvent&) = default;
};

/// Bounds that keep an SseParser's memory small whatever the stream does.
struct SseLimits {
  std::size_t max_line_bytes = 1u << 20;   ///< one line, without its terminator
  std::size_t max_event_bytes = 8u << 20;  ///< one event's data and type together
};

/// Incremental parser. Memory stays below max_line_bytes + max_event_bytes
/// whatever the stream does. Bytes are kept as they are (no UTF-8 repair):
/// whoever decodes the data (e.g. a JSON parser) checks the encoding.
class SseParser {
 public:
  /// Receives each event; an error return stops parsing and is returned by
  /// feed() (the parser then stays failed).
  using EventSink = std::function<Status(const SseEvent&)>;

  /// A parser that hands each event to `on_event`.
  explicit SseParser(EventSink on_event, SseLimits limits = {});

  /// Parses the next bytes of the stream, dispatching every event completed
  /// by them. Lines may end in "\n", "\r\n" or "\r", also when a "\r\n" pair
  /// straddles two calls. A leading UTF-8 byte-order mark is skipped.
  /// Errors: resource_exhausted when a line or event exceeds the limits; an
  /// error from the sink; after any error every later call fails the same way.
  /// @{
  [[nodiscard]] Status feed(ByteView bytes);
  [[nodiscard]] Status feed(std::string_view text) { return feed(as_bytes(text)); }
  /// @}

  /// Ends the stream. Per the spec an unfinished event is not dispatched;
  /// this reports it: unavailable "stream truncated" naming the discarded
  /// bytes when the stream stopped inside an event or a line, ok otherwise.
  [[nodiscard]] Status finish();

  /// The last `retry:` value (milliseconds), if the server sent one.
  [[nodiscard]] std::optional<std::uint64_t> retry_ms() const noexcept { return retry_ms_; }

 private:
  Status process_line(std::string_view line);
  Status dispatch();

  EventSink on_event_;
  SseLimits limits_;
  std::string line_;           // a line split across feed() calls
  std::string data_;           // data buffer, each value followed by "\n"
  std::string type_;           // event type buffer
  std::string last_event_id_;  // persists across events
  std::optional<std::uint64_t> retry_ms_;
  std::optional<Error> failed_;
  std::size_t bom_seen_ = 0;   // bytes of a leading BOM matched so far
  bool start_ = true;          // still at the very start (BOM check)
  bool after_cr_ = false;      // last byte was "\r": a following "\n" belongs to it
  bool event_pending_ = false; // a field arrived since the last dispatch
};

}  // namespace verinfer
