// The front door: inference, then verification, then settlement information.
#include "verinfer/client.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/rsa_pss.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/transport/chat_stream.hpp"
#include "verinfer/settle/rpc.hpp"
#include "verinfer/settle/settlement.hpp"
#include "verinfer/verify/nitro.hpp"
#include "verinfer/verify/registry_trust.hpp"
#include "verinfer/verify/tee_response.hpp"
#include "private_route.hpp"

namespace verinfer {
namespace {

std::int64_t system_clock_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Bytes to_body(std::string_view text) { return Bytes(text.begin(), text.end()); }

std::string header_or_empty(const HttpHeaders& h, std::string_view name) {
  const std::string* v = h.find(name);
  return v ? *v : std::string();
}

// A plain decimal number ("12", "0.0125"), as the cost headers carry.
bool is_decimal_number(std::string_view text) {
  if (text.empty() || text.size() > 80) return false;
  const std::size_t dot = text.find('.');
  const auto digits = [](std::string_view part) {
    return !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return dot == std::string_view::npos ? digits(text) : digits(text.substr(0, dot)) && digits(text.substr(dot + 1));
}

std::optional<StatedCost> stated_cost_of(const HttpHeaders& h) {
  StatedCost cost{header_or_empty(h, "X-Inference-Cost-OPG"), header_or_empty(h, "X-Inference-Cost-USD")};
  if (!is_decimal_number(cost.opg) || !(cost.usd.empty() || is_decimal_number(cost.usd))) return std::nullopt;
  return cost;
}

Error http_status_error(const HttpResponse& r, std::string_view what) {
  std::string body(r.text().substr(0, 300));
  ErrorCode code = r.status >= 500 ? ErrorCode::unavailable
                   : r.status == 402 ? ErrorCode::payment_required
                                     : ErrorCode::invalid_argument;
  return Error{code, std::string(what) + " answered HTTP " + std::to_string(r.status), body, {}};
}

// A 200 of another media type (a proxy's HTML error page, say) is not the
// answer, and saying so beats a JSON or SSE error about its bytes. A missing
// Content-Type is let through; the body's parser decides then.
Status check_media_type(const HttpResponse& r, std::string_view want, std::string_view what) {
  const std::string* v = r.headers.find("Content-Type");
  if (v == nullptr || v->starts_with(want)) return {};
  return fail(ErrorCode::parse_error, std::string(what) + " answered 200 with another content type",
              "expected " + std::string(want) + ", got " + v->substr(0, 100));
}

// OpenAI tool calls [{id, type, function: {name, arguments}}] as ToolCalls.
std::vector<ToolCall> tool_calls_of(const Json& calls) {
  auto text_of = [](const Json* j, std::string_view k) {
    const Json* v = j ? j->find(k) : nullptr;
    return v && v->is_string() ? v->as_string() : std::string();
  };
  std::vector<ToolCall> out;
  for (const Json& c : calls.as_array()) {
    const Json* fn = c.find("function");
    out.push_back(ToolCall{text_of(&c, "id"), text_of(fn, "name"), text_of(fn, "arguments"),
                           text_of(&c, "type")});
  }
  return out;
}

// A payment that was made for this call, with what it paid for.
struct PaidCall {
  SignedPayment payment;
  PaymentRequirement requirement;
};

// The signing key and, when the policy asks, the attestation that binds it.
struct TeeState {
  RsaPublicKey key;
  Hash32 tee_id;
  std::int64_t checked_at = 0;
  VerificationReport report;
};

}  // namespace

struct Client::Impl {
  Impl(ClientOptions o, HttpClient h) : options(std::move(o)), http(std::move(h)) {}

  ClientOptions options;
  HttpClient http;
  std::optional<NitroVerifier> nitro;
  std::optional<RpcClient> rpc;  // the settlement chain, for registry and receipts
  std::optional<HttpClient> relay_http;  // private_relay: the gateway's TLS pins do not apply
  std::optional<client_internal::PrivateRoute> private_route;  // set for the OHTTP routes
  PaymentPolicy payment;
  mutable std::mutex mu;
  mutable std::optional<TeeState> tee;

  std::int64_t now() const { return options.clock(); }
  std::string url(std::string_view path) const { return options.profile.gateway_url + std::string(path); }

  Result<HttpResponse> get(std::string_view path) const {
    HttpRequest req;
    req.url = url(path);
    return http.send(req);
  }

