// HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
// ChaCha20-Poly1305: known answers, tamper and misuse tests, round trips.
#include <limits>
#include <random>
#include <set>

#include "crypto/hpke_internal.hpp"
#include "test_support.hpp"
#include "verinfer/crypto/hpke.hpp"

using namespace verinfer;
using hpke_detail::ContextAccess;

namespace {

const Json& rfc9180_vector() {
  static const Json doc = test::load_json(test::vectors_dir() / "hpke/vectors.json");
  return *doc.find("rfc9180_A_2_1_base_x25519_hkdfsha256_chacha20poly1305");
}

Bytes field(const Json& j, std::string_view key) { return test::hex_bytes(test::str(j, key)); }

X25519PrivateKey key_from(ByteView raw) {
  auto key = X25519PrivateKey::from_bytes(raw);
  REQUIRE(key);
  return *key;
}

// RFC 9180 A.2.1.1: the other sequence numbers of the same context (the
// vector file holds sequence 0); pt is the same each time, aad "Count-<seq>".
struct SequenceAnswer {
  std::uint64_t seq;
  const char* ct;
};
constexpr SequenceAnswer kA211[] = {
    {0, "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28"},
    {1, "6b53c051e4199c518de79594e1c4ab18b96f081549d45ce015be002090bb119e85285337cc95ba5f59992dc98c"},
    {2, "71146bd6795ccc9c49ce25dda112a48f202ad220559502cef1f34271e0cb4b02b4f10ecac6f48c32f878fae86b"},
    {4, "63357a2aa291f5a4e5f27db6baa2af8cf77427c7c1a909e0b37214dd47db122bb153495ff0b02e9e54a50dbe16"},
    {255, "18ab939d63ddec9f6ac2b60d61d36a7375d2070c9b683861110757062c52b8880a5f6b3936da9cd6c23ef2a95c"},
    {256, "7a4a13e9ef23978e2c520fd4d2e757514ae160cd0cd05e556ef692370ca53076214c0c40d4c728d6ed9e727a5b"},
};

std::string count_aad(std::uint64_t seq) { return "Count-" + std::to_string(seq); }

HpkeSenderContext rfc_sender() {
  const Json& v = rfc9180_vector();
  auto ephemeral = X25519PrivateKey::derive(field(v, "ikmE"));
  REQUIRE(ephemeral);
  auto recipient = key_from(field(v, "skRm"));
  auto sender = hpke_detail::setup_base_sender_with_ephemeral_for_testing(
      kHpkeX25519ChaCha20, recipient.public_key(), field(v, "info"), *ephemeral);
  REQUIRE(sender);
  return std::move(*sender);
}

HpkeRecipientContext rfc_recipient() {
  const Json& v = rfc9180_vector();
  auto recipient = hpke_setup_base_recipient(kHpkeX25519ChaCha20, field(v, "enc"),
                                             key_from(field(v, "skRm")), field(v, "info"));
  REQUIRE(recipient);
  return std::move(*recipient);
}

}  // namespace

TEST_CASE("hpke: RFC 9180 A.2.1 key derivation, encap and key schedule") {
  const Json& v = rfc9180_vector();
  REQUIRE(*v.find("kem_id")->get_uint64() == 0x20);
  REQUIRE(*v.find("aead_id")->get_uint64() == 3);

  auto skE = X25519PrivateKey::derive(field(v, "ikmE"));
  REQUIRE(skE);
  CHECK(skE->public_key().hex(false) == test::str(v, "pkEm"));
  auto skR = X25519PrivateKey::derive(field(v, "ikmR"));
  REQUIRE(skR);
  auto skRm = key_from(field(v, "skRm"));
  CHECK(skR->public_key() == skRm.public_key());
  CHECK(skRm.public_key().hex(false) ==
        "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a");  // A.2.1 pkRm

  auto encapsulated = hpke_detail::encap(skRm.public_key(), *skE);
  REQUIRE(encapsulated);
  CHECK(encapsulated->enc.hex(false) == test::str(v, "enc"));
  CHECK(to_hex(encapsulated->shared_secret.view(), false) == test::str(v, "shared_secret"));
  auto decapsulated = hpke_detail::decap(encapsulated->enc, skRm);
  REQUIRE(decapsulated);
  CHECK(to_hex(decapsulated->view(), false) == test::str(v, "shared_secret"));

  for (bool as_sender : {true, false}) {
    CAPTURE(as_sender);
    HpkeSenderContext sender = rfc_sender();
    HpkeRecipientContext recipient = rfc_recipient();
    const auto& s = as_sender ? ContextAccess::state(sender) : ContextAccess::state(recipient);
    CHECK(to_hex(s.key.view(), false) == test::str(v, "key"));
    CHECK(to_hex(s.base_nonce.view(), false) == test::str(v, "base_nonce"));
    CHECK(to_hex(s.exporter_secret.view(), false) == test::str(v, "exporter_secret"));
    CHECK(s.enc.hex(false) == test::str(v, "enc"));
  }
}

