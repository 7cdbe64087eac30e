#include "cli/serve_openai.hpp"

namespace verinfer::cli {
namespace {

Json checks_json(const VerificationReport& report) {
  Json checks = Json::array();
  for (const Check& c : report.checks()) {
    Json item = Json::object();
    item.set("name", c.name);
    item.set("passed", c.passed);
    checks.push_back(std::move(item));
  }
  return checks;
}

Json chunk(const ChunkMeta& meta, Json delta, Json finish_reason) {
  const bool completion = meta.kind == RequestKind::completion;
  Json choice = Json::object();
  choice.set("index", 0);
  if (completion) {
    // OpenAI streams completions in the buffered text_completion shape, the
    // piece in choices[0].text (openai-python types/completion.py).
    const Json* text = delta.find("content");
    choice.set("text", text != nullptr ? *text : Json(""));
    choice.set("logprobs", nullptr);
  } else {
    choice.set("delta", std::move(delta));
  }
  choice.set("finish_reason", std::move(finish_reason));
  Json choices = Json::array();
  choices.push_back(std::move(choice));
  Json out = Json::object();
  out.set("id", meta.id);
  out.set("object", completion ? "text_completion" : "chat.completion.chunk");
  out.set("created", meta.created);
  out.set("model", meta.model);
  out.set("choices", std::move(choices));
  return out;
}

}  // namespace

ApiError api_error(int status, std::string type, std::string message, std::string code) {
  std::string summary = message;
  return ApiError{status, std::move(type), std::move(code), std::move(message), std::move(summary),
                  {}, false};
}

namespace {

// The answer to a failure, whether or not a payment was sent.
ApiError classify_failure(const Error& error) {
  if (error.report) {
    if (const Check* failed = error.report->first_failure()) {
      ApiError out = api_error(502, "verification_failed",
                               "the answer failed verification: " + failed->name + ": " +
                                   failed->reason,
                               failed->name);
      out.report = error.report;
      return out;
    }
  }
  std::string text = error.message + (error.detail.empty() ? "" : " (" + error.detail + ")");
  // Details may quote the gateway's answer (and so the prompt): logs get the message only.
  auto summarised = [&](ApiError e) {
    e.summary = error.message;
    return e;
  };
  switch (error.code) {
    case ErrorCode::invalid_argument: return summarised(api_error(400, "invalid_request_error", text));
    case ErrorCode::payment_required: return summarised(api_error(402, "payment_required", text));
    case ErrorCode::unavailable:
    case ErrorCode::deadline_exceeded:
    case ErrorCode::cancelled: return summarised(api_error(503, "upstream_unavailable", text));
    case ErrorCode::verification_failed:
    case ErrorCode::untrusted:
    case ErrorCode::expired:
      return summarised(api_error(502, "verification_failed", "the answer failed verification: " + text,
                       std::string(to_string(error.code))));
    case ErrorCode::parse_error:
    case ErrorCode::resource_exhausted:
      // The gateway's answer could not be read, so it cannot be verified.
      return summarised(api_error(502, "upstream_error", "unusable answer from the gateway: " + text));
    case ErrorCode::internal: break;
  }
  return summarised(api_error(500, "internal_error", text));
}

}  // namespace

ApiError classify(const Error& error) {
  ApiError out = classify_failure(error);
  if (error.payment == PaymentState::none) return out;
  out.payment_may_have_been_made = true;
  // A rejected answer names its check; a refused payment stays 402.
  if (out.report || error.code == ErrorCode::payment_required) return out;
  // The answer was lost or unusable after paying: not "retry later" (503).
  ApiError paid = api_error(502, "upstream_error",
                            "the call failed after its payment was sent, so the payment may have "
                            "been made (the call is not retried on another TEE): " + out.message,
                            "payment_may_have_been_made");
  paid.summary = "failed after its payment was sent: " + out.summary;
  paid.payment_may_have_been_made = true;
  return paid;
}

Json error_body(const ApiError& error) {
  Json inner = Json::object();
  inner.set("message", error.message);
  inner.set("type", error.type);
  inner.set("param", nullptr);
  inner.set("code", error.code.empty() ? Json(nullptr) : Json(error.code));
  inner.set("payment_may_have_been_made", error.payment_may_have_been_made);
  Json out = Json::object();
  out.set("error", std::move(inner));
  if (error.report) {
    Json v = Json::object();
    v.set("verified", false);
    v.set("failed_check", error.code);
    v.set("checks", checks_json(*error.report));
    out.set("verinfer_verification", std::move(v));
  }
  return out;
}

std::string reason_of(const ApiError& error) {
  return error.report && !error.code.empty() ? error.code : error.type;
}

Json verification_json(const VerifiedResult& result) {
  const CallResult& r = result.value();
  Json v = Json::object();
  v.set("verified", true);
  v.set("tee_id", r.tee_id.hex());
  v.set("request_hash", r.request_hash.hex());
  v.set("output_hash", r.output_hash.hex());
  v.set("timestamp", r.tee_timestamp);
  v.set("checks", checks_json(result.report()));
  Json settlement = Json::object();
  settlement.set("type", r.settlement.type);
  settlement.set("tx_hash", r.settlement.tx_hash);
  settlement.set("blob_id", r.settlement.blob_id);
  settlement.set("job_id", r.settlement.job_id);
  v.set("settlement", std::move(settlement));
  if (r.stated_cost) {
    Json cost = Json::object();
    cost.set("opg", r.stated_cost->opg);
    cost.set("usd", r.stated_cost->usd);
    v.set("stated_cost", std::move(cost));
  }
  if (r.payment) {
    Json payment = Json::object();
    payment.set("success", r.payment->success);
    payment.set("transaction", r.payment->transaction);
    payment.set("network", r.payment->network);
    payment.set("payer", r.payment->payer);
    payment.set("authorized_amount",
                r.authorized_amount ? Json(r.authorized_amount->to_decimal()) : Json(nullptr));
    v.set("payment", std::move(payment));
  }
  return v;
}

std::string sse_event(const Json& data) { return "data: " + data.dump() + "\n\n"; }

Json content_chunk(const ChunkMeta& meta, std::string_view delta, bool first) {
  Json d = Json::object();
  if (first) d.set("role", "assistant");
  d.set("content", delta);
  return chunk(meta, std::move(d), nullptr);
}

std::string verified_stream_tail(const ChunkMeta& meta, const VerifiedResult& result,
                                 bool role_sent) {
  const CallResult& r = result.value();
  std::string out;
  if (!r.tool_calls.empty()) {
    Json calls = Json::array();
    for (std::size_t i = 0; i < r.tool_calls.size(); ++i) {
      const ToolCall& t = r.tool_calls[i];
      Json fn = Json::object();
      fn.set("name", t.name);
      fn.set("arguments", t.arguments);
      Json call = Json::object();
      call.set("index", static_cast<std::uint64_t>(i));
      call.set("id", t.id);
      call.set("type", t.type.empty() ? std::string("function") : t.type);
      call.set("function", std::move(fn));
      calls.push_back(std::move(call));
    }
    Json d = Json::object();
    if (!role_sent) d.set("role", "assistant");
    d.set("tool_calls", std::move(calls));
    out += sse_event(chunk(meta, std::move(d), nullptr));
    role_sent = true;
  }
  Json d = Json::object();
  if (!role_sent) d.set("role", "assistant");
  std::string finish = r.finish_reason.empty() ? std::string("stop") : r.finish_reason;
  Json last = chunk(meta, std::move(d), finish);
  if (const Json* usage = r.response.find("usage"); usage && usage->is_object()) {
    last.set("usage", *usage);
  }
  last.set("verinfer_verification", verification_json(result));
  out += sse_event(last);
  return out;
}

std::string replay_stream(const ChunkMeta& meta, const std::vector<std::string>& deltas,
                          const VerifiedResult& result) {
  std::string out;
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    out += sse_event(content_chunk(meta, deltas[i], i == 0));
  }
  out += verified_stream_tail(meta, result, !deltas.empty());
  out += kSseDone;
  return out;
}

void strip_provider_prefix(Json& body) {
  const Json* model = body.find("model");
  if (model == nullptr || !model->is_string()) return;  // validation reports it
  const std::string& name = model->as_string();
  auto slash = name.find('/');
  if (slash == std::string::npos || slash + 1 == name.size()) return;
  body.set("model", name.substr(slash + 1));
}

}  // namespace verinfer::cli
