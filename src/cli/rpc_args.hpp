// The options every chain-reading verb shares: --rpc URL, --chain-id N,
// --rpc-timeout SECONDS and --confirmations N.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "verinfer/settle/rpc.hpp"

namespace verinfer::cli {

/// The declarations for Command::flags ("--rpc URL", ...).
[[nodiscard]] std::vector<std::string> rpc_flags();
/// The --help lines that explain them.
[[nodiscard]] std::string rpc_flags_help();
/// An RpcClient for --rpc, refusing another chain than --chain-id (when
/// given) and timing each call out after --rpc-timeout seconds (default 30).
[[nodiscard]] Result<RpcClient> rpc_from_args(const Args& args);
/// --confirmations (default 1: mined, with the head at or past its block).
[[nodiscard]] Result<std::uint64_t> confirmations_from_args(const Args& args);

}  // namespace verinfer::cli
