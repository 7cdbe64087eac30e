// RLP known answers (Yellow Paper appendix B examples), non-canonical input
// rejected; transaction signing against the EIP-155 example and decoding.
#include "test_support.hpp"

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/settle/rlp.hpp"
#include "verinfer/settle/transaction.hpp"

using namespace verinfer;

namespace {

RlpItem str(std::string_view s) { return RlpItem(Bytes(s.begin(), s.end())); }
RlpItem list(std::initializer_list<RlpItem> items) { return RlpItem(RlpItem::List(items)); }

std::string enc(const RlpItem& item) { return to_hex(rlp_encode(item), false); }

Error rlp_error(std::string_view hex) {
  auto r = rlp_decode(test::hex_bytes(hex));
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

PrivateKey key_of(std::string_view hex) {
  auto k = PrivateKey::from_hex(hex);
  if (!k) throw std::runtime_error("bad key");
  return *k;
}

}  // namespace

TEST_CASE("rlp: known answers") {
  CHECK(enc(str("dog")) == "83646f67");
  CHECK(enc(list({str("cat"), str("dog")})) == "c88363617483646f67");
  CHECK(enc(RlpItem()) == "80");
  CHECK(enc(RlpItem::list()) == "c0");
  CHECK(enc(RlpItem::uint(0)) == "80");
  CHECK(enc(RlpItem(Bytes{0})) == "00");
  CHECK(enc(RlpItem::uint(15)) == "0f");
  CHECK(enc(RlpItem::uint(1024)) == "820400");
  CHECK(enc(RlpItem::uint(U256::max())) == "a0" + std::string(64, 'f'));
  CHECK(enc(list({RlpItem::list(), list({RlpItem::list()}), list({RlpItem::list(), list({RlpItem::list()})})})) ==
        "c7c0c1c0c3c0c1c0");
  std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  CHECK(enc(str(lorem)) == "b838" + to_hex(as_bytes(lorem), false));
  // 1024-byte string: two length bytes; 60-byte list: long list form.
  CHECK(enc(RlpItem(Bytes(1024, 0xaa))).substr(0, 6) == "b90400");
  RlpItem big = RlpItem::list();
  for (int i = 0; i < 20; ++i) big.push_back(str("abc"));  // 20 * 4 = 80 bytes
  CHECK(enc(big).substr(0, 4) == "f850");
}

TEST_CASE("rlp: decode inverts encode") {
  std::vector<RlpItem> items = {str(""), str("a"), RlpItem(Bytes{0x7f}), RlpItem(Bytes{0x80}), RlpItem(Bytes(55, 1)),
                                RlpItem(Bytes(56, 2)), RlpItem(Bytes(300, 3)),
                                list({str("cat"), list({str("dog"), RlpItem::list()}), RlpItem::uint(1024)})};
  for (const auto& item : items) {
    auto back = rlp_decode(rlp_encode(item));
    REQUIRE(back.has_value());
    CHECK(*back == item);
  }
}

TEST_CASE("rlp: non-canonical and truncated encodings are rejected") {
  CHECK(rlp_error("").message.find("truncated") != std::string::npos);
  CHECK(rlp_error("8100").message.find("encode itself") != std::string::npos);
  CHECK(rlp_error("817f").message.find("encode itself") != std::string::npos);
  CHECK(rlp_error("b80100").message.find("long form") != std::string::npos);
  CHECK(rlp_error("f801").message.find("long form") != std::string::npos);
  CHECK(rlp_error("b900" + std::string(2 * 0x40, '0')).message.find("leading zero") != std::string::npos);
  CHECK(rlp_error("83646f").message.find("truncated") != std::string::npos);
  CHECK(rlp_error("b8").message.find("truncated length") != std::string::npos);
  CHECK(rlp_error("c3646f").message.find("truncated") != std::string::npos);
  CHECK(rlp_error("c28364").message.find("truncated") != std::string::npos);  // child overruns its list
  CHECK(rlp_error("8364646464").message.find("trailing") != std::string::npos);
  CHECK(rlp_error("bfffffffffffffffff").code == ErrorCode::parse_error);
  RlpItem deep = RlpItem::list();
  for (int i = 0; i < 100; ++i) deep = RlpItem(RlpItem::List{deep});
  auto too_deep = rlp_decode(rlp_encode(deep));
  REQUIRE_FALSE(too_deep.has_value());
  CHECK(too_deep.error().code == ErrorCode::resource_exhausted);
  CHECK(rlp_decode(rlp_encode(deep), RlpLimits{.max_depth = 200}).has_value());
  CHECK_FALSE(rlp_to_uint(RlpItem(Bytes{0, 1}), "x").has_value());
  CHECK_FALSE(rlp_to_uint(RlpItem(Bytes(33, 1)), "x").has_value());
  CHECK_FALSE(rlp_to_uint(RlpItem::list(), "x").has_value());
  CHECK_FALSE(rlp_to_uint64(RlpItem(Bytes(9, 1)), "x").has_value());
  CHECK(*rlp_to_uint64(RlpItem(), "x") == 0);
}

TEST_CASE("transaction: the EIP-155 example signs byte for byte") {
  // EIP-155 specification, "Example".
  LegacyTransaction tx;
  tx.chain_id = 1;
  tx.nonce = 9;
  tx.gas_price = U256(20000000000ULL);
  tx.gas_limit = 21000;
  tx.to = *Address::from_hex("0x3535353535353535353535353535353535353535");
  tx.value = U256(1000000000000000000ULL);
  CHECK(transaction_signing_hash(tx).hex() == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  PrivateKey key = key_of("0x4646464646464646464646464646464646464646464646464646464646464646");
  auto signed_tx = sign_transaction(tx, key);
  REQUIRE(signed_tx.has_value());
  const std::string expected =
      "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe5"
      "37567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
  CHECK(to_hex(signed_tx->raw) == expected);
  CHECK(signed_tx->hash == keccak256(signed_tx->raw));
  auto decoded = decode_signed_transaction(signed_tx->raw);
  REQUIRE(decoded.has_value());
  CHECK(std::get<LegacyTransaction>(decoded->tx) == tx);
  CHECK(decoded->from == key.address());
  CHECK(decoded->hash == signed_tx->hash);
}

TEST_CASE("transaction: EIP-1559 round trip with access list and contract creation") {
  PrivateKey key = key_of("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
  Eip1559Transaction tx;
  tx.chain_id = 31337;
  tx.nonce = 7;
  tx.max_priority_fee_per_gas = U256(1000000000);
  tx.max_fee_per_gas = U256(3000000000ULL);
  tx.gas_limit = 100000;
  tx.data = test::hex_bytes("0x6001600055");
  tx.access_list = {{*Address::from_hex("0x00000000000000000000000000000000000000aa"), {Hash32{}, Hash32{}}}};
  auto signed_tx = sign_transaction(tx, key);
  REQUIRE(signed_tx.has_value());
  CHECK(signed_tx->raw[0] == 0x02);
  auto decoded = decode_signed_transaction(signed_tx->raw);
  REQUIRE(decoded.has_value());
  CHECK(std::get<Eip1559Transaction>(decoded->tx) == tx);
  CHECK(decoded->from == key.address());
  CHECK(decoded->signature == signed_tx->signature);

  // A changed byte anywhere either fails to decode or recovers another sender.
  for (std::size_t i = 1; i < signed_tx->raw.size(); ++i) {
    Bytes bad = signed_tx->raw;
    bad[i] ^= 0x01;
    auto d = decode_signed_transaction(bad);
    if (d) CHECK(d->from != key.address());
  }
}

TEST_CASE("transaction: malformed raw transactions are specific errors") {
  CHECK(decode_signed_transaction({}).error().message.find("empty") != std::string::npos);
  CHECK(decode_signed_transaction(test::hex_bytes("01c0")).error().message.find("unsupported type") !=
        std::string::npos);
  CHECK(decode_signed_transaction(test::hex_bytes("02c0")).error().message.find("number of fields") !=
        std::string::npos);
  CHECK(decode_signed_transaction(test::hex_bytes("c0")).error().message.find("number of fields") !=
        std::string::npos);
  // v = 29 is neither 27/28 nor EIP-155.
  LegacyTransaction tx;
  tx.gas_limit = 21000;
  auto signed_tx = sign_transaction(tx, key_of("0x4646464646464646464646464646464646464646464646464646464646464646"));
  REQUIRE(signed_tx.has_value());
  auto item = rlp_decode(signed_tx->raw);
  REQUIRE(item.has_value());
  CHECK(item->as_list()[6] == RlpItem::uint(signed_tx->signature.v()));
  item->as_list()[6] = RlpItem::uint(29);
  CHECK(decode_signed_transaction(rlp_encode(*item)).error().message.find("neither") != std::string::npos);
  // High s (n - s) is rejected (EIP-2).
  auto high = rlp_decode(signed_tx->raw);
  U256 n = *U256::from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  high->as_list()[8] = RlpItem::uint(n.wrapping_sub(U256::from_word(signed_tx->signature.s)));
  CHECK_FALSE(decode_signed_transaction(rlp_encode(*high)).has_value());
  // A 19-byte `to`.
  auto short_to = rlp_decode(signed_tx->raw);
  short_to->as_list()[3] = RlpItem(Bytes(19, 1));
  CHECK(decode_signed_transaction(rlp_encode(*short_to)).error().message.find("20 bytes") != std::string::npos);
}
