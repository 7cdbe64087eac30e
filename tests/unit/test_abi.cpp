// Solidity ABI: type strings, the specification's examples, and a strict
// decoder that refuses every malformed buffer without reading past its end.
#include "test_support.hpp"

#include "verinfer/crypto/abi.hpp"

using namespace verinfer;

namespace {

std::vector<AbiType> types_of(std::string_view list) {
  auto t = parse_abi_types(list);
  if (!t) throw std::runtime_error(t.error().to_string());
  return *t;
}

std::vector<AbiValue> values_of(const std::vector<AbiType>& types, std::string_view json) {
  auto j = parse_json(json);
  if (!j) throw std::runtime_error(j.error().to_string());
  auto v = abi_value_from_json(AbiType::tuple(types), *j);
  if (!v) throw std::runtime_error(v.error().to_string());
  return v->as_list();
}

std::string decode_error(std::string_view types, const Bytes& data, AbiLimits limits = {}) {
  auto r = abi_decode(types_of(types), data, limits);
  REQUIRE_FALSE(r.has_value());
  return r.error().to_string();
}

const char* kSam =  // sam(bytes,bool,uint256[]) with ("dave", true, [1,2,3])
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "6461766500000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000003";

}  // namespace

TEST_CASE("abi: type strings parse to canonical form; bad ones are refused") {
  for (auto [in, out] : {std::pair{"uint", "uint256"}, {"int", "int256"}, {"bytes32", "bytes32"},
                         {"(uint8,(bool,string)[2])[]", "(uint8,(bool,string)[2])[]"},
                         {"address[][3]", "address[][3]"}, {"int128", "int128"}}) {
    auto t = AbiType::parse(in);
    REQUIRE_MESSAGE(t.has_value(), in);
    CHECK(t->canonical() == out);
  }
  CHECK(AbiType::parse("uint256[]")->is_dynamic());
  CHECK_FALSE(AbiType::parse("uint256[2][3]")->is_dynamic());
  CHECK(AbiType::parse("uint256[2][3]")->static_size() == 192);
  CHECK(AbiType::parse("(bool,string)[2]")->is_dynamic());
  for (const char* bad : {"", "uint7", "uint264", "uint0", "uint08", "bytes0", "bytes33", "()",
                          "(uint8", "uint8]", "uint8[", "uint8[0]", "uint8[01]", "foo",
                          "uint 8", "(uint8,)", "tuple", "uint8[2097152]"}) {
    INFO(bad);
    auto t = AbiType::parse(bad);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == ErrorCode::parse_error);
  }
  CHECK(AbiType::parse("uint8[1048576][1048576][1048576]").error().detail.find("2^30") !=
        std::string::npos);
  CHECK(AbiType::parse(std::string(100, '(') + "bool" + std::string(100, ')'))
            .error().detail.find("too deeply") != std::string::npos);
}

