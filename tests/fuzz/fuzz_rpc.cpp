// JSON-RPC answers as the chain node sends them: receipts, logs, blocks and
// scalar fields, then event decoding of every log. A parsed receipt survives
// receipt_to_json and parsing again unchanged. Input: selector byte, then JSON.
#include "fuzz_support.hpp"

#include <verinfer/json.hpp>
#include <verinfer/settle/events.hpp>
#include <verinfer/settle/rpc.hpp>

using namespace verinfer;

namespace {

bool same_receipt(const TransactionReceipt& a, const TransactionReceipt& b) {
  return a.transaction_hash == b.transaction_hash && a.transaction_index == b.transaction_index &&
         a.block_hash == b.block_hash && a.block_number == b.block_number && a.from == b.from &&
         a.to == b.to && a.contract_address == b.contract_address && a.status == b.status &&
         a.gas_used == b.gas_used && a.cumulative_gas_used == b.cumulative_gas_used &&
         a.effective_gas_price == b.effective_gas_price && a.type == b.type && a.logs == b.logs;
}

void decode_events(const LogEntry& log) {
  (void)decode_known_event(log);
  for (const EventAbi* abi : known_events()) {
    if (!abi->matches(log)) continue;
    auto decoded = abi->decode(log);
    if (decoded) (void)decoded->to_json();
  }
  (void)log_to_json(log);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t which = in.byte() % 7;
  auto json = parse_json(in.rest_text());
  if (!json) return 0;

  switch (which) {
    case 0: {
      auto receipt = parse_rpc_receipt(*json);
      if (!receipt) break;
      auto again = parse_rpc_receipt(receipt_to_json(*receipt));
      FUZZ_CHECK(again && same_receipt(*again, *receipt));
      for (const auto& log : receipt->logs) decode_events(log);
      break;
    }
    case 1: {
      auto log = parse_rpc_log(*json);
      if (log) decode_events(*log);
      break;
    }
    case 2: (void)parse_rpc_block(*json); break;
    case 3: {
      auto q = parse_rpc_quantity(*json, "fuzz");
      auto q64 = parse_rpc_quantity64(*json, "fuzz");
      if (q64) FUZZ_CHECK(q && *q == U256(*q64));
      if (q) {
        auto again = parse_rpc_quantity(Json(q->to_hex()), "again");
        FUZZ_CHECK(again && *again == *q);
      }
      break;
    }
    case 4: {
      auto bytes = parse_rpc_data(*json, "fuzz");
      if (bytes) {
        auto again = parse_rpc_data(Json(to_hex(*bytes)), "again");
        FUZZ_CHECK(again && *again == *bytes);
      }
      break;
    }
    case 5: (void)parse_rpc_hash(*json, "fuzz"); break;
    default: {
      auto address = parse_rpc_address(*json, "fuzz");
      if (address) {
        auto again = parse_rpc_address(Json(address->hex()), "again");
        FUZZ_CHECK(again && *again == *address);
      }
      break;
    }
  }
  return 0;
}
