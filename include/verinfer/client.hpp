// verinfer: the front door. One call = inference + verification + settlement,
// like OpenGradient Chat: one conversation for the user, a verified record
// for the app. A result that fails a required check is an error carrying the
// report; its answer is never handed out as verified.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/error.hpp"
#include "verinfer/inference/request.hpp"
#include "verinfer/json.hpp"
#include "verinfer/profile.hpp"
#include "verinfer/transport/http.hpp"
#include "verinfer/transport/x402.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer {

/// Which checks a call must pass to count as verified.
struct TrustPolicy {
  /// The enclave's attestation, fetched with a fresh nonce (cached per TEE
  /// until it is `attestation_max_age` old), binds the signing key and PCRs.
  bool attestation = true;
  /// The TEE is registered and active on chain, with the same key, TLS
  /// certificate and PCR hash as attested.
  bool registry = true;
  /// The payment transaction is checked on chain (success, Transfer to payTo
  /// within the authorised amount) and, in individual mode, the settlement event.
  bool settlement = false;
  std::int64_t max_response_age_seconds = 300;
  std::int64_t attestation_max_age_seconds = 300;
  std::optional<Hash32> pinned_tee_id;
  std::optional<Hash32> pcr_hash;  ///< overrides the profile's
};

/// How a call reaches the enclave.
enum class Route {
  direct,           ///< POST to the gateway; x402 paid by `payer`
  /// Sealed with Oblivious HTTP to the TEE's attested key and sent through
  /// the relay (account token; the relay pays and only ever sees ciphertext).
  private_relay,
  /// Sealed the same way, straight to the gateway's /v1/ohttp; x402 paid by `payer`.
  private_gateway,
};
/// "direct", "private_relay" or "private_gateway".
[[nodiscard]] std::string_view to_string(Route route) noexcept;
/// The inverse of to_string(Route); anything else is invalid_argument.
[[nodiscard]] Result<Route> parse_route(std::string_view text);

/// Where a private route reads the TEE's OHTTP key config from. Either way its
/// configHash signature must verify under the attested signing key.
enum class OhttpConfigSource { registry, gateway };

/// How the private routes find the TEE's key and the relay.
struct PrivateRouteOptions {
  OhttpConfigSource config_source = OhttpConfigSource::registry;
  std::string relay_url;      ///< empty: the profile's relay_url
  std::string relay_path = "/api/v1/chat/ohttp";
  std::string account_token;  ///< the relay's bearer token; empty: the profile's. Never logged.
};

/// Everything a Client needs: the network, what to trust, who pays.
struct ClientOptions {
  Profile profile;
  TrustPolicy trust;
  std::optional<PrivateKey> payer;        ///< pays x402; without it a 402 is an error
  std::optional<PaymentPolicy> payment;   ///< default: the profile's assets and cap
  HttpClientOptions http;
  Route route = Route::direct;
  PrivateRouteOptions private_route;  ///< used by the private routes
  /// Unix seconds; injected so verification never reads the wall clock itself.
  std::function<std::int64_t()> clock;
};

/// How the gateway says it settled the call (response headers).
struct SettlementInfo {
  std::string type;     ///< X-Settlement-Type
  std::string tx_hash;  ///< X-Settlement-Tx-Hash (individual mode, when known)
  std::string blob_id;  ///< X-Settlement-Walrus-Blob-ID
  std::string job_id;   ///< X-Settlement-Job-ID
};

/// The call's cost as the serving side states it in its X-Inference-Cost-OPG
/// and X-Inference-Cost-USD headers (the private relay sends them, PROTOCOL.md
/// section 8). Informational: no signature covers it; what this client paid is
/// CallResult::authorized_amount and CallResult::payment.
struct StatedCost {
  std::string opg;  ///< a decimal number, as sent
  std::string usd;  ///< a decimal number, as sent; empty when not sent
};

/// What a call returns: the answer and everything that vouches for it.
struct CallResult {
  std::string content;
  std::vector<ToolCall> tool_calls;
  std::string finish_reason;
  Json response;  ///< the gateway's response (the final event for a stream)
  Hash32 tee_id;
  Hash32 request_hash;
  Hash32 output_hash;
  std::uint64_t tee_timestamp = 0;
  std::optional<PaymentResponse> payment;
  /// The most the signed x402 payment lets anyone take (`exact`: the price,
  /// `upto`: the permitted amount); set whenever the call paid.
  std::optional<U256> authorized_amount;
  /// Set when the answer states a well-formed cost (a header that is not a
  /// decimal number is left out, not guessed at).
  std::optional<StatedCost> stated_cost;
  SettlementInfo settlement;
};

/// A CallResult that passed every required check.
using VerifiedResult = Verified<CallResult>;

/// The front door: one call is inference, payment, verification and (with
/// trust.settlement) on-chain checks. Copies share one connection pool and
/// the TEE they checked.
class Client {
 public:
  /// Checks the options and sets up HTTP and JSON-RPC clients (no call is made yet).
  [[nodiscard]] static Result<Client> create(ClientOptions options);

  /// A verified chat call. A failed required check is an Error whose
  /// `report` holds every check.
  [[nodiscard]] Result<VerifiedResult> chat(const ChatRequest& request) const;
  /// Streams content deltas to `on_delta` as they arrive; the stream's final
  /// tee_* fields are verified when it ends. Deltas are NOT verified until
  /// the returned result says so.
  [[nodiscard]] Result<VerifiedResult> chat_stream(
      const ChatRequest& request, const std::function<void(std::string_view)>& on_delta) const;
  /// A verified completion call, as chat().
  [[nodiscard]] Result<VerifiedResult> completion(const CompletionRequest& request) const;
  /// A streamed completion, as chat_stream(): `on_delta` gets each piece of
  /// text as it arrives (choices[0].text of each text_completion chunk); the
  /// final event's tee_* fields sign the request and the joined text and are
  /// verified when the stream ends. Pieces are NOT verified until the
  /// returned result says so; a truncated or tampered stream is an error.
  [[nodiscard]] Result<VerifiedResult> completion_stream(
      const CompletionRequest& request, const std::function<void(std::string_view)>& on_delta) const;

  /// A request built elsewhere, e.g. by request_from_body() from a body an
  /// OpenAI client sent to the local proxy. `stream` selects call_stream,
  /// which takes chat and completion requests alike.
  /// @{
  [[nodiscard]] Result<VerifiedResult> call(const BuiltRequest& request) const;
  [[nodiscard]] Result<VerifiedResult> call_stream(
      const BuiltRequest& request, const std::function<void(std::string_view)>& on_delta) const;
  /// @}

  /// UNVERIFIED: for plain OpenAI-compatible servers (llama.cpp, vLLM,
  /// ollama). Nothing about the answer is checked; the name says so.
  [[nodiscard]] Result<CallResult> chat_unverified(const ChatRequest& request) const;

  /// The options the client was created with.
  [[nodiscard]] const ClientOptions& options() const noexcept;

 private:
  struct Impl;
  explicit Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace verinfer