  // Fetches the signing key and verifies the attestation with a fresh nonce;
  // the result is reused until it is attestation_max_age old.
  Result<TeeState> tee_state() const {
    std::lock_guard lock(mu);
    const auto& trust = options.trust;
    if (tee && now() - tee->checked_at < trust.attestation_max_age_seconds) return *tee;

    auto key_answer = get("/signing-key");
    if (!key_answer) return std::unexpected(key_answer.error());
    if (key_answer->status != 200) return std::unexpected(http_status_error(*key_answer, "/signing-key"));
    auto key_json = parse_json(key_answer->text());
    if (!key_json) return std::unexpected(key_json.error());
    const Json* pem = key_json->find("public_key");
    if (pem == nullptr || !pem->is_string()) {
      return fail(ErrorCode::parse_error, "/signing-key has no public_key");
    }
    auto key = RsaPublicKey::from_pem(pem->as_string());
    if (!key) return std::unexpected(key.error());
    TeeState state{*key, tee_id_of(*key), now(), {}};
    if (trust.pinned_tee_id) {
      if (state.tee_id == *trust.pinned_tee_id) {
        state.report.pass("client.pinned_tee_id", trust.pinned_tee_id->hex(), state.tee_id.hex());
      } else {
        state.report.fail("client.pinned_tee_id", ErrorCode::untrusted,
                          "the gateway's signing key is not the pinned TEE",
                          trust.pinned_tee_id->hex(), state.tee_id.hex());
      }
    }
    if (trust.attestation) {
      if (auto s = attest(state); !s) return std::unexpected(s.error());
    } else if (trust.registry) {
      state.report.fail("registry.trust", ErrorCode::untrusted,
                        "the registry check needs trust.attestation (it compares attested values)");
    }
    // Only a TEE that passed is remembered: a failure is retried on the next call.
    if (state.report.ok() || state.report.checks().empty()) tee = state;
    return state;
  }

  // The gateway answered with another key than the one checked (it restarted
  // or rotated): forget ours and check the new one before verifying.
  Result<TeeState> tee_state_for(const Json& response, TeeState state) const {
    const Json* id = response.find("tee_id");
    if (id == nullptr || !id->is_string()) return state;
    auto answered = Hash32::from_hex(id->as_string());
    if (!answered || *answered == state.tee_id) return state;
    {
      std::lock_guard lock(mu);
      tee.reset();
    }
    return tee_state();
  }

  Status attest(TeeState& state) const {
    auto fresh = random_bytes(20);
    if (!fresh) return std::unexpected(fresh.error());
    const Bytes& nonce = *fresh;
    auto answer = get("/enclave/attestation?nonce=" + to_hex(nonce, false));
    if (!answer) return std::unexpected(answer.error());
    if (answer->status != 200) return std::unexpected(http_status_error(*answer, "/enclave/attestation"));
    std::string_view text = answer->text();
    std::string document(text);
    if (!text.empty() && text.front() == '{') {
      // Some gateways wrap the document in JSON.
      auto j = parse_json(text);
      if (!j) return std::unexpected(j.error());
      for (auto field : {"attestation_document", "attestation", "document"}) {
        if (const Json* d = j->find(field); d && d->is_string()) document = d->as_string();
      }
    }
    auto cose = decode_nitro_base64(document);
    if (!cose) {
      state.report.fail("attestation.document", ErrorCode::verification_failed,
                        cose.error().to_string());
      return {};
    }
    NitroPolicy policy;
    policy.nonce = nonce;
    policy.max_age = std::chrono::seconds(options.trust.attestation_max_age_seconds);
    policy.pcr_hash = options.trust.pcr_hash ? options.trust.pcr_hash : options.profile.pcr_hash;
    policy.signing_key_sha256 = sha256(state.key.spki_der());
    auto at = std::chrono::sys_seconds(std::chrono::seconds(now()));
    auto attested = nitro->verify(*cose, at, policy, state.report);  // the report holds every check
    if (options.trust.registry) check_registry(state, attested);
    return {};
  }