TEST_CASE("abi: selectors and topics of well-known signatures") {
  CHECK(function_selector("transfer(address,uint256)")->hex() == "0xa9059cbb");
  CHECK(function_selector("transfer(address, uint)").has_value() == false);  // no spaces
  CHECK(function_selector("baz(uint32,bool)")->hex() == "0xcdcd77c0");
  CHECK(function_selector("sam(bytes,bool,uint[])")->hex() == "0xa5643bf2");  // uint -> uint256
  CHECK(event_topic("Transfer(address,address,uint256)")->hex() ==
        "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
  CHECK(*canonical_signature("f((uint,bytes)[],int)") == "f((uint256,bytes)[],int256)");
  CHECK_FALSE(function_selector("transfer").has_value());
  CHECK_FALSE(function_selector("1x()").has_value());
  CHECK(function_selector("f()")->hex() == "0x26121ff0");
}

TEST_CASE("abi: the specification's examples encode and decode exactly") {
  auto sam = types_of("bytes,bool,uint256[]");
  auto sam_values = values_of(sam, R"(["0x64617665", true, [1, "2", "0x3"]])");
  CHECK(to_hex(*abi_encode(sam, sam_values), false) == kSam);
  CHECK(*abi_decode(sam, test::hex_bytes(kSam)) == sam_values);

  auto f = types_of("uint256,uint32[],bytes10,bytes");
  auto f_values = values_of(f, R"(["0x123", [1110, 1929], "0x31323334353637383930", "0x48656c6c6f2c20776f726c6421"])");
  auto f_hex = to_hex(*abi_encode(f, f_values), false);
  CHECK(f_hex ==
        "0000000000000000000000000000000000000000000000000000000000000123"
        "0000000000000000000000000000000000000000000000000000000000000080"
        "3132333435363738393000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000000000000000000000000000000000e0"
        "0000000000000000000000000000000000000000000000000000000000000002"
        "0000000000000000000000000000000000000000000000000000000000000456"
        "0000000000000000000000000000000000000000000000000000000000000789"
        "000000000000000000000000000000000000000000000000000000000000000d"
        "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");

  // Arrays of tuples and a negative int (from eth-abi).
  auto g = types_of("(uint8,string)[],int8");
  auto g_values = values_of(g, R"([[[1, "a"], [2, "bc"]], -2])");
  auto g_bytes = *abi_encode(g, g_values);
  CHECK(to_hex(g_bytes, false).substr(64, 64) ==
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe");
  CHECK(g_bytes.size() == 13 * 32);
  auto back = abi_decode(g, g_bytes);
  REQUIRE(back.has_value());
  CHECK(*back == g_values);
  CHECK(abi_value_to_json(AbiType::tuple(g), AbiValue(*back))->dump() ==
        R"([[["1","a"],["2","bc"]],"-2"])");
}

TEST_CASE("abi: values that do not fit their type are refused on encode") {
  auto check = [](std::string_view type, std::string_view json, std::string_view why) {
    INFO(type << " " << json);
    auto t = types_of(type);
    auto j = parse_json(json);
    auto v = abi_value_from_json(AbiType::tuple(t), *j);
    REQUIRE_FALSE(v.has_value());
    CHECK_MESSAGE(v.error().to_string().find(why) != std::string::npos, v.error().to_string());
  };
  check("uint8", "[256]", "out of range");
  check("uint8", "[-1]", "negative");
  check("int8", "[-129]", "out of range");
  check("int256", R"(["57896044618658097711785492504343953926634992332820282019728792003956564819968"])",
        "out of range");
  check("bytes2", R"(["0x010203"])", "expected 2 bytes, got 3");
  check("bool", "[0]", "does not match");
  check("uint8[2]", "[[1,2,3]]", "expected 2, got 3");
  check("(uint8,bool)", "[[1]]", "expected 2, got 1");
  check("address", R"(["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"])", "checksum");
  // Direct AbiValues are checked too.
  auto bad = abi_encode(types_of("uint8"), {AbiValue(U256(300))});
  CHECK(bad.error().to_string().find("out of range") != std::string::npos);
  CHECK_FALSE(abi_encode(types_of("bytes4"), {AbiValue(Bytes{1})}).has_value());
  CHECK_FALSE(abi_encode(types_of("string"), {AbiValue(true)}).has_value());
  CHECK_FALSE(abi_encode(types_of("uint8,uint8"), {AbiValue(U256(1))}).has_value());
}

TEST_CASE("abi: every truncation of a valid encoding is an error, never a read past the end") {
  struct Case {
    const char* types;
    const char* values;
  };
  const Case cases[] = {
      {"bytes,bool,uint256[]", R"(["0x64617665", true, [1, 2, 3]])"},
      {"(uint8,string)[],int8", R"([[[1, "a"], [2, "bc"]], -2])"},
      {"string[2],bytes32", R"([["x", ""], "0x0000000000000000000000000000000000000000000000000000000000000001"])"},
      {"uint256[][]", R"([[[1], [], [2, 3]]])"},
  };
  for (const auto& c : cases) {
    INFO(c.types);
    auto types = types_of(c.types);
    auto encoded = *abi_encode(types, values_of(types, c.values));
    for (std::size_t n = 0; n < encoded.size(); ++n) {
      Bytes cut(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(n));
      auto r = abi_decode(types, cut);
      // A cut inside the final padding of the last dynamic value still
      // fails: padding must be present.
      REQUIRE_MESSAGE(!r.has_value(), "length " << n);
      CHECK(r.error().code == ErrorCode::parse_error);
    }
    CHECK(abi_decode(types, encoded).has_value());
  }
}

TEST_CASE("abi: malformed words are refused with the reason and position") {
  auto word = [](std::string_view hex64) { return test::hex_bytes(hex64); };
  std::string zero(64, '0');
  std::string two = std::string(63, '0') + "2";
  CHECK(decode_error("bool", word(two)).find("bool must be 0 or 1") != std::string::npos);
  CHECK(decode_error("address", word("01" + std::string(62, '0'))).find("non-zero high bytes") !=
        std::string::npos);
  CHECK(decode_error("uint8", word(std::string(60, '0') + "0100")).find("out of range") !=
        std::string::npos);
  CHECK(decode_error("int8", word(std::string(62, '0') + "80")).find("out of range") !=
        std::string::npos);  // 128 is not the sign extension of an int8
  CHECK(abi_decode(types_of("int8"), word(std::string(62, 'f') + "80"))->at(0).as_integer() ==
        U256(128).wrapping_neg());
  CHECK(decode_error("bytes1", word("0101" + std::string(60, '0'))).find("non-zero padding") !=
        std::string::npos);
  // bytes: offset past the end, huge length, non-zero padding, bad UTF-8.
  std::string off32 = std::string(62, '0') + "20";
  CHECK(decode_error("bytes", word(std::string(62, '0') + "40")).find("past the end") !=
        std::string::npos);
  CHECK(decode_error("bytes", word(off32 + "8" + std::string(63, '0'))).find("exceeds the data") !=
        std::string::npos);
  CHECK(decode_error("bytes", word(off32 + std::string(62, '0') + "01" + "0101" + std::string(60, '0')))
            .find("non-zero padding") != std::string::npos);
  CHECK(decode_error("string", word(off32 + std::string(62, '0') + "01" + "ff" + std::string(62, '0')))
            .find("UTF-8") != std::string::npos);
  CHECK(decode_error("uint256[]", word(off32 + std::string(62, '0') + "05" + zero))
            .find("only 32 remain") != std::string::npos);
  CHECK(decode_error("uint256", Bytes{}).find("truncated") != std::string::npos);
  // Trailing bytes after a complete encoding are ignored, as Solidity does.
  auto trailing = abi_decode(types_of("uint256"), word(zero + "ff"));
  REQUIRE(trailing.has_value());
  CHECK(trailing->at(0).as_integer().is_zero());
}

TEST_CASE("abi: limits stop hostile nesting and shared-offset blowups") {
  // Depth: uint8[][]...[] 40 levels deep, each array of length 1.
  std::string type = "uint8";
  for (int i = 0; i < 40; ++i) type += "[]";
  AbiValue value(AbiValue::List{AbiValue(U256(7))});
  auto types = types_of(type);
  for (int i = 1; i < 40; ++i) value = AbiValue(AbiValue::List{value});
  auto encoded = abi_encode(types, {value});
  REQUIRE(encoded.has_value());
  CHECK(decode_error(type, *encoded).find("nested too deeply") != std::string::npos);
  AbiLimits deep;
  deep.max_depth = 100;
  CHECK(*abi_decode(types, *encoded, deep) == std::vector<AbiValue>{value});

  // Every element of an outer array points at the same inner array: 64 x 64
  // values from about 4 KiB; a small value budget refuses it.
  Bytes bomb;
  auto put = [&](std::uint64_t v) {
    auto w = U256(v).to_word();
    bomb.insert(bomb.end(), w.begin(), w.end());
  };
  put(32);  // offset of the outer array
  put(64);  // its length
  for (int i = 0; i < 64; ++i) put(64 * 32);  // all at the same inner array
  put(64);
  for (int i = 0; i < 64; ++i) put(static_cast<std::uint64_t>(i));
  auto full = abi_decode(types_of("uint256[][]"), bomb);
  REQUIRE(full.has_value());  // legal, only redundant
  AbiLimits small;
  small.max_values = 1000;
  CHECK(decode_error("uint256[][]", bomb, small).find("too many values") != std::string::npos);
}
