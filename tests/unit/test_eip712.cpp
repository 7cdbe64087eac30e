// EIP-712 against tests/vectors/eip712 (spec example + ethers-generated
// cases) and the ways typed data can be wrong.
#include "test_support.hpp"

#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip712.hpp"
#include "verinfer/crypto/keccak.hpp"

using namespace verinfer;

namespace {

Json typed(std::string_view text) {
  auto j = parse_json(text);
  if (!j) throw std::runtime_error(j.error().to_string());
  return *j;
}

// A small typed-data document whose message fields are given as JSON text.
Json with_message(std::string_view fields_decl, std::string_view message) {
  return typed(std::string(R"({"types":{"EIP712Domain":[{"name":"name","type":"string"}],"T":)") +
               std::string(fields_decl) +
               R"(},"primaryType":"T","domain":{"name":"x"},"message":)" + std::string(message) +
               "}");
}

std::string error_of(const Json& td) {
  auto h = eip712_hash(td);
  REQUIRE_FALSE(h.has_value());
  return h.error().to_string();
}

}  // namespace

TEST_CASE("eip712: every field of every vector case") {
  auto doc = test::load_json(test::vectors_dir() / "eip712/cases.json");
  const auto& cases = doc.find("cases")->as_array();
  REQUIRE(cases.size() == 7);
  for (const auto& c : cases) {
    INFO(test::str(c, "name"));
    const Json& td = *c.find("typed_data");
    auto h = eip712_hash(td);
    REQUIRE_MESSAGE(h.has_value(), h.error().to_string());
    CHECK(h->domain_separator.hex() == test::str(c, "domain_separator"));
    CHECK(h->struct_hash.hex() == test::str(c, "struct_hash"));
    CHECK(h->digest.hex() == test::str(c, "digest"));
    const std::string& primary = td.find("primaryType")->as_string();
    for (const auto& [name, t] : c.find("types")->as_object()) {
      auto et = eip712_encode_type(*td.find("types"), name);
      REQUIRE(et.has_value());
      CHECK(*et == test::str(t, "encode_type"));
      CHECK(keccak256(std::string_view(*et)).hex() == test::str(t, "type_hash"));
      if (name == primary) {
        CHECK(h->encode_type == *et);
        CHECK(h->type_hash.hex() == test::str(t, "type_hash"));
      }
    }
    auto data = eip712_encode_data(*td.find("types"), primary, *td.find("message"));
    REQUIRE(data.has_value());
    CHECK(to_hex(*data) == test::str(c, "encoded_data"));
    auto hs = eip712_hash_struct(*td.find("types"), primary, *td.find("message"));
    CHECK(hs->hex() == test::str(c, "struct_hash"));

    auto key = PrivateKey::from_hex(test::str(c, "private_key"));
    REQUIRE(key.has_value());
    CHECK(to_checksum_address(key->address()) == test::str(c, "signer_address"));
    auto sig = eip712_sign(td, *key);
    REQUIRE(sig.has_value());
    const Json& want = *c.find("signature");
    CHECK(sig->r.hex() == test::str(want, "r"));
    CHECK(sig->s.hex() == test::str(want, "s"));
    CHECK(sig->v() == *want.find("v")->get_uint64());
    CHECK(sig->recovery_id == *want.find("yParity")->get_uint64());
    CHECK(sig->to_bytes().hex() == test::str(want, "serialized"));
    auto recovered = recover_address(h->digest, test::hex_bytes(test::str(want, "serialized")));
    REQUIRE(recovered.has_value());
    CHECK(to_checksum_address(*recovered) == test::str(c, "recovered_address"));
    auto signer = parse_address(test::str(c, "signer_address"));
    CHECK(eip712_verify(td, sig->to_bytes(), *signer).has_value());
  }
}

