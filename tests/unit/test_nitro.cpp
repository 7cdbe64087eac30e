// AWS Nitro attestation: the real document (vectors/nitro), its negative
// cases, a whole-document tamper matrix, the chain cache, and a synthetic
// PKI for the user_data binding and PCR policy.
#include "nitro_fixture.hpp"
#include "verify/internal/nitro_cose.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/sha2.hpp"

#include <atomic>
#include <thread>

using namespace verinfer;
using test::find_check;
using test::utc;

namespace {

const Json& expected_json() {
  static const Json doc = test::load_json(test::vectors_dir() / "nitro/expected.json");
  return doc;
}

Bytes nonce_of_vector() { return test::hex_bytes(test::str(expected_json(), "nonce_hex")); }

}  // namespace

TEST_CASE("nitro: the real document decodes to the fields in expected.json") {
  const Json& exp = expected_json();
  Bytes cose = test::real_nitro_document();
  CHECK(cose.size() == *exp.find("cbor_length")->get_uint64());
  CHECK(sha256(cose).hex(false) == test::str(exp, "cbor_sha256"));

  auto doc = parse_nitro_document(cose);
  REQUIRE_MESSAGE(doc, doc.error().to_string());
  const Json& cose_exp = *exp.find("cose");
  CHECK_FALSE(doc->tagged);
  CHECK(to_hex(doc->protected_header, false) == test::str(cose_exp, "protected_header_hex"));
  CHECK(doc->payload.size() == *cose_exp.find("payload_length")->get_uint64());
  CHECK(sha256(doc->payload).hex(false) == test::str(cose_exp, "payload_sha256"));
  CHECK(to_hex(doc->signature, false) == test::str(cose_exp, "signature_hex"));
  Bytes sig_structure = internal::sig_structure(doc->protected_header, doc->payload);
  CHECK(sig_structure.size() == *cose_exp.find("sig_structure_length")->get_uint64());
  CHECK(sha384(sig_structure).hex(false) == test::str(cose_exp, "sig_structure_sha384"));

  const NitroAttestation& a = doc->attestation;
  CHECK(a.module_id == test::str(exp, "module_id"));
  CHECK(a.timestamp_ms == *exp.find("timestamp_ms")->get_uint64());
  CHECK(a.digest == "SHA384");
  const auto& pcrs = exp.find("pcrs")->as_object();
  REQUIRE(a.pcrs.size() == pcrs.size());
  for (const auto& [index, value] : pcrs) {
    auto it = a.pcrs.find(static_cast<std::uint32_t>(std::stoul(index)));
    REQUIRE(it != a.pcrs.end());
    CHECK(to_hex(it->second, false) == value.as_string());
  }
  auto pcr_hash = a.pcr_hash();
  REQUIRE(pcr_hash);
  CHECK(pcr_hash->hex() == test::str(exp, "pcr_hash_keccak256_pcr0_pcr1_pcr2"));
  REQUIRE(a.nonce);
  CHECK(to_hex(*a.nonce, false) == test::str(exp, "nonce_hex"));
  REQUIRE(a.public_key);
  CHECK(to_hex(*a.public_key, false) == test::str(exp, "public_key_hex"));
  REQUIRE(a.user_data);
  CHECK(to_hex(*a.user_data, false) == test::str(exp, "user_data_hex"));
  CHECK(sha256(a.certificate).hex(false) == test::str(*exp.find("leaf_certificate"), "sha256_der"));
  const auto& bundle = exp.find("cabundle")->as_array();
  REQUIRE(a.cabundle.size() == bundle.size());
  for (std::size_t i = 0; i < bundle.size(); ++i) {
    CHECK(sha256(a.cabundle[i]).hex(false) == test::str(bundle[i], "sha256_der"));
  }

  auto user_data = parse_opengradient_user_data(*a.user_data);
  REQUIRE(user_data);
  const Json& split = *exp.find("user_data_split");
  CHECK(user_data->tls_certificate_sha256.hex(false) == test::str(split, "tls_certificate_sha256"));
  CHECK(user_data->signing_key_sha256.hex(false) == test::str(split, "signing_key_spki_sha256"));
}

