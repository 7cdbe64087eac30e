// Matching on-chain settlement and payment evidence to one call.
#include "verinfer/settle/settlement.hpp"

#include <algorithm>
#include <string>

#include "settle/call_data.hpp"
#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

namespace sc = settlement_checks;

template <class T>
std::unexpected<Error> pass_error(const Result<T>& r) {
  return std::unexpected(r.error());
}

void compare(VerificationReport& report, std::string_view name, const std::string& expected,
             const std::string& actual, std::string_view what) {
  if (expected == actual) {
    report.pass(std::string(name), expected, actual);
  } else {
    report.fail(std::string(name), ErrorCode::verification_failed,
                std::string(what) + " on chain differs from the response", expected, actual);
  }
}

std::string short_hex(ByteView bytes) {
  std::string hex = to_hex(bytes);
  return hex.size() > 42 ? hex.substr(0, 20) + "..." + hex.substr(hex.size() - 16) + " (" +
                               std::to_string(bytes.size()) + " bytes)"
                         : hex;
}

Result<Bytes> call_registry(const RpcClient& rpc, const Address& registry, std::string_view signature,
                            const std::vector<AbiType>& arg_types, const std::vector<AbiValue>& args) {
  auto data = settle_internal::encode_call(signature, arg_types, args);
  if (!data) return data;
  CallRequest call;
  call.to = registry;
  call.data = std::move(*data);
  return rpc.eth_call(call);
}

}  // namespace

void check_individual_settlement(const IndividualSettlementEvent& event, const SettlementLeaf& expected,
                                 VerificationReport& report) {
  compare(report, sc::kTeeId, expected.tee_id.hex(), event.tee_id.hex(), "teeId");
  compare(report, sc::kInputHash, expected.input_hash.hex(), event.input_hash.hex(), "inputHash");
  compare(report, sc::kOutputHash, expected.output_hash.hex(), event.output_hash.hex(), "outputHash");
  compare(report, sc::kTimestamp, expected.timestamp.to_decimal(), event.timestamp.to_decimal(), "timestamp");
  if (event.signature == expected.signature) {
    report.pass(std::string(sc::kSignature), short_hex(expected.signature), short_hex(event.signature));
  } else {
    report.fail(std::string(sc::kSignature), ErrorCode::verification_failed,
                "signature on chain differs from the response", short_hex(expected.signature),
                short_hex(event.signature));
  }
}

VerificationReport check_individual_settlement_receipt(const TransactionReceipt& receipt,
                                                       const SettlementLeaf& expected,
                                                       const std::optional<Address>& contract) {
  VerificationReport report;
  if (receipt.succeeded()) {
    report.pass(std::string(sc::kReceiptStatus), "1", "1");
  } else {
    report.fail(std::string(sc::kReceiptStatus), ErrorCode::verification_failed, "settlement transaction reverted",
                "1", std::to_string(receipt.status));
    return report;
  }
  std::optional<IndividualSettlementEvent> found;
  std::optional<Address> emitter;
  std::string seen;
  for (const auto& log : receipt.logs) {
    if (!individual_settlement_event().matches(log)) continue;
    auto event = decode_individual_settlement(log);
    if (!event) {
      seen += (seen.empty() ? "" : "; ") + event.error().message;
      continue;
    }
    if (event->tee_id != expected.tee_id && found) continue;
    found = *event;
    emitter = log.address;
    if (event->tee_id == expected.tee_id) break;
  }
  if (!found) {
    report.fail(std::string(sc::kEvent), ErrorCode::verification_failed,
                "no IndividualSettlement event in the transaction", "IndividualSettlement",
                seen.empty() ? std::to_string(receipt.logs.size()) + " other logs" : seen);
    return report;
  }
  report.pass(std::string(sc::kEvent), "IndividualSettlement", "log from " + emitter->hex());
  if (contract) {
    if (*emitter == *contract) {
      report.pass(std::string(sc::kContract), contract->hex(), emitter->hex());
    } else {
      report.fail(std::string(sc::kContract), ErrorCode::untrusted, "event emitted by another contract",
                  contract->hex(), emitter->hex());
    }
  }
  check_individual_settlement(*found, expected, report);
  return report;
}

