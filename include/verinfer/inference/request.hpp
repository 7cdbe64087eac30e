// verinfer: request builders for OpenAI-compatible chat and completion calls
// with OpenGradient's extras. A built request holds the exact JSON body that
// is sent; the verification layer hashes that same object, so what is sent
// and what is verified cannot drift.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer {

/// How the call is settled on chain (header X-SETTLEMENT-TYPE).
enum class SettlementMode {
  private_,    ///< "private": nothing settled on chain
  batch,       ///< "batch": a Merkle root over many calls
  individual,  ///< "individual": one event per call
};

/// The header value: "private", "batch" or "individual".
[[nodiscard]] std::string_view to_string(SettlementMode mode) noexcept;
/// The mode of a header value (invalid_argument for anything else).
[[nodiscard]] Result<SettlementMode> parse_settlement_mode(std::string_view text);

/// Which endpoint a request is for.
enum class RequestKind { chat, completion };

/// A function call the model asked for (or, in a request, one it made earlier).
struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  ///< JSON text, as OpenAI sends it
  std::string type = "function";
};

/// A request ready to send: path, body (the one source of truth) and headers.
struct BuiltRequest {
  RequestKind kind = RequestKind::chat;
  std::string path;          ///< "/v1/chat/completions" or "/v1/completions"
  Json body;                 ///< exactly what is sent and what is hashed
  std::string body_text;     ///< body.dump(), computed once
  bool stream = false;
  SettlementMode settlement = SettlementMode::individual;
  std::string provider;      ///< "openai" of "openai/gpt-5"; empty if none given
  /// Headers the gateway needs (Content-Type, X-SETTLEMENT-TYPE).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> headers() const;
};

/// Builder for POST /v1/chat/completions. Setters record; build() validates.
class ChatRequest {
 public:
  /// `model` may carry a provider prefix ("openai/gpt-5"); it is stripped
  /// before sending, as OpenGradient's SDKs do.
  explicit ChatRequest(std::string model);

  /// Appends a message of that role with text content.
  /// @{
  ChatRequest& system(std::string content);
  ChatRequest& developer(std::string content);
  ChatRequest& user(std::string content);
  /// @}
  /// A user message whose content is a list of parts (text, image_url, file).
  ChatRequest& user_parts(Json parts);
  /// An earlier answer of the model, with the tool calls it made.
  ChatRequest& assistant(std::string content, std::vector<ToolCall> tool_calls = {});
  /// The result of the tool call `tool_call_id` (role "tool").
  ChatRequest& tool_result(std::string tool_call_id, std::string content);
  /// Any message object, taken as is (validated by build()).
  ChatRequest& message(Json message);

  /// Sampling limits, as in OpenAI's API: max_tokens, temperature (hashed
  /// as a float, default 0.0), stop sequences.
  /// @{
  ChatRequest& max_tokens(std::uint32_t n);
  ChatRequest& temperature(double t);
  ChatRequest& stop(std::vector<std::string> sequences);
  /// @}
  /// OpenAI tool definitions: an array of {"type":"function","function":{...}}.
  ChatRequest& tools(Json tools);
  /// "auto", "none", "required" or {"type":"function","function":{"name":...}};
  /// not part of the signed request hash.
  ChatRequest& tool_choice(Json choice);
  /// {"type": "text" | "json_object" | "json_schema", "json_schema": {...}}.
  ChatRequest& response_format(Json format);
  /// Lets the gateway search the web (OpenGradient extension; hashed).
  ChatRequest& web_search(bool enabled);
  /// Asks for an SSE stream (Client::chat_stream sets it itself).
  ChatRequest& stream(bool enabled);
  /// How the call is settled (default individual).
  ChatRequest& settlement(SettlementMode mode);

  /// Validates and builds; errors name the offending field and value.
  [[nodiscard]] Result<BuiltRequest> build() const;

 private:
  std::string model_;
  Json messages_ = Json::array();
  std::optional<std::uint32_t> max_tokens_;
  std::optional<double> temperature_;
  std::optional<std::vector<std::string>> stop_;
  std::optional<Json> tools_;
  std::optional<Json> tool_choice_;
  std::optional<Json> response_format_;
  std::optional<bool> web_search_;
  bool stream_ = false;
  SettlementMode settlement_ = SettlementMode::individual;
};

/// Builder for POST /v1/completions.
class CompletionRequest {
 public:
  /// `model` as for ChatRequest; `prompt` is the text to complete.
  explicit CompletionRequest(std::string model, std::string prompt);
  /// As for ChatRequest.
  /// @{
  CompletionRequest& max_tokens(std::uint32_t n);
  CompletionRequest& temperature(double t);
  CompletionRequest& stop(std::vector<std::string> sequences);
  CompletionRequest& settlement(SettlementMode mode);
  /// @}
  /// Asks for an SSE stream (Client::completion_stream sets it itself).
  CompletionRequest& stream(bool enabled);
  /// Validates and builds; errors name the offending field and value.
  [[nodiscard]] Result<BuiltRequest> build() const;

 private:
  std::string model_;
  std::string prompt_;
  std::optional<std::uint32_t> max_tokens_;
  std::optional<double> temperature_;
  std::optional<std::vector<std::string>> stop_;
  bool stream_ = false;
  SettlementMode settlement_ = SettlementMode::individual;
};

/// Wraps an already-made request body (e.g. from an OpenAI client, as the
/// local proxy receives it) after the same validation as the builders.
[[nodiscard]] Result<BuiltRequest> request_from_body(RequestKind kind, Json body,
                                                     SettlementMode settlement);

}  // namespace verinfer
