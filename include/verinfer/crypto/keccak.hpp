// verinfer: Keccak-256 as Ethereum uses it (original Keccak padding 0x01,
// not NIST SHA3-256's 0x06). OpenSSL 3.0 has no Keccak-256, so this is ours.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "verinfer/bytes.hpp"

namespace verinfer {

/// Incremental Keccak-256: any number of update() calls, then one finish().
/// After finish() the object is reset and can hash a new message.
class Keccak256 {
 public:
  static constexpr std::size_t kRate = 136;  ///< bytes absorbed per permutation

  Keccak256() noexcept { reset(); }
  /// Forgets everything absorbed.
  void reset() noexcept;
  /// Absorbs more bytes (or a string's bytes).
  /// @{
  Keccak256& update(ByteView data) noexcept;
  Keccak256& update(std::string_view text) noexcept { return update(as_bytes(text)); }
  /// @}
  /// The digest of everything absorbed; then reset().
  [[nodiscard]] Hash32 finish() noexcept;

 private:
  std::array<std::uint64_t, 25> state_{};
  std::size_t offset_ = 0;  // bytes absorbed into the current block
};

/// Keccak-256 of bytes or of a string's bytes, as Ethereum computes it.
/// @{
[[nodiscard]] Hash32 keccak256(ByteView data) noexcept;
[[nodiscard]] inline Hash32 keccak256(std::string_view text) noexcept {
  return keccak256(as_bytes(text));
}
/// @}

/// The Keccak-f[1600] permutation (24 rounds) over 25 little-endian lanes.
void keccak_f1600(std::array<std::uint64_t, 25>& lanes) noexcept;

}  // namespace verinfer