  // The TEE is registered and active with the attested key, TLS certificate
  // and PCRs (OpenGradient's registry trust model).
  void check_registry(TeeState& state, const Result<Verified<NitroAttestation>>& attested) const {
    auto entry = read_registry_tee(*rpc, options.profile.tee_registry, state.tee_id);
    if (!entry) {
      // Fail closed either way, but say whether the registry said no or could not be read.
      const bool absent = entry.error().code == ErrorCode::untrusted;
      state.report.fail("registry.registered", ErrorCode::untrusted, entry.error().to_string(), "registered",
                        absent ? "not registered" : "registry entry unreadable");
      return;
    }
    state.report.pass("registry.registered", state.tee_id.hex(), state.tee_id.hex());
    auto active = read_registry_tee_active(*rpc, options.profile.tee_registry, state.tee_id);
    if (active) entry->active = *active;
    if (!attested) {
      state.report.fail("registry.trust", ErrorCode::untrusted,
                        "the registry entry can only be checked against a verified attestation");
      return;
    }
    (void)verify_registry_trust(*entry, state.tee_id, *attested, state.report);
  }

  // Sends the request, paying once if the server asks; never pays twice.
  Result<HttpResponse> send(const BuiltRequest& built, const BodySink* sink,
                            std::optional<PaidCall>& paid) const {
    HttpRequest req;
    req.method = "POST";
    req.url = url(built.path);
    for (const auto& [k, v] : built.headers()) req.headers.add(k, v);
    req.body = to_body(built.body_text);
    return send_request(std::move(req), sink, paid);
  }

  Result<HttpResponse> send_request(HttpRequest req, const BodySink* sink,
                                    std::optional<PaidCall>& paid) const {
    PaymentOptions popts;
    popts.now = static_cast<std::uint64_t>(now());
    auto exchange = send_with_payment(http, std::move(req), options.payer ? &*options.payer : nullptr,
                                      payment, popts, sink);
    if (!exchange) return std::unexpected(exchange.error());
    if (exchange->payment) paid = PaidCall{*exchange->payment, *exchange->requirement};
    return std::move(exchange->response);
  }

  Result<VerifiedResult> finish(const BuiltRequest& built, const TeeState& state,
                                const HttpResponse& answer, const Json& response,
                                Result<VerificationReport> checked,
                                const std::optional<PaidCall>& paid, CallResult result) const {
    VerificationReport report = state.report;
    if (!checked) return std::unexpected(checked.error());
    report.merge(*checked);
    result.response = response;
    result.tee_id = state.tee_id;
    if (paid) result.authorized_amount = paid->payment.max_amount;
    auto hash_field = [&](std::string_view key) {
      const Json* v = response.find(key);
      return v && v->is_string() ? Hash32::from_hex(v->as_string()).value_or(Hash32{}) : Hash32{};
    };
    result.request_hash = hash_field("tee_request_hash");
    result.output_hash = hash_field("tee_output_hash");
    if (const Json* ts = response.find("tee_timestamp")) result.tee_timestamp = ts->get_uint64().value_or(0);
    const HttpHeaders& h = answer.headers;
    result.stated_cost = stated_cost_of(h);
    std::string payment_header = header_or_empty(h, kPaymentResponseHeader);
    if (payment_header.empty()) payment_header = header_or_empty(h, kPaymentResponseHeaderV1);
    if (!payment_header.empty()) {
      auto pr = parse_payment_response(payment_header);
      if (!pr) return std::unexpected(pr.error());
      result.payment = *pr;
      if (paid) {
        if (pr->success) {
          report.pass("payment.settled", "success", pr->transaction);
        } else {
          report.fail("payment.settled", ErrorCode::payment_required, "the payment did not settle",
                      "success", pr->error_reason);
        }
      }
    }
    result.settlement = SettlementInfo{header_or_empty(h, "X-Settlement-Type"),
                                       header_or_empty(h, "X-Settlement-Tx-Hash"),
                                       header_or_empty(h, "X-Settlement-Walrus-Blob-ID"),
                                       header_or_empty(h, "X-Settlement-Job-ID")};
    if (!result.settlement.type.empty() && result.settlement.type != to_string(built.settlement)) {
      report.fail("settlement.mode", ErrorCode::verification_failed,
                  "the gateway settled the call in another mode",
                  std::string(to_string(built.settlement)), result.settlement.type);
    }
    if (options.trust.settlement) check_settlement(built, response, result, paid, report);
    if (!report.ok()) return std::unexpected(report.to_error());
    return make_verified(std::move(result), std::move(report));
  }

