// Keccak-f[1600] implementations this build has, for tests and benchmarks
// that check each one (the library itself picks one per process).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace verinfer::keccak_internal {

/// XORs `blocks` rate blocks (136 bytes each) from `data` into the state,
/// permuting after each; with `data` null, permutes once (`blocks` == 1).
using AbsorbFn = void (*)(std::array<std::uint64_t, 25>&, const std::uint8_t* data,
                          std::size_t blocks) noexcept;

struct Implementation {
  const char* name;
  AbsorbFn absorb;
};

/// The implementations this CPU can run; the first is the one in use.
std::span<const Implementation> implementations() noexcept;

}  // namespace verinfer::keccak_internal
