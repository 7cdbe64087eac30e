// verinfer: reads an OpenAI-compatible chat-completion stream (SSE) as the
// TEE gateway sends it (PROTOCOL.md section 2, "Streaming"): JSON deltas,
// `data: [DONE]`, `{"error": ...}` frames and `event: x402-settlement` frames.
// A text-completion stream reads the same way: its chunks carry each piece in
// choices[0].text instead of choices[0].delta.content.
// It accumulates the answer and keeps the final event, whose tee_* fields the
// verification layer checks once the stream has ended.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"
#include "verinfer/transport/sse.hpp"

namespace verinfer {

/// An `event: x402-settlement` frame.
struct X402SettlementFrame {
  bool success = false;
  std::string payment_response;  ///< base64 PAYMENT-RESPONSE payload, as sent
};

/// What a complete stream said.
struct ChatStreamResult {
  std::string role;           ///< from the first delta that names one
  std::string content;        ///< every delta's content (or completion text), concatenated
  /// Tool calls merged by `index` in index order, each
  /// {"id","type","function":{"name","arguments"}}; arguments concatenated.
  Json tool_calls = Json::array();
  std::string finish_reason;  ///< choices[0].finish_reason of the final event
  /// The last JSON chunk before [DONE] that has a non-null finish_reason or
  /// a `tee_signature`: it carries tee_*, usage and the model.
  Json final_event;
  std::vector<X402SettlementFrame> settlements;
  std::size_t chunks = 0;  ///< JSON chunks read
};

/// Bounds on what a ChatStreamReader accepts.
struct ChatStreamLimits {
  SseLimits sse;
  std::size_t max_content_bytes = 16u << 20;  ///< content plus tool-call text
  std::size_t max_tool_calls = 128;
};

/// Feed it the response body as it arrives; call finish() at the end.
/// Not thread-safe; one reader per stream.
class ChatStreamReader {
 public:
  /// Called with each piece of content as it arrives (e.g. to print tokens).
  using ContentSink = std::function<void(std::string_view)>;

  /// A reader with these limits; `on_content` (optional) sees each piece of content.
  explicit ChatStreamReader(ChatStreamLimits limits = {}, ContentSink on_content = {});
  ChatStreamReader(ChatStreamReader&&) noexcept;
  ChatStreamReader& operator=(ChatStreamReader&&) noexcept;
  ~ChatStreamReader();

  /// Parses more of the body. Errors (the reader then stays failed):
  /// unavailable "stream error frame" for `{"error": ...}` (detail: the
  /// server's message); parse_error for a chunk that is not the expected
  /// JSON or for chat data after [DONE]; resource_exhausted past the limits.
  /// @{
  [[nodiscard]] Status feed(ByteView bytes);
  [[nodiscard]] Status feed(std::string_view text) { return feed(as_bytes(text)); }
  /// @}

  /// Ends the stream. Errors: unavailable "stream truncated" when the body
  /// stopped inside an event, before `data: [DONE]`, or without a final
  /// event; any earlier feed() error.
  [[nodiscard]] Result<ChatStreamResult> finish();

  /// Whether `data: [DONE]` has been seen. Settlement frames may still
  /// follow it, so callers read the body to its end all the same.
  [[nodiscard]] bool done() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace verinfer
