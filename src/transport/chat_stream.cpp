// OpenAI-compatible chat and text-completion streams on top of the SSE parser
// (PROTOCOL.md §2).
#include "verinfer/transport/chat_stream.hpp"

#include <algorithm>
#include <utility>

namespace verinfer {

namespace {

constexpr std::string_view kSettlementEvent = "x402-settlement";

std::string excerpt(std::string_view text, std::size_t max = 200) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max)) + "...";
}

const Json* first_choice(const Json& chunk) {
  const Json* choices = chunk.find("choices");
  if (choices == nullptr || !choices->is_array() || choices->as_array().empty()) return nullptr;
  const Json& first = choices->as_array().front();
  return first.is_object() ? &first : nullptr;
}

}  // namespace

struct ChatStreamReader::State {
  ChatStreamLimits limits;
  ContentSink on_content;
  ChatStreamResult result;
  std::size_t text_bytes = 0;  // content plus tool-call text, against the limit
  bool done = false;
  bool have_final = false;
  SseParser parser;

  State(ChatStreamLimits l, ContentSink sink)
      : limits(l), on_content(std::move(sink)),
        parser([this](const SseEvent& e) { return on_event(e); }, l.sse) {}

  Status count_text(std::size_t n) {
    text_bytes += n;
    if (text_bytes > limits.max_content_bytes) {
      return fail(ErrorCode::resource_exhausted, "chat stream content too large",
                  "limit " + std::to_string(limits.max_content_bytes) + " bytes");
    }
    return {};
  }

  Status on_event(const SseEvent& e) {
    if (e.type == kSettlementEvent) return on_settlement(e.data);
    if (e.type != "message") return {};  // unknown event types are not ours
    if (e.data == "[DONE]") {
      if (done) return fail(ErrorCode::parse_error, "chat stream has a second [DONE]");
      done = true;
      return {};
    }
    if (done) {
      return fail(ErrorCode::parse_error, "chat stream has data after [DONE]",
                  "got " + excerpt(e.data));
    }
    auto chunk = parse_json(e.data);
    if (!chunk || !chunk->is_object()) {
      return fail(ErrorCode::parse_error, "chat stream chunk is not a JSON object",
                  chunk ? "got " + excerpt(e.data) : chunk.error().to_string());
    }
    if (const Json* err = chunk->find("error"); err != nullptr && !err->is_null()) {
      std::string message = err->dump();
      if (err->is_string()) {
        message = err->as_string();
      } else if (const Json* m = err->find("message"); m != nullptr && m->is_string()) {
        message = m->as_string();
      }
      return fail(ErrorCode::unavailable, "stream error frame from the server", message);
    }
    ++result.chunks;
    const Json* choice = first_choice(*chunk);
    if (choice != nullptr) {
      const Json* delta = choice->find("delta");
      if (delta == nullptr || !delta->is_object()) delta = choice->find("message");
      if (delta != nullptr && delta->is_object()) {
        if (auto st = on_delta(*delta); !st) return st;
      } else if (const Json* text = choice->find("text"); text != nullptr && text->is_string()) {
        // A text-completion stream: each chunk is a text_completion object
        // holding the next piece in choices[0].text.
        if (auto st = append_content(text->as_string()); !st) return st;
      }
    }
    const Json* finish = choice != nullptr ? choice->find("finish_reason") : nullptr;
    bool is_final = (finish != nullptr && !finish->is_null()) || chunk->find("tee_signature") != nullptr;
    if (is_final) {
      if (finish != nullptr && finish->is_string()) result.finish_reason = finish->as_string();
      result.final_event = std::move(*chunk);
      have_final = true;
    }
    return {};
  }

  Status append_content(const std::string& piece) {
    if (auto st = count_text(piece.size()); !st) return st;
    result.content += piece;
    if (on_content && !piece.empty()) on_content(piece);
    return {};
  }

  Status on_delta(const Json& delta) {
    if (const Json* role = delta.find("role"); role != nullptr && role->is_string() && result.role.empty()) {
      result.role = role->as_string();
    }
    if (const Json* content = delta.find("content"); content != nullptr && content->is_string()) {
      if (auto st = append_content(content->as_string()); !st) return st;
    }
    const Json* calls = delta.find("tool_calls");
    if (calls == nullptr || calls->is_null()) return {};
    if (!calls->is_array()) {
      return fail(ErrorCode::parse_error, "chat stream tool_calls is not an array",
                  "got " + excerpt(calls->dump()));
    }
    for (const Json& call : calls->as_array()) {
      if (auto st = merge_tool_call(call); !st) return st;
    }
    return {};
  }

