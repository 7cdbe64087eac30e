// verinfer: OpenGradient's binding of a TEE's Oblivious HTTP key to the
// enclave (docs/PROTOCOL.md section 8). The X25519 key is not in the Nitro
// attestation; the enclave's RSA key signs a configHash over it, which the
// registry checks on-chain before storing the config. A careful client checks
// the same signature before encapsulating anything to that key.
#pragma once

#include <cstdint>
#include <optional>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/rsa_pss.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"
#include "verinfer/transport/ohttp.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer {

/// The registry's ohttpConfig tuple (getActiveTEEs): (uint8 keyId, uint16
/// kemId, uint16 kdfId, uint16 aeadId, bytes publicKey, bytes keyConfig,
/// uint256 registeredAt). Decoding it from chain data is the settle layer's job.
struct TeeOhttpConfig {
  std::uint8_t key_id = 0;
  std::uint16_t kem_id = 0;
  std::uint16_t kdf_id = 0;
  std::uint16_t aead_id = 0;
  Bytes public_key;  ///< the 32-byte X25519 key
  Bytes key_config;  ///< RFC 9458 section 3, 41 bytes for one suite
  std::uint64_t registered_at = 0;  ///< Unix seconds
};

/// A config with the enclave's RSA-PSS signature over its configHash, as the
/// registry or the gateway's GET /v1/ohttp/config hands it out.
struct SignedOhttpConfig {
  std::optional<Hash32> tee_id;  ///< the TEE the source says it belongs to
  TeeOhttpConfig config;
  Bytes signature;
};

/// GET /v1/ohttp/config's JSON (OpenGradient's shape): {tee_id, key_id,
/// kem_id, kdf_id, aead_id, public_key (hex), key_config (base64), signature
/// (base64), signature_hash?}. Strict: a missing or mistyped field, an id out
/// of range or bad hex/base64 is parse_error. signature_hash is not trusted
/// (verify_ohttp_config recomputes it) and not read.
[[nodiscard]] Result<SignedOhttpConfig> parse_ohttp_config_json(const Json& json);

/// "OPENGRADIENT_TEE_OHTTP_CONFIG_V1", hashed with keccak256 as the domain tag.
inline constexpr std::string_view kOhttpConfigDomain = "OPENGRADIENT_TEE_OHTTP_CONFIG_V1";

/// configHash = keccak256(abi.encode(keccak256(domain), tee_id, keyId, kemId,
/// kdfId, aeadId, keccak256(publicKey), keccak256(keyConfig))): each integer
/// as a 32-byte big-endian word.
[[nodiscard]] Hash32 ohttp_config_hash(const Hash32& tee_id, const TeeOhttpConfig& config);

/// Checks, each a named Check in the report (all run, also after a failure):
///  ohttp_config.suite       (kem, kdf, aead) == (0x0020, 0x0001, 0x0003)      -> invalid_argument
///  ohttp_config.key_config  keyConfig parses strictly (RFC 9458 section 3) and
///                           repeats keyId, kemId and the suite                -> verification_failed
///  ohttp_config.public_key  keyConfig[3:35] == publicKey (32 bytes)           -> verification_failed
///  ohttp_config.signature   RSA-PSS (SHA-256, salt 32) by the TEE's signing
///                           key over configHash                               -> verification_failed
/// On success, the key config to encapsulate requests to.
[[nodiscard]] Result<Verified<OhttpKeyConfig>> verify_ohttp_config(
    const Hash32& tee_id, const TeeOhttpConfig& config, ByteView signature,
    const RsaPublicKey& tee_signing_key, VerificationReport& report);
/// The same, when the caller does not need the report of a success.
[[nodiscard]] Result<Verified<OhttpKeyConfig>> verify_ohttp_config(
    const Hash32& tee_id, const TeeOhttpConfig& config, ByteView signature,
    const RsaPublicKey& tee_signing_key);

}  // namespace verinfer
