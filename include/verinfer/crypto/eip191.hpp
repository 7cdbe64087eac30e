// verinfer: EIP-191 version 0x45 ("personal_sign") message digests.
#pragma once

#include <string_view>

#include "verinfer/bytes.hpp"

namespace verinfer {

/// keccak256("\x19Ethereum Signed Message:\n" + decimal byte length + message).
/// @{
[[nodiscard]] Hash32 eip191_digest(ByteView message);
[[nodiscard]] inline Hash32 eip191_digest(std::string_view message) {
  return eip191_digest(as_bytes(message));
}
/// @}

}  // namespace verinfer
