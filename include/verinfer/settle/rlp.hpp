// verinfer: Recursive Length Prefix encoding (Ethereum Yellow Paper,
// appendix B) with a strict decoder: only the one canonical encoding of a
// value is accepted.
#pragma once

#include <cstddef>
#include <variant>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// An RLP item: a byte string or a list of items.
class RlpItem {
 public:
  using List = std::vector<RlpItem>;  ///< the items of a list

  RlpItem() = default;  ///< the empty string
  /// A byte string, or a list of items.
  /// @{
  RlpItem(Bytes bytes) : value_(std::move(bytes)) {}
  RlpItem(List list) : value_(std::move(list)) {}
  /// @}
  /// An empty list, to fill with push_back().
  [[nodiscard]] static RlpItem list() { return RlpItem(List{}); }
  /// A scalar: big-endian without leading zeros (zero is the empty string).
  /// @{
  [[nodiscard]] static RlpItem uint(const U256& value);
  [[nodiscard]] static RlpItem uint(std::uint64_t value) { return uint(U256(value)); }
  /// @}

  /// Which alternative the item holds, and checked access to it (test first).
  /// @{
  [[nodiscard]] bool is_bytes() const noexcept { return std::holds_alternative<Bytes>(value_); }
  [[nodiscard]] bool is_list() const noexcept { return std::holds_alternative<List>(value_); }
  [[nodiscard]] const Bytes& as_bytes() const { return std::get<Bytes>(value_); }
  [[nodiscard]] const List& as_list() const { return std::get<List>(value_); }
  [[nodiscard]] List& as_list() { return std::get<List>(value_); }
  /// @}
  /// Appends to a list item.
  RlpItem& push_back(RlpItem item);

  friend bool operator==(const RlpItem&, const RlpItem&) = default;

 private:
  std::variant<Bytes, List> value_;
};

/// The RLP encoding (Ethereum yellow paper, appendix B).
[[nodiscard]] Bytes rlp_encode(const RlpItem& item);

/// Bounds on the work rlp_decode() does for hostile input.
struct RlpLimits {
  std::size_t max_depth = 64;
  std::size_t max_items = 1u << 20;
};

/// Strict decoding of exactly one item filling all of `data`: a single byte
/// below 0x80 must encode itself, short lengths use the short form, long
/// lengths have no leading zero bytes, and nothing follows the item.
[[nodiscard]] Result<RlpItem> rlp_decode(ByteView data, RlpLimits limits = {});

/// A scalar item to U256: a byte string of at most 32 bytes without a
/// leading zero byte. `what` names the field in the error.
[[nodiscard]] Result<U256> rlp_to_uint(const RlpItem& item, std::string_view what);
/// The same, additionally at most 2^64-1 (nonces, gas limits, chain ids).
[[nodiscard]] Result<std::uint64_t> rlp_to_uint64(const RlpItem& item, std::string_view what);

}  // namespace verinfer