  // OpenAI streams a call as fragments sharing an `index`; the TEE gateway
  // flushes it whole. Both end up as one entry per index.
  Status merge_tool_call(const Json& call) {
    if (!call.is_object()) {
      return fail(ErrorCode::parse_error, "chat stream tool call is not an object",
                  "got " + excerpt(call.dump()));
    }
    auto& calls = result.tool_calls.as_array();
    std::uint64_t index = calls.size();
    if (const Json* i = call.find("index"); i != nullptr) {
      auto v = i->get_uint64();
      if (!v) return fail(ErrorCode::parse_error, "chat stream tool call index is not an unsigned integer",
                          "got " + i->dump());
      index = *v;
    }
    if (index >= limits.max_tool_calls) {
      return fail(ErrorCode::resource_exhausted, "too many tool calls in chat stream",
                  "index " + std::to_string(index) + ", limit " + std::to_string(limits.max_tool_calls));
    }
    while (calls.size() <= index) {
      Json fn = Json::object();
      fn.set("name", "");
      fn.set("arguments", "");
      Json entry = Json::object();
      entry.set("id", "");
      entry.set("type", "function");
      entry.set("function", std::move(fn));
      calls.push_back(std::move(entry));
    }
    Json& entry = calls[index];
    auto append = [&](Json& target, std::string_view key, const Json* piece) -> Status {
      if (piece == nullptr || piece->is_null()) return {};
      if (!piece->is_string()) {
        return fail(ErrorCode::parse_error, "chat stream tool call field is not a string",
                    std::string(key) + " = " + excerpt(piece->dump()));
      }
      if (auto st = count_text(piece->as_string().size()); !st) return st;
      const Json* old = target.find(key);
      target.set(std::string(key), old->as_string() + piece->as_string());
      return {};
    };
    if (const Json* id = call.find("id"); id != nullptr && id->is_string() && !id->as_string().empty()) {
      entry.set("id", id->as_string());
    }
    if (const Json* type = call.find("type"); type != nullptr && type->is_string()) {
      entry.set("type", type->as_string());
    }
    if (const Json* fn = call.find("function"); fn != nullptr && fn->is_object()) {
      Json merged = *entry.find("function");
      if (auto st = append(merged, "name", fn->find("name")); !st) return st;
      if (auto st = append(merged, "arguments", fn->find("arguments")); !st) return st;
      entry.set("function", std::move(merged));
    }
    return {};
  }

  Status on_settlement(const std::string& data) {
    auto frame = parse_json(data);
    const Json* success = frame ? frame->find("success") : nullptr;
    const Json* response = frame ? frame->find("paymentResponse") : nullptr;
    if (success == nullptr || !success->is_bool() ||
        (response != nullptr && !response->is_string() && !response->is_null())) {
      return fail(ErrorCode::parse_error, "bad x402-settlement frame",
                  "expected {success: bool, paymentResponse: string}, got " + excerpt(data));
    }
    X402SettlementFrame out;
    out.success = success->as_bool();
    if (response != nullptr && response->is_string()) out.payment_response = response->as_string();
    result.settlements.push_back(std::move(out));
    return {};
  }
};

ChatStreamReader::ChatStreamReader(ChatStreamLimits limits, ContentSink on_content)
    : state_(std::make_unique<State>(limits, std::move(on_content))) {}
ChatStreamReader::ChatStreamReader(ChatStreamReader&&) noexcept = default;
ChatStreamReader& ChatStreamReader::operator=(ChatStreamReader&&) noexcept = default;
ChatStreamReader::~ChatStreamReader() = default;

Status ChatStreamReader::feed(ByteView bytes) { return state_->parser.feed(bytes); }

bool ChatStreamReader::done() const noexcept { return state_->done; }

Result<ChatStreamResult> ChatStreamReader::finish() {
  if (auto st = state_->parser.finish(); !st) return std::unexpected(st.error());
  if (!state_->done) {
    return fail(ErrorCode::unavailable, "stream truncated: no `data: [DONE]`",
                std::to_string(state_->result.chunks) + " chunks read, " +
                    std::to_string(state_->result.content.size()) + " bytes of content");
  }
  if (!state_->have_final) {
    return fail(ErrorCode::unavailable, "stream truncated: no final event",
                "expected a chunk with finish_reason or tee_signature before [DONE]");
  }
  return std::move(state_->result);
}

}  // namespace verinfer
