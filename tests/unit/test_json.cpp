#include "test_support.hpp"

using namespace verinfer;

TEST_CASE("json keeps key order, integer text and float-ness") {
  auto j = parse_json(R"({"b":1,"a":1.0,"c":[true,false,null],"d":123456789012345678901234567890,"e":-0})");
  REQUIRE(j);
  const auto& obj = j->as_object();
  REQUIRE(obj.size() == 5);
  CHECK(obj[0].first == "b");
  CHECK(obj[0].second.is_integer());
  CHECK(obj[1].second.is_float());
  CHECK(obj[3].second.as_integer_text() == "123456789012345678901234567890");
  CHECK_FALSE(obj[3].second.get_int64());
  CHECK(obj[4].second.as_integer_text() == "0");
  CHECK(j->dump() == R"({"b":1,"a":1.0,"c":[true,false,null],"d":123456789012345678901234567890,"e":0})");
}

TEST_CASE("json scalars at top level and strings with escapes") {
  CHECK(parse_json("42")->get_int64() == 42);
  CHECK(parse_json(" \"x\\u00e9\\ud83d\\ude00\" ")->as_string() == "x\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(parse_json("null")->is_null());
  CHECK(parse_json("1e-5")->as_float() == doctest::Approx(1e-5));
  CHECK(parse_json(R"("a\"b\\c\n")")->dump() == R"("a\"b\\c\n")");
}

TEST_CASE("json rejects malformed documents with specific errors") {
  const char* bad[] = {"",        "{",           "[1,]",        "{\"a\":1,}", "01",
                       "1.",      "nul",         "[1] x",       "{'a':1}",    "\"\\x\"",
                       "1e999",   "\"\xff\"",    "{\"a\" 1}",   "[1 2]",      "tru"};
  for (const char* text : bad) {
    INFO(text);
    auto r = parse_json(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
  }
  auto dup = parse_json(R"({"a":1,"b":2,"a":3})");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().message == "duplicate key in JSON object");
}

TEST_CASE("json limits depth and size") {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  auto r = parse_json(deep);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::resource_exhausted);
  auto big = parse_json("[1,2,3]", JsonLimits{.max_bytes = 4});
  REQUIRE_FALSE(big);
  CHECK(big.error().code == ErrorCode::resource_exhausted);
}

TEST_CASE("json builders") {
  Json obj = Json::object();
  obj.set("model", "m");
  obj.set("n", 3);
  obj.set("model", "m2");
  Json arr = Json::array();
  arr.push_back(1.5);
  obj.set("a", arr);
  CHECK(obj.dump() == R"({"model":"m2","n":3,"a":[1.5]})");
  CHECK(Json(2.0).dump() == "2.0");
  CHECK_FALSE(Json::integer("01"));
  CHECK(Json::integer("-12")->get_int64() == -12);
}
