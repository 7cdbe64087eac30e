// SSE parser: the events, errors and retry value must not depend on how the
// stream is split into chunks (the split comes from the input's first bytes).
#include "fuzz_support.hpp"

#include <verinfer/transport/sse.hpp>

#include <vector>

using namespace verinfer;

namespace {

struct Outcome {
  std::vector<SseEvent> events;
  bool feed_ok = true;
  ErrorCode feed_code = ErrorCode::internal;
  bool finish_ok = true;
  std::optional<std::uint64_t> retry;
};

Outcome run(ByteView stream, const std::vector<std::size_t>& splits, SseLimits limits) {
  Outcome out;
  SseParser parser(
      [&](const SseEvent& e) -> Status {
        out.events.push_back(e);
        return {};
      },
      limits);
  std::size_t pos = 0;
  for (std::size_t i = 0; pos < stream.size(); ++i) {
    std::size_t n = splits.empty() ? stream.size() : splits[i % splits.size()];
    n = std::min(n, stream.size() - pos);
    auto st = parser.feed(stream.subspan(pos, n));
    pos += n;
    if (!st) {
      out.feed_ok = false;
      out.feed_code = st.error().code;
      // A failed parser stays failed.
      FUZZ_CHECK(!parser.feed(std::string_view("data: x\n\n")));
      FUZZ_CHECK(!parser.finish());
      return out;
    }
  }
  out.finish_ok = parser.finish().has_value();
  out.retry = parser.retry_ms();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t shape = in.byte();
  std::vector<std::size_t> splits;
  for (int i = 0; i < (shape & 7) + 1; ++i) splits.push_back(in.byte() % 16 + 1);
  SseLimits limits;
  if (shape & 0x80) limits = SseLimits{.max_line_bytes = 64, .max_event_bytes = 256};
  const ByteView stream = in.rest();

  Outcome whole = run(stream, {}, limits);
  Outcome split = run(stream, splits, limits);
  Outcome bytewise = run(stream, {1}, limits);
  for (const Outcome* o : {&split, &bytewise}) {
    FUZZ_CHECK(o->events == whole.events);
    FUZZ_CHECK(o->feed_ok == whole.feed_ok);
    FUZZ_CHECK(o->feed_ok || o->feed_code == whole.feed_code);
    FUZZ_CHECK(o->finish_ok == whole.finish_ok);
    FUZZ_CHECK(o->retry == whole.retry);
  }
  for (const auto& e : whole.events) {
    FUZZ_CHECK(e.data.size() + e.type.size() <= limits.max_event_bytes);
  }
  return 0;
}
