// Registry trust: a synthetic enclave (own P-384 PKI) whose attestation binds
// a TLS certificate and a signing key, checked against registry entries that
// match it and entries that differ in exactly one field.
#include "nitro_fixture.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/verify/registry_trust.hpp"

using namespace verinfer;
using test::find_check;

namespace {

struct Enclave {
  test::SyntheticNitro pki{1770900000, 1770990000};
  Bytes tls_certificate = {0x30, 0x82, 0x01, 0x0a, 0x02, 0x01, 0x01};
  Bytes signing_key = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a};  // stands in for an SPKI
  std::map<std::uint32_t, Bytes> pcrs = {
      {0, test::pcr48(0x10)}, {1, test::pcr48(0x11)}, {2, test::pcr48(0x12)}, {4, test::pcr48(0x14)}};

  Hash32 pcr_hash() const {
    Keccak256 h;
    for (std::uint32_t i : {0u, 1u, 2u}) h.update(pcrs.at(i));
    return h.finish();
  }
  Verified<NitroAttestation> attestation(std::optional<Bytes> user_data) const {
    test::SyntheticNitro::Fields f;
    f.pcrs = pcrs;
    f.user_data = std::move(user_data);
    f.public_key = signing_key;
    auto verifier = NitroVerifier::with_root_pem(pki.root_pem()).value();
    auto v = verifier.verify(pki.document(f), test::unix_seconds(pki.not_before() + 120));
    if (!v) throw std::runtime_error(v.error().to_string());
    return *v;
  }
  Verified<NitroAttestation> attestation() const {
    return attestation(make_opengradient_user_data(tls_certificate, signing_key));
  }
  TeeRegistryEntry entry() const {
    TeeRegistryEntry e;
    e.tee_id = tee_id_of(signing_key);
    e.endpoint = "https://127.0.0.1:8443";
    e.public_key = signing_key;
    e.tls_certificate = tls_certificate;
    e.pcr_hash = pcr_hash();
    e.tee_type = 0;
    e.enabled = true;
    e.registered_at = 1770900100;
    e.last_heartbeat_at = 1770900200;
    return e;
  }
};

}  // namespace

TEST_CASE("registry trust: a matching entry passes every check") {
  Enclave enclave;
  auto att = enclave.attestation();
  VerificationReport report;
  auto trusted = verify_registry_trust(enclave.entry(), tee_id_of(enclave.signing_key), att, report);
  REQUIRE_MESSAGE(trusted, report.to_string());
  CHECK(trusted->value().endpoint == "https://127.0.0.1:8443");
  for (const char* name : {"registry.enabled", "registry.tee_id", "registry.tls_certificate",
                           "registry.signing_key", "registry.pcr_hash"}) {
    const Check* c = find_check(report, name);
    REQUIRE_MESSAGE(c != nullptr, name);
    CHECK_MESSAGE(c->passed, name);
  }
  CHECK(report.checks().size() == 5);
  CHECK(tee_id_of(enclave.signing_key) == keccak256(enclave.signing_key));
  auto active = enclave.entry();
  active.active = true;
  CHECK(verify_registry_trust(active, tee_id_of(enclave.signing_key), att));
}

TEST_CASE("registry trust: each mismatch fails its own check with its code") {
  Enclave enclave;
  auto att = enclave.attestation();
  const Hash32 tee_id = tee_id_of(enclave.signing_key);
  struct Case {
    const char* name;
    void (*mutate)(TeeRegistryEntry&);
    const char* failed;
    ErrorCode code;
  };
  const Case cases[] = {
      {"disabled", [](TeeRegistryEntry& e) { e.enabled = false; }, "registry.enabled", ErrorCode::untrusted},
      {"inactive", [](TeeRegistryEntry& e) { e.active = false; }, "registry.enabled", ErrorCode::untrusted},
      {"entry for another tee_id", [](TeeRegistryEntry& e) { e.tee_id = Hash32{}; }, "registry.tee_id",
       ErrorCode::verification_failed},
      {"other TLS certificate", [](TeeRegistryEntry& e) { e.tls_certificate.back() ^= 1; },
       "registry.tls_certificate", ErrorCode::verification_failed},
      {"other PCR hash", [](TeeRegistryEntry& e) { e.pcr_hash.bytes[0] ^= 1; }, "registry.pcr_hash",
       ErrorCode::untrusted},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto entry = enclave.entry();
    c.mutate(entry);
    VerificationReport report;
    auto r = verify_registry_trust(entry, tee_id, att, report);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
    CHECK(r.error().message.starts_with(std::string(c.failed) + ":"));
    std::size_t failures = 0;
    for (const auto& check : report.checks()) failures += check.passed ? 0 : 1;
    CHECK(failures == 1);  // every other check still ran and passed
    CHECK(report.checks().size() == 5);
  }

  SUBCASE("registry key differs: tee_id and the signing-key binding both fail") {
    auto entry = enclave.entry();
    entry.public_key.back() ^= 1;
    entry.tee_id.reset();
    VerificationReport report;
    auto r = verify_registry_trust(entry, tee_id, att, report);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "registry.tee_id: keccak256(registry public_key) is not the response's tee_id");
    CHECK(r.error().detail == "expected " + tee_id.hex() + ", got " + keccak256(entry.public_key).hex());
    CHECK_FALSE(find_check(report, "registry.signing_key")->passed);
  }
  SUBCASE("response signed under another tee_id") {
    auto r = verify_registry_trust(enclave.entry(), keccak256(std::string_view("other")), att);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.starts_with("registry.tee_id:"));
  }
}

TEST_CASE("registry trust: attestations without the binding or the measurements") {
  Enclave enclave;
  const Hash32 tee_id = tee_id_of(enclave.signing_key);
  SUBCASE("no user_data") {
    VerificationReport report;
    auto r = verify_registry_trust(enclave.entry(), tee_id, enclave.attestation(std::nullopt), report);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "registry.tls_certificate: attestation does not bind the TLS certificate: "
                               "user_data is absent");
    CHECK_FALSE(find_check(report, "registry.signing_key")->passed);
  }
  SUBCASE("user_data binds the keys in swapped order") {
    auto swapped = enclave.attestation(make_opengradient_user_data(enclave.signing_key, enclave.tls_certificate));
    auto r = verify_registry_trust(enclave.entry(), tee_id, swapped);
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "registry.tls_certificate: attestation binds another TLS certificate than the registry's");
  }
  SUBCASE("PCR2 missing") {
    auto entry = enclave.entry();
    enclave.pcrs.erase(2);
    auto r = verify_registry_trust(entry, tee_id, enclave.attestation());
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "registry.pcr_hash: attestation lacks PCR0..2");
  }
}
