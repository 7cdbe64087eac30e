// ABI decoding of a type chosen by the first byte from a fixed set. The
// decoder accepts non-canonical offsets and trailing bytes (as Solidity's
// does), so the invariant is that decoding is a fixed point: encode(decode(x))
// decodes to the same value, and the JSON form round-trips.
#include "fuzz_support.hpp"

#include <verinfer/crypto/abi.hpp>
#include <verinfer/json.hpp>

#include <vector>

using namespace verinfer;

namespace {

const std::vector<std::vector<AbiType>>& types() {
  static const std::vector<std::vector<AbiType>> all = [] {
    static const char* const kLists[] = {
        "uint256", "int8", "int256", "address", "bool", "bytes32", "bytes4", "bytes", "string",
        "uint256[]", "bytes[]", "string[2]", "(uint256,bytes)", "(uint256,bytes)[]",
        "address,uint256", "bytes32,bytes32,bytes,uint256",
        // the settlement leaf and event payloads
        "bytes32,bytes32,bytes32,bytes,uint256", "(bytes32,bytes32,bytes32,bytes,uint256)[]",
        "(address,uint256,(bytes,string[]))", "uint8[3][]", "bytes4[2][]", "int16[][2]",
        "((uint256[],bool)[],string)", "address[],uint64,bytes"};
    std::vector<std::vector<AbiType>> out;
    for (const char* list : kLists) out.push_back(fuzz::must(parse_abi_types(list), list));
    return out;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const auto& list = types()[in.byte() % types().size()];
  const ByteView encoded = in.rest();

  AbiLimits limits;
  limits.max_values = 1u << 14;
  auto values = abi_decode(list, encoded, limits);
  if (!values) {
    FUZZ_CHECK(!values.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(values->size() == list.size());
  auto again = abi_encode(list, *values);
  FUZZ_CHECK(again.has_value());
  auto redecoded = abi_decode(list, *again, limits);
  FUZZ_CHECK(redecoded && *redecoded == *values);
  auto reencoded = abi_encode(list, *redecoded);
  FUZZ_CHECK(reencoded && *reencoded == *again);  // the canonical encoding is unique

  for (std::size_t i = 0; i < list.size(); ++i) {
    auto json = abi_value_to_json(list[i], (*values)[i]);
    FUZZ_CHECK(json.has_value());
    auto back = abi_value_from_json(list[i], *json);
    FUZZ_CHECK(back && *back == (*values)[i]);
  }
  return 0;
}
