#include "verinfer/crypto/u256.hpp"

#include <algorithm>

namespace verinfer {
namespace {

__extension__ using u128 = unsigned __int128;

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kShown = 80;
  // Appends rather than `"\"" + string`: GCC 12 -O3 warns falsely on that (PR 105651).
  std::string out(1, '"');
  out.append(text.substr(0, kShown));
  if (text.size() > kShown) out += "...";
  out += '"';
  return out;
}

// Adds `small` to value*factor in place; false on overflow past 2^256.
bool mul_add(std::array<std::uint64_t, 4>& limbs, std::uint64_t factor, std::uint64_t small) {
  std::uint64_t carry = small;
  for (int i = 3; i >= 0; --i) {
    u128 t = static_cast<u128>(limbs[i]) * factor + carry;
    limbs[i] = static_cast<std::uint64_t>(t);
    carry = static_cast<std::uint64_t>(t >> 64);
  }
  return carry == 0;
}

// Built by appending: GCC 12 at -O3 reports a false -Wrestrict on the
// equivalent chain of operator+ temporaries.
std::string invalid_digit_detail(char c, std::size_t position, std::string_view text) {
  std::string out = "'";
  out += c;
  out += "' at position ";
  out += std::to_string(position);
  out += " of ";
  out += quoted(text);
  return out;
}

}  // namespace

Result<U256> U256::from_decimal(std::string_view text) {
  if (text.empty()) return fail(ErrorCode::parse_error, "empty decimal integer");
  U256 out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') {
      return fail(ErrorCode::parse_error, "invalid decimal digit",
                  invalid_digit_detail(c, i, text));
    }
    if (!mul_add(out.limbs_, 10, static_cast<std::uint64_t>(c - '0'))) {
      return fail(ErrorCode::invalid_argument, "integer out of range",
                  "expected at most 2^256-1, got " + quoted(text));
    }
  }
  return out;
}

Result<U256> U256::from_hex(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.empty()) return fail(ErrorCode::parse_error, "empty hex integer");
  std::size_t first = text.find_first_not_of('0');
  std::string_view significant = first == std::string_view::npos ? "" : text.substr(first);
  U256 out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (hex_digit(text[i]) < 0) {
      return fail(ErrorCode::parse_error, "invalid hex digit",
                  invalid_digit_detail(text[i], i, text));
    }
  }
  if (significant.size() > 64) {
    return fail(ErrorCode::invalid_argument, "integer out of range",
                "expected at most 64 significant hex digits, got " +
                    std::to_string(significant.size()));
  }
  for (char c : significant) {
    (void)mul_add(out.limbs_, 16, static_cast<std::uint64_t>(hex_digit(c)));
  }
  return out;
}

Result<U256> U256::parse(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) return from_hex(text);
  return from_decimal(text);
}

Result<U256> U256::from_be_bytes(ByteView bytes) {
  if (bytes.size() > 32) {
    return fail(ErrorCode::invalid_argument, "integer too long",
                "expected at most 32 bytes, got " + std::to_string(bytes.size()));
  }
  Hash32 word;
  std::copy(bytes.begin(), bytes.end(), word.bytes.begin() + (32 - bytes.size()));
  return from_word(word);
}

U256 U256::from_word(const Hash32& word) noexcept {
  U256 out;
  for (std::size_t i = 0; i < 32; ++i) {
    out.limbs_[i / 8] = (out.limbs_[i / 8] << 8) | word.bytes[i];
  }
  return out;
}

Hash32 U256::to_word() const noexcept {
  Hash32 out;
  for (std::size_t i = 0; i < 32; ++i) {
    out.bytes[i] = static_cast<std::uint8_t>(limbs_[i / 8] >> (8 * (7 - i % 8)));
  }
  return out;
}

