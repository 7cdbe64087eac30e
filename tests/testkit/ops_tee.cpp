// Testkit ops for the TEE response scheme: Python-compatible json.dumps, the
// canonical request, and the full response verifier (for differential tests
// against Python's json module and OpenGradient's SDK).
#include "testkit.hpp"
#include "verinfer/bytes.hpp"
#include "verinfer/inference/canonical.hpp"
#include "verinfer/verify/tee_response.hpp"

namespace verinfer::testkit {
namespace {

Result<Json> parsed_field(const Json& r, std::string_view key) {
  auto text = get_string(r, key);
  if (!text) return std::unexpected(text.error());
  return parse_json(*text);
}

bool flag(const Json& r, std::string_view key, bool fallback) {
  const Json* v = r.find(key);
  return v != nullptr && v->is_bool() ? v->as_bool() : fallback;
}

// {"json": TEXT} -> python json.dumps(json.loads(TEXT), sort_keys=True)
const OpRegistrar python_dumps_op{"python_json_dumps", [](const Json& r) -> Result<Json> {
  auto value = parsed_field(r, "json");
  if (!value) return std::unexpected(value.error());
  auto text = python_json_dumps(*value);
  if (!text) return std::unexpected(text.error());
  return Json(*text);
}};

// {"body": TEXT, "web_search"?: bool} -> {"canonical": TEXT, "request_hash": 0x..}
const OpRegistrar canonical_op{"canonical_request", [](const Json& r) -> Result<Json> {
  auto body = parsed_field(r, "body");
  if (!body) return std::unexpected(body.error());
  CanonicalRequestOptions options;
  options.hash_web_search = flag(r, "web_search", true);
  auto canonical = canonical_request_bytes(*body, options);
  if (!canonical) return std::unexpected(canonical.error());
  auto hash = tee_request_hash(*body, options);
  if (!hash) return std::unexpected(hash.error());
  Json out = Json::object();
  out.set("canonical", *canonical);
  out.set("request_hash", hash->hex(false));
  return out;
}};

// {"request": TEXT, "response": TEXT (JSON or SSE), "public_key": PEM, "now": int}
// -> {"verified": bool, "first_failure": name?, "reason": text?, "output_hash": hex?}
const OpRegistrar verify_op{"verify_tee_response", [](const Json& r) -> Result<Json> {
  auto request = parsed_field(r, "request");
  if (!request) return std::unexpected(request.error());
  auto response_text = get_string(r, "response");
  if (!response_text) return std::unexpected(response_text.error());
  auto pem = get_string(r, "public_key");
  if (!pem) return std::unexpected(pem.error());
  auto key = RsaPublicKey::from_pem(*pem);
  if (!key) return std::unexpected(key.error());
  auto now = get_field(r, "now");
  if (!now) return std::unexpected(now.error());
  TeeResponsePolicy policy;
  policy.now = (*now)->get_int64().value_or(0);
  bool stream = flag(r, "stream", false);
  Result<VerificationReport> report = [&]() -> Result<VerificationReport> {
    if (stream) return check_tee_stream(*request, *response_text, *key, policy);
    auto response = parse_json(*response_text);
    if (!response) return std::unexpected(response.error());
    return check_tee_response(*request, *response, *key, policy);
  }();
  if (!report) return std::unexpected(report.error());
  Json out = Json::object();
  out.set("verified", report->ok());
  if (const Check* failure = report->first_failure()) {
    out.set("first_failure", failure->name);
    out.set("reason", failure->reason);
  }
  return out;
}};

}  // namespace
}  // namespace verinfer::testkit
