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

inline std::uint64_t load_le64(const std::uint8_t* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

}  // namespace

// Unrolled: the lane indexes and rotation offsets are the FIPS 202 rho/pi
// tables written out, which lets the compiler keep the state in registers.
void keccak_f1600(std::array<std::uint64_t, 25>& a) noexcept {
  for (int round = 0; round < 24; ++round) {
    // theta
    const std::uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    const std::uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    const std::uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    const std::uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    const std::uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    const std::uint64_t d0 = c4 ^ std::rotl(c1, 1);
    const std::uint64_t d1 = c0 ^ std::rotl(c2, 1);
    const std::uint64_t d2 = c1 ^ std::rotl(c3, 1);
    const std::uint64_t d3 = c2 ^ std::rotl(c4, 1);
    const std::uint64_t d4 = c3 ^ std::rotl(c0, 1);
    // rho and pi: b[y][2x+3y] = rotl(a[x][y] ^ d[x], rho[x][y])
    const std::uint64_t b00 = (a[0] ^ d0);
    const std::uint64_t b10 = std::rotl(a[6] ^ d1, 44);
    const std::uint64_t b20 = std::rotl(a[12] ^ d2, 43);
    const std::uint64_t b30 = std::rotl(a[18] ^ d3, 21);
    const std::uint64_t b40 = std::rotl(a[24] ^ d4, 14);
    const std::uint64_t b01 = std::rotl(a[3] ^ d3, 28);
    const std::uint64_t b11 = std::rotl(a[9] ^ d4, 20);
    const std::uint64_t b21 = std::rotl(a[10] ^ d0, 3);
    const std::uint64_t b31 = std::rotl(a[16] ^ d1, 45);
    const std::uint64_t b41 = std::rotl(a[22] ^ d2, 61);
    const std::uint64_t b02 = std::rotl(a[1] ^ d1, 1);
    const std::uint64_t b12 = std::rotl(a[7] ^ d2, 6);
    const std::uint64_t b22 = std::rotl(a[13] ^ d3, 25);
    const std::uint64_t b32 = std::rotl(a[19] ^ d4, 8);
    const std::uint64_t b42 = std::rotl(a[20] ^ d0, 18);
    const std::uint64_t b03 = std::rotl(a[4] ^ d4, 27);
    const std::uint64_t b13 = std::rotl(a[5] ^ d0, 36);
    const std::uint64_t b23 = std::rotl(a[11] ^ d1, 10);
    const std::uint64_t b33 = std::rotl(a[17] ^ d2, 15);
    const std::uint64_t b43 = std::rotl(a[23] ^ d3, 56);
    const std::uint64_t b04 = std::rotl(a[2] ^ d2, 62);
    const std::uint64_t b14 = std::rotl(a[8] ^ d3, 55);
    const std::uint64_t b24 = std::rotl(a[14] ^ d4, 39);
    const std::uint64_t b34 = std::rotl(a[15] ^ d0, 41);
    const std::uint64_t b44 = std::rotl(a[21] ^ d1, 2);
    // chi
    a[0] = b00 ^ (~b10 & b20);
    a[1] = b10 ^ (~b20 & b30);
    a[2] = b20 ^ (~b30 & b40);
    a[3] = b30 ^ (~b40 & b00);
    a[4] = b40 ^ (~b00 & b10);
    a[5] = b01 ^ (~b11 & b21);
    a[6] = b11 ^ (~b21 & b31);
    a[7] = b21 ^ (~b31 & b41);
    a[8] = b31 ^ (~b41 & b01);
    a[9] = b41 ^ (~b01 & b11);
    a[10] = b02 ^ (~b12 & b22);
    a[11] = b12 ^ (~b22 & b32);
    a[12] = b22 ^ (~b32 & b42);
    a[13] = b32 ^ (~b42 & b02);
    a[14] = b42 ^ (~b02 & b12);
    a[15] = b03 ^ (~b13 & b23);
    a[16] = b13 ^ (~b23 & b33);
    a[17] = b23 ^ (~b33 & b43);
    a[18] = b33 ^ (~b43 & b03);
    a[19] = b43 ^ (~b03 & b13);
    a[20] = b04 ^ (~b14 & b24);
    a[21] = b14 ^ (~b24 & b34);
    a[22] = b24 ^ (~b34 & b44);
    a[23] = b34 ^ (~b44 & b04);
    a[24] = b44 ^ (~b04 & b14);
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
