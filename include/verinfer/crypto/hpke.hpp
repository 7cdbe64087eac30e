// verinfer: HPKE (RFC 9180) base mode for the one suite OpenGradient's private
// path uses: DHKEM(X25519, HKDF-SHA256) 0x0020, HKDF-SHA256 0x0001,
// ChaCha20-Poly1305 0x0003. Any other suite is refused (invalid_argument).
// Built on OpenSSL 3.0 primitives (X25519, HMAC, ChaCha20-Poly1305); OpenSSL
// 3.0 itself has no HPKE API.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// HPKE algorithm identifiers (RFC 9180 section 7).
struct HpkeSuite {
  std::uint16_t kem_id = 0x0020;   ///< DHKEM(X25519, HKDF-SHA256)
  std::uint16_t kdf_id = 0x0001;   ///< HKDF-SHA256
  std::uint16_t aead_id = 0x0003;  ///< ChaCha20-Poly1305

  /// "kem 0x0020, kdf 0x0001, aead 0x0003".
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const HpkeSuite&, const HpkeSuite&) = default;
};

/// The only supported suite.
inline constexpr HpkeSuite kHpkeX25519ChaCha20{0x0020, 0x0001, 0x0003};

/// Ok for kHpkeX25519ChaCha20; otherwise invalid_argument naming the ids.
[[nodiscard]] Status check_hpke_suite(const HpkeSuite& suite);

inline constexpr std::size_t kHpkeEncSize = 32;  ///< Nenc: an X25519 public key
inline constexpr std::size_t kHpkeTagSize = 16;  ///< Nt of ChaCha20-Poly1305

using X25519PublicKey = FixedBytes<32>;  ///< RFC 7748 u-coordinate

/// An X25519 private key. It cannot be printed or read back; its bytes are
/// wiped when the object dies.
class X25519PrivateKey {
 public:
  /// Exactly 32 bytes (clamping is X25519's job, RFC 7748 section 5).
  [[nodiscard]] static Result<X25519PrivateKey> from_bytes(ByteView secret);
  /// 64 hex digits, optional 0x.
  [[nodiscard]] static Result<X25519PrivateKey> from_hex(std::string_view hex);
  /// A fresh key from OpenSSL's CSPRNG.
  [[nodiscard]] static Result<X25519PrivateKey> generate();
  /// RFC 9180 section 7.1.3 DeriveKeyPair for DHKEM(X25519, HKDF-SHA256);
  /// `ikm` must hold at least 32 bytes (Nsk) of entropy.
  [[nodiscard]] static Result<X25519PrivateKey> derive(ByteView ikm);

  X25519PrivateKey(const X25519PrivateKey&) noexcept = default;
  X25519PrivateKey& operator=(const X25519PrivateKey&) noexcept = default;
  ~X25519PrivateKey();

  /// The matching public key.
  [[nodiscard]] X25519PublicKey public_key() const;
  /// X25519(sk, peer); fails (verification_failed) when the result is all
  /// zeros, i.e. the peer key is a low-order point (RFC 9180 section 7.1.4).
  [[nodiscard]] Result<Hash32> diffie_hellman(const X25519PublicKey& peer) const;

 private:
  X25519PrivateKey() = default;
  std::array<std::uint8_t, 32> secret_{};
};

namespace hpke_detail {
struct ContextState;  // key, base nonce, exporter secret, sequence (src/crypto/hpke_internal.hpp)
struct ContextAccess;
}  // namespace hpke_detail

/// The sender's context after SetupBaseS: seals messages in order.
class HpkeSenderContext {
 public:
  HpkeSenderContext(HpkeSenderContext&&) noexcept;
  HpkeSenderContext& operator=(HpkeSenderContext&&) noexcept;
  ~HpkeSenderContext();

  /// The encapsulated key to send with the first message (Nenc bytes).
  [[nodiscard]] const X25519PublicKey& enc() const noexcept;
  /// Seal(aad, pt) with the next sequence number; resource_exhausted when the
  /// sequence number would overflow.
  [[nodiscard]] Result<Bytes> seal(ByteView aad, ByteView plaintext);
  /// Export(exporter_context, length), length <= 255 * 32.
  [[nodiscard]] Result<Bytes> export_secret(ByteView exporter_context, std::size_t length) const;
  /// The sequence number the next seal() uses.
  [[nodiscard]] std::uint64_t sequence() const noexcept;
  /// The suite the context was set up with.
  [[nodiscard]] const HpkeSuite& suite() const noexcept;

 private:
  friend struct hpke_detail::ContextAccess;
  explicit HpkeSenderContext(std::unique_ptr<hpke_detail::ContextState> state);
  std::unique_ptr<hpke_detail::ContextState> state_;
};

/// The recipient's context after SetupBaseR: opens messages in order.
class HpkeRecipientContext {
 public:
  HpkeRecipientContext(HpkeRecipientContext&&) noexcept;
  HpkeRecipientContext& operator=(HpkeRecipientContext&&) noexcept;
  ~HpkeRecipientContext();

  /// Open(aad, ct) with the next sequence number. A wrong key, a tampered
  /// ciphertext or aad, or a message out of order is verification_failed;
  /// the sequence number only advances on success.
  [[nodiscard]] Result<Bytes> open(ByteView aad, ByteView ciphertext);
  /// Export(exporter_context, length), length <= 255 * 32.
  [[nodiscard]] Result<Bytes> export_secret(ByteView exporter_context, std::size_t length) const;
  /// The sequence number the next open() expects.
  [[nodiscard]] std::uint64_t sequence() const noexcept;
  /// The suite the context was set up with.
  [[nodiscard]] const HpkeSuite& suite() const noexcept;
  /// The encapsulated key this context was set up from.
  [[nodiscard]] const X25519PublicKey& enc() const noexcept;

 private:
  friend struct hpke_detail::ContextAccess;
  explicit HpkeRecipientContext(std::unique_ptr<hpke_detail::ContextState> state);
  std::unique_ptr<hpke_detail::ContextState> state_;
};

/// SetupBaseS(pkR, info) with a fresh ephemeral key from the CSPRNG.
[[nodiscard]] Result<HpkeSenderContext> hpke_setup_base_sender(const HpkeSuite& suite,
                                                               const X25519PublicKey& recipient,
                                                               ByteView info);

/// SetupBaseR(enc, skR, info).
[[nodiscard]] Result<HpkeRecipientContext> hpke_setup_base_recipient(
    const HpkeSuite& suite, ByteView enc, const X25519PrivateKey& recipient, ByteView info);

}  // namespace verinfer
