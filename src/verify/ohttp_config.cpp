// OpenGradient's OHTTP config binding (docs/PROTOCOL.md section 8).
#include "verinfer/verify/ohttp_config.hpp"

#include <algorithm>

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/u256.hpp"

namespace verinfer {
namespace {

std::string suite_text(std::uint16_t kem, std::uint16_t kdf, std::uint16_t aead) {
  return HpkeSuite{kem, kdf, aead}.to_string();
}

void check_key_config(const TeeOhttpConfig& config, VerificationReport& report) {
  constexpr std::string_view kName = "ohttp_config.key_config";
  auto parsed = parse_ohttp_key_config(config.key_config);
  if (!parsed) {
    report.fail(std::string(kName), ErrorCode::verification_failed,
                "keyConfig is not a valid RFC 9458 key config: " + parsed.error().message,
                "one X25519 key config", parsed.error().detail);
    return;
  }
  const bool offers = std::find(parsed->algorithms.begin(), parsed->algorithms.end(),
                                OhttpAlgorithms{config.kdf_id, config.aead_id}) !=
                      parsed->algorithms.end();
  const std::string expected = "key id " + std::to_string(config.key_id) + ", " +
                               suite_text(config.kem_id, config.kdf_id, config.aead_id);
  const Bytes kem{static_cast<std::uint8_t>(parsed->kem_id >> 8),
                  static_cast<std::uint8_t>(parsed->kem_id & 0xff)};
  const std::string actual = "key id " + std::to_string(parsed->key_id) + ", kem " + to_hex(kem) +
                             (offers ? ", offers the kdf/aead pair" : ", lacks the kdf/aead pair");
  if (parsed->key_id != config.key_id || parsed->kem_id != config.kem_id || !offers) {
    report.fail(std::string(kName), ErrorCode::verification_failed,
                "keyConfig disagrees with the registered ids", expected, actual);
    return;
  }
  report.pass(std::string(kName), expected, actual);
}

void check_public_key(const TeeOhttpConfig& config, VerificationReport& report) {
  constexpr std::string_view kName = "ohttp_config.public_key";
  if (config.public_key.size() != kHpkeEncSize) {
    report.fail(std::string(kName), ErrorCode::verification_failed,
                "publicKey is not a 32-byte X25519 key", "32 bytes",
                std::to_string(config.public_key.size()) + " bytes");
    return;
  }
  if (config.key_config.size() < 3 + kHpkeEncSize) {
    report.fail(std::string(kName), ErrorCode::verification_failed,
                "keyConfig is too short to hold the public key", to_hex(config.public_key),
                std::to_string(config.key_config.size()) + " bytes of keyConfig");
    return;
  }
  const ByteView embedded = ByteView(config.key_config).subspan(3, kHpkeEncSize);
  if (!std::equal(embedded.begin(), embedded.end(), config.public_key.begin())) {
    report.fail(std::string(kName), ErrorCode::verification_failed,
                "keyConfig[3:35] is not publicKey", to_hex(config.public_key), to_hex(embedded));
    return;
  }
  report.pass(std::string(kName), to_hex(config.public_key), to_hex(embedded));
}

}  // namespace

Hash32 ohttp_config_hash(const Hash32& tee_id, const TeeOhttpConfig& config) {
  Keccak256 h;
  h.update(keccak256(kOhttpConfigDomain));
  h.update(tee_id);
  for (std::uint64_t v : {std::uint64_t{config.key_id}, std::uint64_t{config.kem_id},
                          std::uint64_t{config.kdf_id}, std::uint64_t{config.aead_id}}) {
    h.update(U256(v).to_word());
  }
  h.update(keccak256(ByteView(config.public_key)));
  h.update(keccak256(ByteView(config.key_config)));
  return h.finish();
}

Result<Verified<OhttpKeyConfig>> verify_ohttp_config(const Hash32& tee_id,
                                                     const TeeOhttpConfig& config,
                                                     ByteView signature,
                                                     const RsaPublicKey& tee_signing_key,
                                                     VerificationReport& report) {
  const std::string registered = suite_text(config.kem_id, config.kdf_id, config.aead_id);
  if (check_hpke_suite({config.kem_id, config.kdf_id, config.aead_id})) {
    report.pass("ohttp_config.suite", kHpkeX25519ChaCha20.to_string(), registered);
  } else {
    report.fail("ohttp_config.suite", ErrorCode::invalid_argument,
                "the TEE registered an unsupported HPKE suite", kHpkeX25519ChaCha20.to_string(),
                registered);
  }
  check_key_config(config, report);
  check_public_key(config, report);

  const Hash32 digest = ohttp_config_hash(tee_id, config);
  if (auto ok = verify_rsa_pss_sha256(tee_signing_key, digest, signature, PssSaltLength::digest)) {
    report.pass("ohttp_config.signature", "RSA-PSS by the TEE key over " + digest.hex(),
                "valid");
  } else {
    report.fail("ohttp_config.signature", ErrorCode::verification_failed,
                "the TEE key did not sign this OHTTP config: " + ok.error().message,
                "RSA-PSS by the TEE key over " + digest.hex(), ok.error().detail);
  }

  if (!report.ok()) return std::unexpected(report.to_error());
  auto parsed = parse_ohttp_key_config(config.key_config);
  if (!parsed) return std::unexpected(parsed.error());  // unreachable: checked above
  return make_verified(std::move(*parsed), report);
}

Result<Verified<OhttpKeyConfig>> verify_ohttp_config(const Hash32& tee_id,
                                                     const TeeOhttpConfig& config,
                                                     ByteView signature,
                                                     const RsaPublicKey& tee_signing_key) {
  VerificationReport report;
  return verify_ohttp_config(tee_id, config, signature, tee_signing_key, report);
}

}  // namespace verinfer
