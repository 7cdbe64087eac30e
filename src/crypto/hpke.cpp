// HPKE base mode (RFC 9180) on OpenSSL 3.0 primitives. Section numbers below
// are RFC 9180's.
#include "verinfer/crypto/hpke.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <limits>

#include "crypto/hpke_internal.hpp"

namespace verinfer {
namespace hpke_detail {
namespace {

constexpr std::string_view kVersionLabel = "HPKE-v1";
constexpr std::uint8_t kModeBase = 0x00;

void append_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

void append(Bytes& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

std::string hex16(std::uint16_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s.push_back(kDigits[(v >> shift) & 0xf]);
  return s;
}

// HMAC-SHA256 into a wiped buffer.
SecretBytes hmac(ByteView key, ByteView data) {
  SecretBytes out(kHashSize);
  unsigned int len = 0;
  static const std::uint8_t kNone = 0;  // OpenSSL wants a non-null key pointer
  HMAC(EVP_sha256(), key.empty() ? &kNone : key.data(), static_cast<int>(key.size()),
       data.empty() ? &kNone : data.data(), data.size(), out.data(), &len);
  return out;
}

const EVP_CIPHER* cipher_of(const AeadParams& aead) {
  return aead.id == 0x0001 ? EVP_aes_128_gcm() : EVP_chacha20_poly1305();
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  CipherCtx() = default;
  CipherCtx(const CipherCtx&) = delete;
  CipherCtx& operator=(const CipherCtx&) = delete;
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

Status check_aead_inputs(const AeadParams& aead, ByteView key, ByteView nonce, ByteView aad,
                         ByteView text) {
  if (key.size() != aead.key_size || nonce.size() != aead.nonce_size) {
    return fail(ErrorCode::invalid_argument, "AEAD key or nonce of the wrong size",
                "expected " + std::to_string(aead.key_size) + "/" +
                    std::to_string(aead.nonce_size) + " bytes, got " +
                    std::to_string(key.size()) + "/" + std::to_string(nonce.size()));
  }
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<int>::max() / 2);
  if (aad.size() > kMax || text.size() > kMax) {
    return fail(ErrorCode::resource_exhausted, "AEAD input too large",
                std::to_string(std::max(aad.size(), text.size())) + " bytes");
  }
  return {};
}

// The sequence counter is 64 bits, far below 2^(8*Nn) - 1; refusing its last
// value keeps the nonce from ever repeating (section 5.2 MessageLimitReached).
Status check_sequence(const ContextState& s) {
  if (s.sequence == std::numeric_limits<std::uint64_t>::max()) {
    return fail(ErrorCode::resource_exhausted, "HPKE message limit reached",
                "sequence number " + std::to_string(s.sequence) + " would overflow");
  }
  return {};
}

Status check_suite_any_aead(const HpkeSuite& suite) {
  if (suite.kem_id != kHpkeX25519ChaCha20.kem_id || suite.kdf_id != kHpkeX25519ChaCha20.kdf_id ||
      !aead_params(suite.aead_id)) {
    return fail(ErrorCode::invalid_argument, "unsupported HPKE suite",
                "expected " + kHpkeX25519ChaCha20.to_string() + ", got " + suite.to_string());
  }
  return {};
}

Result<HpkeSenderContext> sender_from(const HpkeSuite& suite, const X25519PublicKey& recipient,
                                      ByteView info, const X25519PrivateKey& ephemeral) {
  auto encapsulated = encap(recipient, ephemeral);
  if (!encapsulated) return std::unexpected(encapsulated.error());
  auto state = key_schedule_base(suite, encapsulated->shared_secret.view(), info);
  if (!state) return std::unexpected(state.error());
  (*state)->enc = encapsulated->enc;
  return ContextAccess::sender(std::move(*state));
}

Result<HpkeRecipientContext> recipient_from(const HpkeSuite& suite, ByteView enc,
                                            const X25519PrivateKey& recipient, ByteView info) {
  auto enc_key = X25519PublicKey::from_bytes(enc);
  if (!enc_key) {
    return fail(ErrorCode::parse_error, "HPKE encapsulated key has the wrong length",
                "expected " + std::to_string(kHpkeEncSize) + " bytes, got " +
                    std::to_string(enc.size()));
  }
  auto shared = decap(*enc_key, recipient);
  if (!shared) return std::unexpected(shared.error());
  auto state = key_schedule_base(suite, shared->view(), info);
  if (!state) return std::unexpected(state.error());
  (*state)->enc = *enc_key;
  return ContextAccess::recipient(std::move(*state));
}

}  // namespace

SecretBytes xor_counter(const SecretBytes& base, std::uint64_t counter) {
  SecretBytes nonce(base.view());
  for (std::size_t i = 0; i < 8 && i < nonce.size(); ++i) {
    nonce.data()[nonce.size() - 1 - i] ^= static_cast<std::uint8_t>(counter & 0xff);
    counter >>= 8;
  }
  return nonce;
}

Result<AeadParams> aead_params(std::uint16_t aead_id) {
  switch (aead_id) {
    case 0x0001: return AeadParams{0x0001, 16, 12, 16};  // AES-128-GCM
    case 0x0003: return AeadParams{0x0003, 32, 12, 16};  // ChaCha20-Poly1305
    default:
      return fail(ErrorCode::invalid_argument, "unsupported HPKE AEAD", "got " + hex16(aead_id));
  }
}

SecretBytes hkdf_extract(ByteView salt, ByteView ikm) {
  static constexpr std::array<std::uint8_t, kHashSize> kZeroSalt{};
  return hmac(salt.empty() ? ByteView(kZeroSalt) : salt, ikm);
}

Result<SecretBytes> hkdf_expand(ByteView prk, ByteView info, std::size_t length) {
  if (length > 255 * kHashSize) {
    return fail(ErrorCode::invalid_argument, "HKDF-Expand length too large",
                "at most " + std::to_string(255 * kHashSize) + " bytes, asked for " +
                    std::to_string(length));
  }
  SecretBytes out(length);
  SecretBytes block;  // T(i-1)
  std::size_t done = 0;
  for (std::uint8_t counter = 1; done < length; ++counter) {
    SecretBytes input(block.size() + info.size() + 1);
    std::copy(block.view().begin(), block.view().end(), input.data());
    std::copy(info.begin(), info.end(), input.data() + block.size());
    input.data()[input.size() - 1] = counter;
    block = hmac(prk, input.view());
    std::size_t n = std::min(kHashSize, length - done);
    std::copy_n(block.view().begin(), n, out.data() + done);
    done += n;
  }
  return out;
}

Bytes kem_suite_id(std::uint16_t kem_id) {
  Bytes id{'K', 'E', 'M'};
  append_u16(id, kem_id);
  return id;
}

Bytes hpke_suite_id(const HpkeSuite& suite) {
  Bytes id{'H', 'P', 'K', 'E'};
  append_u16(id, suite.kem_id);
  append_u16(id, suite.kdf_id);
  append_u16(id, suite.aead_id);
  return id;
}

SecretBytes labeled_extract(ByteView suite_id, ByteView salt, std::string_view label,
                            ByteView ikm) {
  SecretBytes labeled_ikm(kVersionLabel.size() + suite_id.size() + label.size() + ikm.size());
  std::uint8_t* p = labeled_ikm.data();
  p = std::copy(kVersionLabel.begin(), kVersionLabel.end(), p);
  p = std::copy(suite_id.begin(), suite_id.end(), p);
  p = std::copy(label.begin(), label.end(), p);
  std::copy(ikm.begin(), ikm.end(), p);
  return hkdf_extract(salt, labeled_ikm.view());
}

Result<SecretBytes> labeled_expand(ByteView suite_id, ByteView prk, std::string_view label,
                                   ByteView info, std::size_t length) {
  if (length > 0xffff) {
    return fail(ErrorCode::invalid_argument, "HPKE LabeledExpand length too large",
                std::to_string(length) + " bytes");
  }
  Bytes labeled_info;
  labeled_info.reserve(2 + kVersionLabel.size() + suite_id.size() + label.size() + info.size());
  append_u16(labeled_info, static_cast<std::uint16_t>(length));
  append(labeled_info, as_bytes(kVersionLabel));
  append(labeled_info, suite_id);
  append(labeled_info, as_bytes(label));
  append(labeled_info, info);
  return hkdf_expand(prk, labeled_info, length);
}

Result<SecretBytes> extract_and_expand(ByteView dh, ByteView kem_context) {
  const Bytes suite_id = kem_suite_id(kHpkeX25519ChaCha20.kem_id);
  SecretBytes eae_prk = labeled_extract(suite_id, {}, "eae_prk", dh);
  return labeled_expand(suite_id, eae_prk.view(), "shared_secret", kem_context, kHashSize);
}

Result<Encapsulation> encap(const X25519PublicKey& recipient, const X25519PrivateKey& ephemeral) {
  auto dh = ephemeral.diffie_hellman(recipient);
  if (!dh) return std::unexpected(dh.error());
  Encapsulation out{{}, ephemeral.public_key()};
  Bytes kem_context(out.enc.begin(), out.enc.end());
  append(kem_context, recipient);
  auto shared = extract_and_expand(*dh, kem_context);
  secure_wipe(dh->data(), dh->size());
  if (!shared) return std::unexpected(shared.error());
  out.shared_secret = std::move(*shared);
  return out;
}

Result<SecretBytes> decap(const X25519PublicKey& enc, const X25519PrivateKey& recipient) {
  auto dh = recipient.diffie_hellman(enc);
  if (!dh) return std::unexpected(dh.error());
  Bytes kem_context(enc.begin(), enc.end());
  append(kem_context, recipient.public_key());
  auto shared = extract_and_expand(*dh, kem_context);
  secure_wipe(dh->data(), dh->size());
  return shared;
}

Result<std::unique_ptr<ContextState>> key_schedule_base(const HpkeSuite& suite,
                                                        ByteView shared_secret, ByteView info) {
  if (auto ok = check_suite_any_aead(suite); !ok) return std::unexpected(ok.error());
  auto state = std::make_unique<ContextState>();
  state->suite = suite;
  state->aead = *aead_params(suite.aead_id);
  const Bytes suite_id = hpke_suite_id(suite);

  SecretBytes psk_id_hash = labeled_extract(suite_id, {}, "psk_id_hash", {});
  SecretBytes info_hash = labeled_extract(suite_id, {}, "info_hash", info);
  Bytes context{kModeBase};
  append(context, psk_id_hash.view());
  append(context, info_hash.view());

  SecretBytes secret = labeled_extract(suite_id, shared_secret, "secret", {});
  auto key = labeled_expand(suite_id, secret.view(), "key", context, state->aead.key_size);
  auto nonce =
      labeled_expand(suite_id, secret.view(), "base_nonce", context, state->aead.nonce_size);
  auto exporter = labeled_expand(suite_id, secret.view(), "exp", context, kHashSize);
  if (!key || !nonce || !exporter) {
    return fail(ErrorCode::internal, "HPKE key schedule failed");
  }
  state->key = std::move(*key);
  state->base_nonce = std::move(*nonce);
  state->exporter_secret = std::move(*exporter);
  return state;
}

Result<Bytes> aead_seal(const AeadParams& aead, ByteView key, ByteView nonce, ByteView aad,
                        ByteView plaintext) {
  if (auto ok = check_aead_inputs(aead, key, nonce, aad, plaintext); !ok) {
    return std::unexpected(ok.error());
  }
  CipherCtx c;
  Bytes out(plaintext.size() + aead.tag_size);
  int len = 0;
  bool ok = c.ctx != nullptr &&
            EVP_EncryptInit_ex(c.ctx, cipher_of(aead), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()),
                                nullptr) == 1 &&
            EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, key.data(), nonce.data()) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_EncryptUpdate(c.ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  int written = 0;
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(c.ctx, out.data(), &len, plaintext.data(),
                           static_cast<int>(plaintext.size())) == 1;
    written = len;
  }
  ok = ok && EVP_EncryptFinal_ex(c.ctx, out.data() + written, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(aead.tag_size),
                           out.data() + plaintext.size()) == 1;
  if (!ok) return fail(ErrorCode::internal, "AEAD seal failed in OpenSSL");
  return out;
}

Result<Bytes> aead_open(const AeadParams& aead, ByteView key, ByteView nonce, ByteView aad,
                        ByteView ciphertext) {
  if (ciphertext.size() < aead.tag_size) {
    return fail(ErrorCode::verification_failed, "AEAD ciphertext shorter than its tag",
                "expected at least " + std::to_string(aead.tag_size) + " bytes, got " +
                    std::to_string(ciphertext.size()));
  }
  if (auto ok = check_aead_inputs(aead, key, nonce, aad, ciphertext); !ok) {
    return std::unexpected(ok.error());
  }
  const std::size_t body = ciphertext.size() - aead.tag_size;
  CipherCtx c;
  Bytes out(body);
  int len = 0;
  Bytes tag(ciphertext.begin() + static_cast<std::ptrdiff_t>(body), ciphertext.end());
  bool ok = c.ctx != nullptr &&
            EVP_DecryptInit_ex(c.ctx, cipher_of(aead), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()),
                                nullptr) == 1 &&
            EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, key.data(), nonce.data()) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()),
                                tag.data()) == 1;
  if (!ok) return fail(ErrorCode::internal, "AEAD open failed to start in OpenSSL");
  if (!aad.empty()) {
    ok = EVP_DecryptUpdate(c.ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  int written = 0;
  if (ok && body > 0) {
    ok = EVP_DecryptUpdate(c.ctx, out.data(), &len, ciphertext.data(), static_cast<int>(body)) == 1;
    written = len;
  }
  if (!ok || EVP_DecryptFinal_ex(c.ctx, out.data() + written, &len) != 1) {
    secure_wipe(out.data(), out.size());
    return fail(ErrorCode::verification_failed, "AEAD authentication failed",
                "the tag does not match: wrong key or nonce, or tampered ciphertext or aad");
  }
  return out;
}

HpkeSenderContext ContextAccess::sender(std::unique_ptr<ContextState> state) {
  return HpkeSenderContext(std::move(state));
}

HpkeRecipientContext ContextAccess::recipient(std::unique_ptr<ContextState> state) {
  return HpkeRecipientContext(std::move(state));
}

Result<HpkeSenderContext> setup_base_sender_with_ephemeral_for_testing(
    const HpkeSuite& suite, const X25519PublicKey& recipient, ByteView info,
    const X25519PrivateKey& ephemeral) {
  if (auto ok = check_suite_any_aead(suite); !ok) return std::unexpected(ok.error());
  return sender_from(suite, recipient, info, ephemeral);
}

Result<HpkeRecipientContext> setup_base_recipient_any_aead_for_testing(
    const HpkeSuite& suite, ByteView enc, const X25519PrivateKey& recipient, ByteView info) {
  if (auto ok = check_suite_any_aead(suite); !ok) return std::unexpected(ok.error());
  return recipient_from(suite, enc, recipient, info);
}

namespace {

Result<Bytes> export_from(const ContextState& s, ByteView exporter_context, std::size_t length) {
  if (length > 255 * kHashSize) {
    return fail(ErrorCode::invalid_argument, "HPKE export length too large",
                "at most " + std::to_string(255 * kHashSize) + " bytes, asked for " +
                    std::to_string(length));
  }
  auto out = labeled_expand(hpke_suite_id(s.suite), s.exporter_secret.view(), "sec",
                            exporter_context, length);
  if (!out) return std::unexpected(out.error());
  return out->reveal();
}

}  // namespace
}  // namespace hpke_detail

