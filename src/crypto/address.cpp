#include "verinfer/crypto/address.hpp"

#include <cctype>

#include "verinfer/crypto/keccak.hpp"

namespace verinfer {

std::string to_checksum_address(const Address& address) {
  std::string lower = address.hex(false);
  Hash32 hash = keccak256(std::string_view(lower));
  std::string out = "0x";
  for (std::size_t i = 0; i < lower.size(); ++i) {
    std::uint8_t nibble = (i % 2 == 0) ? hash.bytes[i / 2] >> 4 : hash.bytes[i / 2] & 0x0f;
    char c = lower[i];
    out.push_back(nibble >= 8 && c >= 'a' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

Result<Address> parse_address(std::string_view text) {
  if (!text.starts_with("0x") && !text.starts_with("0X")) {
    return fail(ErrorCode::parse_error, "address must start with 0x",
                "got \"" + std::string(text.substr(0, 50)) + "\"");
  }
  std::string_view digits = text.substr(2);
  if (digits.size() != 40) {
    return fail(ErrorCode::parse_error, "address must have 40 hex digits",
                "got " + std::to_string(digits.size()));
  }
  auto address = Address::from_hex(digits);
  if (!address) return std::unexpected(address.error());
  bool has_lower = false;
  bool has_upper = false;
  for (char c : digits) {
    has_lower = has_lower || (c >= 'a' && c <= 'f');
    has_upper = has_upper || (c >= 'A' && c <= 'F');
  }
  if (has_lower && has_upper) {
    std::string expected = to_checksum_address(*address);
    if (std::string_view(expected).substr(2) != digits) {
      return fail(ErrorCode::invalid_argument, "address has a wrong EIP-55 checksum",
                  "expected " + expected + ", got " + std::string(text));
    }
  }
  return address;
}

}  // namespace verinfer
