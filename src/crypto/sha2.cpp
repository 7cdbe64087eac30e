#include "verinfer/crypto/sha2.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cassert>

namespace verinfer {
namespace {

template <std::size_t N>
FixedBytes<N> digest(const EVP_MD* md, ByteView data) {
  FixedBytes<N> out;
  unsigned int len = 0;
  [[maybe_unused]] int ok = EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  assert(ok == 1 && len == N);
  return out;
}

}  // namespace

Hash32 sha256(ByteView data) { return digest<32>(EVP_sha256(), data); }
Hash48 sha384(ByteView data) { return digest<48>(EVP_sha384(), data); }

struct Sha256::State {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  State() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~State() { EVP_MD_CTX_free(ctx); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Sha256& Sha256::update(ByteView data) {
  EVP_DigestUpdate(state_->ctx, data.data(), data.size());
  return *this;
}

Hash32 Sha256::finish() {
  Hash32 out;
  unsigned int len = 0;
  EVP_DigestFinal_ex(state_->ctx, out.data(), &len);
  EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr);
  return out;
}

Hash32 hmac_sha256(ByteView key, ByteView data) {
  Hash32 out;
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
       out.data(), &len);
  return out;
}

}  // namespace verinfer