std::string U256::to_decimal() const {
  if (is_zero()) return "0";
  constexpr std::uint64_t kChunk = 10000000000000000000ULL;  // 10^19
  auto rest = limbs_;
  std::string out;
  while ((rest[0] | rest[1] | rest[2] | rest[3]) != 0) {
    std::uint64_t remainder = 0;
    for (auto& limb : rest) {
      u128 cur = (static_cast<u128>(remainder) << 64) | limb;
      limb = static_cast<std::uint64_t>(cur / kChunk);
      remainder = static_cast<std::uint64_t>(cur % kChunk);
    }
    bool last = (rest[0] | rest[1] | rest[2] | rest[3]) == 0;
    for (int i = 0; i < 19 && (!last || remainder != 0); ++i) {
      out.push_back(static_cast<char>('0' + remainder % 10));
      remainder /= 10;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string U256::to_hex() const {
  std::string full = to_word().hex(false);
  std::size_t first = full.find_first_not_of('0');
  return "0x" + (first == std::string::npos ? std::string("0") : full.substr(first));
}

std::optional<std::uint64_t> U256::to_uint64() const noexcept {
  if ((limbs_[0] | limbs_[1] | limbs_[2]) != 0) return std::nullopt;
  return limbs_[3];
}

unsigned U256::bit_length() const noexcept {
  for (unsigned i = 0; i < 4; ++i) {
    if (limbs_[i] != 0) {
      return 64 * (3 - i) + 64 - static_cast<unsigned>(__builtin_clzll(limbs_[i]));
    }
  }
  return 0;
}

bool U256::bit(unsigned i) const noexcept { return ((limbs_[3 - i / 64] >> (i % 64)) & 1) != 0; }

U256 U256::wrapping_add(const U256& other) const noexcept {
  U256 out;
  std::uint64_t carry = 0;
  for (int i = 3; i >= 0; --i) {
    u128 t = static_cast<u128>(limbs_[i]) + other.limbs_[i] + carry;
    out.limbs_[i] = static_cast<std::uint64_t>(t);
    carry = static_cast<std::uint64_t>(t >> 64);
  }
  return out;
}

U256 U256::wrapping_sub(const U256& other) const noexcept {
  U256 out;
  std::uint64_t borrow = 0;
  for (int i = 3; i >= 0; --i) {
    std::uint64_t a = limbs_[i];
    std::uint64_t b = other.limbs_[i];
    out.limbs_[i] = a - b - borrow;
    borrow = (a < b || (a == b && borrow != 0)) ? 1 : 0;
  }
  return out;
}

Result<U256> U256::checked_add(const U256& other) const {
  U256 sum = wrapping_add(other);
  if (sum < *this) {
    return fail(ErrorCode::invalid_argument, "uint256 addition overflows",
                to_decimal() + " + " + other.to_decimal());
  }
  return sum;
}

Result<U256> U256::checked_sub(const U256& other) const {
  if (other > *this) {
    return fail(ErrorCode::invalid_argument, "uint256 subtraction underflows",
                to_decimal() + " - " + other.to_decimal());
  }
  return wrapping_sub(other);
}

U256 U256::operator~() const noexcept {
  U256 out;
  for (std::size_t i = 0; i < 4; ++i) out.limbs_[i] = ~limbs_[i];
  return out;
}

U256 U256::shl(unsigned bits) const noexcept {
  U256 out;
  unsigned limb_shift = bits / 64;
  unsigned bit_shift = bits % 64;
  for (unsigned i = 0; i < 4; ++i) {  // i counts from the least significant limb
    if (i < limb_shift) continue;
    std::uint64_t v = limbs_[3 - (i - limb_shift)] << bit_shift;
    if (bit_shift != 0 && i > limb_shift) v |= limbs_[3 - (i - limb_shift - 1)] >> (64 - bit_shift);
    out.limbs_[3 - i] = v;
  }
  return out;
}

bool fits_unsigned(const U256& value, unsigned bits) noexcept { return value.bit_length() <= bits; }

bool fits_signed(const U256& word, unsigned bits) noexcept {
  if (bits >= 256) return true;
  // Non-negative values need bit_length < bits; negative ones have their
  // complement (-v-1) below 2^(bits-1).
  const U256 magnitude = is_negative(word) ? ~word : word;
  return magnitude.bit_length() < bits;
}

Result<U256> signed_from_text(std::string_view text) {
  bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  auto magnitude = U256::parse(text);
  if (!magnitude) return magnitude;
  const U256 limit = U256(1).shl(255);  // |int256 min|
  if (*magnitude > limit || (!negative && *magnitude == limit)) {
    return fail(ErrorCode::invalid_argument, "integer out of range",
                "expected -2^255 <= value < 2^255, got " + std::string(negative ? "-" : "") +
                    std::string(text.substr(0, 80)));
  }
  return negative ? magnitude->wrapping_neg() : *magnitude;
}

std::string signed_to_decimal(const U256& word) {
  if (!is_negative(word)) return word.to_decimal();
  std::string out = word.wrapping_neg().to_decimal();
  out.insert(out.begin(), '-');
  return out;
}

}  // namespace verinfer
