// Merkle tree dumps (OpenZeppelin StandardMerkleTree "standard-v1"): a dump
// that parses is consistent, and every value's proof verifies under its root
// and finds its way back to the value.
#include "fuzz_support.hpp"

#include <verinfer/settle/merkle.hpp>

using namespace verinfer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto dump = parse_merkle_dump(fuzz::as_text(data, size), MerkleDumpLimits{.max_leaves = 256});
  if (!dump) {
    FUZZ_CHECK(!dump.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(validate_merkle_dump(*dump).has_value());
  FUZZ_CHECK(!dump->tree.empty() && !dump->values.empty());
  for (std::size_t i = 0; i < dump->values.size() && i < 8; ++i) {
    const auto& entry = dump->values[i];
    auto leaf = standard_leaf_hash(dump->leaf_encoding, entry.value);
    FUZZ_CHECK(leaf && *leaf == dump->tree[entry.tree_index]);
    auto proof = merkle_proof(*dump, i);
    FUZZ_CHECK(proof && verify_merkle_proof(dump->root(), *leaf, *proof).has_value());
    auto found = find_merkle_leaf(*dump, *leaf);
    FUZZ_CHECK(found && *found == i);
    auto by_value = find_merkle_value(*dump, entry.value);
    FUZZ_CHECK(by_value && *by_value == i);
  }
  return 0;
}