TEST_CASE("nitro: the built-in root is AWS Nitro root G1 (fingerprint from the README)") {
  NitroVerifier aws;
  CHECK(aws.root_fingerprint().hex(false) == test::str(expected_json(), "root_sha256_fingerprint"));
  CHECK(aws_nitro_root_g1_pem() == test::real_nitro_root_pem());
  auto from_file = NitroVerifier::with_root_pem(test::real_nitro_root_pem());
  REQUIRE(from_file);
  CHECK(from_file->root_fingerprint() == aws.root_fingerprint());
  CHECK(NitroVerifier::with_root_pem("not a certificate").error().code == ErrorCode::invalid_argument);
}

TEST_CASE("nitro: the real document is accepted at 2026-02-12T18:00:00Z with every check named") {
  NitroVerifier verifier;
  NitroPolicy policy = NitroPolicy::opengradient();
  policy.nonce = nonce_of_vector();
  policy.pcr_hash = Hash32::from_hex(test::str(expected_json(), "pcr_hash_keccak256_pcr0_pcr1_pcr2")).value();
  policy.pcrs[0] = test::hex_bytes(test::str(*expected_json().find("pcrs"), "0"));
  const Json& split = *expected_json().find("user_data_split");
  policy.tls_certificate_sha256 = Hash32::from_hex(test::str(split, "tls_certificate_sha256")).value();
  policy.signing_key_sha256 = Hash32::from_hex(test::str(split, "signing_key_spki_sha256")).value();

  VerificationReport report;
  auto verified = verifier.verify(test::real_nitro_document(), utc(test::str(expected_json(), "verify_at")),
                                  policy, report);
  REQUIRE_MESSAGE(verified, report.to_string());
  CHECK(verified->value().module_id == test::str(expected_json(), "module_id"));
  CHECK(verified->report().ok());
  for (const char* name :
       {"nitro.cose_structure", "nitro.payload_fields", "nitro.digest", "nitro.cose_signature",
        "nitro.leaf_certificate", "nitro.root_pinned", "nitro.chain", "nitro.validity_0", "nitro.validity_1",
        "nitro.validity_2", "nitro.validity_3", "nitro.validity_4", "nitro.nonce", "nitro.freshness",
        "nitro.pcr0", "nitro.pcr_hash", "nitro.user_data.tls_certificate", "nitro.user_data.signing_key"}) {
    const Check* c = find_check(report, name);
    REQUIRE_MESSAGE(c != nullptr, name);
    CHECK_MESSAGE(c->passed, name);
  }
  CHECK(find_check(report, "nitro.validity_5") == nullptr);
  CHECK(find_check(report, "nitro.freshness")->actual.starts_with("age 238 s"));
  CHECK(find_check(report, "nitro.validity_0")->expected == "2026-02-12T17:55:59Z .. 2026-02-12T20:56:02Z");
  CHECK(find_check(report, "nitro.validity_4")->expected == "2019-10-28T13:28:05Z .. 2049-10-28T14:28:05Z");
}

