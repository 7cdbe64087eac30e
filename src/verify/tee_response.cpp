// Verification of signed TEE gateway responses (PROTOCOL.md section 2.1).
// Every check runs and is reported; the signature is checked over the
// reported hashes, so a report also says whether the gateway signed what it
// claims even when the content was changed afterwards.
#include "verinfer/verify/tee_response.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "verify/internal/field_problems.hpp"
#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

// The tee_* fields a response carries, decoded.
struct Reported {
  Hash32 request_hash;
  Hash32 output_hash;
  Hash32 tee_id;
  std::uint64_t timestamp = 0;
  Bytes signature;
};

// Reads and decodes the tee_* fields; every problem is listed in the check.
std::optional<Reported> read_reported(const Json& response, VerificationReport& report) {
  std::vector<std::string> problems;
  Reported out;
  auto text_field = [&](std::string_view name) -> const std::string* {
    const Json* v = response.find(name);
    if (v == nullptr || !v->is_string()) {
      problems.push_back(std::string(name) + (v == nullptr ? " missing" : " is not a string"));
      return nullptr;
    }
    return &v->as_string();
  };
  auto hash_field = [&](std::string_view name, Hash32& into) {
    if (const std::string* text = text_field(name)) {
      auto parsed = Hash32::from_hex(*text);
      if (parsed) {
        into = *parsed;
      } else {
        problems.push_back(std::string(name) + " is not 32 bytes of hex: " + parsed.error().detail);
      }
    }
  };
  if (!response.is_object()) {
    problems.push_back("response is not a JSON object");
  } else {
    hash_field("tee_request_hash", out.request_hash);
    hash_field("tee_output_hash", out.output_hash);
    hash_field("tee_id", out.tee_id);
    if (const std::string* sig = text_field("tee_signature")) {
      auto decoded = from_base64(*sig);
      if (decoded) {
        out.signature = std::move(*decoded);
      } else {
        problems.push_back("tee_signature is not base64: " + decoded.error().message);
      }
    }
    const Json* ts = response.find("tee_timestamp");
    auto seconds = ts != nullptr ? ts->get_uint64() : std::nullopt;
    if (seconds) {
      out.timestamp = *seconds;
    } else {
      problems.push_back(ts == nullptr ? "tee_timestamp missing"
                                       : "tee_timestamp is not a non-negative integer: " + ts->dump());
    }
  }
  if (!internal::report_field_problems(report, tee_checks::kFields, problems,
                                       "tee_signature, tee_request_hash, tee_output_hash, tee_timestamp, tee_id")) {
    return std::nullopt;
  }
  return out;
}

void check_equal(VerificationReport& report, std::string_view name, std::string reason,
                 const Hash32& expected, const Hash32& actual, ErrorCode code = ErrorCode::verification_failed) {
  if (expected == actual) {
    report.pass(std::string(name), expected.hex(), actual.hex());
  } else {
    report.fail(std::string(name), code, std::move(reason), expected.hex(), actual.hex());
  }
}

void check_time(VerificationReport& report, std::uint64_t timestamp, const TeeResponsePolicy& policy) {
  const std::string name(tee_checks::kTimestamp);
  const std::string actual = std::to_string(timestamp);
  auto non_negative = [](std::int64_t v) { return static_cast<std::uint64_t>(std::max<std::int64_t>(v, 0)); };
  const std::uint64_t now = non_negative(policy.now);
  const std::uint64_t skew = non_negative(policy.max_future_skew_seconds);
  if (timestamp > now && timestamp - now > skew) {
    report.fail(name, ErrorCode::expired, "timestamp is in the future",
                "at most now + " + std::to_string(skew) + " s = " + std::to_string(now + skew), actual);
    return;
  }
  if (policy.max_age_seconds) {
    const std::uint64_t max_age = non_negative(*policy.max_age_seconds);
    if (now > timestamp && now - timestamp > max_age) {
      report.fail(name, ErrorCode::expired, "response is too old",
                  "at least now - " + std::to_string(max_age) + " s = " + std::to_string(now - max_age),
                  actual);
      return;
    }
  }
  report.pass(name, "within policy at " + std::to_string(now), actual);
}

struct Evaluation {
  VerificationReport report;
  TeeResponse value;
};

