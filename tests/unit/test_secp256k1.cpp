// secp256k1 signing and recovery, addresses and EIP-55, EIP-191 digests.
#include "test_support.hpp"

#include <ostream>

#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip191.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/crypto/u256.hpp"

using namespace verinfer;

namespace {

const char* kOrderHex = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

PrivateKey key_from(std::string_view label) {
  auto k = PrivateKey::from_bytes(keccak256(label));
  REQUIRE(k.has_value());
  return *k;
}

Bytes with_v(const Signature& sig, std::uint8_t v) {
  auto b = sig.to_bytes();
  b.bytes[64] = v;
  return Bytes(b.begin(), b.end());
}

std::string error_text(const Result<Address>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().to_string();
}

}  // namespace

// A private key cannot be printed, by construction.
template <class T>
concept Streamable = requires(std::ostream& o, const T& value) { o << value; };
static_assert(!Streamable<PrivateKey>);
static_assert(Streamable<std::string>);

TEST_CASE("secp256k1: key 1 gives the generator and its well-known address") {
  Bytes one(32, 0);
  one[31] = 1;
  auto key = PrivateKey::from_bytes(one);
  REQUIRE(key.has_value());
  CHECK(key->public_key().xy.hex(false).substr(0, 64) ==
        "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  CHECK(to_checksum_address(key->address()) == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  // eth-account's personal_sign of "hello" with key 1 (RFC 6979 on both sides).
  auto sig = key->sign_digest(eip191_digest(std::string_view("hello")));
  REQUIRE(sig.has_value());
  CHECK(sig->to_bytes().hex(false) ==
        "e5ddc160e4c8f92de507c7db9b982d4f9b7197bfa421864aeadc586bc96b09ae"
        "0ba0c5b131650ae4994cff1839341d00f3735ef5abc62ac8fe2cf50f65208e2a1b");
}

TEST_CASE("secp256k1: private keys outside [1, n-1] or of the wrong size are refused") {
  CHECK_FALSE(PrivateKey::from_bytes(Bytes(32, 0)).has_value());
  CHECK_FALSE(PrivateKey::from_hex(kOrderHex).has_value());
  auto above = PrivateKey::from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142");
  REQUIRE_FALSE(above.has_value());
  CHECK(above.error().message == "private key out of range");
  CHECK(above.error().to_string().find("fffffff") == std::string::npos);  // never echoed
  CHECK(PrivateKey::from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140").has_value());
  CHECK(PrivateKey::from_bytes(Bytes(31, 1)).error().detail == "got 31");
  CHECK(PrivateKey::from_hex("zz").error().code == ErrorCode::parse_error);
  auto fresh = PrivateKey::generate();
  REQUIRE(fresh.has_value());
  CHECK_FALSE(fresh->address().is_zero());
}

TEST_CASE("secp256k1: sign then recover, for every v spelling, deterministically") {
  for (int i = 0; i < 20; ++i) {
    auto key = key_from("key " + std::to_string(i));
    Hash32 digest = keccak256(std::string_view("message " + std::to_string(i)));
    auto sig = key.sign_digest(digest);
    REQUIRE(sig.has_value());
    CHECK(*sig == *key.sign_digest(digest));  // RFC 6979: same key and digest, same signature
    CHECK(check_signature(*sig).has_value());  // always low-s
    auto pub = recover_public_key(digest, *sig);
    REQUIRE(pub.has_value());
    CHECK(*pub == key.public_key());
    for (std::uint8_t v : {std::uint8_t(sig->recovery_id), std::uint8_t(sig->recovery_id + 27)}) {
      auto a = recover_address(digest, with_v(*sig, v));
      REQUIRE(a.has_value());
      CHECK(*a == key.address());
    }
    // The other parity recovers some other key (or none), never the signer.
    auto other = recover_address(digest, with_v(*sig, static_cast<std::uint8_t>(1 - sig->recovery_id)));
    CHECK((!other.has_value() || *other != key.address()));
    CHECK(verify_signer(digest, sig->to_bytes(), key.address()).has_value());
  }
}

TEST_CASE("secp256k1: malformed signatures are rejected with the reason") {
  auto key = key_from("cow");
  Hash32 digest = keccak256(std::string_view("x"));
  auto sig = *key.sign_digest(digest);
  for (int v : {2, 26, 29, 35, 255}) {
    CHECK(error_text(recover_address(digest, with_v(sig, static_cast<std::uint8_t>(v)))).find("invalid recovery id") !=
          std::string::npos);
  }
  CHECK(error_text(recover_address(digest, Bytes(64, 1))).find("65 bytes") != std::string::npos);
  CHECK(error_text(recover_address(digest, Bytes(66, 1))).find("got 66") != std::string::npos);

  auto mutate = [&](std::size_t at, std::string_view hex) {
    Bytes b = with_v(sig, sig.v());
    Bytes part = test::hex_bytes(hex);
    std::copy(part.begin(), part.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
    return b;
  };
  std::string zero(64, '0');
  CHECK(error_text(recover_address(digest, mutate(0, zero))).find("r is zero") != std::string::npos);
  CHECK(error_text(recover_address(digest, mutate(32, zero))).find("s is zero") != std::string::npos);
  CHECK(error_text(recover_address(digest, mutate(0, kOrderHex))).find("r is not below") !=
        std::string::npos);
  SignatureOptions lax;
  lax.allow_high_s = true;
  CHECK(error_text(recover_address(digest, mutate(32, kOrderHex), lax)).find("s is not below") !=
        std::string::npos);

  // High s: n - s with the parity flipped is the same signature mathematically.
  U256 n = *U256::from_hex(kOrderHex);
  U256 high = n.wrapping_sub(U256::from_word(sig.s));
  Bytes malleated = mutate(32, high.to_word().hex(false));
  malleated[64] = static_cast<std::uint8_t>(27 + (1 - sig.recovery_id));
  CHECK(error_text(recover_address(digest, malleated)).find("s > n/2") != std::string::npos);
  auto lax_address = recover_address(digest, malleated, lax);
  REQUIRE(lax_address.has_value());
  CHECK(*lax_address == key.address());

  // A mismatch names both addresses.
  auto wrong = verify_signer(digest, sig.to_bytes(), key_from("bob").address());
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().code == ErrorCode::verification_failed);
  CHECK(wrong.error().detail ==
        "expected " + to_checksum_address(key_from("bob").address()) + ", recovered " +
            to_checksum_address(key.address()));
}

TEST_CASE("secp256k1: public keys parse in every SEC 1 form and must be on the curve") {
  auto key = key_from("pk");
  auto xy = key.public_key().xy;
  auto plain = PublicKey::from_bytes(xy);
  REQUIRE(plain.has_value());
  CHECK(*plain == key.public_key());
  Bytes prefixed{0x04};
  prefixed.insert(prefixed.end(), xy.begin(), xy.end());
  CHECK(*PublicKey::from_bytes(prefixed) == key.public_key());
  Bytes compressed{static_cast<std::uint8_t>(0x02 + (xy.bytes[63] & 1))};
  compressed.insert(compressed.end(), xy.begin(), xy.begin() + 32);
  CHECK(*PublicKey::from_bytes(compressed) == key.public_key());
  Bytes off_curve(xy.begin(), xy.end());
  off_curve[63] ^= 1;
  CHECK(PublicKey::from_bytes(off_curve).error().message.find("not a point") != std::string::npos);
  CHECK_FALSE(PublicKey::from_bytes(Bytes(10, 4)).has_value());
}

TEST_CASE("eip55: the EIP's examples, and parsing rules") {
  const char* examples[] = {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
                            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
                            "0x52908400098527886E0F7030069857D2E4169EE7",
                            "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
                            "0xde709f2102306220921060314715629080e2fb77",
                            "0x27b1fdb04752bbc536007a920d24acb045561c26"};
  for (std::string_view e : examples) {
    INFO(e);
    auto a = parse_address(e);
    REQUIRE(a.has_value());
    bool single_case = e.substr(2) == a->hex(false) ||
                       std::none_of(e.begin() + 2, e.end(), [](char c) { return c >= 'a'; });
    if (!single_case) CHECK(to_checksum_address(*a) == e);
    std::string lower = a->hex(true);
    CHECK(*parse_address(lower) == *a);
    std::string upper = "0x" + std::string(lower.begin() + 2, lower.end());
    std::transform(upper.begin() + 2, upper.end(), upper.begin() + 2, ::toupper);
    CHECK(*parse_address(upper) == *a);
  }
  auto wrong = parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD");
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().detail.find("expected 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") !=
        std::string::npos);
  CHECK_FALSE(parse_address("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").has_value());
  CHECK_FALSE(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA").has_value());
  CHECK_FALSE(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAez").has_value());
}

TEST_CASE("eip191: personal_sign digests match eth-account") {
  CHECK(eip191_digest(std::string_view("hello")).hex(false) ==
        "50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750");
  CHECK(eip191_digest(std::string_view("")).hex(false) ==
        "5f35dce98ba4fba25530a026ed80b2cecdaa31091ba4958b99b52ea1d068adad");
  Bytes counting(200);
  for (std::size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<std::uint8_t>(i);
  CHECK(eip191_digest(ByteView(counting)).hex(false) ==
        "ed1031587d62758f5833eec2d79c4b107392423cff2f31ecc3dc4848e4557001");
}
