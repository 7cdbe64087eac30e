#include "verinfer/crypto/secp256k1.hpp"

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>

#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

// The curve order n and n/2 (SEC 2, section 2.4.1), big-endian.
constexpr std::array<std::uint8_t, 32> kOrder = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
    0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41};
constexpr std::array<std::uint8_t, 32> kHalfOrder = {
    0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0};

// One context for the process: created once (thread-safe static init), then
// only read, which libsecp256k1 documents as safe from many threads.
const secp256k1_context* context() {
  static const secp256k1_context* const ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    // Blinding against side channels while signing.
    unsigned char seed[32];
    if (RAND_bytes(seed, sizeof seed) == 1 && secp256k1_context_randomize(c, seed) != 1) {
      // Only fails on a broken library; the context stays usable, unblinded.
    }
    secure_wipe(seed, sizeof seed);
    return c;
  }();
  return ctx;
}

PublicKey serialize(const secp256k1_pubkey& key) {
  unsigned char out[65];
  std::size_t len = sizeof out;
  (void)secp256k1_ec_pubkey_serialize(context(), out, &len, &key, SECP256K1_EC_UNCOMPRESSED);
  PublicKey pk;
  std::copy(out + 1, out + 65, pk.xy.bytes.begin());
  return pk;
}

}  // namespace

Result<PublicKey> PublicKey::from_bytes(ByteView bytes) {
  std::array<std::uint8_t, 65> sec1{};
  ByteView input = bytes;
  if (bytes.size() == 64) {
    sec1[0] = 0x04;
    std::copy(bytes.begin(), bytes.end(), sec1.begin() + 1);
    input = ByteView(sec1);
  } else if (bytes.size() != 65 && bytes.size() != 33) {
    return fail(ErrorCode::invalid_argument, "wrong public key length",
                "expected 64, 65 or 33 bytes, got " + std::to_string(bytes.size()));
  }
  secp256k1_pubkey key;
  if (secp256k1_ec_pubkey_parse(context(), &key, input.data(), input.size()) != 1) {
    return fail(ErrorCode::invalid_argument, "public key is not a point on secp256k1",
                to_hex(bytes));
  }
  return serialize(key);
}

Address PublicKey::address() const noexcept {
  Hash32 h = keccak256(xy.view());
  Address out;
  std::copy(h.bytes.begin() + 12, h.bytes.end(), out.bytes.begin());
  return out;
}

FixedBytes<65> Signature::to_bytes() const noexcept {
  FixedBytes<65> out;
  std::copy(r.begin(), r.end(), out.bytes.begin());
  std::copy(s.begin(), s.end(), out.bytes.begin() + 32);
  out.bytes[64] = v();
  return out;
}

Status check_signature(const Signature& signature, SignatureOptions options) {
  if (signature.recovery_id > 1) {
    return fail(ErrorCode::invalid_argument, "invalid recovery id",
                "expected 0 or 1, got " + std::to_string(signature.recovery_id));
  }
  const Hash32 order{kOrder};
  if (signature.r.is_zero()) return fail(ErrorCode::invalid_argument, "signature r is zero");
  if (signature.r >= order) {
    return fail(ErrorCode::invalid_argument, "signature r is not below the curve order",
                "r = " + signature.r.hex());
  }
  if (signature.s.is_zero()) return fail(ErrorCode::invalid_argument, "signature s is zero");
  if (signature.s >= order) {
    return fail(ErrorCode::invalid_argument, "signature s is not below the curve order",
                "s = " + signature.s.hex());
  }
  if (!options.allow_high_s && signature.s > Hash32{kHalfOrder}) {
    return fail(ErrorCode::invalid_argument, "signature s > n/2 (malleable high-s signature, EIP-2)",
                "expected s <= " + Hash32{kHalfOrder}.hex() + ", got " + signature.s.hex());
  }
  return {};
}

Result<Signature> parse_signature(ByteView rsv, SignatureOptions options) {
  if (rsv.size() != 65) {
    return fail(ErrorCode::invalid_argument, "signature must be 65 bytes (r || s || v)",
                "got " + std::to_string(rsv.size()) + " bytes");
  }
  std::uint8_t v = rsv[64];
  if (v != 0 && v != 1 && v != 27 && v != 28) {
    return fail(ErrorCode::invalid_argument, "invalid recovery id",
                "expected v in {0, 1, 27, 28}, got " + std::to_string(v));
  }
  Signature sig;
  std::copy(rsv.begin(), rsv.begin() + 32, sig.r.bytes.begin());
  std::copy(rsv.begin() + 32, rsv.begin() + 64, sig.s.bytes.begin());
  sig.recovery_id = static_cast<std::uint8_t>(v >= 27 ? v - 27 : v);
  auto ok = check_signature(sig, options);
  if (!ok) return std::unexpected(ok.error());
  return sig;
}

