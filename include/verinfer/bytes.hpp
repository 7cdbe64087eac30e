// verinfer: byte strings, fixed-size values (hashes, addresses) and the
// hex / base64 codecs. Decoders are strict: bad characters, odd lengths and
// non-canonical padding are errors that say where and why.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "verinfer/error.hpp"

namespace verinfer {

using Bytes = std::vector<std::uint8_t>;           ///< owned bytes
using ByteView = std::span<const std::uint8_t>;    ///< borrowed bytes

/// The bytes of a string, without copying.
[[nodiscard]] inline ByteView as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// Lower-case hex; "0x"-prefixed when `prefix` is true.
[[nodiscard]] std::string to_hex(ByteView bytes, bool prefix = true);

/// Decodes hex with or without a "0x"/"0X" prefix. Upper and lower case are
/// accepted; an odd number of digits or any other character is an error.
[[nodiscard]] Result<Bytes> from_hex(std::string_view text);

/// Which base64 alphabet to_base64() and from_base64() use.
enum class Base64Alphabet {
  standard,  ///< RFC 4648 section 4 ('+', '/'); padding required
  url,       ///< RFC 4648 section 5 ('-', '_'); padding optional, checked if present
};

/// Base64 text of `bytes`, padded with '='.
[[nodiscard]] std::string to_base64(ByteView bytes,
                                    Base64Alphabet alphabet = Base64Alphabet::standard);

/// Strict decoding: characters outside the alphabet, whitespace, wrong or
/// missing padding, and non-zero unused bits in the last character are errors.
[[nodiscard]] Result<Bytes> from_base64(std::string_view text,
                                        Base64Alphabet alphabet = Base64Alphabet::standard);

/// A value of exactly N bytes: hashes, addresses, keys.
template <std::size_t N>
struct FixedBytes {
  std::array<std::uint8_t, N> bytes{};

  /// Container access: N bytes, contiguous.
  /// @{
  static constexpr std::size_t size() noexcept { return N; }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes.data(); }
  [[nodiscard]] std::uint8_t* data() noexcept { return bytes.data(); }
  [[nodiscard]] auto begin() const noexcept { return bytes.begin(); }
  [[nodiscard]] auto end() const noexcept { return bytes.end(); }
  [[nodiscard]] ByteView view() const noexcept { return {bytes.data(), N}; }
  operator ByteView() const noexcept { return view(); }  // NOLINT: intended
  /// @}
  /// All N bytes are zero (an unset hash or address).
  [[nodiscard]] bool is_zero() const noexcept {
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
  }
  /// Lower-case hex of the N bytes, "0x"-prefixed unless `prefix` is false.
  [[nodiscard]] std::string hex(bool prefix = true) const { return to_hex(view(), prefix); }

  /// Exactly N bytes, or an error naming both lengths.
  [[nodiscard]] static Result<FixedBytes> from_bytes(ByteView in) {
    if (in.size() != N) {
      return fail(ErrorCode::invalid_argument, "wrong length",
                  "expected " + std::to_string(N) + " bytes, got " + std::to_string(in.size()));
    }
    FixedBytes out;
    std::copy(in.begin(), in.end(), out.bytes.begin());
    return out;
  }
  /// Exactly 2N hex digits (optional 0x).
  [[nodiscard]] static Result<FixedBytes> from_hex(std::string_view text) {
    auto raw = verinfer::from_hex(text);
    if (!raw) return std::unexpected(raw.error());
    return from_bytes(*raw);
  }

  friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
};

using Hash32 = FixedBytes<32>;   ///< Keccak-256 / SHA-256 digests, tx hashes, TEE ids
using Hash48 = FixedBytes<48>;   ///< SHA-384 digests (Nitro PCRs)
using Address = FixedBytes<20>;  ///< an Ethereum address

/// `n` bytes from the operating system's CSPRNG (through OpenSSL), for
/// nonces and keys; a failure of the generator is an internal error.
[[nodiscard]] Result<Bytes> random_bytes(std::size_t n);

/// Constant-time equality, for MACs and secrets.
[[nodiscard]] bool constant_time_equal(ByteView a, ByteView b) noexcept;

/// Overwrites memory so the compiler cannot elide it (for keys).
void secure_wipe(void* data, std::size_t size) noexcept;

}  // namespace verinfer