TEST_CASE("nitro: every case of negative/cases.json gives its outcome and names its check") {
  auto cases = test::load_json(test::vectors_dir() / "nitro/negative/cases.json");
  const auto& list = cases.find("cases")->as_array();
  REQUIRE(list.size() == 7);
  for (const auto& c : list) {
    std::string name = test::str(c, "name");
    INFO(name);
    NitroVerifier verifier(NitroVerifierOptions{.chain_cache = false});
    NitroPolicy policy;  // default: 60 s future skew
    if (const Json* f = c.find("freshness_policy"); f && f->as_bool()) policy = NitroPolicy::opengradient();
    if (const Json* n = c.find("expected_nonce_hex")) policy.nonce = test::hex_bytes(n->as_string());
    VerificationReport report;
    auto result = verifier.verify(test::real_nitro_document(test::str(c, "document_file")),
                                  utc(test::str(c, "verify_at")), policy, report);
    if (test::str(c, "expected_outcome") == "accept") {
      CHECK_MESSAGE(result, report.to_string());
      CHECK(report.ok());
      continue;
    }
    REQUIRE_FALSE(result);
    std::string failed = "nitro." + test::str(c, "expected_failed_check");
    REQUIRE(report.first_failure() != nullptr);
    CHECK(report.first_failure()->name == failed);
    CHECK(result.error().message.starts_with(failed + ":"));
    ErrorCode want = failed == "nitro.cose_signature" ? ErrorCode::verification_failed
                     : failed == "nitro.nonce"        ? ErrorCode::untrusted
                                                      : ErrorCode::expired;
    CHECK(result.error().code == want);
  }
}

TEST_CASE("nitro: after the leaf expires every expired certificate has its own failed check") {
  NitroVerifier verifier;
  VerificationReport report;
  auto result = verifier.verify(test::real_nitro_document(), utc("2026-02-13T20:56:02Z"), {}, report);
  REQUIRE_FALSE(result);
  CHECK_FALSE(find_check(report, "nitro.validity_0")->passed);  // leaf
  CHECK_FALSE(find_check(report, "nitro.validity_1")->passed);  // instance CA, until 02-13T17:00:33Z
  CHECK(find_check(report, "nitro.validity_2")->passed);
  CHECK(find_check(report, "nitro.chain")->passed);  // links and constraints still verified
  CHECK(find_check(report, "nitro.cose_signature")->passed);
  // Boundaries: the windows are inclusive on both ends, as in OpenSSL.
  CHECK(verifier.verify(test::real_nitro_document(), utc("2026-02-12T17:55:59Z")));
  CHECK(verifier.verify(test::real_nitro_document(), utc("2026-02-12T20:56:02Z"), NitroPolicy{}));
  CHECK_FALSE(verifier.verify(test::real_nitro_document(), utc("2026-02-12T20:56:03Z")));
}

TEST_CASE("nitro: freshness boundaries and the future skew") {
  NitroVerifier verifier;
  Bytes cose = test::real_nitro_document();
  const std::int64_t doc_second = 1770918962;
  NitroPolicy og = NitroPolicy::opengradient();
  CHECK(verifier.verify(cose, test::unix_seconds(doc_second + 300), og));
  CHECK(verifier.verify(cose, test::unix_seconds(doc_second), og));
  CHECK(verifier.verify(cose, test::unix_seconds(doc_second - 3), og));  // leaf valid from -3 s
  auto old = verifier.verify(cose, test::unix_seconds(doc_second + 301), og);
  REQUIRE_FALSE(old);
  CHECK(old.error().code == ErrorCode::expired);
  CHECK(old.error().message == "nitro.freshness: attestation is too old");
  // Future skew: a 0 s allowance rejects a verifier clock 1 s behind the document.
  NitroPolicy strict;
  strict.max_future_skew = std::chrono::seconds(0);
  auto ahead = verifier.verify(cose, test::unix_seconds(doc_second - 1), strict);
  REQUIRE_FALSE(ahead);
  CHECK(ahead.error().message == "nitro.freshness: attestation is from the future");
  strict.max_future_skew.reset();
  VerificationReport report;
  CHECK(verifier.verify(cose, test::unix_seconds(doc_second - 1), strict, report));
  CHECK(find_check(report, "nitro.freshness") == nullptr);  // no freshness rule asked for
}

