// Internals of HPKE (RFC 9180) shared by src/crypto/hpke.cpp, the OHTTP code
// (src/transport/ohttp.cpp) and the tests. Not installed, not public API.
//
// The internals know two AEADs: ChaCha20-Poly1305 (the supported suite) and
// AES-128-GCM, which exists here only so the tests can reproduce RFC 9458's
// worked example (aead 0x0001). Public entry points accept only
// kHpkeX25519ChaCha20; the *_for_testing functions below also accept aead 1.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/hpke.hpp"
#include "verinfer/error.hpp"

namespace verinfer::hpke_detail {

struct AeadParams {
  std::uint16_t id = 0;
  std::size_t key_size = 0;    ///< Nk
  std::size_t nonce_size = 0;  ///< Nn
  std::size_t tag_size = 0;    ///< Nt
};

/// Sizes for aead 0x0001 (AES-128-GCM) or 0x0003 (ChaCha20-Poly1305).
[[nodiscard]] Result<AeadParams> aead_params(std::uint16_t aead_id);

inline constexpr std::size_t kHashSize = 32;  ///< Nh of HKDF-SHA256

/// A secret byte string that is wiped when it dies.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : bytes_(size) {}
  explicit SecretBytes(ByteView bytes) : bytes_(bytes.begin(), bytes.end()) {}
  SecretBytes(const SecretBytes& other) = default;
  SecretBytes(SecretBytes&& other) noexcept = default;
  SecretBytes& operator=(const SecretBytes& other) {
    if (this != &other) {
      wipe();
      bytes_ = other.bytes_;
    }
    return *this;
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
    }
    return *this;
  }
  ~SecretBytes() { wipe(); }

  [[nodiscard]] ByteView view() const noexcept { return bytes_; }
  [[nodiscard]] std::uint8_t* data() noexcept { return bytes_.data(); }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  /// A plain copy, for tests that compare against known answers.
  [[nodiscard]] Bytes reveal() const { return bytes_; }

 private:
  void wipe() noexcept { secure_wipe(bytes_.data(), bytes_.size()); }
  Bytes bytes_;
};

/// What a context holds after KeySchedule (RFC 9180 section 5.1).
struct ContextState {
  HpkeSuite suite;
  AeadParams aead;
  X25519PublicKey enc;
  SecretBytes key;
  SecretBytes base_nonce;
  SecretBytes exporter_secret;
  std::uint64_t sequence = 0;
};

/// base XOR I2OSP(counter, base.size()): the per-message nonce of HPKE's
/// Seal/Open (RFC 9180 section 5.2) and of chunked OHTTP responses.
[[nodiscard]] SecretBytes xor_counter(const SecretBytes& base, std::uint64_t counter);

/// HKDF-SHA256 (RFC 5869). An empty salt means Nh zero bytes.
[[nodiscard]] SecretBytes hkdf_extract(ByteView salt, ByteView ikm);
/// length <= 255 * Nh, otherwise invalid_argument.
[[nodiscard]] Result<SecretBytes> hkdf_expand(ByteView prk, ByteView info, std::size_t length);

/// "KEM" || I2OSP(kem_id, 2), and "HPKE" || kem || kdf || aead.
[[nodiscard]] Bytes kem_suite_id(std::uint16_t kem_id);
[[nodiscard]] Bytes hpke_suite_id(const HpkeSuite& suite);

/// RFC 9180 section 4: Extract(salt, "HPKE-v1" || suite_id || label || ikm).
[[nodiscard]] SecretBytes labeled_extract(ByteView suite_id, ByteView salt, std::string_view label,
                                          ByteView ikm);
/// Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L).
[[nodiscard]] Result<SecretBytes> labeled_expand(ByteView suite_id, ByteView prk,
                                                 std::string_view label, ByteView info,
                                                 std::size_t length);

/// DHKEM ExtractAndExpand (section 4.1): the 32-byte KEM shared secret.
[[nodiscard]] Result<SecretBytes> extract_and_expand(ByteView dh, ByteView kem_context);

struct Encapsulation {
  SecretBytes shared_secret;
  X25519PublicKey enc;
};
/// Encap(pkR) with a given ephemeral key (section 4.1).
[[nodiscard]] Result<Encapsulation> encap(const X25519PublicKey& recipient,
                                          const X25519PrivateKey& ephemeral);
/// Decap(enc, skR).
[[nodiscard]] Result<SecretBytes> decap(const X25519PublicKey& enc,
                                        const X25519PrivateKey& recipient);

/// KeySchedule(mode_base, shared_secret, info, psk = "", psk_id = "").
[[nodiscard]] Result<std::unique_ptr<ContextState>> key_schedule_base(const HpkeSuite& suite,
                                                                      ByteView shared_secret,
                                                                      ByteView info);

/// One AEAD operation with an explicit key and nonce (ciphertext || tag).
[[nodiscard]] Result<Bytes> aead_seal(const AeadParams& aead, ByteView key, ByteView nonce,
                                      ByteView aad, ByteView plaintext);
/// verification_failed when the tag does not match.
[[nodiscard]] Result<Bytes> aead_open(const AeadParams& aead, ByteView key, ByteView nonce,
                                      ByteView aad, ByteView ciphertext);

/// Builds contexts from a state and reaches into them (tests, OHTTP).
struct ContextAccess {
  static HpkeSenderContext sender(std::unique_ptr<ContextState> state);
  static HpkeRecipientContext recipient(std::unique_ptr<ContextState> state);
  static ContextState& state(HpkeSenderContext& context) { return *context.state_; }
  static ContextState& state(HpkeRecipientContext& context) { return *context.state_; }
  static const ContextState& state(const HpkeSenderContext& context) { return *context.state_; }
  static const ContextState& state(const HpkeRecipientContext& context) {
    return *context.state_;
  }
};

/// TEST ONLY: SetupBaseS with a caller-chosen ephemeral key, so known answers
/// can be reproduced. Never use it to send real messages: reusing an
/// ephemeral key breaks HPKE's security. Accepts aead 1 or 3.
[[nodiscard]] Result<HpkeSenderContext> setup_base_sender_with_ephemeral_for_testing(
    const HpkeSuite& suite, const X25519PublicKey& recipient, ByteView info,
    const X25519PrivateKey& ephemeral);

/// TEST ONLY: SetupBaseR that also accepts aead 1 (RFC 9458's example).
[[nodiscard]] Result<HpkeRecipientContext> setup_base_recipient_any_aead_for_testing(
    const HpkeSuite& suite, ByteView enc, const X25519PrivateKey& recipient, ByteView info);

}  // namespace verinfer::hpke_detail