// Runs all checks on a response whose signed output text is `output` (or an
// error saying why it could not be extracted).
Result<Evaluation> evaluate(const Json& request, const Json& response, const Result<std::string>& output,
                            const RsaPublicKey& key, const TeeResponsePolicy& policy) {
  auto canonical = canonical_request_bytes(request, policy.canonical);
  if (!canonical) return std::unexpected(canonical.error());

  Evaluation ev;
  VerificationReport& report = ev.report;
  auto reported = read_reported(response, report);
  if (!reported) return ev;

  TeeResponse& v = ev.value;
  v.canonical_request = std::move(*canonical);
  v.request_hash = keccak256(std::string_view(v.canonical_request));
  v.tee_id = tee_id_of(key);
  v.timestamp = reported->timestamp;
  v.signature = reported->signature;
  v.response = response;

  check_equal(report, tee_checks::kTeeId, "tee_id_mismatch: tee_id is not the signing key's",
              v.tee_id, reported->tee_id);
  if (policy.expected_tee_id) {
    check_equal(report, tee_checks::kExpectedTeeId, "signing key is not the pinned TEE",
                *policy.expected_tee_id, v.tee_id, ErrorCode::untrusted);
  }
  check_equal(report, tee_checks::kRequestHash,
              "request_hash_mismatch: the gateway signed a different request than the one given",
              v.request_hash, reported->request_hash);
  if (output) {
    v.output_text = *output;
    v.output_hash = keccak256(std::string_view(v.output_text));
    check_equal(report, tee_checks::kOutputHash,
                "output_hash_mismatch: the response content is not what was signed", v.output_hash,
                reported->output_hash);
  } else {
    report.fail(std::string(tee_checks::kOutputHash), ErrorCode::verification_failed,
                "output_hash_mismatch: no signed output in the response: " + output.error().to_string(),
                reported->output_hash.hex(), "");
  }
  // Over the reported values: when the hash checks pass they are the recomputed ones.
  v.msg_hash = tee_msg_hash(reported->request_hash, reported->output_hash, reported->timestamp);
  auto signature = verify_rsa_pss_sha256(key, v.msg_hash, reported->signature, policy.salt);
  if (signature) {
    report.pass(std::string(tee_checks::kSignature), "RSA-PSS by " + v.tee_id.hex(), "valid");
  } else {
    report.fail(std::string(tee_checks::kSignature), ErrorCode::verification_failed,
                "signature_invalid: " + signature.error().message +
                    (signature.error().detail.empty() ? "" : " (" + signature.error().detail + ")"),
                "RSA-PSS by " + v.tee_id.hex() + " over msg_hash " + v.msg_hash.hex(), "invalid");
  }
  check_time(report, reported->timestamp, policy);
  return ev;
}

Result<Verified<TeeResponse>> to_verified(Result<Evaluation> ev) {
  if (!ev) return std::unexpected(ev.error());
  if (!ev->report.ok()) return std::unexpected(ev->report.to_error());
  return make_verified(std::move(ev->value), std::move(ev->report));
}

Result<Evaluation> evaluate_stream(const Json& request, std::string_view sse_body,
                                   const RsaPublicKey& key, const TeeResponsePolicy& policy) {
  auto stream = parse_tee_stream(sse_body);
  if (!stream) {
    // Still an unusable request is the caller's problem, not the stream's.
    if (auto canonical = canonical_request_bytes(request, policy.canonical); !canonical) {
      return std::unexpected(canonical.error());
    }
    Evaluation ev;
    ev.report.fail(std::string(tee_checks::kStream), stream.error().code,
                   "malformed stream: " + stream.error().message, "an SSE transcript",
                   stream.error().detail);
    return ev;
  }
  Evaluation ev;
  ev.report.pass(std::string(tee_checks::kStream));
  auto rest = evaluate(request, stream->final_event, stream->output_text, key, policy);
  if (!rest) return rest;
  ev.report.merge(rest->report);
  ev.value = std::move(rest->value);
  return ev;
}

// ---- output extraction -----------------------------------------------------