using hpke_detail::ContextState;

std::string HpkeSuite::to_string() const {
  return "kem " + hpke_detail::hex16(kem_id) + ", kdf " + hpke_detail::hex16(kdf_id) + ", aead " +
         hpke_detail::hex16(aead_id);
}

Status check_hpke_suite(const HpkeSuite& suite) {
  if (suite != kHpkeX25519ChaCha20) {
    return fail(ErrorCode::invalid_argument, "unsupported HPKE suite",
                "expected " + kHpkeX25519ChaCha20.to_string() + ", got " + suite.to_string());
  }
  return {};
}

// ---- X25519 keys ----------------------------------------------------------

namespace {

struct PkeyPtr {
  EVP_PKEY* p = nullptr;
  explicit PkeyPtr(EVP_PKEY* pkey) : p(pkey) {}
  PkeyPtr(const PkeyPtr&) = delete;
  PkeyPtr& operator=(const PkeyPtr&) = delete;
  ~PkeyPtr() { EVP_PKEY_free(p); }
};

}  // namespace

Result<X25519PrivateKey> X25519PrivateKey::from_bytes(ByteView secret) {
  if (secret.size() != 32) {
    return fail(ErrorCode::invalid_argument, "X25519 private key has the wrong length",
                "expected 32 bytes, got " + std::to_string(secret.size()));
  }
  X25519PrivateKey key;
  std::copy(secret.begin(), secret.end(), key.secret_.begin());
  return key;
}

