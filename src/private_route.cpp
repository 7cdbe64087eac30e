// The client's private routes: OHTTP to the attested enclave (PROTOCOL.md section 8).
#include "private_route.hpp"

#include <algorithm>

#include "verinfer/settle/settlement.hpp"

namespace verinfer {

std::string_view to_string(Route route) noexcept {
  switch (route) {
    case Route::direct: return "direct";
    case Route::private_relay: return "private_relay";
    case Route::private_gateway: return "private_gateway";
  }
  return "direct";
}

Result<Route> parse_route(std::string_view text) {
  for (Route r : {Route::direct, Route::private_relay, Route::private_gateway}) {
    if (text == to_string(r)) return r;
  }
  return fail(ErrorCode::invalid_argument, "unknown route",
              "expected direct, private_relay or private_gateway, got " + std::string(text));
}

namespace client_internal {
namespace {

constexpr std::string_view kRequestType = "message/ohttp-req";
constexpr std::string_view kResponseType = "message/ohttp-res";
constexpr std::string_view kChunkedType = "message/ohttp-chunked-res";

bool has_media_type(const HttpResponse& r, std::string_view type) {
  const std::string* v = r.headers.find("Content-Type");
  return v != nullptr && v->starts_with(type);
}

// The opened plaintext as the direct route's answer: a sealed inner error
// {"status": int, "body": {...}} (no "choices") becomes that status and body.
HttpResponse inner_response(const HttpResponse& outer, Bytes plaintext) {
  HttpResponse inner;
  inner.headers = outer.headers;
  inner.http_version = outer.http_version;
  inner.attempts = outer.attempts;
  inner.status = 200;
  std::string_view text(reinterpret_cast<const char*>(plaintext.data()), plaintext.size());
  if (auto j = parse_json(text); j && j->is_object() && j->find("choices") == nullptr) {
    const Json* status = j->find("status");
    const Json* body = j->find("body");
    if (status != nullptr && body != nullptr && status->get_int64()) {
      inner.status = static_cast<int>(std::clamp<std::int64_t>(*status->get_int64(), 100, 599));
      std::string dumped = body->dump();
      inner.body = Bytes(dumped.begin(), dumped.end());
      return inner;
    }
  }
  inner.body = std::move(plaintext);
  return inner;
}

}  // namespace

Result<SignedOhttpConfig> PrivateRoute::fetch_config(const Hash32& tee_id) const {
  if (options_.private_route.config_source == OhttpConfigSource::registry) {
    if (rpc_ == nullptr) return fail(ErrorCode::invalid_argument, "reading the OHTTP config from the registry needs the profile's rpc_url");
    return read_registry_ohttp_config(*rpc_, options_.profile.tee_registry, tee_id);
  }
  HttpRequest req;
  req.url = options_.profile.gateway_url + "/v1/ohttp/config";
  auto answer = http_.send(req);
  if (!answer) return std::unexpected(answer.error());
  if (answer->status != 200) {
    return fail(ErrorCode::unavailable, "/v1/ohttp/config answered HTTP " + std::to_string(answer->status),
                std::string(answer->text().substr(0, 300)));
  }
  auto json = parse_json(answer->text());
  if (!json) return std::unexpected(json.error());
  return parse_ohttp_config_json(*json);
}

Result<OhttpKeyConfig> PrivateRoute::key_config(const Hash32& tee_id, const RsaPublicKey& signing_key,
                                                VerificationReport& report) const {
  const std::int64_t now = options_.clock();
  {
    std::lock_guard lock(mu_);
    if (cached_ && cached_->tee_id == tee_id && cached_->signing_key.spki_der() == signing_key.spki_der() &&
        now - cached_->checked_at < options_.trust.attestation_max_age_seconds) {
      report.merge(cached_->checks);
      return cached_->config;
    }
  }
  VerificationReport checks;
  const std::string source = options_.private_route.config_source == OhttpConfigSource::registry
                                 ? "registry getOHTTPConfig"
                                 : "gateway /v1/ohttp/config";
  auto signed_config = fetch_config(tee_id);
  if (!signed_config) {
    checks.fail(std::string(kOhttpConfigSource), signed_config.error().code,
                "no usable OHTTP config: " + signed_config.error().to_string(), source, "none");
    report.merge(checks);
    return std::unexpected(report.to_error());
  }
  checks.pass(std::string(kOhttpConfigSource), source, source);
  // A config may only be used for the TEE whose key was attested.
  const Hash32 claimed = signed_config->tee_id.value_or(tee_id);
  if (claimed == tee_id) {
    checks.pass(std::string(kOhttpConfigTeeId), tee_id.hex(), claimed.hex());
  } else {
    checks.fail(std::string(kOhttpConfigTeeId), ErrorCode::verification_failed,
                "the OHTTP config names another TEE than the attested one", tee_id.hex(), claimed.hex());
  }
  auto verified = verify_ohttp_config(tee_id, signed_config->config, signed_config->signature, signing_key, checks);
  report.merge(checks);
  if (!checks.ok() || !verified) return std::unexpected(report.to_error());
  std::lock_guard lock(mu_);
  cached_ = Cached{tee_id, signing_key, verified->value(), checks, now};
  return verified->value();
}

Result<HttpRequest> PrivateRoute::outer_request(const BuiltRequest& built, const Hash32& tee_id, Bytes wire) const {
  HttpRequest req;
  req.method = "POST";
  req.body = std::move(wire);
  // A sealed request is never replayed: the relay and the gateway would each act (and pay) twice.
  req.delivery = Delivery::at_most_once;
  req.headers.add("Content-Type", std::string(kRequestType));
  req.headers.add("Accept", std::string(built.stream ? kChunkedType : kResponseType));
  if (built.stream) req.headers.add("X-OHTTP-Stream", "true");
  req.headers.add("X-SETTLEMENT-TYPE", std::string(to_string(built.settlement)));
  if (options_.route == Route::private_gateway) {
    req.url = options_.profile.gateway_url + "/v1/ohttp";
    return req;
  }
  const auto& p = options_.private_route;
  const std::string& relay = p.relay_url.empty() ? options_.profile.relay_url : p.relay_url;
  const std::string& token = p.account_token.empty() ? options_.profile.relay_account_token : p.account_token;
  if (relay.empty()) return fail(ErrorCode::invalid_argument, "the private_relay route needs a relay URL (profile or options)");
  if (token.empty()) return fail(ErrorCode::invalid_argument, "the private_relay route needs the relay account token");
  req.url = relay + p.relay_path;
  req.headers.add("Authorization", "Bearer " + token);
  req.headers.add("X-TEE-ID", tee_id.hex());
  return req;
}

Result<HttpResponse> PrivateRoute::exchange(const BuiltRequest& built, const Hash32& tee_id,
                                            const RsaPublicKey& signing_key, VerificationReport& report,
                                            const BodySink* sink, const PaidSend& paid_send,
                                            PaymentState& relay_paid) const {
  // Nothing is sealed to a TEE that failed a check: the prompt never leaves.
  if (!report.ok()) return std::unexpected(report.to_error());
  auto config = key_config(tee_id, signing_key, report);
  if (!config) return std::unexpected(config.error());
  const std::string& text = built.body_text;
  auto sealed = ohttp_encapsulate_request(*config, ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  if (!sealed) return std::unexpected(sealed.error());
  auto req = outer_request(built, tee_id, std::move(sealed->wire));
  if (!req) return std::unexpected(req.error());
  const OhttpClientContext& context = sealed->context;
  auto send = [&](const BodySink* s) {
    if (options_.route == Route::private_gateway) return paid_send(*req, s);
    relay_paid = PaymentState::may_have_been_sent;
    return s ? relay_http_.send_streaming(*req, *s) : relay_http_.send(*req);
  };
  auto opened = [&](const HttpResponse& outer, Result<Bytes> plaintext) -> Result<HttpResponse> {
    if (!plaintext) {
      report.fail(std::string(kOhttpResponse), ErrorCode::verification_failed,
                  "the sealed response does not open: " + plaintext.error().message,
                  "an authentic response to this request", plaintext.error().detail);
      return std::unexpected(report.to_error());
    }
    report.pass(std::string(kOhttpResponse), "an authentic response to this request", "opened");
    return inner_response(outer, std::move(*plaintext));
  };

  if (!built.stream) {
    auto outer = send(nullptr);
    if (!outer) return outer;
    if (outer->status != 200) return outer;  // plaintext JSON errors (402, 400, 413, 503)
    if (!has_media_type(*outer, kResponseType)) {
      return fail(ErrorCode::verification_failed, "the private route answered without a sealed response",
                  "expected Content-Type " + std::string(kResponseType));
    }
    return opened(*outer, context.open_response(outer->body));
  }

  // Streamed: chunks open as they arrive and their SSE bytes go on to `sink`.
  // A sealed error comes back single-shot, so the raw bytes are kept too.
  auto decoder = context.chunked_response_decoder();
  if (!decoder) return std::unexpected(decoder.error());
  Bytes raw;
  Status chunk_status;
  bool downstream_open = true;
  BodySink opener = [&](ByteView bytes) {
    raw.insert(raw.end(), bytes.begin(), bytes.end());
    if (!chunk_status || !downstream_open) return true;
    auto chunks = decoder->push(bytes);
    if (!chunks) {
      chunk_status = std::unexpected(chunks.error());
      return true;
    }
    for (const Bytes& c : *chunks) {
      if (downstream_open && sink) downstream_open = (*sink)(c);
    }
    return true;
  };
  auto outer = send(&opener);
  if (!outer) return outer;
  if (outer->status != 200) return outer;
  if (has_media_type(*outer, kResponseType)) {
    auto single = opened(*outer, context.open_response(raw));
    if (single && single->status == 200 && sink) (*sink)(single->body);
    return single;
  }
  if (!has_media_type(*outer, kChunkedType)) {
    return fail(ErrorCode::verification_failed, "the private route answered without a sealed response",
                "expected Content-Type " + std::string(kChunkedType));
  }
  if (!chunk_status) return opened(*outer, std::unexpected(chunk_status.error()));
  auto final_chunk = decoder->finish();
  if (!final_chunk) {
    report.fail(std::string(kOhttpStreamComplete), ErrorCode::verification_failed,
                "the sealed stream is truncated: " + final_chunk.error().message, "a final chunk",
                std::to_string(decoder->chunks_opened()) + " chunks and no final one");
    return std::unexpected(report.to_error());
  }
  report.pass(std::string(kOhttpResponse), "an authentic response to this request", "opened");
  report.pass(std::string(kOhttpStreamComplete), "a final chunk",
              std::to_string(decoder->chunks_opened()) + " chunks and the final one");
  if (sink && downstream_open && !final_chunk->empty()) (*sink)(*final_chunk);
  HttpResponse inner = *outer;
  inner.body.clear();
  return inner;
}

}  // namespace client_internal
}  // namespace verinfer