TEST_CASE("hpke: RFC 9180 A.2.1 encryptions at every listed sequence number, both roles") {
  const Json& v = rfc9180_vector();
  const auto& first = v.find("encryptions")->as_array().at(0);
  REQUIRE(test::str(first, "ct") == kA211[0].ct);
  const Bytes pt = field(first, "pt");
  CHECK(std::string(pt.begin(), pt.end()) == "Beauty is truth, truth beauty");

  HpkeSenderContext sender = rfc_sender();
  HpkeRecipientContext recipient = rfc_recipient();
  for (const auto& answer : kA211) {
    CAPTURE(answer.seq);
    // Sequence numbers between the listed ones are skipped by setting them,
    // exactly as if the intervening messages had been sent.
    ContextAccess::state(sender).sequence = answer.seq;
    ContextAccess::state(recipient).sequence = answer.seq;
    const std::string aad = count_aad(answer.seq);
    auto ct = sender.seal(as_bytes(aad), pt);
    REQUIRE(ct);
    CHECK(to_hex(*ct, false) == answer.ct);
    CHECK(sender.sequence() == answer.seq + 1);
    auto opened = recipient.open(as_bytes(aad), test::hex_bytes(answer.ct));
    REQUIRE(opened);
    CHECK(*opened == pt);
    CHECK(recipient.sequence() == answer.seq + 1);
  }
}

TEST_CASE("hpke: RFC 9180 A.2.1 exported values") {
  const Json& v = rfc9180_vector();
  HpkeSenderContext sender = rfc_sender();
  HpkeRecipientContext recipient = rfc_recipient();
  struct Export {
    std::string context_hex;
    std::size_t length;
    std::string value;
  };
  std::vector<Export> exports;
  for (const auto& e : v.find("exports")->as_array()) {
    exports.push_back({test::str(e, "context"), *e.find("L")->get_uint64(), test::str(e, "value")});
  }
  REQUIRE(exports.size() == 2);
  // A.2.1.2, exporter_context 0x00 (not in the vector file).
  exports.push_back({"00", 32, "8c1df14732580e5501b00f82b10a1647b40713191b7c1240ac80e2b68808ba69"});
  for (const auto& e : exports) {
    CAPTURE(e.context_hex);
    auto a = sender.export_secret(test::hex_bytes(e.context_hex), e.length);
    auto b = recipient.export_secret(test::hex_bytes(e.context_hex), e.length);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(to_hex(*a, false) == e.value);
    CHECK(to_hex(*b, false) == e.value);
  }
  auto too_long = sender.export_secret({}, 255 * 32 + 1);
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == ErrorCode::invalid_argument);
  auto longest = sender.export_secret({}, 255 * 32);
  REQUIRE(longest);
  CHECK(longest->size() == 255 * 32);
}

TEST_CASE("hpke: every flipped bit of the A.2.1 ciphertext, aad or enc is rejected") {
  const Json& v = rfc9180_vector();
  const Bytes ct = test::hex_bytes(kA211[0].ct);
  const std::string aad = count_aad(0);
  for (std::size_t i = 0; i < ct.size() * 8; ++i) {
    Bytes bad = ct;
    bad[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    HpkeRecipientContext recipient = rfc_recipient();
    auto opened = recipient.open(as_bytes(aad), bad);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == ErrorCode::verification_failed);
    CHECK(opened.error().message.find("HPKE open failed") != std::string::npos);
    CHECK(recipient.sequence() == 0);  // a failure does not advance the context
  }
  {
    HpkeRecipientContext recipient = rfc_recipient();
    CHECK_FALSE(recipient.open(as_bytes(std::string_view("Count-1")), ct));
    CHECK(recipient.open(as_bytes(aad), ct));  // still usable after a failure
    CHECK_FALSE(recipient.open(as_bytes(aad), ct));  // a replay is out of order
  }
  Bytes enc = field(v, "enc");
  enc[5] ^= 0x40;
  auto other = hpke_setup_base_recipient(kHpkeX25519ChaCha20, enc, key_from(field(v, "skRm")),
                                         field(v, "info"));
  REQUIRE(other);
  auto opened = other->open(as_bytes(aad), ct);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ErrorCode::verification_failed);
  Bytes info = field(v, "info");
  info.push_back(0);
  auto wrong_info =
      hpke_setup_base_recipient(kHpkeX25519ChaCha20, field(v, "enc"), key_from(field(v, "skRm")), info);
  REQUIRE(wrong_info);
  CHECK_FALSE(wrong_info->open(as_bytes(aad), ct));
}

TEST_CASE("hpke: only DHKEM(X25519)/HKDF-SHA256/ChaCha20-Poly1305 is accepted") {
  auto key = X25519PrivateKey::generate();
  REQUIRE(key);
  for (HpkeSuite suite : {HpkeSuite{0x0020, 0x0001, 0x0001}, HpkeSuite{0x0020, 0x0001, 0x0002},
                          HpkeSuite{0x0020, 0x0002, 0x0003}, HpkeSuite{0x0010, 0x0001, 0x0003},
                          HpkeSuite{0x0020, 0x0001, 0xffff}, HpkeSuite{0, 0, 0}}) {
    CAPTURE(suite.to_string());
    auto s = hpke_setup_base_sender(suite, key->public_key(), {});
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::invalid_argument);
    CHECK(s.error().detail.find("expected kem 0x0020, kdf 0x0001, aead 0x0003") != std::string::npos);
    auto r = hpke_setup_base_recipient(suite, key->public_key(), *key, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK_FALSE(check_hpke_suite(suite));
  }
  CHECK(check_hpke_suite(kHpkeX25519ChaCha20));
  CHECK(HpkeSuite{} == kHpkeX25519ChaCha20);
}

