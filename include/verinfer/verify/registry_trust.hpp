// verinfer: trusting a TEE through OpenGradient's on-chain registry
// (TEERegistry.sol, TEEInfo). Given the registry's entry for a TEE, the
// tee_id a response was signed under, and that TEE's verified Nitro
// attestation, checks that all three describe the same enclave.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/verify/nitro.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer {

/// One TEEInfo record as read from the registry (decoding from chain data
/// is the settle layer's job; this is the plain value).
struct TeeRegistryEntry {
  std::optional<Hash32> tee_id;  ///< the key it was looked up by, when known
  Address owner;
  Address payment_address;
  std::string endpoint;
  Bytes public_key;              ///< the signing key, SPKI DER
  Bytes tls_certificate;         ///< the enclave's TLS certificate, DER
  Hash32 pcr_hash;               ///< keccak256(pcr0 ‖ pcr1 ‖ pcr2)
  std::uint8_t tee_type = 0;
  bool enabled = false;
  std::optional<bool> active;    ///< isTEEActive(), when it was asked
  std::uint64_t registered_at = 0;      ///< Unix seconds
  std::uint64_t last_heartbeat_at = 0;  ///< Unix seconds
};

/// Checks, each a named Check in the report:
///  registry.enabled          the entry is enabled (and active, when known)   -> untrusted
///  registry.tee_id           keccak256(public_key) == tee_id (== entry.tee_id) -> verification_failed
///  registry.tls_certificate  sha256(tls_certificate) is the one in user_data  -> verification_failed
///  registry.signing_key      sha256(public_key) is the one in user_data       -> verification_failed
///  registry.pcr_hash         entry.pcr_hash == keccak256(pcr0 ‖ pcr1 ‖ pcr2)   -> untrusted
/// user_data is OpenGradient's 68-byte form (see parse_opengradient_user_data).
/// The report receives every check, also on failure.
[[nodiscard]] Result<Verified<TeeRegistryEntry>> verify_registry_trust(
    const TeeRegistryEntry& entry, const Hash32& tee_id,
    const Verified<NitroAttestation>& attestation, VerificationReport& report);
/// The same, when the caller does not need the report of a success.
[[nodiscard]] Result<Verified<TeeRegistryEntry>> verify_registry_trust(
    const TeeRegistryEntry& entry, const Hash32& tee_id,
    const Verified<NitroAttestation>& attestation);

/// keccak256 of the SPKI DER: how OpenGradient derives a tee_id.
[[nodiscard]] Hash32 tee_id_of(ByteView public_key_spki_der) noexcept;

}  // namespace verinfer