Result<X25519PrivateKey> X25519PrivateKey::from_hex(std::string_view hex) {
  auto raw = verinfer::from_hex(hex);
  if (!raw) return std::unexpected(raw.error());
  auto key = from_bytes(*raw);
  secure_wipe(raw->data(), raw->size());
  return key;
}

Result<X25519PrivateKey> X25519PrivateKey::generate() {
  X25519PrivateKey key;
  if (RAND_priv_bytes(key.secret_.data(), static_cast<int>(key.secret_.size())) != 1) {
    return fail(ErrorCode::internal, "the CSPRNG failed to produce an X25519 key");
  }
  return key;
}

Result<X25519PrivateKey> X25519PrivateKey::derive(ByteView ikm) {
  if (ikm.size() < 32) {
    return fail(ErrorCode::invalid_argument, "DeriveKeyPair input keying material too short",
                "expected at least 32 bytes, got " + std::to_string(ikm.size()));
  }
  const Bytes suite_id = hpke_detail::kem_suite_id(kHpkeX25519ChaCha20.kem_id);
  auto dkp_prk = hpke_detail::labeled_extract(suite_id, {}, "dkp_prk", ikm);
  auto sk = hpke_detail::labeled_expand(suite_id, dkp_prk.view(), "sk", {}, 32);
  if (!sk) return std::unexpected(sk.error());
  return from_bytes(sk->view());
}

