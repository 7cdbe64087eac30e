// verinfer: a 256-bit unsigned integer, the EVM word. Used for uint256
// amounts and the ABI/EIP-712 integer types; signed intN values are carried
// as their 256-bit two's complement word (see the signed helpers below).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// An unsigned 256-bit integer: EVM words, token amounts, uint256 values.
class U256 {
 public:
  constexpr U256() noexcept = default;  ///< zero
  /// A value that fits 64 bits.
  constexpr explicit U256(std::uint64_t value) noexcept : limbs_{0, 0, 0, value} {}

  /// Canonical or not ("007" is 7), digits only, no sign; errors above 2^256-1.
  [[nodiscard]] static Result<U256> from_decimal(std::string_view text);
  /// Hex with or without 0x, 1..64 digits (any case); leading zeros allowed.
  [[nodiscard]] static Result<U256> from_hex(std::string_view text);
  /// "0x..." as hex, anything else as decimal.
  [[nodiscard]] static Result<U256> parse(std::string_view text);
  /// Big-endian, at most 32 bytes (shorter input is left-padded with zeros).
  [[nodiscard]] static Result<U256> from_be_bytes(ByteView bytes);
  /// From a 32-byte big-endian word.
  [[nodiscard]] static U256 from_word(const Hash32& word) noexcept;
  /// 2^256 - 1.
  [[nodiscard]] static constexpr U256 max() noexcept {
    U256 v;
    v.limbs_ = {~0ULL, ~0ULL, ~0ULL, ~0ULL};
    return v;
  }

  /// 32 big-endian bytes (the ABI word).
  [[nodiscard]] Hash32 to_word() const noexcept;
  /// Decimal digits, no leading zeros ("0" for zero).
  [[nodiscard]] std::string to_decimal() const;
  /// "0x" + minimal lower-case hex ("0x0" for zero).
  [[nodiscard]] std::string to_hex() const;

  /// The value is 0.
  [[nodiscard]] bool is_zero() const noexcept {
    return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0;
  }
  /// The value when it fits 64 bits, else nullopt.
  [[nodiscard]] std::optional<std::uint64_t> to_uint64() const noexcept;
  /// Position of the highest set bit plus one; 0 for zero.
  [[nodiscard]] unsigned bit_length() const noexcept;
  /// Bit i (0 = least significant), i < 256.
  [[nodiscard]] bool bit(unsigned i) const noexcept;

  /// Arithmetic modulo 2^256; the checked forms report overflow instead.
  /// @{
  [[nodiscard]] U256 wrapping_add(const U256& other) const noexcept;
  [[nodiscard]] U256 wrapping_sub(const U256& other) const noexcept;
  [[nodiscard]] U256 wrapping_neg() const noexcept { return U256().wrapping_sub(*this); }
  [[nodiscard]] Result<U256> checked_add(const U256& other) const;
  [[nodiscard]] Result<U256> checked_sub(const U256& other) const;
  /// @}
  /// Bitwise not.
  [[nodiscard]] U256 operator~() const noexcept;
  [[nodiscard]] U256 shl(unsigned bits) const noexcept;  ///< bits < 256

  friend constexpr auto operator<=>(const U256&, const U256&) = default;

 private:
  std::array<std::uint64_t, 4> limbs_{};  // most significant first, so <=> orders by value
};

/// Whether a word is an unsigned value below 2^bits (bits in 1..256).
[[nodiscard]] bool fits_unsigned(const U256& value, unsigned bits) noexcept;
/// Whether a two's complement word is the sign extension of an intN
/// (bits in 1..256): -2^(bits-1) <= value < 2^(bits-1).
[[nodiscard]] bool fits_signed(const U256& word, unsigned bits) noexcept;
/// Whether the word's sign bit (bit 255) is set.
[[nodiscard]] inline bool is_negative(const U256& word) noexcept { return word.bit(255); }

/// Signed decimal ("-12", "34") or hex ("0x1f", "-0x1f") to the two's
/// complement word; errors outside int256.
[[nodiscard]] Result<U256> signed_from_text(std::string_view text);
/// The word read as int256, as decimal ("-1" for 2^256-1).
[[nodiscard]] std::string signed_to_decimal(const U256& word);

}  // namespace verinfer
