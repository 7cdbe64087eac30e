// Keccak-256 from the Keccak reference (FIPS 202 section 3 permutation, with
// the original 0x01 domain padding that Ethereum adopted before SHA-3).
#include "verinfer/crypto/keccak.hpp"

#include <bit>
#include <cstring>

namespace verinfer {
namespace {

constexpr std::uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

// Rho rotation offsets and pi lane order, walked along the pi cycle from lane 1.
constexpr int kRho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                          27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                         15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

inline std::uint64_t load_le64(const std::uint8_t* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

}  // namespace

void keccak_f1600(std::array<std::uint64_t, 25>& a) noexcept {
  for (int round = 0; round < 24; ++round) {
    // theta
    std::uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      std::uint64_t d = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    // rho and pi
    std::uint64_t carry = a[1];
    for (int i = 0; i < 24; ++i) {
      int j = kPi[i];
      std::uint64_t tmp = a[j];
      a[j] = std::rotl(carry, kRho[i]);
      carry = tmp;
    }
    // chi
    for (int y = 0; y < 25; y += 5) {
      std::uint64_t row[5] = {a[y], a[y + 1], a[y + 2], a[y + 3], a[y + 4]};
      for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    // iota
    a[0] ^= kRoundConstants[round];
  }
}

void Keccak256::reset() noexcept {
  state_.fill(0);
  offset_ = 0;
}

Keccak256& Keccak256::update(ByteView data) noexcept {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  // Finish a partly filled block byte by byte.
  while (n > 0 && offset_ != 0) {
    state_[offset_ / 8] ^= std::uint64_t{*p} << (8 * (offset_ % 8));
    ++p;
    --n;
    if (++offset_ == kRate) {
      keccak_f1600(state_);
      offset_ = 0;
    }
  }
  // Whole blocks, a lane at a time.
  while (n >= kRate) {
    for (std::size_t i = 0; i < kRate / 8; ++i) state_[i] ^= load_le64(p + 8 * i);
    keccak_f1600(state_);
    p += kRate;
    n -= kRate;
  }
  for (; n > 0; --n, ++p, ++offset_) {
    state_[offset_ / 8] ^= std::uint64_t{*p} << (8 * (offset_ % 8));
  }
  return *this;
}

Hash32 Keccak256::finish() noexcept {
  state_[offset_ / 8] ^= std::uint64_t{0x01} << (8 * (offset_ % 8));
  state_[(kRate - 1) / 8] ^= std::uint64_t{0x80} << (8 * ((kRate - 1) % 8));
  keccak_f1600(state_);
  Hash32 out;
  for (std::size_t i = 0; i < 32; ++i) {
    out.bytes[i] = static_cast<std::uint8_t>(state_[i / 8] >> (8 * (i % 8)));
  }
  reset();
  return out;
}

Hash32 keccak256(ByteView data) noexcept {
  Keccak256 h;
  h.update(data);
  return h.finish();
}

}  // namespace verinfer