TEST_CASE("eip712: each negative vector is rejected for its own reason") {
  auto doc = test::load_json(test::vectors_dir() / "eip712/negative.json");
  const auto& cases = doc.find("cases")->as_array();
  REQUIRE(cases.size() == 5);
  for (const auto& c : cases) {
    std::string name = test::str(c, "name");
    INFO(name);
    auto expected = parse_address(test::str(c, "expected_signer"));
    REQUIRE(expected.has_value());
    Bytes sig = test::hex_bytes(test::str(c, "signature"));
    auto result = eip712_verify(*c.find("typed_data"), sig, *expected);
    REQUIRE_FALSE(result.has_value());
    std::string why = result.error().to_string();
    auto h = eip712_hash(*c.find("typed_data"));
    REQUIRE(h.has_value());
    if (name == "tampered_message" || name == "wrong_chain_id") {
      CHECK(result.error().code == ErrorCode::verification_failed);
      CHECK(why.find("recovered " + test::str(c, "recovered_address")) != std::string::npos);
      CHECK(why.find("expected " + test::str(c, "expected_signer")) != std::string::npos);
    } else if (name == "high_s_malleated") {
      CHECK(why.find("s > n/2") != std::string::npos);
      // The opt-out recovers the same signer, as ecrecover does.
      SignatureOptions lax;
      lax.allow_high_s = true;
      CHECK(eip712_verify(*c.find("typed_data"), sig, *expected, lax).has_value());
    } else if (name == "invalid_v") {
      CHECK(why.find("invalid recovery id") != std::string::npos);
      CHECK(why.find("got 29") != std::string::npos);
    } else if (name == "truncated_signature") {
      CHECK(why.find("65 bytes") != std::string::npos);
      CHECK(why.find("got 64") != std::string::npos);
    } else {
      FAIL("unexpected negative case " << name);
    }
  }
}

TEST_CASE("eip712: numbers as JSON integers, decimal and hex strings hash alike") {
  const char* decl = R"([{"name":"a","type":"uint256"},{"name":"b","type":"int16"}])";
  auto reference = eip712_hash(with_message(decl, R"({"a":255,"b":-300})"));
  REQUIRE(reference.has_value());
  for (const char* m : {R"({"a":"255","b":"-300"})", R"({"a":"0xff","b":"-0x12c"})",
                        R"({"a":"0x00ff","b":-300})"}) {
    INFO(m);
    auto h = eip712_hash(with_message(decl, m));
    REQUIRE(h.has_value());
    CHECK(h->digest == reference->digest);
  }
}

