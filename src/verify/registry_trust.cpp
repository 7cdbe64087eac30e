#include "verinfer/verify/registry_trust.hpp"

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/sha2.hpp"

namespace verinfer {

Hash32 tee_id_of(ByteView public_key_spki_der) noexcept { return keccak256(public_key_spki_der); }

Result<Verified<TeeRegistryEntry>> verify_registry_trust(const TeeRegistryEntry& entry,
                                                         const Hash32& tee_id,
                                                         const Verified<NitroAttestation>& attestation) {
  VerificationReport ignored;
  return verify_registry_trust(entry, tee_id, attestation, ignored);
}

Result<Verified<TeeRegistryEntry>> verify_registry_trust(const TeeRegistryEntry& entry,
                                                         const Hash32& tee_id,
                                                         const Verified<NitroAttestation>& attestation,
                                                         VerificationReport& out_report) {
  VerificationReport report;
  const NitroAttestation& att = attestation.value();

  std::string state = std::string(entry.enabled ? "enabled" : "disabled") +
                      (entry.active ? (*entry.active ? ", active" : ", inactive") : "");
  if (entry.enabled && entry.active.value_or(true)) {
    report.pass("registry.enabled", "enabled and active", state);
  } else {
    report.fail("registry.enabled", ErrorCode::untrusted, "TEE is not enabled and active in the registry",
                "enabled and active", state);
  }

  Hash32 derived = tee_id_of(entry.public_key);
  if (derived != tee_id) {
    report.fail("registry.tee_id", ErrorCode::verification_failed,
                "keccak256(registry public_key) is not the response's tee_id", tee_id.hex(), derived.hex());
  } else if (entry.tee_id && *entry.tee_id != tee_id) {
    report.fail("registry.tee_id", ErrorCode::verification_failed, "registry entry was read for another tee_id",
                tee_id.hex(), entry.tee_id->hex());
  } else {
    report.pass("registry.tee_id", tee_id.hex(), derived.hex());
  }

  auto bound = att.opengradient_user_data();
  auto binding = [&](const char* name, const char* what, const Bytes& der, Hash32 NitroUserData::*field) {
    Hash32 want = sha256(der);
    if (!bound) {
      report.fail(name, ErrorCode::verification_failed, "attestation does not bind the " + std::string(what) +
                  ": " + bound.error().message, want.hex(false), bound.error().detail);
    } else if ((*bound).*field != want) {
      report.fail(name, ErrorCode::verification_failed,
                  "attestation binds another " + std::string(what) + " than the registry's",
                  want.hex(false), ((*bound).*field).hex(false));
    } else {
      report.pass(name, want.hex(false), want.hex(false));
    }
  };
  binding("registry.tls_certificate", "TLS certificate", entry.tls_certificate,
          &NitroUserData::tls_certificate_sha256);
  binding("registry.signing_key", "signing key", entry.public_key, &NitroUserData::signing_key_sha256);

  auto measured = att.pcr_hash();
  if (!measured) {
    report.fail("registry.pcr_hash", ErrorCode::untrusted, "attestation lacks PCR0..2",
                entry.pcr_hash.hex(), measured.error().detail);
  } else if (*measured != entry.pcr_hash) {
    report.fail("registry.pcr_hash", ErrorCode::untrusted,
                "attested measurements are not the registered ones", entry.pcr_hash.hex(), measured->hex());
  } else {
    report.pass("registry.pcr_hash", entry.pcr_hash.hex(), measured->hex());
  }

  out_report.merge(report);
  if (!report.ok()) return std::unexpected(report.to_error());
  return make_verified(entry, std::move(report));
}

}  // namespace verinfer
