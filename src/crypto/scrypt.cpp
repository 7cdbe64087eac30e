#include "crypto/scrypt.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <limits>
#include <new>
#include <utility>
#include <vector>

namespace verinfer {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// Salsa20/8 core (RFC 7914 section 3) on 16 little-endian words, in place.
void salsa20_8(std::uint32_t b[16]) {
  std::uint32_t x[16];
  std::memcpy(x, b, sizeof x);
  for (int round = 0; round < 8; round += 2) {
    // columns
    x[4] ^= rotl(x[0] + x[12], 7);   x[8] ^= rotl(x[4] + x[0], 9);
    x[12] ^= rotl(x[8] + x[4], 13);  x[0] ^= rotl(x[12] + x[8], 18);
    x[9] ^= rotl(x[5] + x[1], 7);    x[13] ^= rotl(x[9] + x[5], 9);
    x[1] ^= rotl(x[13] + x[9], 13);  x[5] ^= rotl(x[1] + x[13], 18);
    x[14] ^= rotl(x[10] + x[6], 7);  x[2] ^= rotl(x[14] + x[10], 9);
    x[6] ^= rotl(x[2] + x[14], 13);  x[10] ^= rotl(x[6] + x[2], 18);
    x[3] ^= rotl(x[15] + x[11], 7);  x[7] ^= rotl(x[3] + x[15], 9);
    x[11] ^= rotl(x[7] + x[3], 13);  x[15] ^= rotl(x[11] + x[7], 18);
    // rows
    x[1] ^= rotl(x[0] + x[3], 7);    x[2] ^= rotl(x[1] + x[0], 9);
    x[3] ^= rotl(x[2] + x[1], 13);   x[0] ^= rotl(x[3] + x[2], 18);
    x[6] ^= rotl(x[5] + x[4], 7);    x[7] ^= rotl(x[6] + x[5], 9);
    x[4] ^= rotl(x[7] + x[6], 13);   x[5] ^= rotl(x[4] + x[7], 18);
    x[11] ^= rotl(x[10] + x[9], 7);  x[8] ^= rotl(x[11] + x[10], 9);
    x[9] ^= rotl(x[8] + x[11], 13);  x[10] ^= rotl(x[9] + x[8], 18);
    x[12] ^= rotl(x[15] + x[14], 7); x[13] ^= rotl(x[12] + x[15], 9);
    x[14] ^= rotl(x[13] + x[12], 13); x[15] ^= rotl(x[14] + x[13], 18);
  }
  for (int i = 0; i < 16; ++i) b[i] += x[i];
  secure_wipe(x, sizeof x);
}

// scryptBlockMix (section 4): `in` and `out` hold 2r blocks of 16 words.
void block_mix(const std::uint32_t* in, std::uint32_t* out, std::size_t r) {
  std::uint32_t x[16];
  std::memcpy(x, in + (2 * r - 1) * 16, sizeof x);
  for (std::size_t i = 0; i < 2 * r; ++i) {
    for (int k = 0; k < 16; ++k) x[k] ^= in[i * 16 + k];
    salsa20_8(x);
    // Even blocks go to the first half of the output, odd ones to the second.
    std::memcpy(out + ((i % 2) * r + i / 2) * 16, x, sizeof x);
  }
  secure_wipe(x, sizeof x);
}

// scryptROMix (section 5) on one 128*r-byte block of B, in place.
void ro_mix(std::uint8_t* block, std::size_t r, std::uint64_t n, std::uint32_t* v, std::uint32_t* x,
            std::uint32_t* y) {
  const std::size_t words = 32 * r;
  for (std::size_t k = 0; k < words; ++k) {  // bytes are little-endian words
    const std::uint8_t* p = block + 4 * k;
    x[k] = std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    std::memcpy(v + i * words, x, words * 4);
    block_mix(x, y, r);
    std::swap(x, y);
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    // Integerify: the first word of the last 64-byte block (n <= 2^32 here).
    const std::uint64_t j = x[(2 * r - 1) * 16] & (n - 1);
    const std::uint32_t* vj = v + j * words;
    for (std::size_t k = 0; k < words; ++k) x[k] ^= vj[k];
    block_mix(x, y, r);
    std::swap(x, y);
  }
  for (std::size_t k = 0; k < words; ++k) {
    std::uint8_t* p = block + 4 * k;
    for (int b = 0; b < 4; ++b) p[b] = static_cast<std::uint8_t>(x[k] >> (8 * b));
  }
}

}  // namespace

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
  const std::size_t block = 128 * r;
  std::vector<std::uint8_t> b;
  std::vector<std::uint32_t> v, xy;
  try {
    b.resize(block * p);
    v.resize(32 * r * n);
    xy.resize(64 * r);
  } catch (const std::bad_alloc&) {
    return fail(ErrorCode::resource_exhausted, "not enough memory for scrypt",
                "needs " + std::to_string(128 * r * n) + " bytes");
  }
  Status status = pbkdf2_hmac_sha256(password, salt, 1, b);
  if (status) {
    for (std::uint64_t i = 0; i < p; ++i) ro_mix(b.data() + i * block, r, n, v.data(), xy.data(), xy.data() + 32 * r);
    status = pbkdf2_hmac_sha256(password, b, 1, out);
  }
  secure_wipe(b.data(), b.size());
  secure_wipe(v.data(), v.size() * sizeof(std::uint32_t));
  secure_wipe(xy.data(), xy.size() * sizeof(std::uint32_t));
  return status;
}

}  // namespace verinfer
