// The bytes of a PrivateKey, for the few places that must hand them on:
// keystore encryption and the Python binding's decrypt_keystore (which returns
// bytes, as eth-account does). Nothing else reads a key back.
#pragma once

#include <array>
#include <cstdint>

#include "verinfer/crypto/secp256k1.hpp"

namespace verinfer::secp256k1_detail {

struct SecretAccess {
  static const std::array<std::uint8_t, 32>& secret(const PrivateKey& key) { return key.secret_; }
};

}  // namespace verinfer::secp256k1_detail
