// Keccak-256 from the Keccak reference (FIPS 202 section 3 permutation, with
// the original 0x01 domain padding that Ethereum adopted before SHA-3).
#include "verinfer/crypto/keccak.hpp"

#include <bit>
#include <cstring>

#include "crypto/keccak_internal.hpp"

namespace verinfer {
namespace {

using Lane = std::uint64_t;

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

inline Lane load_le64(const std::uint8_t* p) noexcept {
  Lane v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// The state lives in named locals (aNN, eNN), not an array, so the compiler
// keeps it in registers across all the blocks of one call; each loop trip runs
// two rounds, a -> e and e -> a, instead of copying 25 lanes back per round.
// One round: theta, rho and pi (b[y][2x+3y] = rotl(A[x][y] ^ d[x], rho[x][y]),
// the FIPS 202 tables written out), chi, and iota folded into lane 0.
#define VERINFER_KECCAK_LANES(P)                                                                   \
  Lane P##00, P##01, P##02, P##03, P##04, P##05, P##06, P##07, P##08, P##09, P##10, P##11, P##12, \
      P##13, P##14, P##15, P##16, P##17, P##18, P##19, P##20, P##21, P##22, P##23, P##24
#define VERINFER_KECCAK_ROUND(A, E, rc)                                                             \
  {                                                                                                 \
    const Lane c0 = A##00 ^ A##05 ^ A##10 ^ A##15 ^ A##20;                                          \
    const Lane c1 = A##01 ^ A##06 ^ A##11 ^ A##16 ^ A##21;                                          \
    const Lane c2 = A##02 ^ A##07 ^ A##12 ^ A##17 ^ A##22;                                          \
    const Lane c3 = A##03 ^ A##08 ^ A##13 ^ A##18 ^ A##23;                                          \
    const Lane c4 = A##04 ^ A##09 ^ A##14 ^ A##19 ^ A##24;                                          \
    const Lane d0 = c4 ^ std::rotl(c1, 1);                                                          \
    const Lane d1 = c0 ^ std::rotl(c2, 1);                                                          \
    const Lane d2 = c1 ^ std::rotl(c3, 1);                                                          \
    const Lane d3 = c2 ^ std::rotl(c4, 1);                                                          \
    const Lane d4 = c3 ^ std::rotl(c0, 1);                                                          \
    Lane b0, b1, b2, b3, b4;                                                                        \
    b0 = A##00 ^ d0; b1 = std::rotl(A##06 ^ d1, 44); b2 = std::rotl(A##12 ^ d2, 43);                \
    b3 = std::rotl(A##18 ^ d3, 21); b4 = std::rotl(A##24 ^ d4, 14);                                 \
    E##00 = b0 ^ (~b1 & b2) ^ (rc); E##01 = b1 ^ (~b2 & b3);                                        \
    E##02 = b2 ^ (~b3 & b4); E##03 = b3 ^ (~b4 & b0);                                               \
    E##04 = b4 ^ (~b0 & b1);                                                                        \
    b0 = std::rotl(A##03 ^ d3, 28); b1 = std::rotl(A##09 ^ d4, 20); b2 = std::rotl(A##10 ^ d0, 3);  \
    b3 = std::rotl(A##16 ^ d1, 45); b4 = std::rotl(A##22 ^ d2, 61);                                 \
    E##05 = b0 ^ (~b1 & b2); E##06 = b1 ^ (~b2 & b3);                                               \
    E##07 = b2 ^ (~b3 & b4); E##08 = b3 ^ (~b4 & b0);                                               \
    E##09 = b4 ^ (~b0 & b1);                                                                        \
    b0 = std::rotl(A##01 ^ d1, 1); b1 = std::rotl(A##07 ^ d2, 6); b2 = std::rotl(A##13 ^ d3, 25);   \
    b3 = std::rotl(A##19 ^ d4, 8); b4 = std::rotl(A##20 ^ d0, 18);                                  \
    E##10 = b0 ^ (~b1 & b2); E##11 = b1 ^ (~b2 & b3);                                               \
    E##12 = b2 ^ (~b3 & b4); E##13 = b3 ^ (~b4 & b0);                                               \
    E##14 = b4 ^ (~b0 & b1);                                                                        \
    b0 = std::rotl(A##04 ^ d4, 27); b1 = std::rotl(A##05 ^ d0, 36); b2 = std::rotl(A##11 ^ d1, 10); \
    b3 = std::rotl(A##17 ^ d2, 15); b4 = std::rotl(A##23 ^ d3, 56);                                 \
    E##15 = b0 ^ (~b1 & b2); E##16 = b1 ^ (~b2 & b3);                                               \
    E##17 = b2 ^ (~b3 & b4); E##18 = b3 ^ (~b4 & b0);                                               \
    E##19 = b4 ^ (~b0 & b1);                                                                        \
    b0 = std::rotl(A##02 ^ d2, 62); b1 = std::rotl(A##08 ^ d3, 55); b2 = std::rotl(A##14 ^ d4, 39); \
    b3 = std::rotl(A##15 ^ d0, 41); b4 = std::rotl(A##21 ^ d1, 2);                                  \
    E##20 = b0 ^ (~b1 & b2); E##21 = b1 ^ (~b2 & b3);                                               \
    E##22 = b2 ^ (~b3 & b4); E##23 = b3 ^ (~b4 & b0);                                               \
    E##24 = b4 ^ (~b0 & b1);                                                                        \
  }

// Absorbs `blocks` whole rate blocks from `data` (XOR, then permute), or, when
// `data` is null, permutes once. Inlined into one function per instruction set.
[[gnu::always_inline]] inline void absorb_blocks(std::array<Lane, 25>& s, const std::uint8_t* data,
                                                 std::size_t blocks) noexcept {
  VERINFER_KECCAK_LANES(a);
  VERINFER_KECCAK_LANES(e);
  a00 = s[0], a01 = s[1], a02 = s[2], a03 = s[3], a04 = s[4], a05 = s[5], a06 = s[6];
  a07 = s[7], a08 = s[8], a09 = s[9], a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13];
  a14 = s[14], a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18], a19 = s[19], a20 = s[20];
  a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
  do {
    if (data != nullptr) {
      // The rate is 17 lanes.
      a00 ^= load_le64(data), a01 ^= load_le64(data + 8), a02 ^= load_le64(data + 16);
      a03 ^= load_le64(data + 24), a04 ^= load_le64(data + 32), a05 ^= load_le64(data + 40);
      a06 ^= load_le64(data + 48), a07 ^= load_le64(data + 56), a08 ^= load_le64(data + 64);
      a09 ^= load_le64(data + 72), a10 ^= load_le64(data + 80), a11 ^= load_le64(data + 88);
      a12 ^= load_le64(data + 96), a13 ^= load_le64(data + 104), a14 ^= load_le64(data + 112);
      a15 ^= load_le64(data + 120), a16 ^= load_le64(data + 128);
      data += Keccak256::kRate;
    }
    for (int round = 0; round < 24; round += 2) {
      VERINFER_KECCAK_ROUND(a, e, kRoundConstants[round])
      VERINFER_KECCAK_ROUND(e, a, kRoundConstants[round + 1])
    }
  } while (--blocks > 0);
  s[0] = a00, s[1] = a01, s[2] = a02, s[3] = a03, s[4] = a04, s[5] = a05, s[6] = a06;
  s[7] = a07, s[8] = a08, s[9] = a09, s[10] = a10, s[11] = a11, s[12] = a12, s[13] = a13;
  s[14] = a14, s[15] = a15, s[16] = a16, s[17] = a17, s[18] = a18, s[19] = a19, s[20] = a20;
  s[21] = a21, s[22] = a22, s[23] = a23, s[24] = a24;
}

#undef VERINFER_KECCAK_ROUND
#undef VERINFER_KECCAK_LANES

void absorb_portable(std::array<Lane, 25>& s, const std::uint8_t* data,
                     std::size_t blocks) noexcept {
  absorb_blocks(s, data, blocks);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VERINFER_KECCAK_BMI 1
// BMI1's andn does chi's ~b & c in one instruction and BMI2's rorx rotates
// without a copy: about 1.2x on the portable code (docs/benchmarks.md).
[[gnu::target("bmi,bmi2")]] void absorb_bmi(std::array<Lane, 25>& s, const std::uint8_t* data,
                                            std::size_t blocks) noexcept {
  absorb_blocks(s, data, blocks);
}
#endif

const keccak_internal::Implementation kImplementations[] = {
#ifdef VERINFER_KECCAK_BMI
    {"bmi2", &absorb_bmi},
#endif
    {"portable", &absorb_portable},
};

std::span<const keccak_internal::Implementation> runnable() noexcept {
  std::size_t first = 0;
#ifdef VERINFER_KECCAK_BMI
  if (!(__builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))) first = 1;
#endif
  return std::span(kImplementations).subspan(first);
}

keccak_internal::AbsorbFn absorb() noexcept {
  static const keccak_internal::AbsorbFn chosen = runnable().front().absorb;
  return chosen;
}

}  // namespace

namespace keccak_internal {
std::span<const Implementation> implementations() noexcept { return runnable(); }
}  // namespace keccak_internal

void keccak_f1600(std::array<std::uint64_t, 25>& lanes) noexcept { absorb()(lanes, nullptr, 1); }

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
  // Whole blocks, all in one call so the state stays in registers.
  if (const std::size_t blocks = n / kRate; blocks > 0) {
    absorb()(state_, p, blocks);
    p += blocks * kRate;
    n -= blocks * kRate;
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
