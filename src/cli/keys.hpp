// Private keys for the CLI: only from files, the environment or an encrypted
// Ethereum V3 keystore, never from command-line arguments (they leak into
// shell history and `ps`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "verinfer/crypto/secp256k1.hpp"

namespace verinfer::cli {

/// The key options, for Command::flags of every verb that takes a key:
/// `Command{..., with_key_flags({"--profile P", ...}), run}`.
[[nodiscard]] std::vector<std::string> with_key_flags(std::vector<std::string> flags);

/// The usage lines describing the key options, for a verb's help text.
extern const char* const kKeyFlagsHelp;

/// The key the verb's options name, or nullopt when none is given:
/// `--key-file FILE` (hex; "env:NAME" reads the variable NAME) or
/// `--keystore FILE` (V3 JSON) with the passphrase from `--passphrase-env NAME`,
/// else a no-echo prompt on the terminal, else an error saying how to give it.
[[nodiscard]] Result<std::optional<PrivateKey>> key_from_args(const Args& args);

/// Reads a hex private key from `path` ("env:NAME" reads the variable NAME).
/// The text buffer is wiped after parsing.
[[nodiscard]] Result<PrivateKey> load_private_key(const std::string& path);

/// A passphrase from the variable `--passphrase-env` names, else typed on the
/// terminal without echo (twice when `confirm`); `what` names the file in the prompt.
[[nodiscard]] Result<std::string> read_passphrase(const Args& args, const std::string& what,
                                                  bool confirm = false);

}  // namespace verinfer::cli