X25519PrivateKey::~X25519PrivateKey() { secure_wipe(secret_.data(), secret_.size()); }

X25519PublicKey X25519PrivateKey::public_key() const {
  X25519PublicKey out;
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, secret_.data(),
                                            secret_.size()));
  std::size_t len = out.size();
  // Any 32 bytes are a valid X25519 scalar, so this cannot fail short of OOM.
  if (pkey.p == nullptr || EVP_PKEY_get_raw_public_key(pkey.p, out.data(), &len) != 1) {
    return X25519PublicKey{};
  }
  return out;
}

Result<Hash32> X25519PrivateKey::diffie_hellman(const X25519PublicKey& peer) const {
  PkeyPtr own(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, secret_.data(),
                                           secret_.size()));
  PkeyPtr other(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
  if (own.p == nullptr || other.p == nullptr) {
    return fail(ErrorCode::internal, "OpenSSL could not load an X25519 key");
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(own.p, nullptr);
  Hash32 shared;
  std::size_t len = shared.size();
  bool ok = ctx != nullptr && EVP_PKEY_derive_init(ctx) == 1 &&
            EVP_PKEY_derive_set_peer(ctx, other.p) == 1 &&
            EVP_PKEY_derive(ctx, shared.data(), &len) == 1 && len == shared.size();
  EVP_PKEY_CTX_free(ctx);
  // OpenSSL refuses an all-zero X25519 output itself; the second test keeps
  // the rule (RFC 9180 section 7.1.4) independent of that.
  if (!ok || shared.is_zero()) {
    secure_wipe(shared.data(), shared.size());
    return fail(ErrorCode::verification_failed, "X25519 produced no shared secret",
                "the peer public key " + peer.hex() + " is a low-order point");
  }
  return shared;
}

// ---- contexts -------------------------------------------------------------

HpkeSenderContext::HpkeSenderContext(std::unique_ptr<ContextState> state)
    : state_(std::move(state)) {}
HpkeSenderContext::HpkeSenderContext(HpkeSenderContext&&) noexcept = default;
HpkeSenderContext& HpkeSenderContext::operator=(HpkeSenderContext&&) noexcept = default;
HpkeSenderContext::~HpkeSenderContext() = default;

const X25519PublicKey& HpkeSenderContext::enc() const noexcept { return state_->enc; }
std::uint64_t HpkeSenderContext::sequence() const noexcept { return state_->sequence; }
const HpkeSuite& HpkeSenderContext::suite() const noexcept { return state_->suite; }

Result<Bytes> HpkeSenderContext::seal(ByteView aad, ByteView plaintext) {
  if (auto ok = hpke_detail::check_sequence(*state_); !ok) return std::unexpected(ok.error());
  auto nonce = hpke_detail::xor_counter(state_->base_nonce, state_->sequence);
  auto ct = hpke_detail::aead_seal(state_->aead, state_->key.view(), nonce.view(), aad, plaintext);
  if (ct) ++state_->sequence;
  return ct;
}

Result<Bytes> HpkeSenderContext::export_secret(ByteView exporter_context,
                                               std::size_t length) const {
  return hpke_detail::export_from(*state_, exporter_context, length);
}

HpkeRecipientContext::HpkeRecipientContext(std::unique_ptr<ContextState> state)
    : state_(std::move(state)) {}
HpkeRecipientContext::HpkeRecipientContext(HpkeRecipientContext&&) noexcept = default;
HpkeRecipientContext& HpkeRecipientContext::operator=(HpkeRecipientContext&&) noexcept = default;
HpkeRecipientContext::~HpkeRecipientContext() = default;

std::uint64_t HpkeRecipientContext::sequence() const noexcept { return state_->sequence; }
const HpkeSuite& HpkeRecipientContext::suite() const noexcept { return state_->suite; }
const X25519PublicKey& HpkeRecipientContext::enc() const noexcept { return state_->enc; }

Result<Bytes> HpkeRecipientContext::open(ByteView aad, ByteView ciphertext) {
  if (auto ok = hpke_detail::check_sequence(*state_); !ok) return std::unexpected(ok.error());
  auto nonce = hpke_detail::xor_counter(state_->base_nonce, state_->sequence);
  auto pt = hpke_detail::aead_open(state_->aead, state_->key.view(), nonce.view(), aad, ciphertext);
  if (!pt) {
    Error e = pt.error();
    if (e.code == ErrorCode::verification_failed) {
      e.message = "HPKE open failed: " + e.message;
      e.detail += " (sequence number " + std::to_string(state_->sequence) + ")";
    }
    return std::unexpected(std::move(e));
  }
  ++state_->sequence;
  return pt;
}

Result<Bytes> HpkeRecipientContext::export_secret(ByteView exporter_context,
                                                  std::size_t length) const {
  return hpke_detail::export_from(*state_, exporter_context, length);
}

Result<HpkeSenderContext> hpke_setup_base_sender(const HpkeSuite& suite,
                                                 const X25519PublicKey& recipient, ByteView info) {
  if (auto ok = check_hpke_suite(suite); !ok) return std::unexpected(ok.error());
  auto ephemeral = X25519PrivateKey::generate();
  if (!ephemeral) return std::unexpected(ephemeral.error());
  return hpke_detail::sender_from(suite, recipient, info, *ephemeral);
}

Result<HpkeRecipientContext> hpke_setup_base_recipient(const HpkeSuite& suite, ByteView enc,
                                                       const X25519PrivateKey& recipient,
                                                       ByteView info) {
  if (auto ok = check_hpke_suite(suite); !ok) return std::unexpected(ok.error());
  return hpke_detail::recipient_from(suite, enc, recipient, info);
}

}  // namespace verinfer
