// verinfer receipt TXHASH --rpc URL [--json]
#include <iostream>

#include "cli/cli.hpp"
#include "cli/rpc_args.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/settle/events.hpp"
#include "verinfer/settle/rpc.hpp"
#include "verinfer/settle/settlement.hpp"

namespace verinfer::cli {
namespace {

int run(const Args& args) {
  if (!args.option("--rpc") || args.positional().size() != 1) return unusable("receipt needs TXHASH and --rpc URL");
  auto hash = Hash32::from_hex(args.positional()[0]);
  if (!hash) return unusable("TXHASH: " + hash.error().to_string());
  auto rpc = rpc_from_args(args);
  if (!rpc) return unusable(rpc.error());
  auto confirmations = confirmations_from_args(args);
  if (!confirmations) return unusable(confirmations.error());
  auto receipt = rpc->transaction_receipt(*hash);
  if (!receipt) return unusable(receipt.error());
  if (!*receipt) {
    std::cerr << "rejected: no receipt for " << hash->hex() << " (unknown or pending)\n";
    return kExitRejected;
  }
  const TransactionReceipt& r = **receipt;
  // A receipt the node's own chain does not hold is not shown as a fact.
  auto on_chain =
      check_receipt_on_chain(*rpc, r, {"receipt.block", "receipt.confirmations", "receipt.logs"}, *confirmations);
  if (const Check* failed = on_chain.first_failure()) {
    std::cerr << "rejected: " << failed->name << ": " << failed->reason << " (expected " << failed->expected
              << ", got " << failed->actual << ")\n";
    return kExitRejected;
  }
  Json events = Json::array();
  for (const auto& log : r.logs) {
    Json entry = Json::object();
    entry.set("log", log_to_json(log));
    auto decoded = decode_event(log, known_events());
    if (decoded && *decoded) {
      entry.set("decoded", (**decoded).to_json());
    } else if (decoded) {
      entry.set("decode_error", decoded->error().to_string());
    }
    events.push_back(std::move(entry));
  }
  if (args.json()) {
    Json out = receipt_to_json(r);
    out.set("events", std::move(events));
    std::cout << out.dump() << '\n';
  } else {
    std::cout << "transaction " << r.transaction_hash.hex() << "\n  status " << r.status
              << (r.succeeded() ? " (success)" : " (reverted)") << "\n  block " << r.block_number << " "
              << r.block_hash.hex() << "\n  from " << to_checksum_address(r.from) << "\n  gas used "
              << r.gas_used.to_decimal() << " at " << r.effective_gas_price.to_decimal() << " wei\n";
    for (const auto& e : events.as_array()) {
      const Json* log = e.find("log");
      std::cout << "  log " << log->find("address")->as_string() << ": ";
      if (const Json* d = e.find("decoded")) {
        std::cout << d->find("event")->as_string() << ' ' << d->find("args")->dump() << '\n';
      } else {
        std::cout << "(raw) topics " << log->find("topics")->dump() << " data " << log->find("data")->as_string()
                  << '\n';
      }
    }
  }
  return r.succeeded() ? kExitOk : kExitRejected;
}

const Registrar registrar{Command{
    "receipt", "fetch a transaction receipt and decode its logs",
    "usage: verinfer receipt TXHASH --rpc URL [--json] [--chain-id N] [--rpc-timeout SECONDS]\n"
    "                        [--confirmations N]\n\n"
    "Fetches the receipt by eth_getTransactionReceipt (parsed strictly) and decodes\n"
    "BatchSettlement, IndividualSettlement, Transfer, AuthorizationUsed, TEERegistered\n"
    "and InferenceResult logs; other logs are shown raw.\n"
    "The receipt's block must be the chain's block at its number and hold the\n"
    "transaction, under a head far enough past it (receipt.block, receipt.confirmations).\n" +
        rpc_flags_help() +
        "Exit 0 success, 1 reverted, not found or not on the chain, 2 unusable input or RPC failure.\n\n"
    "examples:\n"
    "  verinfer receipt 0x5c50...9e1a --rpc http://127.0.0.1:8545\n"
    "  verinfer receipt 0x5c50...9e1a --rpc http://127.0.0.1:8545 --json",
    rpc_flags(), run}};

}  // namespace
}  // namespace verinfer::cli
