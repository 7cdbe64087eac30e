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

Result<SignedOhttpConfig> parse_ohttp_config_json(const Json& json) {
  if (!json.is_object()) return fail(ErrorCode::parse_error, "OHTTP config: expected a JSON object");
  auto text = [&](std::string_view key) -> Result<std::string> {
    const Json* v = json.find(key);
    if (v == nullptr || !v->is_string()) {
      return fail(ErrorCode::parse_error, "OHTTP config: field missing or not a string", std::string(key));
    }
    return v->as_string();
  };
  auto id = [&](std::string_view key, std::uint64_t max) -> Result<std::uint16_t> {
    const Json* v = json.find(key);
    auto n = v && v->is_integer() ? v->get_uint64() : std::nullopt;
    if (!n || *n > max) {
      return fail(ErrorCode::parse_error, "OHTTP config: field missing or not an integer in range",
                  std::string(key) + " <= " + std::to_string(max));
    }
    return static_cast<std::uint16_t>(*n);
  };
  auto tee_id = text("tee_id");
  auto key_id = id("key_id", 0xff);
  auto kem_id = id("kem_id", 0xffff);
  auto kdf_id = id("kdf_id", 0xffff);
  auto aead_id = id("aead_id", 0xffff);
  auto public_key = text("public_key");
  auto key_config = text("key_config");
  auto signature = text("signature");
  for (const auto* r : {&tee_id, &public_key, &key_config, &signature}) {
    if (!*r) return std::unexpected(r->error());
  }
  for (const auto* r : {&key_id, &kem_id, &kdf_id, &aead_id}) {
    if (!*r) return std::unexpected(r->error());
  }
  SignedOhttpConfig out;
  auto tee = Hash32::from_hex(*tee_id);
  if (!tee) return fail(ErrorCode::parse_error, "OHTTP config: tee_id is not 32 bytes of hex", *tee_id);
  out.tee_id = *tee;
  out.config.key_id = static_cast<std::uint8_t>(*key_id);
  out.config.kem_id = *kem_id;
  out.config.kdf_id = *kdf_id;
  out.config.aead_id = *aead_id;
  auto pk = from_hex(*public_key);
  auto kc = from_base64(*key_config);
  auto sig = from_base64(*signature);
  if (!pk) return fail(ErrorCode::parse_error, "OHTTP config: public_key is not hex", pk.error().message);
  if (!kc) return fail(ErrorCode::parse_error, "OHTTP config: key_config is not base64", kc.error().message);
  if (!sig) return fail(ErrorCode::parse_error, "OHTTP config: signature is not base64", sig.error().message);
  out.config.public_key = std::move(*pk);
  out.config.key_config = std::move(*kc);
  out.signature = std::move(*sig);
  return out;
}

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
