// verinfer: RSA public keys and RSASSA-PSS verification (RFC 8017 section
// 8.1) with SHA-256 and MGF1-SHA-256, as OpenGradient's TEE gateway signs.
// OpenSSL underneath; its types stay behind the opaque RsaPublicKey.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// PSS salt length the verifier requires.
enum class PssSaltLength {
  digest,   ///< 32 bytes (SHA-256 digest size): the current gateway scheme
  maximum,  ///< modulus bytes - 32 - 2 (222 for RSA-2048): legacy gateway examples
};

/// An RSA public key of at least 2048 bits. Immutable; copies share state.
class RsaPublicKey {
 public:
  static constexpr std::size_t kMinBits = 2048;

  /// A PEM "PUBLIC KEY" block (SubjectPublicKeyInfo) or "RSA PUBLIC KEY"
  /// (PKCS#1). Errors: parse_error for bad PEM, invalid_argument for a key
  /// that is not RSA or is smaller than kMinBits.
  [[nodiscard]] static Result<RsaPublicKey> from_pem(std::string_view pem);
  /// DER SubjectPublicKeyInfo (as the registry stores it); same errors.
  [[nodiscard]] static Result<RsaPublicKey> from_spki_der(ByteView der);
  /// PEM text if it contains "-----BEGIN", otherwise DER bytes.
  [[nodiscard]] static Result<RsaPublicKey> parse(std::string_view pem_or_der);

  /// The DER SubjectPublicKeyInfo encoding (what the gateway's tee_id hashes).
  [[nodiscard]] const Bytes& spki_der() const noexcept;
  /// Modulus size in bits, e.g. 2048.
  [[nodiscard]] std::size_t bits() const noexcept;
  /// Signature length in bytes (= modulus length).
  [[nodiscard]] std::size_t signature_size() const noexcept { return (bits() + 7) / 8; }

  struct Impl;  ///< OpenSSL state, defined in src/crypto/rsa_pss.cpp

 private:
  friend Status verify_rsa_pss_sha256(const RsaPublicKey&, ByteView, ByteView, PssSaltLength);
  explicit RsaPublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

/// Verifies an RSASSA-PSS signature over `message` (hashed with SHA-256 as
/// part of PSS; pass the 32-byte msg_hash for the gateway scheme).
/// Returns verification_failed with the reason (wrong length, bad padding or
/// digest) when the signature does not check out; never a bare false.
[[nodiscard]] Status verify_rsa_pss_sha256(const RsaPublicKey& key, ByteView message,
                                           ByteView signature,
                                           PssSaltLength salt = PssSaltLength::digest);

}  // namespace verinfer
