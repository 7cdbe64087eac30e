// Private keys for the CLI: only from files or the environment, never from
// command-line arguments (they leak into shell history and `ps`).
#pragma once

#include <string>

#include "verinfer/crypto/secp256k1.hpp"

namespace verinfer::cli {

/// Reads a hex private key from `path` ("env:NAME" reads the variable NAME).
/// The text buffer is wiped after parsing.
[[nodiscard]] Result<PrivateKey> load_private_key(const std::string& path);

}  // namespace verinfer::cli
