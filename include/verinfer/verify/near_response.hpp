// verinfer: verification of NEAR AI / Phala private-ml-sdk signed chats
// (PROTOCOL.md section 7). The gateway signs, with an attested secp256k1 key,
// the EIP-191 personal message
//     hex(sha256(request body bytes)) ":" hex(sha256(response body bytes))
// and serves it at GET /v1/signature/{chat_id} as
//     {"text", "signature" (0x r||s||v), "signing_address", "signing_algo": "ecdsa"}.
// Hashes are over the raw bytes as sent and received (for a stream: every SSE
// byte), so the caller passes bytes, not parsed JSON.
#pragma once

#include <string>

#include "verinfer/bytes.hpp"
#include "verinfer/json.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer {

namespace near_checks {
inline constexpr std::string_view kFields = "near_response.fields";  ///< record present, well-formed
inline constexpr std::string_view kRequestHash = "near_response.request_hash";    ///< = sha256(request bytes)
inline constexpr std::string_view kResponseHash = "near_response.response_hash";  ///< = sha256(response bytes)
inline constexpr std::string_view kSignature = "near_response.signature";  ///< recovers to signing_address
inline constexpr std::string_view kSigner = "near_response.signer";        ///< = the attested address
}  // namespace near_checks

/// The signed text for given body hashes: lower-case hex, no 0x, ':' between.
[[nodiscard]] std::string near_signed_text(const Hash32& request_sha256, const Hash32& response_sha256);

/// Checks a signature record against the two body hashes and the signer
/// address the caller trusts (from the model's attestation report). Every
/// problem, an unreadable record included, is a failed check in the report.
[[nodiscard]] VerificationReport check_near_signature(const Hash32& request_sha256,
                                                      const Hash32& response_sha256,
                                                      const Json& signature_record,
                                                      const Address& attested_signer);

/// The same from the raw request and response bytes.
[[nodiscard]] VerificationReport check_near_response(ByteView request_body,
                                                     ByteView response_body,
                                                     const Json& signature_record,
                                                     const Address& attested_signer);

}  // namespace verinfer
