// Internal: calldata = 4-byte selector || abi.encode(args).
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

#include "verinfer/crypto/abi.hpp"

namespace verinfer::settle_internal {

[[nodiscard]] inline Result<Bytes> encode_call(std::string_view signature, const std::vector<AbiType>& types,
                                               const std::vector<AbiValue>& args) {
  auto selector = function_selector(signature);
  if (!selector) return std::unexpected(selector.error());
  auto encoded = abi_encode(types, args);
  if (!encoded) return std::unexpected(encoded.error());
  Bytes out(4 + encoded->size());
  std::copy_n(selector->data(), 4, out.data());
  std::copy(encoded->begin(), encoded->end(), out.begin() + 4);
  return out;
}

}  // namespace verinfer::settle_internal