TEST_CASE("nitro: times past the calendar's range are shown as Unix seconds (no overflow)") {
  // A flipped timestamp byte can put the document millions of years away;
  // formatting that as a date overflowed (UBSan, found by the tamper matrix).
  NitroVerifier verifier;
  VerificationReport report;
  const std::int64_t far = std::int64_t{1} << 40;
  (void)verifier.verify(test::real_nitro_document(), test::unix_seconds(far), NitroPolicy::opengradient(), report);
  const Check* fresh = find_check(report, "nitro.freshness");
  REQUIRE(fresh != nullptr);
  CHECK_FALSE(fresh->passed);
  CHECK(fresh->actual.find("verifier unix time " + std::to_string(far) + ")") != std::string::npos);
  CHECK(fresh->actual.find("document 2026-02-12T") != std::string::npos);
}

TEST_CASE("nitro: PCR policy on the real document") {
  NitroVerifier verifier;
  Bytes cose = test::real_nitro_document();
  auto at = utc("2026-02-12T18:00:00Z");
  NitroPolicy policy;
  policy.pcrs[3] = Bytes(48, 0);
  CHECK(verifier.verify(cose, at, policy));
  policy.pcrs[3][47] = 1;
  auto wrong = verifier.verify(cose, at, policy);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::untrusted);
  CHECK(wrong.error().message.starts_with("nitro.pcr3:"));
  NitroPolicy absent;
  absent.pcrs[16] = Bytes(48, 0);
  CHECK(verifier.verify(cose, at, absent).error().detail == "expected " + std::string(96, '0') + ", got absent");
  NitroPolicy hash;
  hash.pcr_hash = Hash32{};
  CHECK(verifier.verify(cose, at, hash).error().message.starts_with("nitro.pcr_hash:"));
}

TEST_CASE("nitro: tamper matrix - every single-byte flip of the whole document is rejected") {
  const Bytes original = test::real_nitro_document();
  NitroVerifier verifier;  // with the cache: flips outside the certificates reuse the chain
  auto at = utc("2026-02-12T18:00:00Z");
  REQUIRE(verifier.verify(original, at));
  std::size_t accepted = 0;
  std::size_t parse_errors = 0;
  std::size_t verification_failures = 0;
  std::size_t other = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    Bytes doc = original;
    doc[i] ^= 0x01;  // the lowest bit: the smallest possible change
    auto result = verifier.verify(doc, at);
    if (result) {
      ++accepted;
      FAIL_CHECK("accepted with byte " << i << " flipped");
    } else if (result.error().code == ErrorCode::parse_error ||
               result.error().code == ErrorCode::resource_exhausted) {
      ++parse_errors;
    } else if (result.error().code == ErrorCode::verification_failed) {
      ++verification_failures;
    } else {
      ++other;
    }
  }
  MESSAGE("tamper matrix, each of " << original.size() << " bytes XOR 0x01: " << accepted
          << " accepted, " << parse_errors << " parse errors, " << verification_failures
          << " verification failures, " << other << " other rejections");
  CHECK(accepted == 0);
  CHECK(parse_errors + verification_failures + other == original.size());
}

TEST_CASE("nitro: the chain cache skips chain building only inside the chain's window") {
  NitroVerifier verifier;
  Bytes cose = test::real_nitro_document();
  REQUIRE(verifier.verify(cose, utc("2026-02-12T18:00:00Z")));
  CHECK(verifier.cache_stats().entries == 1);
  CHECK(verifier.cache_stats().misses == 1);
  VerificationReport report;
  REQUIRE(verifier.verify(cose, utc("2026-02-12T19:00:00Z"), {}, report));
  CHECK(verifier.cache_stats().hits == 1);
  CHECK(find_check(report, "nitro.chain")->actual.ends_with("(cached)"));
  // The signature is still checked on a cache hit.
  auto flipped = test::real_nitro_document("negative/sig_flipped.b64");
  auto bad = verifier.verify(flipped, utc("2026-02-12T18:00:00Z"));
  REQUIRE_FALSE(bad);
  CHECK(verifier.cache_stats().hits == 2);
  CHECK(bad.error().message.starts_with("nitro.cose_signature:"));
  // Outside the window the cache does not answer; the full check rejects.
  auto late = verifier.verify(cose, utc("2026-02-12T20:56:03Z"));
  REQUIRE_FALSE(late);
  CHECK(late.error().message.starts_with("nitro.validity_0:"));
  CHECK(verifier.cache_stats().hits == 2);
  // Copies share the cache; clearing empties it.
  NitroVerifier copy = verifier;
  copy.clear_cache();
  CHECK(verifier.cache_stats().entries == 0);
  NitroVerifier uncached(NitroVerifierOptions{.chain_cache = false});
  REQUIRE(uncached.verify(cose, utc("2026-02-12T18:00:00Z")));
  CHECK(uncached.cache_stats().entries == 0);
}