VerificationReport check_receipt_on_chain(const RpcClient& rpc, const TransactionReceipt& receipt,
                                          ReceiptChainCheckNames names, std::uint64_t confirmations) {
  VerificationReport report;
  const std::string number = std::to_string(receipt.block_number);
  const std::string want_block = "block " + number + " " + receipt.block_hash.hex() + " holding " +
                                 receipt.transaction_hash.hex() + " at index " +
                                 std::to_string(receipt.transaction_index);
  auto block = rpc.block_by_number(BlockTag(receipt.block_number));
  if (!block) {
    report.fail(std::string(names.block), block.error().code, block.error().message, want_block,
                block.error().detail);
  } else if (!*block) {
    report.fail(std::string(names.block), ErrorCode::verification_failed,
                "the receipt's block is no longer on the chain (reorg?)", want_block, "no block " + number);
  } else if ((*block)->hash != receipt.block_hash) {
    report.fail(std::string(names.block), ErrorCode::verification_failed,
                "the chain's block at the receipt's number is another block (reorg?)", want_block,
                "block " + number + " " + (*block)->hash.hex());
  } else if (const auto& txs = (*block)->transactions;
             receipt.transaction_index >= txs.size() || txs[receipt.transaction_index] != receipt.transaction_hash) {
    report.fail(std::string(names.block), ErrorCode::verification_failed,
                "the receipt's block does not hold its transaction at its index", want_block,
                receipt.transaction_index < txs.size()
                    ? txs[receipt.transaction_index].hex() + " at index " + std::to_string(receipt.transaction_index)
                    : std::to_string(txs.size()) + " transactions");
  } else {
    report.pass(std::string(names.block), want_block, "canonical");
  }
  // The same logs by another method: a node that alters one answer only.
  LogFilter filter;
  filter.block_hash = receipt.block_hash;
  auto block_logs = rpc.logs(filter);
  const std::string want_logs = std::to_string(receipt.logs.size()) + " logs as in the receipt";
  if (!block_logs) {
    report.fail(std::string(names.logs), block_logs.error().code, block_logs.error().message, want_logs,
                block_logs.error().detail);
  } else {
    std::vector<const LogEntry*> mine;
    for (const auto& log : *block_logs) {
      if (log.transaction_hash == receipt.transaction_hash) mine.push_back(&log);
    }
    std::string differs;
    if (mine.size() != receipt.logs.size()) {
      differs = std::to_string(mine.size()) + " logs of the transaction in the block";
    }
    for (std::size_t i = 0; differs.empty() && i < mine.size(); ++i) {
      const LogEntry& a = receipt.logs[i];
      const LogEntry& b = *mine[i];
      if (a.address != b.address || a.topics != b.topics || a.data != b.data || a.log_index != b.log_index) {
        differs = "log " + std::to_string(i) + " differs: " + log_to_json(b).dump();
      }
    }
    if (differs.empty()) {
      report.pass(std::string(names.logs), want_logs, std::to_string(mine.size()) + " identical logs");
    } else {
      report.fail(std::string(names.logs), ErrorCode::verification_failed,
                  "the receipt's logs are not the block's logs of the transaction", want_logs, differs);
    }
  }
  const std::uint64_t depth = std::max<std::uint64_t>(confirmations, 1);
  const std::string want_depth = ">= " + std::to_string(depth);
  auto head = rpc.block_number();
  if (!head) {
    report.fail(std::string(names.confirmations), head.error().code, head.error().message, want_depth,
                head.error().detail);
  } else if (*head < receipt.block_number) {
    report.fail(std::string(names.confirmations), ErrorCode::verification_failed,
                "the chain's head is behind the receipt's block", want_depth,
                "head " + std::to_string(*head) + " < block " + number);
  } else if (*head - receipt.block_number + 1 < depth) {
    report.fail(std::string(names.confirmations), ErrorCode::verification_failed,
                "too few confirmations", want_depth, std::to_string(*head - receipt.block_number + 1));
  } else {
    report.pass(std::string(names.confirmations), want_depth, std::to_string(*head - receipt.block_number + 1));
  }
  return report;
}

VerificationReport check_batch_inclusion(const BatchSettlementEvent& event, const MerkleDump& dump,
                                         const SettlementLeaf& expected) {
  VerificationReport report;
  if (dump.tree.empty() || dump.root() != event.merkle_root) {
    report.fail(std::string(sc::kBatchRoot), ErrorCode::verification_failed,
                "the dump's root is not the root settled on chain", event.merkle_root.hex(),
                dump.tree.empty() ? std::string("(empty dump)") : dump.root().hex());
    return report;
  }
  report.pass(std::string(sc::kBatchRoot), event.merkle_root.hex(), dump.root().hex());
  if (U256(dump.values.size()) == event.batch_size) {
    report.pass(std::string(sc::kBatchSize), event.batch_size.to_decimal(), std::to_string(dump.values.size()));
  } else {
    report.fail(std::string(sc::kBatchSize), ErrorCode::verification_failed,
                "the dump's leaf count differs from the settled batch size", event.batch_size.to_decimal(),
                std::to_string(dump.values.size()));
  }
  const Hash32 leaf = expected.leaf_hash();
  auto index = find_merkle_leaf(dump, leaf);
  if (!index) {
    report.fail(std::string(sc::kBatchLeaf), ErrorCode::verification_failed,
                "the response's leaf is not in the settled batch", leaf.hex(), "absent from " +
                std::to_string(dump.values.size()) + " leaves");
    return report;
  }
  report.pass(std::string(sc::kBatchLeaf), leaf.hex(), "leaf " + std::to_string(*index));
  auto proof = merkle_proof(dump, *index);
  auto verified = proof ? verify_merkle_proof(event.merkle_root, leaf, *proof) : Status(std::unexpected(proof.error()));
  if (verified) {
    report.pass(std::string(sc::kBatchProof), event.merkle_root.hex(),
                std::to_string(proof->size()) + "-node proof");
  } else {
    report.fail(std::string(sc::kBatchProof), ErrorCode::verification_failed, verified.error().message,
                event.merkle_root.hex(), verified.error().detail);
  }
  return report;
}