  Result<TransactionReceipt> receipt(const std::string& tx_hex) const {
    auto tx = Hash32::from_hex(tx_hex);
    if (!tx) return std::unexpected(tx.error());
    auto r = rpc->transaction_receipt(*tx);
    if (!r) return std::unexpected(r.error());
    if (!*r) return fail(ErrorCode::verification_failed, "no receipt for the transaction", tx_hex);
    return **r;
  }

  // On chain: the payment really moved at most what was authorised to payTo,
  // and (individual mode) the call's settlement event matches it field by field.
  void check_settlement(const BuiltRequest& built, const Json& response, const CallResult& result,
                        const std::optional<PaidCall>& paid, VerificationReport& report) const {
    if (paid && result.payment && result.payment->success) {
      auto r = receipt(result.payment->transaction);
      if (!r) {
        report.fail("x402.receipt", ErrorCode::verification_failed, r.error().to_string());
      } else {
        X402Expectation expected{paid->requirement.asset, paid->payment.payer,
                                 paid->requirement.pay_to, paid->payment.max_amount, {}};
        report.merge(check_x402_receipt(*r, expected));
        report.merge(check_receipt_on_chain(*rpc, *r, {"x402.block", "x402.confirmations", "x402.logs"}));
      }
    } else if (paid) {
      report.fail("x402.receipt", ErrorCode::verification_failed, "no settled payment to check");
    }
    if (built.settlement == SettlementMode::private_) return;
    if (built.settlement == SettlementMode::batch) {
      report.fail("settlement.batch", ErrorCode::untrusted,
                  "batch settlement is posted later; check it once the batch is settled",
                  "settled batch", "job " + result.settlement.job_id);
      return;
    }
    if (result.settlement.tx_hash.empty()) {
      report.fail("settlement.posted", ErrorCode::verification_failed,
                  "the gateway named no settlement transaction", "a transaction hash", "none");
      return;
    }
    const Json* sig = response.find("tee_signature");
    auto signature = sig && sig->is_string() ? from_base64(sig->as_string()) : Result<Bytes>(Bytes{});
    SettlementLeaf leaf{result.tee_id, result.request_hash, result.output_hash,
                        signature.value_or(Bytes{}), U256(result.tee_timestamp)};
    auto r = receipt(result.settlement.tx_hash);
    if (!r) {
      report.fail("settlement.receipt", ErrorCode::verification_failed, r.error().to_string());
      return;
    }
    report.merge(check_individual_settlement_receipt(*r, leaf, options.profile.settlement_relay));
    report.merge(check_receipt_on_chain(*rpc, *r, kSettlementReceiptChecks));
  }

  TeeResponsePolicy response_policy(const TeeState& state) const {
    TeeResponsePolicy p;
    p.now = now();
    p.max_age_seconds = options.trust.max_response_age_seconds;
    p.expected_tee_id = state.tee_id;
    return p;
  }

  // The direct route, or the body sealed to the TEE over a private route
  // (whose checks join the TEE's report). `sent` says when a request that
  // pays has left.
  Result<HttpResponse> transmit(const BuiltRequest& built, TeeState& state, const BodySink* sink,
                                std::optional<PaidCall>& paid, PaymentState& sent) const {
    // A TEE that already failed a check (pin, attestation, registry) gets
    // neither the request nor a payment.
    if (state.report.first_failure() != nullptr) return std::unexpected(state.report.to_error());
    auto answer = private_route
                      ? private_route->exchange(built, state.tee_id, state.key, state.report, sink,
                                                [&](HttpRequest req, const BodySink* s) {
                                                  return send_request(std::move(req), s, paid);
                                                },
                                                sent)
                      : send(built, sink, paid);
    if (paid) sent = PaymentState::may_have_been_sent;
    return answer;
  }

  // Every failure after a request that pays has left says the money may have
  // moved (failures of the paid request itself say so already).
  template <class Attempt>
  static Result<VerifiedResult> noting_payment(const Attempt& attempt) {
    PaymentState sent = PaymentState::none;
    auto result = attempt(sent);
    if (!result && sent != PaymentState::none) result.error().payment = sent;
    return result;
  }

  Result<VerifiedResult> call(const BuiltRequest& built) const {
    return noting_payment([&](PaymentState& sent) { return call_once(built, sent); });
  }

  Result<VerifiedResult> call_stream(const BuiltRequest& built,
                                     const std::function<void(std::string_view)>& on_delta) const {
    return noting_payment([&](PaymentState& sent) { return call_stream_once(built, on_delta, sent); });
  }

