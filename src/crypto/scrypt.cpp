#include "crypto/scrypt.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <limits>

namespace verinfer {

Status pbkdf2_hmac_sha256(ByteView password, ByteView salt, std::uint64_t iterations,
                          std::span<std::uint8_t> out) {
  static const char kEmpty = 0;
  const int limit = std::numeric_limits<int>::max();
  if (iterations > static_cast<std::uint64_t>(limit) || password.size() > static_cast<std::size_t>(limit) ||
      salt.size() > static_cast<std::size_t>(limit) || out.size() > static_cast<std::size_t>(limit)) {
    return fail(ErrorCode::invalid_argument, "pbkdf2 input too large");
  }
  const char* pass = password.empty() ? &kEmpty : reinterpret_cast<const char*>(password.data());
  if (PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), salt.data(), static_cast<int>(salt.size()),
                        static_cast<int>(iterations), EVP_sha256(), static_cast<int>(out.size()),
                        out.data()) != 1) {
    return fail(ErrorCode::internal, "pbkdf2 key derivation failed");
  }
  return {};
}

Status scrypt(ByteView password, ByteView salt, std::uint64_t n, std::uint64_t r, std::uint64_t p,
              std::span<std::uint8_t> out) {
  static const bool ready = sodium_init() >= 0;
  if (!ready) return fail(ErrorCode::internal, "libsodium failed to initialise");
  if (r > std::numeric_limits<std::uint32_t>::max() || p > std::numeric_limits<std::uint32_t>::max()) {
    return fail(ErrorCode::invalid_argument, "scrypt r and p must fit 32 bits");
  }
  static const std::uint8_t kEmpty = 0;  // libsodium wants non-null pointers
  // libsodium's low-level scrypt takes any power-of-two N (OpenSSL's does not).
  if (crypto_pwhash_scryptsalsa208sha256_ll(password.empty() ? &kEmpty : password.data(), password.size(),
                                            salt.empty() ? &kEmpty : salt.data(), salt.size(), n,
                                            static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(p),
                                            out.data(), out.size()) != 0) {
    return fail(ErrorCode::resource_exhausted, "scrypt key derivation failed (parameters or memory)",
                "N=" + std::to_string(n) + " r=" + std::to_string(r) + " p=" + std::to_string(p));
  }
  return {};
}

}  // namespace verinfer
