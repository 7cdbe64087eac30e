// Offline settlement checks: individual events vs a response's leaf, batch
// inclusion with the vector dumps, x402 receipts, TEEInfo decoding and the
// inference calldata/tensors. Each failure names its check.
#include "test_support.hpp"

#include <functional>

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/settle/inference.hpp"
#include "verinfer/settle/settlement.hpp"

using namespace verinfer;

namespace {

const Address kRelay = *Address::from_hex("0x00000000000000000000000000000000000000aa");
const Address kToken = *Address::from_hex("0x00000000000000000000000000000000000000bb");
const Address kPayer = *Address::from_hex("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
const Address kPayTo = *Address::from_hex("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");

SettlementLeaf vector_leaf(std::size_t item) {
  Json leaves = test::load_json(test::vectors_dir() / "merkle/leaves.json");
  auto value = merkle_value_from_json(settlement_leaf_encoding(), *leaves.find("items")->as_array()[item].find("value"));
  return *SettlementLeaf::from_abi_values(*value);
}

LogEntry individual_log(const SettlementLeaf& leaf, const Address& emitter = kRelay) {
  return *individual_settlement_event().encode(
      emitter, {leaf.tee_id, kPayTo, leaf.input_hash, leaf.output_hash, leaf.timestamp, Bytes{'b'}, leaf.signature});
}

TransactionReceipt receipt_with(std::vector<LogEntry> logs, std::uint64_t status = 1) {
  TransactionReceipt r;
  r.status = status;
  r.logs = std::move(logs);
  return r;
}

const Check* find_check(const VerificationReport& report, std::string_view name) {
  for (const auto& c : report.checks()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("settlement: an IndividualSettlement event matches its response field by field") {
  SettlementLeaf leaf = vector_leaf(0);
  auto ok = check_individual_settlement_receipt(receipt_with({individual_log(leaf)}), leaf, kRelay);
  CHECK(ok.ok());
  CHECK(ok.checks().size() == 8);  // status, event, contract, five fields

  // Each field changed on chain fails exactly its own check.
  struct Tamper {
    std::string_view check;
    std::function<void(SettlementLeaf&)> edit;
  };
  const Tamper tampers[] = {
      {settlement_checks::kTeeId, [](SettlementLeaf& l) { l.tee_id.bytes[0] ^= 1; }},
      {settlement_checks::kInputHash, [](SettlementLeaf& l) { l.input_hash.bytes[5] ^= 1; }},
      {settlement_checks::kOutputHash, [](SettlementLeaf& l) { l.output_hash.bytes[31] ^= 1; }},
      {settlement_checks::kTimestamp, [](SettlementLeaf& l) { l.timestamp = l.timestamp.wrapping_add(U256(1)); }},
      {settlement_checks::kSignature, [](SettlementLeaf& l) { l.signature.back() ^= 1; }},
  };
  for (const auto& t : tampers) {
    INFO(t.check);
    SettlementLeaf on_chain = leaf;
    t.edit(on_chain);
    auto report = check_individual_settlement_receipt(receipt_with({individual_log(on_chain)}), leaf);
    CHECK_FALSE(report.ok());
    REQUIRE(report.first_failure() != nullptr);
    CHECK(report.first_failure()->name == t.check);
  }
  auto reverted = check_individual_settlement_receipt(receipt_with({individual_log(leaf)}, 0), leaf);
  CHECK(reverted.first_failure()->name == settlement_checks::kReceiptStatus);
  auto missing = check_individual_settlement_receipt(receipt_with({}), leaf);
  CHECK(missing.first_failure()->name == settlement_checks::kEvent);
  auto elsewhere = check_individual_settlement_receipt(receipt_with({individual_log(leaf, kToken)}), leaf, kRelay);
  CHECK(elsewhere.first_failure()->name == settlement_checks::kContract);
  CHECK(elsewhere.first_failure()->code == ErrorCode::untrusted);
}

TEST_CASE("settlement: tamper matrix - every flipped byte the event check relies on is rejected") {
  const SettlementLeaf leaf = vector_leaf(0);
  const LogEntry original = individual_log(leaf);
  REQUIRE(check_individual_settlement_receipt(receipt_with({original}), leaf, kRelay).ok());
  // Relied on: topic 0 (the event), topic 1 (teeId), the emitter, and in the
  // data inputHash/outputHash/timestamp (words 0-2), the signature's offset
  // (word 4) and its length word and bytes. Not relied on: ethAddress (topic 2),
  // walrusBlobId and the signature's zero padding.
  REQUIRE(original.topics.size() == 3);
  REQUIRE(original.data.size() >= 5 * 32);
  const std::size_t sig_offset = original.data[4 * 32 + 31];
  REQUIRE(sig_offset + 32 + leaf.signature.size() <= original.data.size());
  std::vector<std::pair<std::size_t, std::size_t>> data_ranges = {
      {0, 3 * 32}, {4 * 32, 5 * 32}, {sig_offset, sig_offset + 32 + leaf.signature.size()}};

  std::size_t tried = 0;
  std::size_t accepted = 0;
  auto expect_reject = [&](const LogEntry& log, std::string_view what, std::size_t i) {
    ++tried;
    if (check_individual_settlement_receipt(receipt_with({log}), leaf, kRelay).ok()) {
      ++accepted;
      FAIL_CHECK("accepted with byte " << i << " of " << what << " flipped");
    }
  };
  for (std::size_t topic = 0; topic < 2; ++topic) {
    for (std::size_t i = 0; i < 32; ++i) {
      LogEntry log = original;
      log.topics[topic].bytes[i] ^= 0x01;
      expect_reject(log, topic == 0 ? "topic 0" : "topic 1", i);
    }
  }
  for (std::size_t i = 0; i < original.address.bytes.size(); ++i) {
    LogEntry log = original;
    log.address.bytes[i] ^= 0x01;
    expect_reject(log, "the emitter", i);
  }
  for (auto [begin, end] : data_ranges) {
    for (std::size_t i = begin; i < end; ++i) {
      LogEntry log = original;
      log.data[i] ^= 0x01;
      expect_reject(log, "the data", i);
    }
  }
  MESSAGE("IndividualSettlement tamper matrix, each relied-on byte XOR 0x01: " << tried << " tried, " << accepted
                                                                               << " accepted");
  CHECK(tried == 2 * 32 + 20 + 3 * 32 + 32 + 32 + leaf.signature.size());
  CHECK(accepted == 0);
}

TEST_CASE("settlement: batch inclusion against the vector trees") {
  auto dump = parse_merkle_dump(test::read_file(test::vectors_dir() / "merkle/tree_20.dump.json"));
  REQUIRE(dump.has_value());
  BatchSettlementEvent event{dump->root(), U256(20), Bytes{'x'}};
  for (std::size_t i = 0; i < 20; ++i) CHECK(check_batch_inclusion(event, *dump, vector_leaf(i)).ok());

  SettlementLeaf altered = vector_leaf(3);
  altered.output_hash.bytes[0] ^= 0x80;  // what merkle_leaf_altered does on the devnet
  auto absent = check_batch_inclusion(event, *dump, altered);
  CHECK(absent.first_failure()->name == settlement_checks::kBatchLeaf);

  auto small = parse_merkle_dump(test::read_file(test::vectors_dir() / "merkle/tree_3.dump.json"));
  BatchSettlementEvent other_root{small->root(), U256(3), {}};
  CHECK(check_batch_inclusion(other_root, *dump, vector_leaf(0)).first_failure()->name == settlement_checks::kBatchRoot);
  BatchSettlementEvent wrong_size{dump->root(), U256(21), {}};
  CHECK(check_batch_inclusion(wrong_size, *dump, vector_leaf(0)).first_failure()->name == settlement_checks::kBatchSize);
}

TEST_CASE("settlement: x402 receipts checked on chain") {
  Hash32 nonce;
  nonce.bytes.fill(7);
  LogEntry used = *authorization_used_event().encode(kToken, {kPayer, nonce});
  LogEntry transfer = *transfer_event().encode(kToken, {kPayer, kPayTo, U256(10000)});
  X402Expectation want{kToken, kPayer, kPayTo, U256(10000), nonce};
  auto ok = check_x402_receipt(receipt_with({used, transfer}), want);
  CHECK(ok.ok());
  CHECK(ok.checks().size() == 4);

  X402Expectation lower = want;
  lower.max_amount = U256(9999);
  auto over = check_x402_receipt(receipt_with({used, transfer}), lower);
  CHECK(over.first_failure()->name == "x402.amount");
  CHECK(over.first_failure()->code == ErrorCode::payment_required);

  X402Expectation other_payee = want;
  other_payee.pay_to = kPayer;
  CHECK(check_x402_receipt(receipt_with({used, transfer}), other_payee).first_failure()->name == "x402.transfer");
  LogEntry fake_token = *transfer_event().encode(kRelay, {kPayer, kPayTo, U256(10000)});
  CHECK(check_x402_receipt(receipt_with({fake_token}), want).first_failure()->name == "x402.transfer");
  X402Expectation other_nonce = want;
  other_nonce.nonce->bytes[0] = 0;
  CHECK(check_x402_receipt(receipt_with({used, transfer}), other_nonce).first_failure()->name ==
        "x402.authorization_used");
  CHECK(check_x402_receipt(receipt_with({used, transfer}, 0), want).first_failure()->name == "x402.receipt_status");
  // Without AuthorizationUsed (another token standard) the Transfer suffices.
  auto no_auth = check_x402_receipt(receipt_with({transfer}), want);
  CHECK(no_auth.ok());
  CHECK(find_check(no_auth, "x402.authorization_used") == nullptr);
}

TEST_CASE("settlement: TEEInfo decodes from its ABI encoding") {
  Bytes key(294, 0x30);
  AbiValue info(AbiValue::List{kPayer, kPayTo, std::string("https://127.0.0.1:8643"), key, Bytes(500, 0x31),
                               Hash32{}, AbiValue(U256(0)), true, AbiValue(U256(1770000000)), AbiValue(U256(1770000060))});
  auto encoded = abi_encode(std::vector<AbiType>{tee_info_type()}, std::vector<AbiValue>{info});
  REQUIRE(encoded.has_value());
  auto decoded = abi_decode(std::vector<AbiType>{tee_info_type()}, *encoded);
  REQUIRE(decoded.has_value());
  auto entry = tee_info_from_abi(decoded->front());
  REQUIRE(entry.has_value());
  CHECK(entry->owner == kPayer);
  CHECK(entry->endpoint == "https://127.0.0.1:8643");
  CHECK(*entry->tee_id == keccak256(key));
  CHECK(entry->last_heartbeat_at == 1770000060);
  CHECK_FALSE(tee_info_from_abi(AbiValue(AbiValue::List{})).has_value());
}

TEST_CASE("inference: run calldata, fixed point and output tensors") {
  ModelInput input;
  input.numbers.push_back({"x", {{15, 1}, {-2, 0}}, {2}});
  input.strings.push_back({"s", {"hi"}});
  auto data = encode_inference_run("devnet/linear-v1", InferenceMode::tee, input);
  REQUIRE(data.has_value());
  auto selector = function_selector("run(string,uint8,((string,(int128,int128)[],uint32[])[],(string,string[])[]))");
  CHECK(Bytes(data->begin(), data->begin() + 4) == Bytes(selector->begin(), selector->end()));
  auto args = abi_decode(*parse_abi_types("string,uint8,((string,(int128,int128)[],uint32[])[],(string,string[])[])"),
                         ByteView(*data).subspan(4));
  REQUIRE(args.has_value());
  CHECK((*args)[0].as_string() == "devnet/linear-v1");
  CHECK((*args)[1].as_integer() == U256(2));
  CHECK(signed_to_decimal((*args)[2].as_list()[0].as_list()[0].as_list()[1].as_list()[1].as_list()[0].as_integer()) ==
        "-2");

  input.numbers[0].shape = {3};
  CHECK(encode_inference_run("m", InferenceMode::vanilla, input).error().message.find("shape") != std::string::npos);

  CHECK(*FixedPoint::from_double(1.75, 2) == FixedPoint{175, 2});
  CHECK(FixedPoint{-125, 2}.to_double() == doctest::Approx(-1.25));
  CHECK_FALSE(FixedPoint::from_double(1e30, 0).has_value());
  CHECK_FALSE(FixedPoint::from_double(1.0, 19).has_value());

  AbiValue::List y{std::string("y"), AbiValue::List{AbiValue::List{*signed_from_text("-95"), U256(1)}},
                   AbiValue::List{U256(1)}};
  AbiValue output(AbiValue::List{AbiValue::List{y}, AbiValue::List{}, AbiValue::List{}, false});
  auto tensors = model_output_from_abi(output);
  REQUIRE(tensors.has_value());
  CHECK(tensors->numbers[0].values[0] == FixedPoint{-95, 1});
  // int128 values beyond 64 bits are reported, not truncated.
  AbiValue::List huge{std::string("y"), AbiValue::List{AbiValue::List{U256(1).shl(100), U256(0)}}, AbiValue::List{}};
  auto too_big = model_output_from_abi(AbiValue(AbiValue::List{AbiValue::List{huge}, AbiValue::List{},
                                                              AbiValue::List{}, false}));
  CHECK(too_big.error().code == ErrorCode::resource_exhausted);
  // No InferenceResult in a receipt.
  CHECK(model_output_from_receipt(receipt_with({}), kRelay).error().code == ErrorCode::verification_failed);
}
