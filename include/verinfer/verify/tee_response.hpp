// verinfer: verification of a signed OpenGradient TEE gateway response
// (PROTOCOL.md section 2.1). Offline: bytes in, a report out, time injected.
//
//   request_hash = keccak256(canonical request)        tee_request_hash
//   output_hash  = keccak256(signed output text)       tee_output_hash
//   msg_hash     = keccak256(request_hash || output_hash || uint256_be(timestamp))
//   tee_signature = RSA-PSS(SHA-256, MGF1-SHA-256, salt 32) over msg_hash
//   tee_id       = keccak256(DER SubjectPublicKeyInfo of the signing key)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/rsa_pss.hpp"
#include "verinfer/error.hpp"
#include "verinfer/inference/canonical.hpp"
#include "verinfer/json.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer {

/// Stable check names, in the order they run (the first failure is the reason).
namespace tee_checks {
inline constexpr std::string_view kStream = "tee_response.stream";          ///< SSE transcript usable
inline constexpr std::string_view kFields = "tee_response.fields";          ///< present, well-formed
inline constexpr std::string_view kTeeId = "tee_response.tee_id";           ///< = keccak256(key SPKI)
inline constexpr std::string_view kExpectedTeeId = "tee_response.expected_tee_id";  ///< policy pin
inline constexpr std::string_view kRequestHash = "tee_response.request_hash";  ///< of the canonical request
inline constexpr std::string_view kOutputHash = "tee_response.output_hash";    ///< of the signed output
inline constexpr std::string_view kSignature = "tee_response.signature";       ///< RSA-PSS valid
inline constexpr std::string_view kTimestamp = "tee_response.timestamp";   ///< within policy window
}  // namespace tee_checks

/// What a verified response proves, with everything needed to settle it.
struct TeeResponse {
  std::string output_text;        ///< exactly the text whose hash was signed
  std::string canonical_request;  ///< exactly the bytes whose hash was signed
  Hash32 request_hash;
  Hash32 output_hash;
  Hash32 msg_hash;                ///< what the RSA-PSS signature covers
  std::uint64_t timestamp = 0;    ///< tee_timestamp, Unix seconds (enclave clock)
  Hash32 tee_id;
  Bytes signature;
  Json response;                  ///< the response object (the final event for a stream)
};

/// What verify_tee_response() accepts besides a valid signature.
struct TeeResponsePolicy {
  std::int64_t now = 0;  ///< the caller's clock, Unix seconds (never read inside)
  /// Oldest acceptable tee_timestamp relative to `now`; nullopt accepts any
  /// age (archived responses). Default 300 s, as the on-chain policy uses.
  std::optional<std::int64_t> max_age_seconds = 300;
  std::int64_t max_future_skew_seconds = 60;  ///< enclave clock ahead of ours
  /// Pin: the response must come from this TEE (failure code: untrusted).
  std::optional<Hash32> expected_tee_id;
  CanonicalRequestOptions canonical{};
  PssSaltLength salt = PssSaltLength::digest;
};

/// keccak256 of the key's DER SubjectPublicKeyInfo: the gateway's tee_id.
[[nodiscard]] Hash32 tee_id_of(const RsaPublicKey& key);

/// keccak256(request_hash || output_hash || uint256_be(timestamp)).
[[nodiscard]] Hash32 tee_msg_hash(const Hash32& request_hash, const Hash32& output_hash,
                                  std::uint64_t timestamp) noexcept;

/// The output text the gateway signed, from a buffered response:
/// choices[0].text for a completion; for chat, json.dumps(tool_calls,
/// sort_keys=True) when finish_reason is "tool_calls", else the message
/// content (text parts joined when it is a list). parse_error if the
/// response has no first choice.
[[nodiscard]] Result<std::string> tee_output_text(const Json& response);

/// The signed output and final event of an SSE transcript: delta (or message)
/// contents, or for a completion stream the choices[0].text pieces,
/// concatenated; or for a tool-call stream the assembled tool calls
/// as json.dumps(..., sort_keys=True); the final data event carries tee_*.
struct TeeStream {
  std::string output_text;
  Json final_event;
};
/// Splits a complete SSE body ("data: {...}\n\n" ... "data: [DONE]") simply;
/// parse_error for malformed frames, verification_failed for an error frame.
[[nodiscard]] Result<TeeStream> parse_tee_stream(std::string_view sse_body);

/// Runs every check and reports each one. The Result is an error only when
/// the request itself cannot be canonicalised (unusable input); a bad or
/// tampered response gives a report with failed checks.
[[nodiscard]] Result<VerificationReport> check_tee_response(const Json& request,
                                                            const Json& response,
                                                            const RsaPublicKey& key,
                                                            const TeeResponsePolicy& policy);
/// The same for a streamed response (SSE transcript as received).
[[nodiscard]] Result<VerificationReport> check_tee_stream(const Json& request,
                                                          std::string_view sse_body,
                                                          const RsaPublicKey& key,
                                                          const TeeResponsePolicy& policy);

/// Verified response, or the first failed check as the error (codes:
/// verification_failed, untrusted for a tee_id pin, expired for time).
[[nodiscard]] Result<Verified<TeeResponse>> verify_tee_response(const Json& request,
                                                               const Json& response,
                                                               const RsaPublicKey& key,
                                                               const TeeResponsePolicy& policy);
/// The same for a streamed response (SSE transcript as received).
[[nodiscard]] Result<Verified<TeeResponse>> verify_tee_stream(const Json& request,
                                                             std::string_view sse_body,
                                                             const RsaPublicKey& key,
                                                             const TeeResponsePolicy& policy);

}  // namespace verinfer
