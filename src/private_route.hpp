// Internal: the client's private routes (PROTOCOL.md section 8). The JSON
// body is sealed with OHTTP to the TEE's key (checked against the attested
// signing key first), sent through the relay or straight to the gateway's
// /v1/ohttp, and the answer opened back into the plain response the direct
// route would have given, so the client verifies both the same way.
#pragma once

#include <functional>
#include <mutex>
#include <optional>

#include "verinfer/client.hpp"
#include "verinfer/crypto/rsa_pss.hpp"
#include "verinfer/settle/rpc.hpp"
#include "verinfer/transport/ohttp.hpp"
#include "verinfer/verify/ohttp_config.hpp"

namespace verinfer::client_internal {

/// Check names, stable.
inline constexpr std::string_view kOhttpConfigTeeId = "ohttp_config.tee_id";
inline constexpr std::string_view kOhttpConfigSource = "ohttp_config.source";
inline constexpr std::string_view kOhttpResponse = "ohttp.response";
inline constexpr std::string_view kOhttpStreamComplete = "ohttp.stream_complete";

/// Sends an HTTP request, paying the x402 challenge if there is one (the
/// client's direct-route payment path, lent for the gateway route).
using PaidSend = std::function<Result<HttpResponse>(HttpRequest request, const BodySink* sink)>;

class PrivateRoute {
 public:
  /// `http` talks to the gateway (with its TLS pins), `relay_http` to the relay.
  PrivateRoute(const ClientOptions& options, const HttpClient& http, const HttpClient& relay_http,
               const RpcClient* rpc)
      : options_(options), http_(http), relay_http_(relay_http), rpc_(rpc) {}

  /// Seals `built` to the TEE and returns its answer opened: the inner status
  /// (a sealed {"status", "body"} error becomes that status and body) with the
  /// outer headers; for a stream the opened SSE bytes go to `sink` as chunks
  /// open. Refuses to seal anything while `report` holds a failed check, and
  /// adds the ohttp_config.* and ohttp.* checks to it. `relay_paid` becomes
  /// may_have_been_sent once the sealed request is handed to the relay (which
  /// pays the gateway for it).
  [[nodiscard]] Result<HttpResponse> exchange(const BuiltRequest& built, const Hash32& tee_id,
                                              const RsaPublicKey& signing_key,
                                              VerificationReport& report, const BodySink* sink,
                                              const PaidSend& paid_send,
                                              PaymentState& relay_paid) const;

 private:
  // The TEE's key config, verified against the attested key; cached per TEE.
  Result<OhttpKeyConfig> key_config(const Hash32& tee_id, const RsaPublicKey& signing_key,
                                    VerificationReport& report) const;
  Result<SignedOhttpConfig> fetch_config(const Hash32& tee_id) const;
  Result<HttpRequest> outer_request(const BuiltRequest& built, const Hash32& tee_id,
                                    Bytes wire) const;

  struct Cached {
    Hash32 tee_id;
    RsaPublicKey signing_key;
    OhttpKeyConfig config;
    VerificationReport checks;
    std::int64_t checked_at = 0;
  };
  const ClientOptions& options_;
  const HttpClient& http_;
  const HttpClient& relay_http_;
  const RpcClient* rpc_;
  mutable std::mutex mu_;
  mutable std::optional<Cached> cached_;
};

}  // namespace verinfer::client_internal
