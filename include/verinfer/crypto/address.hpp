// verinfer: Ethereum addresses in text: EIP-55 mixed-case checksums.
#pragma once

#include <string>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// EIP-55 checksummed "0x..." form (a hex letter is upper case where the
/// matching nibble of keccak256(lower-case hex) is >= 8).
[[nodiscard]] std::string to_checksum_address(const Address& address);

/// Parses "0x" + 40 hex digits. All-lower and all-upper digits carry no
/// checksum and are accepted; mixed case must be the exact EIP-55 form, else
/// an error names the expected spelling (a typo must not pass silently).
[[nodiscard]] Result<Address> parse_address(std::string_view text);

}  // namespace verinfer
