// Chat-completion stream reader (and the TEE stream splitter): whatever the
// chunking, the reader reaches the same answer or the same error, and the
// content it streams out is the content it reports.
#include "fuzz_support.hpp"

#include <verinfer/transport/chat_stream.hpp>
#include <verinfer/verify/tee_response.hpp>

#include <vector>

using namespace verinfer;

namespace {

struct Outcome {
  bool ok = false;
  ErrorCode code = ErrorCode::internal;
  std::string role, content, finish_reason, tool_calls, final_event;
  std::size_t settlements = 0, chunks = 0;
  std::string streamed;
};

Outcome run(ByteView body, const std::vector<std::size_t>& splits, ChatStreamLimits limits) {
  Outcome out;
  ChatStreamReader reader(limits, [&](std::string_view piece) { out.streamed += piece; });
  std::size_t pos = 0;
  bool failed = false;
  for (std::size_t i = 0; pos < body.size(); ++i) {
    std::size_t n = splits.empty() ? body.size() : splits[i % splits.size()];
    n = std::min(n, body.size() - pos);
    if (!reader.feed(body.subspan(pos, n))) {
      failed = true;
      break;
    }
    pos += n;
  }
  auto result = reader.finish();
  FUZZ_CHECK(!(failed && result));  // a failed reader stays failed
  if (!result) {
    out.code = result.error().code;
    FUZZ_CHECK(!result.error().message.empty());
    return out;
  }
  out.ok = true;
  out.role = result->role;
  out.content = result->content;
  out.finish_reason = result->finish_reason;
  out.tool_calls = result->tool_calls.dump();
  out.final_event = result->final_event.dump();
  out.settlements = result->settlements.size();
  out.chunks = result->chunks;
  FUZZ_CHECK(out.streamed == out.content);
  return out;
}

bool same(const Outcome& a, const Outcome& b) {
  if (a.ok != b.ok) return false;
  if (!a.ok) return a.code == b.code;
  return a.role == b.role && a.content == b.content && a.finish_reason == b.finish_reason &&
         a.tool_calls == b.tool_calls && a.final_event == b.final_event &&
         a.settlements == b.settlements && a.chunks == b.chunks;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t shape = in.byte();
  std::vector<std::size_t> splits;
  for (int i = 0; i < (shape & 7) + 1; ++i) splits.push_back(in.byte() % 32 + 1);
  ChatStreamLimits limits;
  if (shape & 0x80) {
    limits.max_content_bytes = 64;
    limits.max_tool_calls = 2;
  }
  const ByteView body = in.rest();

  Outcome whole = run(body, {}, limits);
  FUZZ_CHECK(same(run(body, splits, limits), whole));

  // The buffered splitter used by offline stream verification.
  const std::string_view text{reinterpret_cast<const char*>(body.data()), body.size()};
  auto tee = parse_tee_stream(text);
  if (!tee) FUZZ_CHECK(!tee.error().message.empty());
  return 0;
}