TEST_CASE("nitro: concurrent verification with a shared cache") {
  NitroVerifier verifier;
  Bytes good = test::real_nitro_document();
  Bytes bad = test::real_nitro_document("negative/payload_flipped.b64");
  auto at = utc("2026-02-12T18:00:00Z");
  std::atomic<int> good_ok{0};
  std::atomic<int> bad_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (verifier.verify(good, at)) ++good_ok;
        if (verifier.verify(bad, at)) ++bad_ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good_ok == 100);
  CHECK(bad_ok == 0);
}

TEST_CASE("nitro: another root (the devnet's) rejects AWS documents and vice versa") {
  test::SyntheticNitro pki(1770900000, 1770990000);
  auto devnet = NitroVerifier::with_root_pem(pki.root_pem());
  REQUIRE(devnet);
  VerificationReport report;
  auto aws_doc = devnet->verify(test::real_nitro_document(), utc("2026-02-12T18:00:00Z"), {}, report);
  REQUIRE_FALSE(aws_doc);
  CHECK(aws_doc.error().code == ErrorCode::verification_failed);
  CHECK_FALSE(find_check(report, "nitro.root_pinned")->passed);
  CHECK_FALSE(find_check(report, "nitro.chain")->passed);
  CHECK(find_check(report, "nitro.cose_signature")->passed);  // signed fine, just not by our root

  test::SyntheticNitro::Fields fields;
  fields.pcrs[0] = test::pcr48(1);
  Bytes synthetic = pki.document(fields);
  auto at = test::unix_seconds(pki.not_before() + 120);
  CHECK(devnet->verify(synthetic, at));
  auto on_aws = NitroVerifier().verify(synthetic, at);
  REQUIRE_FALSE(on_aws);
  CHECK(on_aws.error().message.starts_with("nitro.root_pinned:"));
}

