// RSA public keys and RSASSA-PSS verification through OpenSSL 3's EVP API.
#include "verinfer/crypto/rsa_pss.hpp"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "verinfer/crypto/sha2.hpp"

namespace verinfer {

struct RsaPublicKey::Impl {
  EVP_PKEY* pkey = nullptr;
  Bytes spki_der;
  std::size_t bits = 0;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { EVP_PKEY_free(pkey); }
};

namespace {

// The most recent OpenSSL error as text; clears the thread's error queue.
std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  std::string text = "no OpenSSL detail";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    text = buf;
  }
  ERR_clear_error();
  return text;
}

struct PkeyCtx {
  EVP_PKEY_CTX* ctx;
  ~PkeyCtx() { EVP_PKEY_CTX_free(ctx); }
};

// Decodes a public key (PEM or DER; SubjectPublicKeyInfo or PKCS#1).
Result<EVP_PKEY*> decode_public_key(ByteView input, const char* input_type) {
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, input_type, nullptr, "RSA",
                                                         EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
  if (dctx == nullptr) return fail(ErrorCode::internal, "OpenSSL decoder unavailable", openssl_reason());
  const unsigned char* data = input.data();
  std::size_t len = input.size();
  int ok = OSSL_DECODER_from_data(dctx, &data, &len);
  OSSL_DECODER_CTX_free(dctx);
  if (ok != 1 || pkey == nullptr) {
    EVP_PKEY_free(pkey);
    return fail(ErrorCode::parse_error, "not an RSA public key",
                std::string("expected ") + input_type + " SubjectPublicKeyInfo or PKCS#1 RSA key: " +
                    openssl_reason());
  }
  return pkey;
}

Result<std::shared_ptr<const RsaPublicKey::Impl>> load_public_key(ByteView input,
                                                                  const char* input_type) {
  auto pkey = decode_public_key(input, input_type);
  if (!pkey) return std::unexpected(pkey.error());
  auto impl = std::make_unique<RsaPublicKey::Impl>();
  impl->pkey = *pkey;
  if (EVP_PKEY_is_a(impl->pkey, "RSA") != 1) {
    return fail(ErrorCode::invalid_argument, "key is not an RSA key",
                std::string("got ") + EVP_PKEY_get0_type_name(impl->pkey));
  }
  impl->bits = static_cast<std::size_t>(EVP_PKEY_get_bits(impl->pkey));
  if (impl->bits < RsaPublicKey::kMinBits) {
    return fail(ErrorCode::invalid_argument, "RSA key too small",
                "expected at least " + std::to_string(RsaPublicKey::kMinBits) + " bits, got " +
                    std::to_string(impl->bits));
  }
  unsigned char* der = nullptr;
  int der_len = i2d_PUBKEY(impl->pkey, &der);
  if (der_len <= 0) return fail(ErrorCode::internal, "cannot encode SubjectPublicKeyInfo", openssl_reason());
  impl->spki_der.assign(der, der + der_len);
  OPENSSL_free(der);
  return std::shared_ptr<const RsaPublicKey::Impl>(std::move(impl));
}

}  // namespace

Result<RsaPublicKey> RsaPublicKey::from_pem(std::string_view pem) {
  auto impl = load_public_key(as_bytes(pem), "PEM");
  if (!impl) return std::unexpected(impl.error());
  return RsaPublicKey(std::move(*impl));
}

Result<RsaPublicKey> RsaPublicKey::from_spki_der(ByteView der) {
  auto impl = load_public_key(der, "DER");
  if (!impl) return std::unexpected(impl.error());
  return RsaPublicKey(std::move(*impl));
}

Result<RsaPublicKey> RsaPublicKey::parse(std::string_view pem_or_der) {
  if (pem_or_der.find("-----BEGIN") != std::string_view::npos) return from_pem(pem_or_der);
  return from_spki_der(as_bytes(pem_or_der));
}

const Bytes& RsaPublicKey::spki_der() const noexcept { return impl_->spki_der; }
std::size_t RsaPublicKey::bits() const noexcept { return impl_->bits; }

Status verify_rsa_pss_sha256(const RsaPublicKey& key, ByteView message, ByteView signature,
                             PssSaltLength salt) {
  if (signature.size() != key.signature_size()) {
    return fail(ErrorCode::verification_failed, "RSA-PSS signature has the wrong length",
                "expected " + std::to_string(key.signature_size()) + " bytes, got " +
                    std::to_string(signature.size()));
  }
  Hash32 digest = sha256(message);
  PkeyCtx ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, key.impl_->pkey, nullptr)};
  int salt_len = salt == PssSaltLength::digest ? 32 : RSA_PSS_SALTLEN_MAX;
  if (ctx.ctx == nullptr || EVP_PKEY_verify_init(ctx.ctx) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.ctx, EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.ctx, EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.ctx, salt_len) != 1) {
    return fail(ErrorCode::internal, "cannot set up RSA-PSS verification", openssl_reason());
  }
  int ok = EVP_PKEY_verify(ctx.ctx, signature.data(), signature.size(), digest.data(), digest.size());
  if (ok != 1) {
    return fail(ErrorCode::verification_failed, "RSA-PSS signature invalid",
                std::string("SHA-256, MGF1-SHA-256, salt ") +
                    (salt == PssSaltLength::digest ? "32" : "maximum") + ": " + openssl_reason());
  }
  ERR_clear_error();
  return {};
}

}  // namespace verinfer
