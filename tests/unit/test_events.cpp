// Event signatures, topic 0 known answers (keccak of the canonical
// signatures, computed independently with eth-utils), typed decoders and
// strictness on malformed logs.
#include "test_support.hpp"

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/settle/events.hpp"

using namespace verinfer;

namespace {

Address addr(std::string_view hex) { return *Address::from_hex(hex); }
Hash32 filled(std::uint8_t b) {
  Hash32 h;
  h.bytes.fill(b);
  return h;
}

const Address kToken = addr("0x5FbDB2315678afecb367f032d93F642f64180aa3");

}  // namespace

TEST_CASE("events: canonical signatures and topic 0 of the known events") {
  struct Known {
    const EventAbi& abi;
    const char* signature;
    const char* topic0;
  };
  const Known known[] = {
      {transfer_event(), "Transfer(address,address,uint256)",
       "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
      {authorization_used_event(), "AuthorizationUsed(address,bytes32)",
       "0x98de503528ee59b575ef0c0a2576a82497bfc029a5685b209e9ec333479b10a5"},
      {batch_settlement_event(), "BatchSettlement(bytes32,uint256,bytes)",
       "0xc2aff8d8a10a4543baabf39bd9ff45e7fc3881d19098df350a3b7f339e911127"},
      {individual_settlement_event(), "IndividualSettlement(bytes32,address,bytes32,bytes32,uint256,bytes,bytes)",
       "0x74e71a1981c03bd0c36f3b1227f3ee2a34dca5d6fef25c4b2787e033ab60b782"},
      {tee_registered_event(), "TEERegistered(bytes32,address,uint8,string,bytes32)",
       "0xcefb4e24e8b279dff5c6f456870da33363ba879e1164cdd7b7802066ed47315d"},
      {inference_result_event(),
       "InferenceResult(((string,(int128,int128)[],uint32[])[],(string,string[])[],(string,string)[],bool))",
       "0xc1396ff68bc2d8630100df29ce5561fa99078c602e8676ab72a53e37095d7168"},
  };
  for (const auto& k : known) {
    CHECK(k.abi.signature() == k.signature);
    CHECK(k.abi.topic0().hex() == k.topic0);
  }
  CHECK(known_events().size() == 6);
}

TEST_CASE("events: signature parsing") {
  auto e = EventAbi::parse("event  Foo( (uint256, string)[] indexed xs , bytes ,uint8 indexed)");
  REQUIRE(e.has_value());
  CHECK(e->signature() == "Foo((uint256,string)[],bytes,uint8)");
  CHECK(e->params()[0].indexed);
  CHECK(e->params()[0].name == "xs");
  CHECK(e->params()[1].name == "arg1");
  CHECK(e->params()[2].indexed);
  CHECK(EventAbi::parse("Empty()")->signature() == "Empty()");
  CHECK_FALSE(EventAbi::parse("NoParens").has_value());
  CHECK_FALSE(EventAbi::parse("Bad(uint256 indexed a, uint256 indexed b, uint256 indexed c, uint256 indexed d)"));
  CHECK(EventAbi::parse("Anon(uint256 indexed a, uint256 indexed b, uint256 indexed c, uint256 indexed d)", true));
  CHECK_FALSE(EventAbi::parse("X(uint257 a)").has_value());
  CHECK_FALSE(EventAbi::parse("X((uint256 a)").has_value());
  CHECK_FALSE(EventAbi::parse("X(uint256 a b)").has_value());
  CHECK_FALSE(EventAbi::parse("1X(uint256)").has_value());
}

TEST_CASE("events: typed decoders read what encode wrote") {
  const Address from = addr("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
  const Address to = addr("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
  auto transfer = transfer_event().encode(kToken, {from, to, U256(10000)});
  REQUIRE(transfer.has_value());
  CHECK(transfer->topics.size() == 3);
  auto t = decode_transfer(*transfer);
  REQUIRE(t.has_value());
  CHECK(t->from == from);
  CHECK(t->to == to);
  CHECK(t->value == U256(10000));
  CHECK(std::holds_alternative<TransferEvent>(decode_known_event(*transfer)));

  auto used = authorization_used_event().encode(kToken, {from, filled(7)});
  REQUIRE(used.has_value());
  CHECK(decode_authorization_used(*used)->nonce == filled(7));
  CHECK(decode_authorization_used(*used)->authorizer == from);

  Bytes blob(43, 'b');
  auto batch = batch_settlement_event().encode(kToken, {filled(1), U256(20), blob});
  REQUIRE(batch.has_value());
  auto b = decode_batch_settlement(*batch);
  REQUIRE(b.has_value());
  CHECK(b->merkle_root == filled(1));
  CHECK(b->batch_size == U256(20));
  CHECK(b->walrus_blob_id == blob);

  Bytes sig(256, 0x5a);
  auto individual =
      individual_settlement_event().encode(kToken, {filled(2), to, filled(3), filled(4), U256(1770919200), blob, sig});
  REQUIRE(individual.has_value());
  auto i = decode_individual_settlement(*individual);
  REQUIRE(i.has_value());
  CHECK(i->tee_id == filled(2));
  CHECK(i->eth_address == to);
  CHECK(i->input_hash == filled(3));
  CHECK(i->output_hash == filled(4));
  CHECK(i->timestamp == U256(1770919200));
  CHECK(i->signature == sig);

  auto reg = tee_registered_event().encode(kToken, {filled(9), from, U256(0), std::string("https://127.0.0.1:8643"),
                                                    filled(8)});
  REQUIRE(reg.has_value());
  auto r = decode_tee_registered(*reg);
  REQUIRE(r.has_value());
  CHECK(r->endpoint == "https://127.0.0.1:8643");
  CHECK(r->tee_type == 0);
  CHECK(r->pcr_hash == filled(8));

  // InferenceResult: one nested tuple with every dynamic shape.
  AbiValue::List number{std::string("y"), AbiValue::List{AbiValue::List{U256(95), U256(1)}}, AbiValue::List{U256(1)}};
  AbiValue::List strings{std::string("s"), AbiValue::List{std::string("HI")}};
  AbiValue::List jsons{AbiValue::List{std::string("model_id"), std::string("m")}};
  AbiValue output(AbiValue::List{AbiValue::List{number}, AbiValue::List{strings}, jsons, false});
  auto inference = inference_result_event().encode(kToken, {output});
  REQUIRE(inference.has_value());
  auto ir = decode_inference_result(*inference);
  REQUIRE(ir.has_value());
  CHECK(ir->output == output);
  auto as_json = inference_result_event().decode(*inference)->to_json();
  CHECK(as_json.find("event")->as_string() == "InferenceResult");
}

TEST_CASE("events: indexed dynamic values are kept as their hash") {
  auto e = EventAbi::parse("Named(string indexed name, uint256 value)");
  REQUIRE(e.has_value());
  auto log = e->encode(kToken, {std::string("alice"), U256(5)});
  REQUIRE(log.has_value());
  CHECK(log->topics[1] == keccak256(std::string_view("alice")));
  auto d = e->decode(*log);
  REQUIRE(d.has_value());
  CHECK(d->field("name")->hashed);
  CHECK(d->field("name")->value.as_bytes() == Bytes(log->topics[1].begin(), log->topics[1].end()));
  CHECK(d->field("value")->value.as_integer() == U256(5));
  CHECK(d->field("missing") == nullptr);
}

TEST_CASE("events: malformed logs are specific errors, unknown logs stay raw") {
  const Address from = addr("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
  LogEntry good = *transfer_event().encode(kToken, {from, from, U256(1)});

  LogEntry wrong_topic0 = good;
  wrong_topic0.topics[0] = filled(0);
  CHECK(decode_transfer(wrong_topic0).error().message.find("not a Transfer") != std::string::npos);
  auto raw = decode_known_event(wrong_topic0);
  REQUIRE(std::holds_alternative<RawLogEvent>(raw));
  CHECK_FALSE(std::get<RawLogEvent>(raw).error.has_value());

  LogEntry missing_topic = good;
  missing_topic.topics.pop_back();
  CHECK(decode_transfer(missing_topic).error().message.find("number of topics") != std::string::npos);
  // A known event that fails to decode stays raw with the reason.
  auto failed = decode_known_event(missing_topic);
  REQUIRE(std::holds_alternative<RawLogEvent>(failed));
  CHECK(std::get<RawLogEvent>(failed).error.has_value());

  LogEntry dirty_address = good;
  dirty_address.topics[1].bytes[0] = 1;
  CHECK(decode_transfer(dirty_address).error().message.find("valid address") != std::string::npos);

  LogEntry truncated = good;
  truncated.data.pop_back();
  CHECK(decode_transfer(truncated).error().code == ErrorCode::parse_error);
  LogEntry trailing = good;
  trailing.data.push_back(0);
  CHECK(decode_transfer(trailing).error().message.find("canonical") != std::string::npos);

  // bool topic must be 0 or 1.
  auto flag = EventAbi::parse("Flag(bool indexed on)");
  LogEntry bad_bool;
  bad_bool.topics = {flag->topic0(), filled(0)};
  bad_bool.topics[1].bytes[31] = 2;
  CHECK_FALSE(flag->decode(bad_bool).has_value());
  bad_bool.topics[1].bytes[31] = 1;
  CHECK(flag->decode(bad_bool)->fields[0].value.as_bool());

  // A non-canonical offset in dynamic data is refused (re-encoding differs).
  Bytes blob(3, 'x');
  LogEntry batch = *batch_settlement_event().encode(kToken, {filled(1), U256(1), blob});
  batch.data[63] = 0x60;  // offset 0x40 -> 0x60, still in bounds after padding
  batch.data.resize(batch.data.size() + 32);
  CHECK_FALSE(decode_batch_settlement(batch).has_value());

  CHECK(log_to_json(good).find("address")->as_string() == "0x5FbDB2315678afecb367f032d93F642f64180aa3");
}