  Result<VerifiedResult> call_once(const BuiltRequest& built, PaymentState& sent) const {
    auto state = tee_state();
    if (!state) return std::unexpected(state.error());
    std::optional<PaidCall> paid;
    auto answer = transmit(built, *state, nullptr, paid, sent);
    if (!answer) return std::unexpected(answer.error());
    if (answer->status != 200) return std::unexpected(http_status_error(*answer, built.path));
    if (!private_route) {  // a private route's answer is the sealed one's, checked there
      if (auto ok = check_media_type(*answer, "application/json", built.path); !ok) return std::unexpected(ok.error());
    }
    auto response = parse_json(answer->text());
    if (!response) return std::unexpected(response.error());
    state = tee_state_for(*response, *state);
    if (!state) return std::unexpected(state.error());
    auto checked = check_tee_response(built.body, *response, state->key, response_policy(*state));
    CallResult result;
    if (auto text = tee_output_text(*response)) result.content = *text;
    if (const Json* choices = response->find("choices"); choices && choices->is_array() &&
                                                          !choices->as_array().empty()) {
      const Json& c0 = choices->as_array().front();
      if (const Json* fr = c0.find("finish_reason"); fr && fr->is_string()) result.finish_reason = fr->as_string();
      const Json* msg = c0.find("message");
      const Json* calls = msg ? msg->find("tool_calls") : nullptr;
      if (calls && calls->is_array()) {
        result.content = msg->find("content") && msg->find("content")->is_string()
                             ? msg->find("content")->as_string() : std::string();
        result.tool_calls = tool_calls_of(*calls);
      }
    }
    return finish(built, *state, *answer, *response, std::move(checked), paid, std::move(result));
  }

