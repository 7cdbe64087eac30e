// Choosing TEEs from the registry's active list: pins filter, order is by
// pin order or freshest heartbeat, and every exclusion says why.
#include <doctest/doctest.h>

#include <functional>
#include <map>

#include "http_test_server.hpp"
#include "verinfer/crypto/abi.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/settle/settlement.hpp"
#include "verinfer/settle/tee_directory.hpp"

using namespace verinfer;

namespace {

TeeRegistryEntry entry(std::uint8_t key_byte, std::uint64_t heartbeat, std::uint8_t pcr_byte = 0xaa,
                       std::string endpoint = "https://127.0.0.1:8443") {
  TeeRegistryEntry e;
  e.public_key = Bytes{0x30, 0x59, key_byte};  // stands in for an SPKI
  e.endpoint = std::move(endpoint);
  e.pcr_hash = keccak256(Bytes{pcr_byte});
  e.enabled = true;
  e.active = true;
  e.registered_at = 1770900000;
  e.last_heartbeat_at = heartbeat;
  return e;
}

Hash32 id_of(const TeeRegistryEntry& e) { return tee_id_of(e.public_key); }

std::vector<Hash32> candidate_ids(const TeeDirectory& d) {
  std::vector<Hash32> out;
  for (const auto& c : d.candidates) out.push_back(*c.tee_id);
  return out;
}

const ExcludedTee* excluded(const TeeDirectory& d, const Hash32& id) {
  for (const auto& e : d.excluded) {
    if (e.tee_id == id) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("tee directory: without pins, the freshest heartbeat comes first and ids are set") {
  auto a = entry(1, 100), b = entry(2, 300), c = entry(3, 200);
  auto d = select_tees({a, b, c}, {});
  CHECK(candidate_ids(d) == std::vector<Hash32>{id_of(b), id_of(c), id_of(a)});
  CHECK(d.excluded.empty());
}

TEST_CASE("tee directory: equal heartbeats order by latest registration, then lowest tee_id") {
  auto a = entry(1, 100), b = entry(2, 100), c = entry(3, 100);
  c.registered_at += 5;
  auto d = select_tees({a, b, c}, {});
  REQUIRE(d.candidates.size() == 3);
  CHECK(*d.candidates[0].tee_id == id_of(c));
  auto low = std::min(id_of(a), id_of(b));
  CHECK(*d.candidates[1].tee_id == low);
  // The same input in another order gives the same answer.
  CHECK(candidate_ids(select_tees({c, b, a}, {})) == candidate_ids(d));
}

TEST_CASE("tee directory: tee_id pins filter and set the order; a missing pin is reported") {
  auto a = entry(1, 100), b = entry(2, 300), c = entry(3, 200);
  Hash32 ghost = keccak256(Bytes{0x99});
  TeeSelection pins;
  pins.tee_ids = {id_of(a), ghost, id_of(b)};
  auto d = select_tees({a, b, c}, pins);
  CHECK(candidate_ids(d) == std::vector<Hash32>{id_of(a), id_of(b)});  // pin order, not heartbeat
  const ExcludedTee* unpinned = excluded(d, id_of(c));
  REQUIRE(unpinned != nullptr);
  CHECK(unpinned->reason.find("tee_id is not pinned") != std::string::npos);
  CHECK(unpinned->endpoint == "https://127.0.0.1:8443");
  const ExcludedTee* missing = excluded(d, ghost);
  REQUIRE(missing != nullptr);
  CHECK(missing->reason == "not among the registry's active TEEs");
  CHECK(missing->endpoint.empty());
}

TEST_CASE("tee directory: PCR pins keep only the pinned measurements") {
  auto good = entry(1, 100, 0xaa), other = entry(2, 300, 0xbb);
  TeeSelection pins;
  pins.pcr_hashes = {keccak256(Bytes{0xaa})};
  auto d = select_tees({good, other}, pins);
  CHECK(candidate_ids(d) == std::vector<Hash32>{id_of(good)});
  const ExcludedTee* e = excluded(d, id_of(other));
  REQUIRE(e != nullptr);
  CHECK(e->reason == "PCR hash " + keccak256(Bytes{0xbb}).hex() + " is not pinned (pinned: " +
                         keccak256(Bytes{0xaa}).hex() + ")");
}

TEST_CASE("tee directory: both pins must hold") {
  auto a = entry(1, 100, 0xaa), b = entry(2, 100, 0xbb);
  TeeSelection pins;
  pins.tee_ids = {id_of(b)};
  pins.pcr_hashes = {keccak256(Bytes{0xaa})};
  auto d = select_tees({a, b}, pins);
  CHECK(d.candidates.empty());
  REQUIRE(d.excluded.size() == 2);
  CHECK(excluded(d, id_of(a))->reason.starts_with("tee_id is not pinned"));
  CHECK(excluded(d, id_of(b))->reason.starts_with("PCR hash"));
}

TEST_CASE("tee directory: unusable endpoints and duplicate entries are excluded") {
  auto plain = entry(1, 100, 0xaa, "http://127.0.0.1:8600");
  auto none = entry(2, 100, 0xaa, "");
  auto ftp = entry(3, 100, 0xaa, "ftp://example.org");
  auto twice = entry(4, 50);
  auto d = select_tees({plain, none, ftp, twice, twice}, {});
  CHECK(candidate_ids(d) == std::vector<Hash32>{id_of(plain), id_of(twice)});
  CHECK(excluded(d, id_of(none))->reason == "endpoint \"\" is not an http(s) URL");
  CHECK(excluded(d, id_of(ftp))->reason == "endpoint \"ftp://example.org\" is not an http(s) URL");
  CHECK(excluded(d, id_of(twice))->reason.starts_with("listed twice"));
}

TEST_CASE("tee directory: an entry's stated tee_id is kept; an empty list selects nothing") {
  auto a = entry(1, 100);
  Hash32 stated = keccak256(Bytes{0x42});
  a.tee_id = stated;
  auto d = select_tees({a}, {});
  REQUIRE(d.candidates.size() == 1);
  CHECK(*d.candidates[0].tee_id == stated);
  auto empty = select_tees({}, {});
  CHECK(empty.candidates.empty());
  CHECK(empty.excluded.empty());
}

namespace {

// A registry node scripted on 127.0.0.1: eth_call answers by function
// selector (of the call's "input"), either ABI data (hex) or, when the
// answer is empty or not scripted, a JSON-RPC error.
using RegistryAnswers = std::map<std::string, std::string>;  // signature -> 0x data, "" = error

std::string selector_hex(std::string_view signature) { return function_selector(signature)->hex(); }

std::string tee_info_hex(const TeeRegistryEntry& e, bool as_list) {
  AbiValue::List fields{AbiValue(e.owner), AbiValue(e.payment_address), AbiValue(e.endpoint),
                        AbiValue(e.public_key), AbiValue(e.tls_certificate), AbiValue(e.pcr_hash),
                        AbiValue(U256(e.tee_type)), AbiValue(e.enabled), AbiValue(U256(e.registered_at)),
                        AbiValue(U256(e.last_heartbeat_at))};
  const AbiType tuple = *AbiType::parse("(address,address,string,bytes,bytes,bytes32,uint8,bool,uint256,uint256)");
  if (as_list) {
    AbiType list{AbiType::Kind::array, 256, 0, {tuple}};
    return to_hex(*abi_encode(std::vector<AbiType>{list}, {AbiValue(AbiValue::List{AbiValue(fields)})}));
  }
  return to_hex(*abi_encode(std::vector<AbiType>{tuple}, {AbiValue(fields)}));
}

std::string empty_list_hex() {
  AbiType list{AbiType::Kind::array, 256, 0, {*AbiType::parse("uint8")}};
  return to_hex(*abi_encode(std::vector<AbiType>{list}, {AbiValue(AbiValue::List{})}));
}

std::string bool_hex(bool value) { return to_hex(*abi_encode(*AbiType::parse("bool"), AbiValue(value))); }

test::TestHttpServer::Handler registry_node(RegistryAnswers answers) {
  std::map<std::string, std::string> by_selector;
  for (const auto& [signature, data] : answers) by_selector[selector_hex(signature)] = data;
  return [by_selector](test::ServerConnection& c, const test::ReceivedRequest& req, int) {
    Json call = parse_json(req.body).value();
    Json answer = Json::object();
    answer.set("jsonrpc", "2.0");
    answer.set("id", *call.find("id"));
    const Json* params = call.find("params");
    const Json* data = params != nullptr && params->is_array() && !params->as_array().empty()
                           ? params->as_array().front().find("input")
                           : nullptr;
    auto it = data != nullptr && data->is_string() ? by_selector.find(data->as_string().substr(0, 10))
                                                   : by_selector.end();
    if (it == by_selector.end() || it->second.empty()) {
      Json error = Json::object();
      error.set("code", -32000);
      error.set("message", "execution reverted");
      answer.set("error", std::move(error));
    } else {
      answer.set("result", it->second);
    }
    c.write(test::http_response(200, answer.dump(), {{"Content-Type", "application/json"}}));
  };
}

// The reason read_tee_directory gives for `seen`, a TEE the registry no longer lists.
std::string reason_for_unlisted(const TeeRegistryEntry& seen, RegistryAnswers answers) {
  answers.try_emplace("getActiveTEEs(uint8)", empty_list_hex());
  test::TestHttpServer server(registry_node(std::move(answers)));
  auto rpc = RpcClient::create(server.url("/")).value();
  const Address registry = *Address::from_hex("0x" + std::string(40, '2'));
  const Hash32 id = id_of(seen);
  auto directory = read_tee_directory(rpc, registry, TeeSelection{}, std::span(&id, 1));
  REQUIRE_MESSAGE(directory, (directory ? std::string() : directory.error().to_string()));
  CHECK(directory->candidates.empty());
  const ExcludedTee* e = excluded(*directory, id);
  REQUIRE(e != nullptr);
  return e->reason;
}

}  // namespace

TEST_CASE("tee directory: a TEE the registry stopped listing is named with the registry's reason") {
  TeeRegistryEntry seen = entry(0x21, 1770900100);
  seen.tee_type = TeeSelection{}.tee_type;

  SUBCASE("its entry cannot be read (getTEE reverts)") {
    const std::string reason = reason_for_unlisted(seen, {{"getTEE(bytes32)", ""}});
    CAPTURE(reason);
    CHECK(reason.find("its registry entry could not be read") != std::string::npos);
    CHECK(reason.find("execution reverted") != std::string::npos);
  }
  SUBCASE("never registered (registeredAt 0)") {
    TeeRegistryEntry blank = seen;
    blank.registered_at = 0;
    CHECK(reason_for_unlisted(seen, {{"getTEE(bytes32)", tee_info_hex(blank, false)}}) ==
          "not registered in the TEE registry");
  }
  SUBCASE("isTEEActive reverts") {
    const std::string reason =
        reason_for_unlisted(seen, {{"getTEE(bytes32)", tee_info_hex(seen, false)}, {"isTEEActive(bytes32)", ""}});
    CHECK(reason.find("isTEEActive failed") != std::string::npos);
    CHECK(reason.find("execution reverted") != std::string::npos);
  }
  SUBCASE("disabled") {
    TeeRegistryEntry disabled = seen;
    disabled.enabled = false;
    CHECK(reason_for_unlisted(seen, {{"getTEE(bytes32)", tee_info_hex(disabled, false)}}) ==
          "disabled in the registry");
  }
  SUBCASE("enabled but its PCR hash is no longer approved") {
    const std::string reason = reason_for_unlisted(
        seen, {{"getTEE(bytes32)", tee_info_hex(seen, false)}, {"isTEEActive(bytes32)", bool_hex(false)}});
    CHECK(reason == "enabled but not active: its PCR hash " + seen.pcr_hash.hex() + " is no longer approved");
  }
  SUBCASE("activated between the list and the follow-up reads") {
    const std::string reason = reason_for_unlisted(
        seen, {{"getTEE(bytes32)", tee_info_hex(seen, false)}, {"isTEEActive(bytes32)", bool_hex(true)}});
    CHECK(reason == "became active after the list was read (used from the next refresh)");
  }
  SUBCASE("its key does not hash to the id the registry files it under") {
    TeeRegistryEntry other = entry(0x22, 1770900100);
    other.tee_type = seen.tee_type;
    const std::string reason = reason_for_unlisted(seen, {{"getTEE(bytes32)", tee_info_hex(other, false)}});
    CHECK(reason.find("does not hash to the TEE id") != std::string::npos);
  }
}

TEST_CASE("tee directory: an active list that does not decode is an error, not an empty directory") {
  test::TestHttpServer server(registry_node({{"getActiveTEEs(uint8)", "0x1234"}}));
  auto rpc = RpcClient::create(server.url("/")).value();
  auto directory = read_tee_directory(rpc, *Address::from_hex("0x" + std::string(40, '2')), TeeSelection{}, {});
  REQUIRE(!directory);
  CHECK(directory.error().code == ErrorCode::parse_error);
  CHECK(directory.error().message.find("getActiveTEEs") != std::string::npos);
}

TEST_CASE("tee directory: the scripted registry's active list round-trips through the reader") {
  TeeRegistryEntry listed = entry(0x23, 1770900200);
  listed.tee_type = TeeSelection{}.tee_type;
  test::TestHttpServer server(registry_node({{"getActiveTEEs(uint8)", tee_info_hex(listed, true)}}));
  auto rpc = RpcClient::create(server.url("/")).value();
  auto directory = read_tee_directory(rpc, *Address::from_hex("0x" + std::string(40, '2')), TeeSelection{}, {});
  REQUIRE_MESSAGE(directory, (directory ? std::string() : directory.error().to_string()));
  REQUIRE(directory->candidates.size() == 1);
  CHECK(*directory->candidates[0].tee_id == id_of(listed));
  CHECK(directory->candidates[0].endpoint == listed.endpoint);
  CHECK(directory->excluded.empty());
}