Result<std::string> content_text(const Json& content) {
  if (content.is_string()) return content.as_string();
  if (!content.is_array()) return std::string();
  // Providers such as Gemini answer with a list of parts; the text is joined.
  std::string out;
  for (const Json& part : content.as_array()) {
    const Json* text = part.find("text");
    if (part.is_string()) {
      out += part.as_string();
    } else if (part.is_object() && (text == nullptr || text->is_string())) {
      if (text != nullptr) out += text->as_string();
    } else {
      return fail(ErrorCode::parse_error, "content part cannot be turned into text", part.dump());
    }
  }
  return out;
}

const Json* first_choice(const Json& response) {
  const Json* choices = response.find("choices");
  if (choices == nullptr || !choices->is_array() || choices->as_array().empty()) return nullptr;
  const Json& first = choices->as_array().front();
  return first.is_object() ? &first : nullptr;
}

bool is_tool_call_finish(const Json& choice) {
  const Json* finish = choice.find("finish_reason");
  return finish != nullptr && *finish == Json("tool_calls");
}

// Tool calls assembled from stream deltas, by index, as the gateway buffers them.
struct StreamedToolCall {
  Json id = Json("");
  Json name = Json("");
  std::string arguments;
};

Status absorb_tool_call_deltas(const Json& calls, std::map<std::int64_t, StreamedToolCall>& into) {
  if (!calls.is_array()) return fail(ErrorCode::parse_error, "delta.tool_calls is not a list", calls.dump());
  for (const Json& call : calls.as_array()) {
    if (!call.is_object()) return fail(ErrorCode::parse_error, "tool call delta is not an object", call.dump());
    const Json* index = call.find("index");
    auto position = index == nullptr ? std::optional<std::int64_t>(0) : index->get_int64();
    if (!position) return fail(ErrorCode::parse_error, "tool call index is not an integer", index->dump());
    StreamedToolCall& slot = into[*position];
    if (const Json* id = call.find("id"); id != nullptr && id->is_string() && !id->as_string().empty()) {
      slot.id = *id;
    }
    const Json* function = call.find("function");
    if (function == nullptr || !function->is_object()) continue;
    if (const Json* name = function->find("name"); name != nullptr && name->is_string() && !name->as_string().empty()) {
      slot.name = *name;
    }
    if (const Json* args = function->find("arguments"); args != nullptr) {
      if (!args->is_string()) return fail(ErrorCode::parse_error, "tool call arguments are not a string", args->dump());
      slot.arguments += args->as_string();
    }
  }
  return {};
}

// One SSE event of a complete body: its type and its joined data lines.
struct SimpleEvent {
  std::string type;
  std::string data;
  bool has_data = false;
};

// A deliberately small splitter for complete transcripts (the incremental
// parser lives in transport/); blank lines end events, "\r\n" is accepted.
std::vector<SimpleEvent> split_sse_events(std::string_view body) {
  std::vector<SimpleEvent> events;
  SimpleEvent current;
  auto flush = [&] {
    if (current.has_data) events.push_back(std::move(current));
    current = SimpleEvent{};
  };
  while (!body.empty()) {
    std::size_t end = body.find('\n');
    std::string_view line = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.front() == ':') continue;  // comment
    std::size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
      if (current.has_data) current.data += '\n';
      current.data += value;
      current.has_data = true;
    } else if (field == "event") {
      current.type = std::string(value);
    }
  }
  flush();
  return events;
}

}  // namespace

Hash32 tee_id_of(const RsaPublicKey& key) { return keccak256(ByteView(key.spki_der())); }

Hash32 tee_msg_hash(const Hash32& request_hash, const Hash32& output_hash, std::uint64_t timestamp) noexcept {
  std::array<std::uint8_t, 96> preimage{};
  std::copy(request_hash.begin(), request_hash.end(), preimage.begin());
  std::copy(output_hash.begin(), output_hash.end(), preimage.begin() + 32);
  for (std::size_t i = 0; i < 8; ++i) {
    preimage[95 - i] = static_cast<std::uint8_t>(timestamp >> (8 * i));
  }
  return keccak256(ByteView(preimage));
}

