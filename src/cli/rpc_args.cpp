#include "cli/rpc_args.hpp"

#include <charconv>

namespace verinfer::cli {
namespace {

// A whole number >= 1, or nullopt when the option is absent.
Result<std::optional<std::uint64_t>> positive_option(const Args& args, std::string_view name) {
  auto text = args.option(name);
  if (!text) return std::optional<std::uint64_t>();
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value == 0) {
    return fail(ErrorCode::invalid_argument, std::string(name) + " needs a whole number of at least 1",
                "got " + *text);
  }
  return std::optional<std::uint64_t>(value);
}

}  // namespace

std::vector<std::string> rpc_flags() {
  return {"--rpc URL", "--chain-id N", "--rpc-timeout SECONDS", "--confirmations N"};
}

std::string rpc_flags_help() {
  return "--chain-id N: refuse a node that serves another chain (eth_chainId).\n"
         "--rpc-timeout SECONDS: per JSON-RPC call (default 30).\n"
         "--confirmations N: the receipt's block must be canonical with N-1 blocks on top\n"
         "(default 1); a reorged or vanished block or a head behind it is rejected.\n";
}

Result<RpcClient> rpc_from_args(const Args& args) {
  auto url = args.option("--rpc");
  if (!url) return fail(ErrorCode::invalid_argument, "--rpc URL is required");
  RpcOptions options;
  auto chain = positive_option(args, "--chain-id");
  if (!chain) return std::unexpected(chain.error());
  options.expected_chain_id = *chain;
  auto timeout = positive_option(args, "--rpc-timeout");
  if (!timeout) return std::unexpected(timeout.error());
  if (*timeout) options.timeout = std::chrono::seconds(**timeout);
  return RpcClient::create(*url, options);
}

Result<std::uint64_t> confirmations_from_args(const Args& args) {
  auto n = positive_option(args, "--confirmations");
  if (!n) return std::unexpected(n.error());
  return n->value_or(1);
}

}  // namespace verinfer::cli