VerificationReport check_x402_receipt(const TransactionReceipt& receipt, const X402Expectation& expected) {
  VerificationReport report;
  if (receipt.succeeded()) {
    report.pass("x402.receipt_status", "1", "1");
  } else {
    report.fail("x402.receipt_status", ErrorCode::payment_required, "payment transaction reverted", "1",
                std::to_string(receipt.status));
    return report;
  }
  std::optional<TransferEvent> transfer;
  std::string others;
  for (const auto& log : receipt.logs) {
    if (!transfer_event().matches(log)) continue;
    auto t = decode_transfer(log);
    if (!t) continue;
    if (log.address == expected.token && t->from == expected.payer && t->to == expected.pay_to) {
      transfer = *t;
      break;
    }
    others += (others.empty() ? "" : "; ") + log.address.hex() + ": " + t->from.hex() + " -> " + t->to.hex();
  }
  const std::string want = expected.token.hex() + ": " + expected.payer.hex() + " -> " + expected.pay_to.hex();
  if (!transfer) {
    report.fail("x402.transfer", ErrorCode::payment_required, "no Transfer of the token from the payer to payTo",
                want, others.empty() ? "no Transfer logs" : others);
    return report;
  }
  report.pass("x402.transfer", want, want);
  if (transfer->value <= expected.max_amount) {
    report.pass("x402.amount", "<= " + expected.max_amount.to_decimal(), transfer->value.to_decimal());
  } else {
    report.fail("x402.amount", ErrorCode::payment_required, "transferred more than was authorised",
                "<= " + expected.max_amount.to_decimal(), transfer->value.to_decimal());
  }
  for (const auto& log : receipt.logs) {
    if (log.address != expected.token || !authorization_used_event().matches(log)) continue;
    auto used = decode_authorization_used(log);
    if (!used) {
      report.fail("x402.authorization_used", ErrorCode::verification_failed, used.error().message);
      break;
    }
    bool ok = used->authorizer == expected.payer && (!expected.nonce || used->nonce == *expected.nonce);
    std::string want_used = expected.payer.hex() + (expected.nonce ? " nonce " + expected.nonce->hex() : "");
    std::string got_used = used->authorizer.hex() + " nonce " + used->nonce.hex();
    if (ok) {
      report.pass("x402.authorization_used", want_used, got_used);
    } else {
      report.fail("x402.authorization_used", ErrorCode::verification_failed,
                  "authorisation used by someone else or with another nonce", want_used, got_used);
    }
    break;
  }
  return report;
}

const AbiType& tee_info_type() {
  static const AbiType type = [] {
    auto t = AbiType::parse("(address,address,string,bytes,bytes,bytes32,uint8,bool,uint256,uint256)");
    return t ? *t : AbiType{};
  }();
  return type;
}

Result<TeeRegistryEntry> tee_info_from_abi(const AbiValue& value) {
  if (!value.is_list() || value.as_list().size() != 10) {
    return fail(ErrorCode::parse_error, "TEEInfo: expected a 10-field tuple");
  }
  const auto& f = value.as_list();
  TeeRegistryEntry e;
  e.owner = f[0].as_address();
  e.payment_address = f[1].as_address();
  e.endpoint = f[2].as_string();
  e.public_key = f[3].as_bytes();
  e.tls_certificate = f[4].as_bytes();
  e.pcr_hash = *Hash32::from_bytes(f[5].as_bytes());
  e.tee_type = static_cast<std::uint8_t>(*f[6].as_integer().to_uint64());
  e.enabled = f[7].as_bool();
  auto registered = f[8].as_integer().to_uint64();
  auto heartbeat = f[9].as_integer().to_uint64();
  if (!registered || !heartbeat) return fail(ErrorCode::parse_error, "TEEInfo: timestamp exceeds 64 bits");
  e.registered_at = *registered;
  e.last_heartbeat_at = *heartbeat;
  e.tee_id = keccak256(e.public_key);
  return e;
}

