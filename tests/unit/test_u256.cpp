// U256: text and byte conversions, ordering, checked arithmetic, intN words.
#include "test_support.hpp"

#include "verinfer/crypto/u256.hpp"

using namespace verinfer;

namespace {
const char* kMax = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
}

TEST_CASE("u256: decimal and hex round trips at the edges") {
  CHECK(U256().to_decimal() == "0");
  CHECK(U256().to_hex() == "0x0");
  CHECK(U256::max().to_decimal() == kMax);
  CHECK(*U256::from_decimal(kMax) == U256::max());
  CHECK(U256::max().to_hex() == "0x" + std::string(64, 'f'));
  CHECK(*U256::from_hex("0x" + std::string(64, 'F')) == U256::max());
  CHECK(*U256::from_hex("0x" + std::string(70, '0') + "1") == U256(1));  // leading zeros fine
  CHECK(U256(10000000000000000000ULL).to_decimal() == "10000000000000000000");
  CHECK(U256(1).shl(64).to_decimal() == "18446744073709551616");
  CHECK(U256(1).shl(200).to_hex() == "0x1" + std::string(50, '0'));
  CHECK(*U256::parse("0x10") == U256(16));
  CHECK(*U256::parse("0010") == U256(10));
  CHECK(U256(0x0102).to_word().hex(false) == std::string(60, '0') + "0102");
  CHECK(*U256::from_be_bytes(Bytes{1, 2}) == U256(0x0102));
  CHECK(U256(42).to_uint64() == 42u);
  CHECK_FALSE(U256(1).shl(64).to_uint64().has_value());
  CHECK(U256(1).shl(255).bit_length() == 256);
  CHECK(U256(0).bit_length() == 0);
}

TEST_CASE("u256: bad text is refused with the reason") {
  CHECK(U256::from_decimal("115792089237316195423570985008687907853269984665640564039457584007913129639936")
            .error().message == "integer out of range");
  CHECK(U256::from_hex("0x1" + std::string(64, '0')).error().message == "integer out of range");
  CHECK(U256::from_decimal("").error().message == "empty decimal integer");
  CHECK(U256::from_decimal("12a").error().detail.find("position 2") != std::string::npos);
  CHECK(U256::from_decimal("-1").has_value() == false);
  CHECK(U256::from_hex("0x").error().message == "empty hex integer");
  CHECK(U256::from_hex("0xg").error().message == "invalid hex digit");
  CHECK_FALSE(U256::from_be_bytes(Bytes(33, 0)).has_value());
}

TEST_CASE("u256: ordering and checked arithmetic") {
  CHECK(U256(1) < U256(2));
  CHECK(U256(1).shl(64) > U256(~0ULL));
  CHECK(U256::max() > U256(1).shl(255));
  CHECK(*U256(5).checked_add(U256(7)) == U256(12));
  CHECK(U256::max().checked_add(U256(1)).error().message == "uint256 addition overflows");
  CHECK(U256(1).checked_sub(U256(2)).error().message == "uint256 subtraction underflows");
  CHECK(U256(1).shl(64).wrapping_sub(U256(1)) == U256(~0ULL));
  CHECK(U256().wrapping_sub(U256(1)) == U256::max());
  CHECK(U256::max().wrapping_add(U256(2)) == U256(1));
}

TEST_CASE("u256: signed words (two's complement) and intN ranges") {
  CHECK(*signed_from_text("-1") == U256::max());
  CHECK(signed_to_decimal(U256::max()) == "-1");
  CHECK(*signed_from_text("-0x10") == U256(16).wrapping_neg());
  auto min = signed_from_text("-57896044618658097711785492504343953926634992332820282019728792003956564819968");
  REQUIRE(min.has_value());
  CHECK(*min == U256(1).shl(255));
  CHECK(signed_to_decimal(*min) ==
        "-57896044618658097711785492504343953926634992332820282019728792003956564819968");
  CHECK_FALSE(signed_from_text("57896044618658097711785492504343953926634992332820282019728792003956564819968").has_value());
  CHECK(fits_signed(*signed_from_text("-128"), 8));
  CHECK_FALSE(fits_signed(*signed_from_text("-129"), 8));
  CHECK(fits_signed(U256(127), 8));
  CHECK_FALSE(fits_signed(U256(128), 8));
  CHECK(fits_unsigned(U256(255), 8));
  CHECK_FALSE(fits_unsigned(U256(256), 8));
  CHECK(fits_signed(U256::max(), 256));
}