  Result<VerifiedResult> call_stream_once(const BuiltRequest& built,
                                          const std::function<void(std::string_view)>& on_delta,
                                          PaymentState& sent) const {
    auto state = tee_state();
    if (!state) return std::unexpected(state.error());
    std::string body;  // the whole SSE transcript, bounded by max_response_bytes
    ChatStreamReader reader({}, [&](std::string_view delta) {
      if (on_delta) on_delta(delta);
    });
    Status stream_status;
    BodySink sink = [&](ByteView chunk) {
      body.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
      if (stream_status) stream_status = reader.feed(chunk);
      return static_cast<bool>(stream_status);
    };
    std::optional<PaidCall> paid;
    auto answer = transmit(built, *state, &sink, paid, sent);
    if (!answer) return std::unexpected(answer.error());
    if (answer->status != 200) return std::unexpected(http_status_error(*answer, built.path));
    if (!private_route) {
      if (auto ok = check_media_type(*answer, "text/event-stream", built.path); !ok) return std::unexpected(ok.error());
    }
    if (!stream_status) return std::unexpected(stream_status.error());
    auto streamed = reader.finish();
    if (!streamed) return std::unexpected(streamed.error());
    state = tee_state_for(streamed->final_event, *state);
    if (!state) return std::unexpected(state.error());
    auto checked = check_tee_stream(built.body, body, state->key, response_policy(*state));
    CallResult result;
    result.content = streamed->content;
    result.finish_reason = streamed->finish_reason;
    result.tool_calls = tool_calls_of(streamed->tool_calls);
    return finish(built, *state, *answer, streamed->final_event, std::move(checked), paid,
                  std::move(result));
  }
};

Result<Client> Client::create(ClientOptions options) {
  if (options.profile.gateway_url.empty()) {
    return fail(ErrorCode::invalid_argument, "the profile has no gateway URL", options.profile.name);
  }
  if (!options.clock) options.clock = system_clock_seconds;
  if (options.http.tls.ca_file.empty()) options.http.tls.ca_file = options.profile.tls_ca_file;
  auto http = HttpClient::create(options.http);
  if (!http) return std::unexpected(http.error());
  auto impl = std::make_shared<Impl>(std::move(options), std::move(*http));
  const Profile& profile = impl->options.profile;
  if (profile.attestation_root_pem.empty()) {
    impl->nitro.emplace();
  } else {
    auto v = NitroVerifier::with_root_pem(profile.attestation_root_pem);
    if (!v) return std::unexpected(v.error());
    impl->nitro.emplace(std::move(*v));
  }
  const bool registry_config = impl->options.route != Route::direct &&
                               impl->options.private_route.config_source == OhttpConfigSource::registry;
  if (impl->options.trust.registry || impl->options.trust.settlement || registry_config) {
    if (profile.rpc_url.empty()) {
      return fail(ErrorCode::invalid_argument, "registry and settlement checks need the profile's rpc_url");
    }
    RpcOptions rpc_options;
    rpc_options.expected_chain_id = profile.chain_id;
    // A slow node is bounded by the call's own timeout.
    rpc_options.timeout = std::min(rpc_options.timeout, impl->options.http.timeout);
    auto rpc = RpcClient::create(profile.rpc_url, rpc_options);
    if (!rpc) return std::unexpected(rpc.error());
    impl->rpc.emplace(std::move(*rpc));
  }
  if (impl->options.route != Route::direct) {
    HttpClientOptions relay_options = impl->options.http;
    relay_options.tls.pinned_cert_sha256.clear();
    relay_options.tls.pinned_spki_sha256.clear();
    relay_options.tls.pin_replaces_ca = false;
    auto relay_http = HttpClient::create(std::move(relay_options));
    if (!relay_http) return std::unexpected(relay_http.error());
    impl->relay_http.emplace(std::move(*relay_http));
    impl->private_route.emplace(impl->options, impl->http, *impl->relay_http,
                                impl->rpc ? &*impl->rpc : nullptr);
  }
  if (impl->options.payment) {
    impl->payment = *impl->options.payment;
  } else {
    impl->payment.allowed_assets = profile.payment_assets;
    impl->payment.max_amount = profile.max_payment;
  }
  return Client(std::move(impl));
}

Result<VerifiedResult> Client::chat(const ChatRequest& request) const {
  auto built = request.build();
  if (!built) return std::unexpected(built.error());
  if (built->stream) {
    return fail(ErrorCode::invalid_argument, "stream(true) requests go through chat_stream()");
  }
  return impl_->call(*built);
}

Result<VerifiedResult> Client::chat_stream(
    const ChatRequest& request, const std::function<void(std::string_view)>& on_delta) const {
  auto built = ChatRequest(request).stream(true).build();
  if (!built) return std::unexpected(built.error());
  return impl_->call_stream(*built, on_delta);
}

Result<VerifiedResult> Client::completion(const CompletionRequest& request) const {
  auto built = request.build();
  if (!built) return std::unexpected(built.error());
  if (built->stream) {
    return fail(ErrorCode::invalid_argument, "stream(true) requests go through completion_stream()");
  }
  return impl_->call(*built);
}

Result<VerifiedResult> Client::completion_stream(
    const CompletionRequest& request, const std::function<void(std::string_view)>& on_delta) const {
  auto built = CompletionRequest(request).stream(true).build();
  if (!built) return std::unexpected(built.error());
  return impl_->call_stream(*built, on_delta);
}

Result<VerifiedResult> Client::call(const BuiltRequest& request) const {
  if (request.stream) return fail(ErrorCode::invalid_argument, "streamed requests go through call_stream()");
  return impl_->call(request);
}

Result<VerifiedResult> Client::call_stream(
    const BuiltRequest& request, const std::function<void(std::string_view)>& on_delta) const {
  if (!request.stream) {
    return fail(ErrorCode::invalid_argument, "call_stream() takes a request with stream: true");
  }
  return impl_->call_stream(request, on_delta);
}

Result<CallResult> Client::chat_unverified(const ChatRequest& request) const {
  auto built = request.build();
  if (!built) return std::unexpected(built.error());
  std::optional<PaidCall> paid;
  auto answer = impl_->send(*built, nullptr, paid);
  if (!answer) return std::unexpected(answer.error());
  auto failed = [&](Error e) {
    if (paid) e.payment = PaymentState::may_have_been_sent;
    return std::unexpected(std::move(e));
  };
  if (answer->status != 200) return failed(http_status_error(*answer, built->path));
  auto response = parse_json(answer->text());
  if (!response) return failed(response.error());
  CallResult result;
  if (auto text = tee_output_text(*response)) result.content = *text;
  result.response = std::move(*response);
  if (paid) result.authorized_amount = paid->payment.max_amount;
  return result;
}

const ClientOptions& Client::options() const noexcept { return impl_->options; }

}  // namespace verinfer
