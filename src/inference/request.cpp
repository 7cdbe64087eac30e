#include "verinfer/inference/request.hpp"

#include <array>
#include <cmath>
#include <fmt/format.h>

namespace verinfer {
namespace {

// Providers whose prefix OpenGradient's SDKs strip ("openai/gpt-5" → "gpt-5").
// Other prefixes are part of the model's name (e.g. "Qwen/Qwen2.5-7B").
constexpr std::array<std::string_view, 5> kProviders = {"openai", "anthropic", "google", "x-ai",
                                                        "meta"};

constexpr std::size_t kMaxStopSequences = 4;

std::pair<std::string, std::string> split_model(const std::string& model) {
  auto slash = model.find('/');
  if (slash == std::string::npos) return {"", model};
  std::string prefix = model.substr(0, slash);
  for (auto p : kProviders) {
    if (prefix == p) return {prefix, model.substr(slash + 1)};
  }
  return {"", model};
}

Error invalid(std::string message, std::string detail = {}) {
  return Error{ErrorCode::invalid_argument, std::move(message), std::move(detail)};
}

std::string kind_name(Json::Kind k) {
  switch (k) {
    case Json::Kind::null: return "null";
    case Json::Kind::boolean: return "a boolean";
    case Json::Kind::integer: return "an integer";
    case Json::Kind::floating: return "a float";
    case Json::Kind::string: return "a string";
    case Json::Kind::array: return "an array";
    case Json::Kind::object: return "an object";
  }
  return "?";
}

Status expect_kind(const Json& v, Json::Kind want, const std::string& field) {
  if (v.kind() == want) return {};
  return std::unexpected(invalid(field + " has the wrong type",
                                 "expected " + kind_name(want) + ", got " + kind_name(v.kind())));
}

Status validate_tool_calls(const Json& calls, const std::string& where) {
  if (auto s = expect_kind(calls, Json::Kind::array, where + ".tool_calls"); !s) return s;
  for (std::size_t i = 0; i < calls.as_array().size(); ++i) {
    const Json& c = calls.as_array()[i];
    std::string at = fmt::format("{}.tool_calls[{}]", where, i);
    if (!c.is_object()) return std::unexpected(invalid(at + " is not an object"));
    const Json* id = c.find("id");
    if (id == nullptr || !id->is_string() || id->as_string().empty()) {
      return std::unexpected(invalid(at + " has no id", "every tool call needs a non-empty id"));
    }
    const Json* fn = c.find("function");
    const Json* name = fn ? fn->find("name") : nullptr;
    if (name == nullptr || !name->is_string() || name->as_string().empty()) {
      return std::unexpected(invalid(at + " has no function name"));
    }
    const Json* args = fn->find("arguments");
    if (args == nullptr || !args->is_string()) {
      return std::unexpected(invalid(at + ".function.arguments must be a JSON string"));
    }
  }
  return {};
}

Status validate_message(const Json& m, std::size_t index) {
  std::string at = fmt::format("messages[{}]", index);
  if (!m.is_object()) return std::unexpected(invalid(at + " is not an object"));
  const Json* role = m.find("role");
  if (role == nullptr || !role->is_string()) return std::unexpected(invalid(at + " has no role"));
  const std::string& r = role->as_string();
  const Json* content = m.find("content");
  bool has_tool_calls = m.find("tool_calls") != nullptr;
  if (r == "system" || r == "developer" || r == "tool" || r == "function") {
    if (content == nullptr || !content->is_string()) {
      return std::unexpected(invalid(at + " (" + r + ") needs string content"));
    }
  } else if (r == "user") {
    if (content == nullptr || !(content->is_string() || content->is_array())) {
      return std::unexpected(invalid(at + " (user) needs string or list content"));
    }
  } else if (r == "assistant") {
    if (content != nullptr && !content->is_string() && !content->is_null()) {
      return std::unexpected(invalid(at + " (assistant) content must be a string or null"));
    }
    if ((content == nullptr || content->is_null()) && !has_tool_calls) {
      return std::unexpected(invalid(at + " (assistant) needs content or tool_calls"));
    }
    if (has_tool_calls) {
      if (auto s = validate_tool_calls(*m.find("tool_calls"), at); !s) return s;
    }
  } else {
    return std::unexpected(invalid(at + " has an unknown role",
                                   "expected system, developer, user, assistant, tool or "
                                   "function, got \"" + r + "\""));
  }
  if (r == "tool") {
    const Json* id = m.find("tool_call_id");
    if (id == nullptr || !id->is_string() || id->as_string().empty()) {
      return std::unexpected(invalid(at + " (tool) needs a tool_call_id"));
    }
  }
  if (r == "function") {
    const Json* name = m.find("name");
    if (name == nullptr || !name->is_string()) {
      return std::unexpected(invalid(at + " (function) needs a name"));
    }
  }
  return {};
}

Status validate_common(const Json& body) {
  const Json* model = body.find("model");
  if (model == nullptr || !model->is_string() || model->as_string().empty()) {
    return std::unexpected(invalid("model is missing or empty"));
  }
  if (const Json* t = body.find("temperature")) {
    auto v = t->get_number();
    if (!v || *v < 0.0 || *v > 2.0) {
      return std::unexpected(invalid("temperature out of range",
                                     "expected a number in [0, 2], got " + t->dump()));
    }
  }
  if (const Json* n = body.find("max_tokens")) {
    auto v = n->get_int64();
    if (!v || *v <= 0) {
      return std::unexpected(invalid("max_tokens must be a positive integer", "got " + n->dump()));
    }
  }
  if (const Json* s = body.find("stop")) {
    if (s->is_array()) {
      if (s->as_array().size() > kMaxStopSequences) {
        return std::unexpected(invalid("too many stop sequences",
                                       fmt::format("at most {}, got {}", kMaxStopSequences,
                                                   s->as_array().size())));
      }
      for (const auto& e : s->as_array()) {
        if (!e.is_string() || e.as_string().empty()) {
          return std::unexpected(invalid("stop sequences must be non-empty strings"));
        }
      }
    } else if (!s->is_string()) {
      return std::unexpected(invalid("stop must be a string or an array of strings"));
    }
  }
  if (const Json* st = body.find("stream"); st && !st->is_bool()) {
    return std::unexpected(invalid("stream must be a boolean"));
  }
  return {};
}

Status validate_chat(const Json& body) {
  if (auto s = validate_common(body); !s) return s;
  const Json* messages = body.find("messages");
  if (messages == nullptr || !messages->is_array() || messages->as_array().empty()) {
    return std::unexpected(invalid("messages must be a non-empty array"));
  }
  for (std::size_t i = 0; i < messages->as_array().size(); ++i) {
    if (auto s = validate_message(messages->as_array()[i], i); !s) return s;
  }
  if (const Json* tools = body.find("tools")) {
    if (!tools->is_array()) return std::unexpected(invalid("tools must be an array"));
    for (std::size_t i = 0; i < tools->as_array().size(); ++i) {
      const Json& t = tools->as_array()[i];
      const Json* fn = t.find("function");
      const Json* name = fn ? fn->find("name") : nullptr;
      if (name == nullptr || !name->is_string() || name->as_string().empty()) {
        return std::unexpected(invalid(fmt::format("tools[{}] has no function name", i)));
      }
    }
  }
  if (const Json* rf = body.find("response_format")) {
    const Json* type = rf->find("type");
    if (type == nullptr || !type->is_string()) {
      return std::unexpected(invalid("response_format needs a type"));
    }
    const std::string& t = type->as_string();
    if (t == "json_schema") {
      const Json* js = rf->find("json_schema");
      if (js == nullptr || !js->is_object() || js->find("schema") == nullptr) {
        return std::unexpected(invalid("response_format json_schema needs json_schema.schema"));
      }
    } else if (t != "text" && t != "json_object") {
      return std::unexpected(invalid("response_format type unknown",
                                     "expected text, json_object or json_schema, got \"" + t +
                                         "\""));
    }
  }
  if (const Json* ws = body.find("web_search"); ws && !ws->is_bool()) {
    return std::unexpected(invalid("web_search must be a boolean"));
  }
  return {};
}

Status validate_completion(const Json& body) {
  if (auto s = validate_common(body); !s) return s;
  const Json* prompt = body.find("prompt");
  if (prompt == nullptr || !prompt->is_string()) {
    return std::unexpected(invalid("prompt must be a string"));
  }
  return {};
}

Json stop_json(const std::vector<std::string>& stop) {
  Json out = Json::array();
  for (const auto& s : stop) out.push_back(s);
  return out;
}

Json text_message(std::string_view role, std::string content) {
  Json m = Json::object();
  m.set("role", std::string(role));
  m.set("content", std::move(content));
  return m;
}

}  // namespace

std::string_view to_string(SettlementMode mode) noexcept {
  switch (mode) {
    case SettlementMode::private_: return "private";
    case SettlementMode::batch: return "batch";
    case SettlementMode::individual: return "individual";
  }
  return "individual";
}

Result<SettlementMode> parse_settlement_mode(std::string_view text) {
  if (text == "private") return SettlementMode::private_;
  if (text == "batch") return SettlementMode::batch;
  if (text == "individual") return SettlementMode::individual;
  return fail(ErrorCode::invalid_argument, "unknown settlement mode",
              "expected private, batch or individual, got \"" + std::string(text) + "\"");
}

std::vector<std::pair<std::string, std::string>> BuiltRequest::headers() const {
  return {{"Content-Type", "application/json"},
          {"X-SETTLEMENT-TYPE", std::string(to_string(settlement))}};
}

Result<BuiltRequest> request_from_body(RequestKind kind, Json body, SettlementMode settlement) {
  if (!body.is_object()) return std::unexpected(invalid("request body must be a JSON object"));
  auto valid = kind == RequestKind::chat ? validate_chat(body) : validate_completion(body);
  if (!valid) return std::unexpected(valid.error());
  BuiltRequest out;
  out.kind = kind;
  out.path = kind == RequestKind::chat ? "/v1/chat/completions" : "/v1/completions";
  const Json* st = body.find("stream");
  out.stream = st != nullptr && st->as_bool();
  out.settlement = settlement;
  out.body_text = body.dump();
  out.body = std::move(body);
  return out;
}

ChatRequest::ChatRequest(std::string model) : model_(std::move(model)) {}

ChatRequest& ChatRequest::system(std::string content) {
  messages_.push_back(text_message("system", std::move(content)));
  return *this;
}
ChatRequest& ChatRequest::developer(std::string content) {
  messages_.push_back(text_message("developer", std::move(content)));
  return *this;
}
ChatRequest& ChatRequest::user(std::string content) {
  messages_.push_back(text_message("user", std::move(content)));
  return *this;
}
ChatRequest& ChatRequest::user_parts(Json parts) {
  Json m = Json::object();
  m.set("role", "user");
  m.set("content", std::move(parts));
  messages_.push_back(std::move(m));
  return *this;
}
ChatRequest& ChatRequest::assistant(std::string content, std::vector<ToolCall> tool_calls) {
  Json m = Json::object();
  m.set("role", "assistant");
  m.set("content", std::move(content));
  if (!tool_calls.empty()) {
    Json calls = Json::array();
    for (auto& c : tool_calls) {
      Json fn = Json::object();
      fn.set("name", std::move(c.name));
      fn.set("arguments", std::move(c.arguments));
      Json call = Json::object();
      call.set("id", std::move(c.id));
      call.set("type", std::move(c.type));
      call.set("function", std::move(fn));
      calls.push_back(std::move(call));
    }
    m.set("tool_calls", std::move(calls));
  }
  messages_.push_back(std::move(m));
  return *this;
}
ChatRequest& ChatRequest::tool_result(std::string tool_call_id, std::string content) {
  Json m = text_message("tool", std::move(content));
  m.set("tool_call_id", std::move(tool_call_id));
  messages_.push_back(std::move(m));
  return *this;
}
ChatRequest& ChatRequest::message(Json message) {
  messages_.push_back(std::move(message));
  return *this;
}
ChatRequest& ChatRequest::max_tokens(std::uint32_t n) {
  max_tokens_ = n;
  return *this;
}
ChatRequest& ChatRequest::temperature(double t) {
  temperature_ = t;
  return *this;
}
ChatRequest& ChatRequest::stop(std::vector<std::string> sequences) {
  stop_ = std::move(sequences);
  return *this;
}
ChatRequest& ChatRequest::tools(Json tools) {
  tools_ = std::move(tools);
  return *this;
}
ChatRequest& ChatRequest::tool_choice(Json choice) {
  tool_choice_ = std::move(choice);
  return *this;
}
ChatRequest& ChatRequest::response_format(Json format) {
  response_format_ = std::move(format);
  return *this;
}
ChatRequest& ChatRequest::web_search(bool enabled) {
  web_search_ = enabled;
  return *this;
}
ChatRequest& ChatRequest::stream(bool enabled) {
  stream_ = enabled;
  return *this;
}
ChatRequest& ChatRequest::settlement(SettlementMode mode) {
  settlement_ = mode;
  return *this;
}

Result<BuiltRequest> ChatRequest::build() const {
  auto [provider, model] = split_model(model_);
  Json body = Json::object();
  body.set("model", model);
  body.set("messages", messages_);
  if (max_tokens_) body.set("max_tokens", static_cast<std::uint64_t>(*max_tokens_));
  if (temperature_) {
    if (!std::isfinite(*temperature_)) return std::unexpected(invalid("temperature is not finite"));
    body.set("temperature", *temperature_);
  }
  if (stop_) body.set("stop", stop_json(*stop_));
  if (tools_) body.set("tools", *tools_);
  if (tool_choice_) body.set("tool_choice", *tool_choice_);
  if (response_format_) body.set("response_format", *response_format_);
  if (web_search_) body.set("web_search", *web_search_);
  if (stream_) body.set("stream", true);
  auto out = request_from_body(RequestKind::chat, std::move(body), settlement_);
  if (out) out->provider = provider;
  return out;
}

CompletionRequest::CompletionRequest(std::string model, std::string prompt)
    : model_(std::move(model)), prompt_(std::move(prompt)) {}
CompletionRequest& CompletionRequest::max_tokens(std::uint32_t n) {
  max_tokens_ = n;
  return *this;
}
CompletionRequest& CompletionRequest::temperature(double t) {
  temperature_ = t;
  return *this;
}
CompletionRequest& CompletionRequest::stop(std::vector<std::string> sequences) {
  stop_ = std::move(sequences);
  return *this;
}
CompletionRequest& CompletionRequest::settlement(SettlementMode mode) {
  settlement_ = mode;
  return *this;
}
CompletionRequest& CompletionRequest::stream(bool enabled) {
  stream_ = enabled;
  return *this;
}

Result<BuiltRequest> CompletionRequest::build() const {
  auto [provider, model] = split_model(model_);
  Json body = Json::object();
  body.set("model", model);
  body.set("prompt", prompt_);
  if (max_tokens_) body.set("max_tokens", static_cast<std::uint64_t>(*max_tokens_));
  if (temperature_) {
    if (!std::isfinite(*temperature_)) return std::unexpected(invalid("temperature is not finite"));
    body.set("temperature", *temperature_);
  }
  if (stop_) body.set("stop", stop_json(*stop_));
  if (stream_) body.set("stream", true);
  auto out = request_from_body(RequestKind::completion, std::move(body), settlement_);
  if (out) out->provider = provider;
  return out;
}

}  // namespace verinfer
