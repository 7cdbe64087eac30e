#include "test_support.hpp"

using namespace verinfer;

TEST_CASE("hex round trip, with and without 0x") {
  Bytes data = {0x00, 0x01, 0xab, 0xff};
  CHECK(to_hex(data) == "0x0001abff");
  CHECK(to_hex(data, false) == "0001abff");
  CHECK(from_hex("0x0001abff").value() == data);
  CHECK(from_hex("0001ABFF").value() == data);
  CHECK(from_hex("0X0001abFF").value() == data);
  CHECK(from_hex("").value().empty());
  CHECK(from_hex("0x").value().empty());
}

TEST_CASE("hex rejects bad input with a position") {
  auto odd = from_hex("0xabc");
  REQUIRE_FALSE(odd);
  CHECK(odd.error().code == ErrorCode::parse_error);
  CHECK(odd.error().message.find("odd") != std::string::npos);
  auto bad = from_hex("00zz");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().detail == "'z' at digit 2");
  CHECK_FALSE(from_hex(" 00"));
  CHECK_FALSE(from_hex("0x0g"));
  CHECK_FALSE(from_hex(std::string_view("\x00\x00", 2)));
  CHECK_FALSE(from_hex("x0"));
}

TEST_CASE("fixed-size values check their length") {
  auto h = Hash32::from_hex("0x" + std::string(64, 'a'));
  REQUIRE(h);
  CHECK(h->hex() == "0x" + std::string(64, 'a'));
  auto short_hash = Hash32::from_hex("0xaa");
  REQUIRE_FALSE(short_hash);
  CHECK(short_hash.error().detail == "expected 32 bytes, got 1");
  CHECK(Address{}.is_zero());
  CHECK(Address::from_hex("0x" + std::string(40, '0'))->is_zero());
}

TEST_CASE("base64 known answers (RFC 4648 section 10)") {
  const char* cases[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                            {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                            {"foobar", "Zm9vYmFy"}};
  for (auto& c : cases) {
    CHECK(to_base64(as_bytes(c[0])) == c[1]);
    auto back = from_base64(c[1]);
    REQUIRE(back);
    CHECK(std::string(back->begin(), back->end()) == c[0]);
  }
}

TEST_CASE("base64 url alphabet, padding optional but checked") {
  Bytes data = {0xfb, 0xff, 0xbf};
  CHECK(to_base64(data) == "+/+/");
  CHECK(to_base64(data, Base64Alphabet::url) == "-_-_");
  CHECK(from_base64("-_-_", Base64Alphabet::url).value() == data);
  CHECK(from_base64("Zg", Base64Alphabet::url).value() == Bytes{'f'});
  CHECK(from_base64("Zg==", Base64Alphabet::url).value() == Bytes{'f'});
  CHECK_FALSE(from_base64("Zg=", Base64Alphabet::url));
  CHECK_FALSE(from_base64("+/+/", Base64Alphabet::url));
  CHECK_FALSE(from_base64("-_-_", Base64Alphabet::standard));
}

TEST_CASE("base64 rejects bad characters, padding and non-canonical bits") {
  CHECK_FALSE(from_base64("Zg"));      // standard needs padding
  CHECK_FALSE(from_base64("Zg="));     // wrong padding
  CHECK_FALSE(from_base64("Zg==="));   // too much padding
  CHECK_FALSE(from_base64("Z==="));
  CHECK_FALSE(from_base64("Zm9v\n"));  // whitespace
  CHECK_FALSE(from_base64("Zm 9v"));
  CHECK_FALSE(from_base64("Zm9=v"));   // padding in the middle
  CHECK_FALSE(from_base64("Z"));       // impossible length
  auto bits = from_base64("Zh==");     // 'h' leaves non-zero unused bits
  REQUIRE_FALSE(bits);
  CHECK(bits.error().message == "base64 is not canonical");
  auto bad = from_base64("Zm9*");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().detail == "'*' at position 3");
}

TEST_CASE("constant-time equality") {
  Bytes a = {1, 2, 3};
  Bytes b = {1, 2, 3};
  Bytes c = {1, 2, 4};
  CHECK(constant_time_equal(a, b));
  CHECK_FALSE(constant_time_equal(a, c));
  CHECK_FALSE(constant_time_equal(a, Bytes{1, 2}));
}