Result<TeeRegistryEntry> read_registry_tee(const RpcClient& rpc, const Address& registry, const Hash32& tee_id) {
  static const std::vector<AbiType> args = {*AbiType::parse("bytes32")};
  auto data = call_registry(rpc, registry, "getTEE(bytes32)", args, {AbiValue(tee_id)});
  if (!data) return pass_error(data);
  // The return list (TEEInfo) holds one dynamic tuple behind an offset.
  auto decoded = abi_decode(std::vector<AbiType>{tee_info_type()}, *data);
  if (!decoded) return fail(ErrorCode::parse_error, "getTEE: answer does not decode as TEEInfo", decoded.error().to_string());
  auto entry = tee_info_from_abi(decoded->front());
  if (!entry) return entry;
  if (entry->registered_at == 0) return fail(ErrorCode::untrusted, "TEE not registered", tee_id.hex());
  if (*entry->tee_id != tee_id) {
    return fail(ErrorCode::verification_failed, "registry entry's key does not hash to the TEE id",
                "expected " + tee_id.hex() + ", got " + entry->tee_id->hex());
  }
  return entry;
}

Result<bool> read_registry_tee_active(const RpcClient& rpc, const Address& registry, const Hash32& tee_id) {
  static const std::vector<AbiType> args = {*AbiType::parse("bytes32")};
  auto data = call_registry(rpc, registry, "isTEEActive(bytes32)", args, {AbiValue(tee_id)});
  if (!data) return pass_error(data);
  auto decoded = abi_decode(*AbiType::parse("bool"), *data);
  if (!decoded) return fail(ErrorCode::parse_error, "isTEEActive: answer is not a bool", decoded.error().to_string());
  return decoded->as_bool();
}

Result<std::vector<TeeRegistryEntry>> read_registry_active_tees(const RpcClient& rpc, const Address& registry,
                                                                std::uint8_t tee_type) {
  static const std::vector<AbiType> args = {*AbiType::parse("uint8")};
  auto data = call_registry(rpc, registry, "getActiveTEEs(uint8)", args, {AbiValue(U256(tee_type))});
  if (!data) return pass_error(data);
  AbiType list{AbiType::Kind::array, 256, 0, {tee_info_type()}};
  auto decoded = abi_decode(std::vector<AbiType>{list}, *data);
  if (!decoded) {
    return fail(ErrorCode::parse_error, "getActiveTEEs: answer does not decode as TEEInfo[]", decoded.error().to_string());
  }
  std::vector<TeeRegistryEntry> out;
  for (const auto& item : decoded->front().as_list()) {
    auto entry = tee_info_from_abi(item);
    if (!entry) return pass_error(entry);
    entry->active = true;
    out.push_back(std::move(*entry));
  }
  return out;
}

Result<SignedOhttpConfig> read_registry_ohttp_config(const RpcClient& rpc, const Address& registry,
                                                     const Hash32& tee_id) {
  static const std::vector<AbiType> args = {*AbiType::parse("bytes32")};
  static const std::vector<AbiType> answer = {*AbiType::parse("(uint8,uint16,uint16,uint16,bytes,bytes,uint256)"),
                                              *AbiType::parse("bytes")};
  auto data = call_registry(rpc, registry, "getOHTTPConfig(bytes32)", args, {AbiValue(tee_id)});
  if (!data) return pass_error(data);
  auto decoded = abi_decode(answer, *data);
  if (!decoded) {
    return fail(ErrorCode::parse_error, "getOHTTPConfig: answer does not decode as (OHTTPConfig, bytes)",
                decoded.error().to_string());
  }
  const auto& f = decoded->front().as_list();
  auto small = [&](std::size_t i) { return f[i].as_integer().to_uint64().value_or(0); };
  SignedOhttpConfig out;
  out.tee_id = tee_id;
  // The ABI decoder already bounds uint8/uint16 values to their types.
  out.config.key_id = static_cast<std::uint8_t>(small(0));
  out.config.kem_id = static_cast<std::uint16_t>(small(1));
  out.config.kdf_id = static_cast<std::uint16_t>(small(2));
  out.config.aead_id = static_cast<std::uint16_t>(small(3));
  out.config.public_key = f[4].as_bytes();
  out.config.key_config = f[5].as_bytes();
  auto registered = f[6].as_integer().to_uint64();
  if (!registered) return fail(ErrorCode::parse_error, "OHTTPConfig: registeredAt exceeds 64 bits");
  out.config.registered_at = *registered;
  if (out.config.registered_at == 0) return fail(ErrorCode::untrusted, "no OHTTP config registered for the TEE", tee_id.hex());
  out.signature = (*decoded)[1].as_bytes();
  return out;
}

}  // namespace verinfer
