// verinfer: the Solidity contract ABI: type strings, values, abi.encode and a
// strict decoder (Solidity ABI specification, "Formal Specification of the
// Encoding"), plus function selectors and event topics.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer {

/// A parsed ABI type such as "uint256", "bytes32[]" or "(address,bytes)[2]".
struct AbiType {
  /// Which kind of type; `bits`, `size` and `components` qualify it.
  enum class Kind {
    uint,         ///< uintN, bits = N (8..256, step 8)
    int_,         ///< intN, bits = N
    address,
    boolean,
    fixed_bytes,  ///< bytesN, size = N (1..32)
    bytes,
    string,
    array,        ///< T[], components[0] = T
    fixed_array,  ///< T[k], components[0] = T, size = k (k >= 1)
    tuple,        ///< (T1,...,Tn), n >= 1
  };

  Kind kind = Kind::uint;
  unsigned bits = 256;
  std::size_t size = 0;
  std::vector<AbiType> components;

  /// Parses a type string; "uint"/"int" are read as uint256/int256. Spaces
  /// are not allowed; empty tuples and T[0] are rejected.
  [[nodiscard]] static Result<AbiType> parse(std::string_view text);
  /// The tuple of the given component types.
  [[nodiscard]] static AbiType tuple(std::vector<AbiType> components);

  /// The canonical spelling used in signatures, e.g. "(uint256,bytes)[]".
  [[nodiscard]] std::string canonical() const;
  /// Dynamic types (bytes, string, T[], or containing one) are encoded
  /// out of line behind an offset.
  [[nodiscard]] bool is_dynamic() const;
  /// Bytes a static type occupies in place (a multiple of 32).
  [[nodiscard]] std::size_t static_size() const;

  friend bool operator==(const AbiType&, const AbiType&) = default;
};

/// Parses a comma-separated parameter list such as "address,uint256" (empty
/// text is the empty list).
[[nodiscard]] Result<std::vector<AbiType>> parse_abi_types(std::string_view list);

/// A value of some ABI type. Integers are 256-bit words (intN values in two's
/// complement), bytesN and bytes are both byte strings, arrays and tuples are
/// both lists; the AbiType says which is meant.
class AbiValue {
 public:
  using List = std::vector<AbiValue>;  ///< the elements of an array or tuple

  AbiValue() = default;  ///< the integer 0
  /// An integer word, bool, address, byte string, string or list.
  /// @{
  AbiValue(U256 value) : value_(value) {}
  AbiValue(bool value) : value_(value) {}
  AbiValue(Address value) : value_(value) {}
  AbiValue(Bytes value) : value_(std::move(value)) {}
  AbiValue(std::string value) : value_(std::move(value)) {}
  AbiValue(List value) : value_(std::move(value)) {}
  /// @}
  /// Fixed-size byte values (bytes32 hashes and the like).
  template <std::size_t N>
  AbiValue(const FixedBytes<N>& value) : value_(Bytes(value.begin(), value.end())) {}

  /// Which alternative the value holds.
  /// @{
  [[nodiscard]] bool is_integer() const noexcept { return std::holds_alternative<U256>(value_); }
  [[nodiscard]] bool is_bool() const noexcept { return std::holds_alternative<bool>(value_); }
  [[nodiscard]] bool is_address() const noexcept { return std::holds_alternative<Address>(value_); }
  [[nodiscard]] bool is_bytes() const noexcept { return std::holds_alternative<Bytes>(value_); }
  [[nodiscard]] bool is_string() const noexcept { return std::holds_alternative<std::string>(value_); }
  [[nodiscard]] bool is_list() const noexcept { return std::holds_alternative<List>(value_); }
  /// @}

  /// Checked accessors: test the kind first (assertion otherwise).
  /// @{
  [[nodiscard]] const U256& as_integer() const { return std::get<U256>(value_); }
  [[nodiscard]] bool as_bool() const { return std::get<bool>(value_); }
  [[nodiscard]] const Address& as_address() const { return std::get<Address>(value_); }
  [[nodiscard]] const Bytes& as_bytes() const { return std::get<Bytes>(value_); }
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(value_); }
  [[nodiscard]] const List& as_list() const { return std::get<List>(value_); }
  /// @}

  friend bool operator==(const AbiValue&, const AbiValue&) = default;

 private:
  std::variant<U256, bool, Address, Bytes, std::string, List> value_;
};

/// abi.encode of one value of `type` (for a tuple: its components in order,
/// which is also how a parameter list is encoded). The value must match the
/// type: integers in range, bytesN of exactly N bytes, array lengths.
[[nodiscard]] Result<Bytes> abi_encode(const AbiType& type, const AbiValue& value);
/// abi.encode(v1, ..., vn): the parameter list as one tuple.
[[nodiscard]] Result<Bytes> abi_encode(const std::vector<AbiType>& types,
                                       const std::vector<AbiValue>& values);

/// Bounds on the work abi_decode() does for hostile input.
struct AbiLimits {
  std::size_t max_depth = 32;          ///< nesting of arrays and tuples
  std::size_t max_values = 1u << 20;   ///< values produced in total
};

/// Strict decoding: every read is bounds-checked. Offsets and lengths past
/// the end, padding that must be zero but is not, a bool other than 0/1, an
/// address with non-zero high bytes, an integer outside its uintN/intN range
/// and a string that is not UTF-8 are errors naming the byte position.
/// Like Solidity's decoder, offsets need not be canonical and bytes after
/// the encoding are ignored; the limits bound work on hostile input (offsets
/// may point at shared data).
/// @{
[[nodiscard]] Result<AbiValue> abi_decode(const AbiType& type, ByteView data, AbiLimits limits = {});
[[nodiscard]] Result<std::vector<AbiValue>> abi_decode(const std::vector<AbiType>& types,
                                                       ByteView data, AbiLimits limits = {});
/// @}

/// The JSON form used by tools: integers as decimal strings (intN signed),
/// address as EIP-55 text, bool, bytes/bytesN as 0x-hex, string, arrays and
/// tuples as JSON arrays. Integers may also come as JSON numbers or 0x-hex.
/// @{
[[nodiscard]] Result<AbiValue> abi_value_from_json(const AbiType& type, const Json& json);
[[nodiscard]] Result<Json> abi_value_to_json(const AbiType& type, const AbiValue& value);
/// @}

/// First 4 bytes of keccak256 of the canonical signature: "transfer(address,uint256)".
/// The signature is parsed and canonicalised first ("uint" -> "uint256").
[[nodiscard]] Result<FixedBytes<4>> function_selector(std::string_view signature);
/// keccak256 of the canonical event signature: topic 0 of a non-anonymous event.
[[nodiscard]] Result<Hash32> event_topic(std::string_view signature);
/// "name(T1,...,Tn)" in canonical form, validating name and types.
[[nodiscard]] Result<std::string> canonical_signature(std::string_view signature);

}  // namespace verinfer
