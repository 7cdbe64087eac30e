// verinfer: secp256k1 ECDSA as Ethereum uses it: deterministic signing
// (RFC 6979), recovery of the signer from a 65-byte r||s||v signature and
// addresses (last 20 bytes of keccak256(X||Y)). Backed by libsecp256k1.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// An uncompressed public key without the 0x04 prefix: X || Y, 64 bytes.
struct PublicKey {
  FixedBytes<64> xy;

  /// Validates that the point is on the curve; accepts 64 bytes X||Y, or 65
  /// (0x04-prefixed) or 33 (compressed) bytes in SEC 1 form.
  [[nodiscard]] static Result<PublicKey> from_bytes(ByteView bytes);
  /// The Ethereum address: last 20 bytes of keccak256(X || Y).
  [[nodiscard]] Address address() const noexcept;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

/// A recoverable signature. recovery_id is the parity of R's y (0 or 1).
struct Signature {
  Hash32 r;
  Hash32 s;
  std::uint8_t recovery_id = 0;

  /// Legacy Ethereum v: 27 + recovery_id.
  [[nodiscard]] std::uint8_t v() const noexcept { return static_cast<std::uint8_t>(27 + recovery_id); }
  /// r || s || v (v = 27 or 28), the form eth_sign / ecrecover callers use.
  [[nodiscard]] FixedBytes<65> to_bytes() const noexcept;

  friend bool operator==(const Signature&, const Signature&) = default;
};

/// What signature recovery accepts.
struct SignatureOptions {
  /// EIP-2: s must be at most n/2 unless this is set (for legacy signatures
  /// that are known to come from a non-normalising signer).
  bool allow_high_s = false;
};

/// Parses and checks a 65-byte r||s||v signature: v in {0, 1, 27, 28}, r and
/// s in [1, n-1], s <= n/2 unless allowed. Each violation is its own error.
[[nodiscard]] Result<Signature> parse_signature(ByteView rsv, SignatureOptions options = {});

/// The same range checks on an already split signature.
[[nodiscard]] Status check_signature(const Signature& signature, SignatureOptions options = {});

/// The public key that produced `signature` over `digest`.
[[nodiscard]] Result<PublicKey> recover_public_key(const Hash32& digest, const Signature& signature,
                                                   SignatureOptions options = {});
/// The signer address of a 65-byte r||s||v signature over `digest`.
[[nodiscard]] Result<Address> recover_address(const Hash32& digest, ByteView rsv,
                                              SignatureOptions options = {});
/// Succeeds only if the signature recovers to `expected`; on a mismatch the
/// error (verification_failed) names the expected and the recovered address.
[[nodiscard]] Status verify_signer(const Hash32& digest, ByteView rsv, const Address& expected,
                                   SignatureOptions options = {});

namespace secp256k1_detail {
struct SecretAccess;  // src/crypto/secret_access.hpp: keystore encryption, the Python binding
}  // namespace secp256k1_detail

/// A secp256k1 secret key. It cannot be printed or read back; its bytes are
/// wiped when the object dies.
class PrivateKey {
 public:
  /// Exactly 32 bytes, in [1, n-1].
  [[nodiscard]] static Result<PrivateKey> from_bytes(ByteView secret);
  /// 64 hex digits, optional 0x.
  [[nodiscard]] static Result<PrivateKey> from_hex(std::string_view hex);
  /// A fresh key from the operating system's CSPRNG.
  [[nodiscard]] static Result<PrivateKey> generate();

  PrivateKey(const PrivateKey& other) noexcept = default;
  PrivateKey& operator=(const PrivateKey& other) noexcept = default;
  ~PrivateKey();

  /// The public key and the address (its account) of this key.
  /// @{
  [[nodiscard]] PublicKey public_key() const;
  [[nodiscard]] Address address() const { return public_key().address(); }
  /// @}

  /// Deterministic (RFC 6979) low-s signature over a 32-byte digest.
  [[nodiscard]] Result<Signature> sign_digest(const Hash32& digest) const;

 private:
  friend struct secp256k1_detail::SecretAccess;
  PrivateKey() = default;
  std::array<std::uint8_t, 32> secret_{};
};

}  // namespace verinfer