TEST_CASE("nitro: synthetic documents - structure variants, wrong signer, user_data binding") {
  test::SyntheticNitro pki(1770900000, 1770990000);
  auto verifier = NitroVerifier::with_root_pem(pki.root_pem()).value();
  auto at = test::unix_seconds(pki.not_before() + 120);
  Bytes tls_cert = {0x30, 0x03, 0x02, 0x01, 0x07};
  Bytes spki = {0x30, 0x05, 0x02, 0x03, 0x01, 0x00, 0x01};

  test::SyntheticNitro::Fields f;
  f.pcrs = {{0, test::pcr48(0xA0)}, {1, test::pcr48(0xA1)}, {2, test::pcr48(0xA2)}, {8, Bytes(32, 0)}};
  f.user_data = make_opengradient_user_data(tls_cert, spki);
  f.nonce = Bytes(20, 0x5A);
  f.public_key = spki;

  SUBCASE("tagged and untagged, null and absent optionals all verify") {
    for (bool tagged : {false, true}) {
      for (bool nulls : {false, true}) {
        auto g = f;
        g.tagged = tagged;
        g.null_optionals = nulls;
        g.nonce.reset();
        auto doc = parse_nitro_document(pki.document(g));
        REQUIRE(doc);
        CHECK(doc->tagged == tagged);
        CHECK_FALSE(doc->attestation.nonce);
        CHECK(verifier.verify(pki.document(g), at));
      }
    }
  }
  SUBCASE("signed by a key other than the leaf's") {
    auto r = verifier.verify(pki.document(f, true), at);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.starts_with("nitro.cose_signature:"));
    CHECK(r.error().code == ErrorCode::verification_failed);
  }
  SUBCASE("digest other than SHA384") {
    auto g = f;
    g.digest = "SHA256";
    auto r = verifier.verify(pki.document(g), at);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.starts_with("nitro.digest:"));
  }
  SUBCASE("user_data binding: right hashes pass, wrong ones name the field") {
    NitroPolicy p;
    p.tls_certificate_sha256 = sha256(tls_cert);
    p.signing_key_sha256 = sha256(spki);
    p.nonce = Bytes(20, 0x5A);
    Bytes concat;
    for (int b : {0xA0, 0xA1, 0xA2}) {
      auto pcr = test::pcr48(static_cast<std::uint8_t>(b));
      concat.insert(concat.end(), pcr.begin(), pcr.end());
    }
    p.pcr_hash = keccak256(concat);
    p.pcrs[8] = Bytes(32, 0);
    VerificationReport report;
    REQUIRE_MESSAGE(verifier.verify(pki.document(f), at, p, report), report.to_string());

    auto wrong_tls = p;
    wrong_tls.tls_certificate_sha256 = sha256(spki);
    auto r = verifier.verify(pki.document(f), at, wrong_tls);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "nitro.user_data.tls_certificate: user_data binds another hash");
    CHECK(r.error().code == ErrorCode::untrusted);

    auto wrong_key = p;
    wrong_key.signing_key_sha256 = sha256(tls_cert);
    CHECK(verifier.verify(pki.document(f), at, wrong_key).error().message.starts_with(
        "nitro.user_data.signing_key:"));

    auto g = f;
    g.user_data = Bytes(68, 0x12);  // right length, wrong multihash prefix at byte 34
    (*g.user_data)[1] = 0x20;
    auto bad_format = verifier.verify(pki.document(g), at, p);
    REQUIRE_FALSE(bad_format);
    CHECK(bad_format.error().message ==
          "nitro.user_data.tls_certificate: user_data multihash prefix is not 0x1220");
    g.user_data.reset();
    CHECK(verifier.verify(pki.document(g), at, p).error().message ==
          "nitro.user_data.tls_certificate: user_data is absent");

    auto wrong_pcr = p;
    wrong_pcr.pcrs[8] = Bytes(32, 1);
    CHECK(verifier.verify(pki.document(f), at, wrong_pcr).error().message.starts_with("nitro.pcr8:"));
    auto missing = f;
    missing.pcrs.erase(2);
    auto r2 = verifier.verify(pki.document(missing), at, p);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().message.starts_with("nitro.pcr_hash:"));
    CHECK(r2.error().detail == "expected " + p.pcr_hash->hex() + ", got PCR2 is missing");
  }
}

TEST_CASE("nitro: user_data helpers round-trip and reject malformed input") {
  Bytes tls = {1, 2, 3};
  Bytes key = {4, 5};
  Bytes ud = make_opengradient_user_data(tls, key);
  REQUIRE(ud.size() == 68);
  auto parsed = parse_opengradient_user_data(ud);
  REQUIRE(parsed);
  CHECK(parsed->tls_certificate_sha256 == sha256(tls));
  CHECK(parsed->signing_key_sha256 == sha256(key));
  CHECK(parse_opengradient_user_data(ByteView(ud).first(67)).error().detail == "expected 68 bytes, got 67");
  ud[0] = 0x13;
  CHECK(parse_opengradient_user_data(ud).error().message == "user_data multihash prefix is not 0x1220");
}

TEST_CASE("nitro: base64 input") {
  CHECK(decode_nitro_base64("  \n").error().code == ErrorCode::parse_error);
  CHECK(decode_nitro_base64("@@@@").error().message.starts_with("attestation document is not base64"));
  CHECK(*decode_nitro_base64(" AAEC\n") == Bytes{0, 1, 2});
}
