// verinfer: x402 payments (v2 headers, v1 compatibility). Parse what a 402
// asks for, choose a requirement by the caller's policy, sign `exact`
// (EIP-3009) or `upto` (Permit2 witness) payloads, read the settlement answer.
// Spec: coinbase/x402 specs/transports-v2/http.md and specs/schemes/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"
#include "verinfer/transport/http.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer {

/// x402 header names: v2 (PAYMENT-*) and v1 (X-PAYMENT*).
/// @{
inline constexpr std::string_view kPaymentRequiredHeader = "PAYMENT-REQUIRED";
inline constexpr std::string_view kPaymentSignatureHeader = "PAYMENT-SIGNATURE";
inline constexpr std::string_view kPaymentResponseHeader = "PAYMENT-RESPONSE";
inline constexpr std::string_view kPaymentHeaderV1 = "X-PAYMENT";
inline constexpr std::string_view kPaymentResponseHeaderV1 = "X-PAYMENT-RESPONSE";
/// @}

/// Uniswap Permit2, the same address on every EVM chain.
inline constexpr std::string_view kPermit2Address = "0x000000000022D473030F116dDEE9F6B43aC78BA3";
/// x402's upto proxy that spends Permit2 authorisations (the `spender`).
inline constexpr std::string_view kX402UptoPermit2Proxy =
    "0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002";

/// One entry of `accepts`.
struct PaymentRequirement {
  std::string scheme;   ///< "exact" or "upto"
  std::string network;  ///< CAIP-2, e.g. "eip155:8453"
  std::uint64_t chain_id = 0;
  Address asset;
  U256 amount;          ///< v2 "amount" (v1 "maxAmountRequired")
  Address pay_to;
  std::uint64_t max_timeout_seconds = 0;
  Json extra;           ///< e.g. {name, version} of the token's EIP-712 domain
  Json raw;             ///< the entry as received, echoed back as `accepted`
};

/// A 402's payment requirements (PAYMENT-REQUIRED, or a v1 body).
struct PaymentRequired {
  int x402_version = 2;
  std::string error;
  Json resource;
  std::vector<PaymentRequirement> accepts;
  Json extensions;
};

/// Base64 JSON of any x402 header → JSON (strict base64, strict JSON).
[[nodiscard]] Result<Json> decode_x402_header(std::string_view value);
/// The v2 PAYMENT-REQUIRED header value.
[[nodiscard]] Result<PaymentRequired> parse_payment_required(std::string_view header_value);
/// A v1 402 body ({x402Version: 1, accepts: [...maxAmountRequired...]}) or a decoded v2 object.
[[nodiscard]] Result<PaymentRequired> parse_payment_required_json(const Json& object);

/// What the caller is willing to pay.
struct PaymentPolicy {
  /// A token the caller pays with, on one network ("eip155:8453").
  struct Asset {
    std::string network;
    Address asset;
  };
  std::vector<Asset> allowed_assets;  ///< empty: refuse every payment
  U256 max_amount;                    ///< per call, in the asset's base units
  std::vector<std::string> schemes = {"exact", "upto"};
};

/// The first requirement the policy accepts; otherwise payment_required with
/// the reason each one was refused (over the cap, network or asset not allowed).
[[nodiscard]] Result<PaymentRequirement> choose_requirement(const PaymentRequired& required,
                                                            const PaymentPolicy& policy);

/// How sign_payment() fills in what the requirement leaves open.
struct PaymentOptions {
  std::uint64_t now = 0;            ///< Unix seconds (injected)
  std::optional<Hash32> nonce;      ///< default: 32 random bytes
  std::uint64_t valid_before_slack = 0;  ///< extra seconds beyond maxTimeoutSeconds
  std::string upto_spender = std::string(kX402UptoPermit2Proxy);
};

/// A signed payment, ready to send.
struct SignedPayment {
  Json payload;            ///< {x402Version, resource?, accepted, payload}
  std::string header_name; ///< PAYMENT-SIGNATURE (v2) or X-PAYMENT (v1)
  std::string header_value;
  Address payer;
  U256 max_amount;         ///< the most this authorisation lets anyone take
  Hash32 digest;           ///< the EIP-712 digest that was signed
};

/// Signs the payment `chosen` (one of `required.accepts`) with `key`:
/// EIP-3009 TransferWithAuthorization (exact) or a Permit2 witness transfer
/// (upto), valid from `options.now` for the requirement's maxTimeoutSeconds.
[[nodiscard]] Result<SignedPayment> sign_payment(const PaymentRequired& required,
                                                 const PaymentRequirement& chosen,
                                                 const PrivateKey& key,
                                                 const PaymentOptions& options);

/// The EIP-712 typed data a payment payload's signature covers.
[[nodiscard]] Result<Json> payment_typed_data(const Json& payment_payload);

/// Checks a payment payload: the signature recovers to the payer, the amount
/// and recipient match `accepted`, and the time window holds at `now`.
[[nodiscard]] VerificationReport verify_payment(const Json& payment_payload, std::uint64_t now);

/// The facilitator's answer about a payment (PAYMENT-RESPONSE).
struct PaymentResponse {
  bool success = false;
  std::string transaction;  ///< 0x tx hash (empty on failure)
  std::string network;
  std::string payer;
  std::string error_reason;
  Json raw;
};

/// PAYMENT-RESPONSE / X-PAYMENT-RESPONSE header value.
/// @{
[[nodiscard]] Result<PaymentResponse> parse_payment_response(std::string_view header_value);
[[nodiscard]] Result<PaymentResponse> parse_payment_response_json(const Json& object);
/// @}

/// What a 402 answer asks for: the v2 PAYMENT-REQUIRED header, else a v1 body.
[[nodiscard]] Result<PaymentRequired> payment_required_of(const HttpResponse& answer);

/// One request sent with x402: the final answer and, when the server asked
/// for payment, what was signed and what the server said about settling it.
struct PaidExchange {
  HttpResponse response;
  std::optional<PaymentRequirement> requirement;  ///< the one chosen and paid
  std::optional<SignedPayment> payment;           ///< the one payment made (never two)
  std::optional<PaymentResponse> settlement;      ///< PAYMENT-RESPONSE or X-PAYMENT-RESPONSE
};

/// Sends `request`; on a 402 pays once by `policy` (v2 PAYMENT-SIGNATURE or
/// v1 X-PAYMENT) and sends it again, at most once. A paid request answered
/// 402 again is payment_required with the reason: the settlement's
/// errorReason, the server's stated error, or the requirements that changed
/// (expected vs got). Without `payer`, a 402 is payment_required. With `sink`,
/// a 2xx body streams to it (HttpClient::send_streaming). Every failure once
/// the paid request was handed to `http` has `Error::payment` =
/// may_have_been_sent; any earlier one, none.
[[nodiscard]] Result<PaidExchange> send_with_payment(const HttpClient& http, HttpRequest request,
                                                     const PrivateKey* payer,
                                                     const PaymentPolicy& policy,
                                                     const PaymentOptions& options,
                                                     const BodySink* sink = nullptr);

/// "eip155:8453" → 8453; x402 v1 network names too ("base-sepolia" → 84532).
[[nodiscard]] Result<std::uint64_t> chain_id_of(std::string_view network);

}  // namespace verinfer