TEST_CASE("eip712: out-of-range and malformed values are errors naming the field") {
  struct Bad {
    const char* decl;
    const char* message;
    const char* why;
  };
  const Bad cases[] = {
      {R"([{"name":"a","type":"uint8"}])", R"({"a":256})", "out of range"},
      {R"([{"name":"a","type":"uint8"}])", R"({"a":-1})", "negative"},
      {R"([{"name":"a","type":"int8"}])", R"({"a":128})", "out of range"},
      {R"([{"name":"a","type":"int8"}])", R"({"a":-129})", "out of range"},
      {R"([{"name":"a","type":"uint256"}])",
       R"({"a":"115792089237316195423570985008687907853269984665640564039457584007913129639936"})",
       "out of range"},
      {R"([{"name":"a","type":"uint256"}])", R"({"a":1.5})", "does not match"},
      {R"([{"name":"a","type":"uint256"}])", R"({"a":"12x"})", "invalid decimal digit"},
      {R"([{"name":"a","type":"bool"}])", R"({"a":1})", "does not match"},
      {R"([{"name":"a","type":"bytes4"}])", R"({"a":"0x010203"})", "expected 4 bytes, got 3"},
      {R"([{"name":"a","type":"bytes"}])", R"({"a":"0x123"})", "odd number"},
      {R"([{"name":"a","type":"bytes"}])", R"({"a":"abcd"})", "0x-prefixed"},
      {R"([{"name":"a","type":"address"}])",
       R"({"a":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD827"})", "checksum"},
      {R"([{"name":"a","type":"address"}])", R"({"a":"0x1234"})", "40 hex digits"},
      {R"([{"name":"a","type":"string"}])", R"({"a":5})", "expected a string"},
      {R"([{"name":"a","type":"uint8[2]"}])", R"({"a":[1]})", "expected 2 elements, got 1"},
      {R"([{"name":"a","type":"uint8[]"}])", R"({"a":1})", "expected an array"},
      {R"([{"name":"a","type":"uint8"}])", R"({})", "missing field"},
      {R"([{"name":"a","type":"uint8"}])", R"({"a":1,"b":2})", "unexpected field"},
      {R"([{"name":"a","type":"Nope"}])", R"({"a":1})", "unknown type \"Nope\""},
      {R"([{"name":"a","type":"uint"}])", R"({"a":1})", "unknown type \"uint\""},
      {R"([{"name":"a","type":"uint7"}])", R"({"a":1})", "unknown type"},
      {R"([{"name":"a","type":"bytes33"}])", R"({"a":"0x00"})", "unknown type"},
      {R"([{"name":"a","type":"uint8[0]"}])", R"({"a":[]})", "array length"},
      {R"([{"name":"a","type":"uint8[x]"}])", R"({"a":[]})", "array length"},
      {R"([{"name":"a","type":"T"}])", R"({"a":{}})", "cyclic type reference"},
      {R"([{"name":"a","type":"uint8"},{"name":"a","type":"uint8"}])", R"({"a":1})", "duplicate field"},
  };
  for (const auto& bad : cases) {
    INFO(bad.decl << " " << bad.message);
    std::string why = error_of(with_message(bad.decl, bad.message));
    CHECK_MESSAGE(why.find(bad.why) != std::string::npos, why);
  }
  // The field path is in the error.
  std::string why = error_of(with_message(R"([{"name":"a","type":"uint8[]"}])", R"({"a":[1,2,300]})"));
  CHECK(why.find("message.a[2]") != std::string::npos);
}

TEST_CASE("eip712: cycles through other types and broken documents") {
  auto td = typed(R"({"types":{"A":[{"name":"b","type":"B[]"}],"B":[{"name":"a","type":"A"}]},
    "primaryType":"A","domain":{"name":"x"},"message":{"b":[]}})");
  CHECK(error_of(td).find("cyclic type reference") != std::string::npos);
  CHECK(error_of(typed(R"({"types":{},"primaryType":"A","domain":{},"message":{}})"))
            .find("unknown primaryType") != std::string::npos);
  CHECK(error_of(typed(R"({"types":{"A":[]},"primaryType":"A","domain":{}})"))
            .find("missing \"message\"") != std::string::npos);
  CHECK(error_of(typed(R"({"types":{"A":[{"name":"x"}]},"primaryType":"A","domain":{},"message":{}})"))
            .find("must be {\"name\"") != std::string::npos);
  CHECK(error_of(typed(R"({"types":{"A":[]},"primaryType":"A","domain":{"name":"n","foo":1},"message":{}})"))
            .find("unexpected field") != std::string::npos);
  CHECK(error_of(typed(R"([1])")).find("must be a JSON object") != std::string::npos);
  CHECK_FALSE(eip712_hash(std::string_view("{")).has_value());
}

TEST_CASE("eip712: without a declared EIP712Domain the standard fields present are used") {
  auto doc = test::load_json(test::vectors_dir() / "eip712/cases.json");
  for (const auto& c : doc.find("cases")->as_array()) {
    Json td = *c.find("typed_data");
    auto& types = td.as_object()[0].second.as_object();  // "types" comes first
    REQUIRE(td.as_object()[0].first == "types");
    std::erase_if(types, [](const Json::Member& m) { return m.first == "EIP712Domain"; });
    auto h = eip712_hash(td);
    REQUIRE(h.has_value());
    CHECK(h->digest.hex() == test::str(c, "digest"));
  }
}
