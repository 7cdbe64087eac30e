// verinfer serve: the OpenAI-shaped bodies the proxy answers with (errors,
// the verification field, stream chunks). Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "verinfer/client.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer::cli {

/// An error as the proxy answers it: HTTP status and OpenAI's error object.
struct ApiError {
  int status = 500;
  std::string type;     ///< OpenAI-style error type, e.g. "invalid_request_error"
  std::string code;     ///< e.g. the failed check's name; empty: null
  std::string message;
  std::string summary;  ///< the message without server-supplied detail, for logs
  /// Every check of a rejected answer (names and outcomes, never content).
  std::shared_ptr<const VerificationReport> report;
  /// The call failed after its payment was sent: the money may have moved.
  bool payment_may_have_been_made = false;
};

/// Maps a failed call to its answer: a failed check is 502 naming it, a
/// refused payment 402, bad input 400, an unreachable gateway 503. Any other
/// failure after the payment was sent is 502 `payment_may_have_been_made`.
[[nodiscard]] ApiError classify(const Error& error);
[[nodiscard]] ApiError api_error(int status, std::string type, std::string message,
                                 std::string code = {});

/// {"error": {"message", "type", "param", "code"}} (+ verinfer_verification
/// with verified false and the checks, when the error carries a report).
[[nodiscard]] Json error_body(const ApiError& error);
/// The label metrics and logs use: the failed check, else the error type.
[[nodiscard]] std::string reason_of(const ApiError& error);

/// {verified, tee_id, request_hash, output_hash, timestamp, checks, ...}.
[[nodiscard]] Json verification_json(const VerifiedResult& result);

/// The fields every chunk of one stream shares.
struct ChunkMeta {
  std::string id;
  std::string model;
  std::int64_t created = 0;
  /// chat: chat.completion.chunk with a delta; completion: text_completion
  /// with the piece in choices[0].text.
  RequestKind kind = RequestKind::chat;
};

[[nodiscard]] std::string sse_event(const Json& data);
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

/// A chunk carrying one content delta (a completion's: one piece of text).
[[nodiscard]] Json content_chunk(const ChunkMeta& meta, std::string_view delta, bool first);
/// The closing events of a verified stream: tool calls (if any), then the
/// final chunk with finish_reason, usage and verinfer_verification.
[[nodiscard]] std::string verified_stream_tail(const ChunkMeta& meta, const VerifiedResult& result,
                                               bool role_sent);
/// A whole verified stream replayed from its collected deltas, with [DONE].
[[nodiscard]] std::string replay_stream(const ChunkMeta& meta, const std::vector<std::string>& deltas,
                                        const VerifiedResult& result);

/// Strips an OpenGradient provider prefix ("openai/gpt-5" → "gpt-5") as the
/// SDKs do before sending (PROTOCOL.md §2).
void strip_provider_prefix(Json& body);

}  // namespace verinfer::cli