Result<std::string> tee_output_text(const Json& response) {
  const Json* choice = first_choice(response);
  if (choice == nullptr) return fail(ErrorCode::parse_error, "response has no choices[0] object");
  if (const Json* message = choice->find("message"); message != nullptr && message->is_object()) {
    const Json* calls = message->find("tool_calls");
    if (is_tool_call_finish(*choice) && calls != nullptr && calls->is_array()) {
      return python_json_dumps(*calls);
    }
    const Json* content = message->find("content");
    return content != nullptr ? content_text(*content) : std::string();
  }
  if (const Json* text = choice->find("text"); text != nullptr && text->is_string()) {
    return text->as_string();  // completions: the gateway hashes choices[0].text
  }
  return fail(ErrorCode::parse_error, "choices[0] has neither a message nor a text");
}

Result<TeeStream> parse_tee_stream(std::string_view sse_body) {
  TeeStream out;
  std::map<std::int64_t, StreamedToolCall> tool_calls;
  bool done = false;
  bool tool_call_finish = false;
  bool any = false;
  for (const SimpleEvent& event : split_sse_events(sse_body)) {
    if (!event.type.empty() && event.type != "message") continue;  // e.g. x402-settlement
    if (done) return fail(ErrorCode::parse_error, "data after [DONE]", event.data.substr(0, 80));
    if (event.data == "[DONE]") {
      done = true;
      continue;
    }
    auto frame = parse_json(event.data);
    if (!frame) return fail(ErrorCode::parse_error, "SSE data is not JSON", frame.error().to_string());
    if (!frame->is_object()) return fail(ErrorCode::parse_error, "SSE data is not a JSON object", event.data.substr(0, 80));
    if (const Json* error = frame->find("error")) {
      return fail(ErrorCode::verification_failed, "the gateway reported an error", error->dump());
    }
    if (const Json* choice = first_choice(*frame)) {
      const Json* delta = choice->find("delta");
      if (delta == nullptr || !delta->is_object()) delta = choice->find("message");  // some gateways
      if (delta != nullptr && delta->is_object()) {
        if (const Json* content = delta->find("content"); content != nullptr && !content->is_null()) {
          auto text = content_text(*content);
          if (!text) return std::unexpected(text.error());
          out.output_text += *text;
        }
        if (const Json* calls = delta->find("tool_calls")) {
          if (auto s = absorb_tool_call_deltas(*calls, tool_calls); !s) return std::unexpected(s.error());
        }
      } else if (const Json* text = choice->find("text"); text != nullptr && text->is_string()) {
        out.output_text += text->as_string();  // a completion stream: choices[0].text pieces
      }
      tool_call_finish = is_tool_call_finish(*choice);
    }
    out.final_event = std::move(*frame);
    any = true;
  }
  if (!any) return fail(ErrorCode::parse_error, "SSE transcript has no data events");
  if (tool_call_finish && !tool_calls.empty()) {
    Json calls = Json::array();
    for (auto& [index, call] : tool_calls) {
      Json function = Json::object();
      function.set("name", call.name);
      function.set("arguments", call.arguments);
      Json entry = Json::object();
      entry.set("id", call.id);
      entry.set("type", "function");
      entry.set("function", std::move(function));
      calls.push_back(std::move(entry));
    }
    auto text = python_json_dumps(calls);
    if (!text) return std::unexpected(text.error());
    out.output_text = std::move(*text);
  }
  return out;
}

Result<VerificationReport> check_tee_response(const Json& request, const Json& response,
                                              const RsaPublicKey& key, const TeeResponsePolicy& policy) {
  auto ev = evaluate(request, response, tee_output_text(response), key, policy);
  if (!ev) return std::unexpected(ev.error());
  return std::move(ev->report);
}

Result<VerificationReport> check_tee_stream(const Json& request, std::string_view sse_body,
                                            const RsaPublicKey& key, const TeeResponsePolicy& policy) {
  auto ev = evaluate_stream(request, sse_body, key, policy);
  if (!ev) return std::unexpected(ev.error());
  return std::move(ev->report);
}

Result<Verified<TeeResponse>> verify_tee_response(const Json& request, const Json& response,
                                                  const RsaPublicKey& key, const TeeResponsePolicy& policy) {
  return to_verified(evaluate(request, response, tee_output_text(response), key, policy));
}

Result<Verified<TeeResponse>> verify_tee_stream(const Json& request, std::string_view sse_body,
                                                const RsaPublicKey& key, const TeeResponsePolicy& policy) {
  return to_verified(evaluate_stream(request, sse_body, key, policy));
}

}  // namespace verinfer
