// verinfer settlement check [--request REQ.json] --response RESP.json --tx HASH --rpc URL
//                           [--contract ADDR] [--dump DUMP.json]
#include <iostream>

#include "cli/cli.hpp"
#include "cli/rpc_args.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/inference/canonical.hpp"
#include "verinfer/settle/settlement.hpp"

namespace verinfer::cli {
namespace {

// The settled leaf from a response's tee_* fields (as the gateway sends them).
Result<SettlementLeaf> leaf_from_response(const Json& response) {
  auto text = [&](std::string_view key) -> Result<std::string> {
    const Json* v = response.find(key);
    if (v == nullptr || !v->is_string()) return fail(ErrorCode::invalid_argument, "response lacks " + std::string(key));
    return v->as_string();
  };
  auto tee_id = text("tee_id");
  auto request_hash = text("tee_request_hash");
  auto output_hash = text("tee_output_hash");
  auto signature = text("tee_signature");
  if (!tee_id || !request_hash || !output_hash || !signature) {
    return std::unexpected(!tee_id ? tee_id.error() : !request_hash ? request_hash.error()
                           : !output_hash ? output_hash.error() : signature.error());
  }
  const Json* ts = response.find("tee_timestamp");
  if (ts == nullptr || !ts->get_uint64()) return fail(ErrorCode::invalid_argument, "response lacks tee_timestamp");
  SettlementLeaf leaf;
  auto id = Hash32::from_hex(*tee_id);
  auto in = Hash32::from_hex(*request_hash);
  auto out = Hash32::from_hex(*output_hash);
  auto sig = from_base64(*signature);
  if (!id || !in || !out || !sig) return fail(ErrorCode::invalid_argument, "response has a malformed tee_* field");
  return SettlementLeaf{*id, *in, *out, *sig, U256(*ts->get_uint64())};
}

int print_report(const Args& args, const VerificationReport& report) {
  if (args.json()) {
    Json checks = *report.to_json().find("checks");
    Json out = Json::object();
    out.set("verified", report.ok());
    out.set("checks", std::move(checks));
    std::cout << out.dump() << '\n';
  } else {
    std::cout << report.to_string() << '\n';
  }
  return report.ok() ? kExitOk : kExitRejected;
}

// Without --tx: the IndividualSettlement event of this call (same teeId,
// inputHash and outputHash) found in the chain's logs.
Result<Hash32> find_individual_settlement(const RpcClient& rpc, const SettlementLeaf& leaf,
                                          const std::optional<Address>& contract) {
  LogFilter filter;
  filter.from_block = BlockTag::earliest();
  filter.to_block = BlockTag::latest();
  if (contract) filter.addresses.push_back(*contract);
  filter.topics = {{individual_settlement_event().topic0()}, {leaf.tee_id}};
  auto logs = rpc.logs(filter);
  if (!logs) return std::unexpected(logs.error());
  // The same request and answer may have been settled before (a deterministic
  // model): the settlement with this call's timestamp and signature wins, else
  // the latest with its hashes (whose field checks then say what differs).
  std::optional<Hash32> latest;
  for (const auto& log : *logs) {
    auto event = decode_individual_settlement(log);
    if (!event || event->input_hash != leaf.input_hash || event->output_hash != leaf.output_hash ||
        !log.transaction_hash || log.removed) {
      continue;
    }
    if (event->timestamp == leaf.timestamp && event->signature == leaf.signature) return *log.transaction_hash;
    latest = *log.transaction_hash;
  }
  if (latest) return *latest;
  return fail(ErrorCode::verification_failed, "no IndividualSettlement of this call on chain",
              "searched " + std::to_string(logs->size()) + " settlement events of tee " + leaf.tee_id.hex() +
                  "; a batch-settled call needs --tx and --dump");
}

int run(const Args& args) {
  auto response_path = args.option("--response");
  auto tx_text = args.option("--tx");
  if (!response_path || !args.option("--rpc") || !args.positional().empty()) {
    return unusable("settlement check needs --response and --rpc");
  }
  auto response_text = read_input(*response_path);
  if (!response_text) return unusable(response_text.error());
  auto response = parse_json(*response_text);
  if (!response) return unusable(response.error());
  auto leaf = leaf_from_response(*response);
  if (!leaf) return unusable(leaf.error());
  std::optional<Address> contract;
  if (auto c = args.option("--contract")) {
    auto a = parse_address(*c);
    if (!a) return unusable("--contract: " + a.error().to_string());
    contract = *a;
  }
  VerificationReport report;
  // Ties the settlement to the exact call: the request that was sent hashes
  // to the inputHash that was settled.
  if (auto request_path = args.option("--request")) {
    auto request_text = read_input(*request_path);
    if (!request_text) return unusable(request_text.error());
    auto request = parse_json(*request_text);
    if (!request) return unusable(request.error());
    auto hash = tee_request_hash(*request);
    if (!hash) return unusable(hash.error());
    if (*hash == leaf->input_hash) {
      report.pass("settlement.request_hash", hash->hex(), leaf->input_hash.hex());
    } else {
      report.fail("settlement.request_hash", ErrorCode::verification_failed,
                  "the request does not hash to the settled inputHash", hash->hex(),
                  leaf->input_hash.hex());
    }
  }
  auto rpc = rpc_from_args(args);
  if (!rpc) return unusable(rpc.error());
  auto confirmations = confirmations_from_args(args);
  if (!confirmations) return unusable(confirmations.error());
  Result<Hash32> tx = tx_text ? Hash32::from_hex(*tx_text) : find_individual_settlement(*rpc, *leaf, contract);
  if (!tx) {
    if (tx_text) return unusable("--tx: " + tx.error().to_string());
    report.fail("settlement.found", tx.error().code, tx.error().message,
                "an IndividualSettlement of this call", tx.error().detail);
    return print_report(args, report);
  }
  // A node that fails or answers inconsistently leaves the call unverified.
  auto receipt = rpc->transaction_receipt(*tx);
  if (!receipt) {
    report.fail("settlement.receipt", receipt.error().code, receipt.error().message, tx->hex(),
                receipt.error().detail);
  } else if (!*receipt) {
    report.fail("settlement.receipt", ErrorCode::verification_failed, "no receipt for the settlement transaction",
                tx->hex(), "unknown or pending");
  } else {
    report.merge(check_receipt_on_chain(*rpc, **receipt, kSettlementReceiptChecks, *confirmations));
    const LogEntry* batch_log = nullptr;
    for (const auto& log : (*receipt)->logs) {
      if (batch_settlement_event().matches(log) && (!contract || log.address == *contract)) batch_log = &log;
    }
    if (batch_log != nullptr) {
      auto dump_path = args.option("--dump");
      if (!dump_path) return unusable("the transaction settles a batch: give its tree dump with --dump");
      auto dump_text = read_input(*dump_path);
      if (!dump_text) return unusable(dump_text.error());
      auto event = decode_batch_settlement(*batch_log);
      if (!event) return unusable(event.error());
      auto dump = parse_merkle_dump(*dump_text);
      if (!dump) {
        report.fail("settlement.batch_dump", dump.error().code, dump.error().message, "consistent dump",
                    dump.error().detail);
      } else {
        report.merge(check_batch_inclusion(*event, *dump, *leaf));
      }
    } else {
      report.merge(check_individual_settlement_receipt(**receipt, *leaf, contract));
    }
  }
  return print_report(args, report);
}

const Registrar registrar{Command{
    "settlement check", "check that a TEE response was settled on chain (individual or batch)",
    "usage: verinfer settlement check [--request REQ.json] --response RESP.json --rpc URL\n"
    "                                 [--contract ADDR] [--tx HASH [--dump DUMP.json]] [--json]\n"
    "                                 [--chain-id N] [--rpc-timeout SECONDS] [--confirmations N]\n\n"
    "Without --tx, the call's IndividualSettlement event is looked up in the chain's logs.\n"
    "With --request, first checks that the request that was sent hashes (canonically)\n"
    "to the settled inputHash, tying the settlement to that exact call.\n"
    "Builds the settlement leaf from the response's tee_* fields, fetches the\n"
    "settlement transaction's receipt and checks either its IndividualSettlement\n"
    "event field by field, or (for a BatchSettlement) that the response's leaf is\n"
    "in the given tree dump under the settled root.\n"
    "The receipt's block must still be the chain's block at its number and hold\n"
    "the transaction (settlement.block), under a head far enough past it\n"
    "(settlement.confirmations); a node that fails or answers inconsistently\n"
    "fails settlement.receipt.\n" +
        rpc_flags_help() +
        "Exit 0 verified, 1 rejected, 2 unusable input.\n\n"
    "examples:\n"
    "  verinfer settlement check --request req.json --response resp.json --rpc http://127.0.0.1:8545\n"
    "  verinfer settlement check --response resp.json --tx 0x5c50...9e1a --rpc http://127.0.0.1:8545\n"
    "  verinfer settlement check --response resp.json --tx 0x77aa...01 --rpc http://127.0.0.1:8545 --dump batch.json",
    [] {
      auto flags = rpc_flags();
      flags.insert(flags.end(), {"--request REQ.json", "--response RESP.json", "--contract ADDR", "--tx HASH",
                                 "--dump DUMP.json"});
      return flags;
    }(),
    run}};

}  // namespace
}  // namespace verinfer::cli