TEST_CASE("hpke: bad keys and encapsulations") {
  CHECK(X25519PrivateKey::from_bytes(Bytes(31, 1)).error().code == ErrorCode::invalid_argument);
  CHECK_FALSE(X25519PrivateKey::from_bytes(Bytes(33, 1)));
  CHECK_FALSE(X25519PrivateKey::from_hex("zz"));
  CHECK_FALSE(X25519PrivateKey::derive(Bytes(31, 7)));
  CHECK(X25519PrivateKey::derive(Bytes(32, 7)));
  auto key = X25519PrivateKey::generate();
  REQUIRE(key);
  // Low-order points give an all-zero X25519 output (RFC 7748 section 6.1).
  for (const char* low_order : {"0000000000000000000000000000000000000000000000000000000000000000",
                                "0100000000000000000000000000000000000000000000000000000000000000",
                                "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"}) {
    CAPTURE(low_order);
    auto r = hpke_setup_base_recipient(kHpkeX25519ChaCha20, test::hex_bytes(low_order), *key, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::verification_failed);
    auto s = hpke_setup_base_sender(kHpkeX25519ChaCha20,
                                    *X25519PublicKey::from_hex(low_order), {});
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::verification_failed);
  }
  for (std::size_t n : {0u, 31u, 33u, 65u}) {
    auto r = hpke_setup_base_recipient(kHpkeX25519ChaCha20, Bytes(n, 9), *key, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
  }
  auto r = hpke_setup_base_recipient(kHpkeX25519ChaCha20, key->public_key(), *key, {});
  REQUIRE(r);
  for (std::size_t n : {0u, 1u, 15u}) {
    auto opened = r->open({}, Bytes(n, 0));
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == ErrorCode::verification_failed);
  }
}

TEST_CASE("hpke: the sequence number refuses to wrap") {
  auto key = X25519PrivateKey::generate();
  REQUIRE(key);
  auto sender = hpke_setup_base_sender(kHpkeX25519ChaCha20, key->public_key(), {});
  REQUIRE(sender);
  auto recipient =
      hpke_setup_base_recipient(kHpkeX25519ChaCha20, sender->enc(), *key, {});
  REQUIRE(recipient);
  constexpr auto kLast = std::numeric_limits<std::uint64_t>::max();
  ContextAccess::state(*sender).sequence = kLast - 1;
  ContextAccess::state(*recipient).sequence = kLast - 1;
  auto ct = sender->seal({}, as_bytes(std::string_view("last")));
  REQUIRE(ct);
  CHECK(recipient->open({}, *ct));
  auto over = sender->seal({}, as_bytes(std::string_view("one too many")));
  REQUIRE_FALSE(over);
  CHECK(over.error().code == ErrorCode::resource_exhausted);
  CHECK(sender->sequence() == kLast);
  auto over_open = recipient->open({}, *ct);
  REQUIRE_FALSE(over_open);
  CHECK(over_open.error().code == ErrorCode::resource_exhausted);
}

TEST_CASE("hpke: random round trips, exports agree, fresh ephemeral keys") {
  std::mt19937_64 rng(0x5eed);
  std::set<std::string> encs;
  for (int round = 0; round < 50; ++round) {
    auto key = X25519PrivateKey::generate();
    REQUIRE(key);
    Bytes info(rng() % 40);
    for (auto& b : info) b = static_cast<std::uint8_t>(rng());
    auto sender = hpke_setup_base_sender(kHpkeX25519ChaCha20, key->public_key(), info);
    REQUIRE(sender);
    encs.insert(sender->enc().hex());
    auto recipient = hpke_setup_base_recipient(kHpkeX25519ChaCha20, sender->enc(), *key, info);
    REQUIRE(recipient);
    for (int m = 0; m < 5; ++m) {
      Bytes aad(rng() % 20), pt(rng() % 300);
      for (auto& b : aad) b = static_cast<std::uint8_t>(rng());
      for (auto& b : pt) b = static_cast<std::uint8_t>(rng());
      auto ct = sender->seal(aad, pt);
      REQUIRE(ct);
      CHECK(ct->size() == pt.size() + kHpkeTagSize);
      auto back = recipient->open(aad, *ct);
      REQUIRE(back);
      CHECK(*back == pt);
    }
    auto a = sender->export_secret(info, 1 + rng() % 100);
    REQUIRE(a);
    auto b = recipient->export_secret(info, a->size());
    REQUIRE(b);
    CHECK(*b == *a);
  }
  CHECK(encs.size() == 50);
}