Result<PublicKey> recover_public_key(const Hash32& digest, const Signature& signature,
                                     SignatureOptions options) {
  auto ok = check_signature(signature, options);
  if (!ok) return std::unexpected(ok.error());
  unsigned char compact[64];
  std::copy(signature.r.begin(), signature.r.end(), compact);
  std::copy(signature.s.begin(), signature.s.end(), compact + 32);
  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, compact,
                                                          signature.recovery_id) != 1) {
    return fail(ErrorCode::invalid_argument, "signature does not parse");
  }
  secp256k1_pubkey key;
  if (secp256k1_ecdsa_recover(context(), &key, &sig, digest.data()) != 1) {
    // r is not the x of a curve point with that parity: no signer exists.
    return fail(ErrorCode::verification_failed, "no public key recovers from this signature",
                "r = " + signature.r.hex() + ", recovery id " +
                    std::to_string(signature.recovery_id));
  }
  return serialize(key);
}

Result<Address> recover_address(const Hash32& digest, ByteView rsv, SignatureOptions options) {
  auto sig = parse_signature(rsv, options);
  if (!sig) return std::unexpected(sig.error());
  auto key = recover_public_key(digest, *sig, options);
  if (!key) return std::unexpected(key.error());
  return key->address();
}

Status verify_signer(const Hash32& digest, ByteView rsv, const Address& expected,
                     SignatureOptions options) {
  auto recovered = recover_address(digest, rsv, options);
  if (!recovered) return std::unexpected(recovered.error());
  if (*recovered != expected) {
    return fail(ErrorCode::verification_failed, "signature is not from the expected signer",
                "expected " + to_checksum_address(expected) + ", recovered " +
                    to_checksum_address(*recovered));
  }
  return {};
}

Result<PrivateKey> PrivateKey::from_bytes(ByteView secret) {
  if (secret.size() != 32) {
    return fail(ErrorCode::invalid_argument, "private key must be 32 bytes",
                "got " + std::to_string(secret.size()));
  }
  PrivateKey key;
  std::copy(secret.begin(), secret.end(), key.secret_.begin());
  if (secp256k1_ec_seckey_verify(context(), key.secret_.data()) != 1) {
    return fail(ErrorCode::invalid_argument, "private key out of range",
                "expected a value in [1, n-1]");  // never echo the secret
  }
  return key;
}

Result<PrivateKey> PrivateKey::from_hex(std::string_view hex) {
  auto bytes = verinfer::from_hex(hex);
  if (!bytes) return fail(ErrorCode::parse_error, "private key is not hex", bytes.error().message);
  auto key = from_bytes(*bytes);
  secure_wipe(bytes->data(), bytes->size());
  return key;
}

Result<PrivateKey> PrivateKey::generate() {
  std::array<std::uint8_t, 32> seed{};
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
      return fail(ErrorCode::internal, "the system random generator failed");
    }
    auto key = from_bytes(seed);
    secure_wipe(seed.data(), seed.size());
    if (key) return key;
  }
  return fail(ErrorCode::internal, "could not draw a valid private key");
}

PrivateKey::~PrivateKey() { secure_wipe(secret_.data(), secret_.size()); }

PublicKey PrivateKey::public_key() const {
  secp256k1_pubkey key;
  // Cannot fail: the secret was validated on construction.
  [[maybe_unused]] int ok = secp256k1_ec_pubkey_create(context(), &key, secret_.data());
  return serialize(key);
}

Result<Signature> PrivateKey::sign_digest(const Hash32& digest) const {
  secp256k1_ecdsa_recoverable_signature sig;
  // A null nonce function selects RFC 6979 (HMAC-SHA256), libsecp256k1's
  // default; its signatures are always low-s.
  if (secp256k1_ecdsa_sign_recoverable(context(), &sig, digest.data(), secret_.data(), nullptr,
                                       nullptr) != 1) {
    return fail(ErrorCode::internal, "secp256k1 signing failed");
  }
  unsigned char compact[64];
  int recid = 0;
  (void)secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), compact, &recid, &sig);
  Signature out;
  std::copy(compact, compact + 32, out.r.bytes.begin());
  std::copy(compact + 32, compact + 64, out.s.bytes.begin());
  out.recovery_id = static_cast<std::uint8_t>(recid);
  return out;
}

}  // namespace verinfer
