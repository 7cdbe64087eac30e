// OpenZeppelin StandardMerkleTree (standard-v1): layout and hashing as in
// @openzeppelin/merkle-tree (core.ts) and contracts' MerkleProof.sol.
#include "verinfer/settle/merkle.hpp"

#include <algorithm>
#include <array>

#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

// Node i's children are 2i+1 and 2i+2; a node whose left child is outside
// the array is a leaf.
bool is_leaf_node(std::size_t tree_size, std::size_t i) { return i < tree_size && 2 * i + 1 >= tree_size; }

std::size_t sibling_index(std::size_t i) { return (i % 2 == 1) ? i + 1 : i - 1; }

Result<Hash32> hash_node(const Json& node, std::string_view where) {
  if (!node.is_string()) return fail(ErrorCode::parse_error, "merkle dump: node is not a string", std::string(where));
  const std::string& text = node.as_string();
  if (text.size() != 66 || text[0] != '0' || text[1] != 'x') {
    return fail(ErrorCode::parse_error, "merkle dump: node is not 0x + 64 hex digits",
                std::string(where) + ": got \"" + text.substr(0, 80) + "\"");
  }
  auto h = Hash32::from_hex(text);
  if (!h) return fail(ErrorCode::parse_error, "merkle dump: node is not hex", std::string(where) + ": " + h.error().detail);
  return *h;
}

Status expect_keys(const Json& object, std::initializer_list<std::string_view> keys, std::string_view what) {
  for (const auto& [key, value] : object.as_object()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      return fail(ErrorCode::parse_error, std::string(what) + ": unexpected key", "\"" + key + "\"");
    }
  }
  for (auto key : keys) {
    if (object.find(key) == nullptr) {
      return fail(ErrorCode::parse_error, std::string(what) + ": missing key", "\"" + std::string(key) + "\"");
    }
  }
  return {};
}

}  // namespace

Result<Hash32> standard_leaf_hash(const std::vector<AbiType>& encoding, const std::vector<AbiValue>& values) {
  auto encoded = abi_encode(encoding, values);
  if (!encoded) return std::unexpected(encoded.error());
  Hash32 inner = keccak256(*encoded);
  return keccak256(inner.view());
}

Hash32 merkle_hash_pair(const Hash32& a, const Hash32& b) noexcept {
  std::array<std::uint8_t, 64> both{};
  const Hash32& lo = a < b ? a : b;
  const Hash32& hi = a < b ? b : a;
  std::copy(lo.begin(), lo.end(), both.begin());
  std::copy(hi.begin(), hi.end(), both.begin() + 32);
  return keccak256(ByteView(both));
}

Hash32 merkle_process_proof(const Hash32& leaf, const std::vector<Hash32>& proof) noexcept {
  Hash32 node = leaf;
  for (const Hash32& sibling : proof) node = merkle_hash_pair(node, sibling);
  return node;
}

Status verify_merkle_proof(const Hash32& root, const Hash32& leaf, const std::vector<Hash32>& proof) {
  Hash32 computed = merkle_process_proof(leaf, proof);
  if (computed != root) {
    return fail(ErrorCode::verification_failed, "merkle proof does not lead to the root",
                "expected root " + root.hex() + ", computed " + computed.hex() + " from leaf " + leaf.hex() +
                    " with " + std::to_string(proof.size()) + " proof nodes");
  }
  return {};
}

Result<Hash32> merkle_process_multiproof(const std::vector<Hash32>& leaves, const std::vector<Hash32>& proof,
                                         const std::vector<bool>& proof_flags) {
  if (leaves.size() + proof.size() != proof_flags.size() + 1) {
    return fail(ErrorCode::invalid_argument, "merkle multiproof: inconsistent lengths",
                "expected leaves + proof = flags + 1, got " + std::to_string(leaves.size()) + " + " +
                    std::to_string(proof.size()) + " vs " + std::to_string(proof_flags.size()) + " + 1");
  }
  std::vector<Hash32> hashes;
  hashes.reserve(proof_flags.size());
  std::size_t leaf_pos = 0, hash_pos = 0, proof_pos = 0;
  auto next_known = [&]() -> Result<Hash32> {
    if (leaf_pos < leaves.size()) return leaves[leaf_pos++];
    if (hash_pos < hashes.size()) return hashes[hash_pos++];
    return fail(ErrorCode::invalid_argument, "merkle multiproof: flags consume more hashes than exist");
  };
  for (bool flag : proof_flags) {
    auto a = next_known();
    if (!a) return a;
    Result<Hash32> b = flag ? next_known() : (proof_pos < proof.size() ? Result<Hash32>(proof[proof_pos++])
                                                                       : fail(ErrorCode::invalid_argument,
                                                                              "merkle multiproof: proof too short"));
    if (!b) return b;
    hashes.push_back(merkle_hash_pair(*a, *b));
  }
  if (!proof_flags.empty()) {
    if (proof_pos != proof.size()) {
      return fail(ErrorCode::invalid_argument, "merkle multiproof: proof not fully consumed",
                  "used " + std::to_string(proof_pos) + " of " + std::to_string(proof.size()));
    }
    return hashes.back();
  }
  if (!leaves.empty()) return leaves.front();
  return proof.front();
}

Status verify_merkle_multiproof(const Hash32& root, const std::vector<Hash32>& leaves,
                                const std::vector<Hash32>& proof, const std::vector<bool>& proof_flags) {
  auto computed = merkle_process_multiproof(leaves, proof, proof_flags);
  if (!computed) return std::unexpected(computed.error());
  if (*computed != root) {
    return fail(ErrorCode::verification_failed, "merkle multiproof does not lead to the root",
                "expected root " + root.hex() + ", computed " + computed->hex());
  }
  return {};
}

const std::vector<AbiType>& settlement_leaf_encoding() {
  static const std::vector<AbiType> encoding = [] {
    auto types = parse_abi_types("bytes32,bytes32,bytes32,bytes,uint256");
    return types ? *types : std::vector<AbiType>{};
  }();
  return encoding;
}

std::vector<AbiValue> SettlementLeaf::abi_values() const {
  return {AbiValue(tee_id), AbiValue(input_hash), AbiValue(output_hash), AbiValue(signature), AbiValue(timestamp)};
}

Hash32 SettlementLeaf::leaf_hash() const {
  // The values always match the fixed encoding, so encoding cannot fail.
  auto h = standard_leaf_hash(settlement_leaf_encoding(), abi_values());
  return h ? *h : Hash32{};
}

Result<SettlementLeaf> SettlementLeaf::from_abi_values(const std::vector<AbiValue>& values) {
  if (values.size() != 5) {
    return fail(ErrorCode::invalid_argument, "settlement leaf: wrong number of values",
                "expected 5, got " + std::to_string(values.size()));
  }
  SettlementLeaf leaf;
  Hash32* hashes[] = {&leaf.tee_id, &leaf.input_hash, &leaf.output_hash};
  for (std::size_t i = 0; i < 3; ++i) {
    if (!values[i].is_bytes()) return fail(ErrorCode::invalid_argument, "settlement leaf: value is not bytes32", std::to_string(i));
    auto h = Hash32::from_bytes(values[i].as_bytes());
    if (!h) return fail(ErrorCode::invalid_argument, "settlement leaf: value " + std::to_string(i) + " is not bytes32", h.error().detail);
    *hashes[i] = *h;
  }
  if (!values[3].is_bytes()) return fail(ErrorCode::invalid_argument, "settlement leaf: signature is not bytes");
  if (!values[4].is_integer()) return fail(ErrorCode::invalid_argument, "settlement leaf: timestamp is not an integer");
  leaf.signature = values[3].as_bytes();
  leaf.timestamp = values[4].as_integer();
  return leaf;
}

Result<std::vector<AbiValue>> merkle_value_from_json(const std::vector<AbiType>& encoding, const Json& value) {
  if (!value.is_array()) return fail(ErrorCode::parse_error, "merkle value is not a JSON array");
  const auto& items = value.as_array();
  if (items.size() != encoding.size()) {
    return fail(ErrorCode::parse_error, "merkle value has the wrong number of fields",
                "expected " + std::to_string(encoding.size()) + ", got " + std::to_string(items.size()));
  }
  std::vector<AbiValue> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto v = abi_value_from_json(encoding[i], items[i]);
    if (!v) {
      return fail(ErrorCode::parse_error, "merkle value field " + std::to_string(i) + " is not a " + encoding[i].canonical(),
                  v.error().message + (v.error().detail.empty() ? "" : ": " + v.error().detail));
    }
    out.push_back(std::move(*v));
  }
  return out;
}

Result<MerkleDump> merkle_dump_from_json(const Json& json, MerkleDumpLimits limits) {
  if (!json.is_object()) return fail(ErrorCode::parse_error, "merkle dump is not a JSON object");
  if (auto keys = expect_keys(json, {"format", "leafEncoding", "tree", "values"}, "merkle dump"); !keys) {
    return std::unexpected(keys.error());
  }
  const Json& format = *json.find("format");
  if (!format.is_string() || format.as_string() != "standard-v1") {
    return fail(ErrorCode::parse_error, "merkle dump: unsupported format",
                "expected \"standard-v1\", got " + format.dump());
  }
  MerkleDump dump;
  const Json& encoding = *json.find("leafEncoding");
  if (!encoding.is_array() || encoding.as_array().empty()) {
    return fail(ErrorCode::parse_error, "merkle dump: leafEncoding is not a non-empty array of type names");
  }
  for (const Json& t : encoding.as_array()) {
    if (!t.is_string()) return fail(ErrorCode::parse_error, "merkle dump: leafEncoding entry is not a string", t.dump());
    auto type = AbiType::parse(t.as_string());
    if (!type) {
      return fail(ErrorCode::parse_error, "merkle dump: leafEncoding has an unknown type",
                  "\"" + t.as_string() + "\": " + type.error().message);
    }
    dump.leaf_encoding_text.push_back(t.as_string());
    dump.leaf_encoding.push_back(std::move(*type));
  }
  const Json& tree = *json.find("tree");
  if (!tree.is_array() || tree.as_array().empty()) {
    return fail(ErrorCode::parse_error, "merkle dump: tree is not a non-empty array");
  }
  const std::size_t size = tree.as_array().size();
  if (size > 2 * limits.max_leaves) {
    return fail(ErrorCode::resource_exhausted, "merkle dump: tree too large",
                "at most " + std::to_string(2 * limits.max_leaves - 1) + " nodes, got " + std::to_string(size));
  }
  if (size % 2 == 0) {
    return fail(ErrorCode::parse_error, "merkle dump: tree size must be odd (2n-1 nodes for n leaves)",
                "got " + std::to_string(size));
  }
  for (std::size_t i = 0; i < size; ++i) {
    auto node = hash_node(tree.as_array()[i], "tree[" + std::to_string(i) + "]");
    if (!node) return std::unexpected(node.error());
    dump.tree.push_back(*node);
  }
  const Json& values = *json.find("values");
  if (!values.is_array()) return fail(ErrorCode::parse_error, "merkle dump: values is not an array");
  for (std::size_t i = 0; i < values.as_array().size(); ++i) {
    const Json& entry = values.as_array()[i];
    const std::string where = "values[" + std::to_string(i) + "]";
    if (!entry.is_object()) return fail(ErrorCode::parse_error, "merkle dump: entry is not an object", where);
    if (auto keys = expect_keys(entry, {"value", "treeIndex"}, "merkle dump " + where); !keys) {
      return std::unexpected(keys.error());
    }
    auto index = entry.find("treeIndex")->get_uint64();
    if (!index || *index >= size) {
      return fail(ErrorCode::parse_error, "merkle dump: treeIndex is not an index into the tree",
                  where + ": got " + entry.find("treeIndex")->dump() + ", tree has " + std::to_string(size) + " nodes");
    }
    auto value = merkle_value_from_json(dump.leaf_encoding, *entry.find("value"));
    if (!value) return fail(ErrorCode::parse_error, "merkle dump: " + where + ": " + value.error().message, value.error().detail);
    dump.values.push_back({std::move(*value), static_cast<std::size_t>(*index)});
  }
  if (auto valid = validate_merkle_dump(dump); !valid) return std::unexpected(valid.error());
  return dump;
}

Result<MerkleDump> parse_merkle_dump(std::string_view text, MerkleDumpLimits limits) {
  auto json = parse_json(text);
  if (!json) return std::unexpected(json.error());
  return merkle_dump_from_json(*json, limits);
}

Status validate_merkle_dump(const MerkleDump& dump) {
  const std::size_t size = dump.tree.size();
  if (size == 0 || size % 2 == 0) {
    return fail(ErrorCode::verification_failed, "merkle dump: tree size must be odd and non-zero",
                "got " + std::to_string(size));
  }
  for (std::size_t i = 0; 2 * i + 2 < size; ++i) {
    Hash32 expected = merkle_hash_pair(dump.tree[2 * i + 1], dump.tree[2 * i + 2]);
    if (dump.tree[i] != expected) {
      return fail(ErrorCode::verification_failed, "merkle dump: inner node is not the hash of its children",
                  "tree[" + std::to_string(i) + "]: expected " + expected.hex() + ", got " + dump.tree[i].hex());
    }
  }
  const std::size_t leaves = (size + 1) / 2;
  if (dump.values.size() != leaves) {
    return fail(ErrorCode::verification_failed, "merkle dump: number of values differs from number of leaves",
                "expected " + std::to_string(leaves) + ", got " + std::to_string(dump.values.size()));
  }
  std::vector<bool> claimed(size, false);
  for (std::size_t i = 0; i < dump.values.size(); ++i) {
    const auto& entry = dump.values[i];
    const std::string where = "values[" + std::to_string(i) + "]";
    if (!is_leaf_node(size, entry.tree_index)) {
      return fail(ErrorCode::verification_failed, "merkle dump: treeIndex is not a leaf",
                  where + ": index " + std::to_string(entry.tree_index) + " of " + std::to_string(size));
    }
    if (claimed[entry.tree_index]) {
      return fail(ErrorCode::verification_failed, "merkle dump: two values claim the same leaf",
                  where + ": index " + std::to_string(entry.tree_index));
    }
    claimed[entry.tree_index] = true;
    auto leaf = standard_leaf_hash(dump.leaf_encoding, entry.value);
    if (!leaf) return fail(ErrorCode::verification_failed, "merkle dump: " + where + " does not encode", leaf.error().detail);
    if (*leaf != dump.tree[entry.tree_index]) {
      return fail(ErrorCode::verification_failed, "merkle dump: value's leaf hash is not at its tree index",
                  where + ": tree[" + std::to_string(entry.tree_index) + "] is " + dump.tree[entry.tree_index].hex() +
                      ", leaf hash is " + leaf->hex());
    }
  }
  return {};
}

Result<std::vector<Hash32>> merkle_proof(const MerkleDump& dump, std::size_t value_index) {
  if (value_index >= dump.values.size()) {
    return fail(ErrorCode::invalid_argument, "merkle proof: no such leaf",
                "index " + std::to_string(value_index) + ", the dump has " + std::to_string(dump.values.size()) + " values");
  }
  std::size_t i = dump.values[value_index].tree_index;
  if (!is_leaf_node(dump.tree.size(), i)) {
    return fail(ErrorCode::invalid_argument, "merkle proof: value does not sit at a leaf", std::to_string(i));
  }
  std::vector<Hash32> proof;
  while (i > 0) {
    proof.push_back(dump.tree[sibling_index(i)]);
    i = (i - 1) / 2;
  }
  return proof;
}

Result<std::size_t> find_merkle_leaf(const MerkleDump& dump, const Hash32& leaf) {
  for (std::size_t i = 0; i < dump.values.size(); ++i) {
    std::size_t t = dump.values[i].tree_index;
    if (t < dump.tree.size() && dump.tree[t] == leaf) return i;
  }
  return fail(ErrorCode::verification_failed, "merkle dump: leaf not in the tree",
              "leaf " + leaf.hex() + " under root " + (dump.tree.empty() ? std::string("(empty)") : dump.root().hex()));
}

Result<std::size_t> find_merkle_value(const MerkleDump& dump, const std::vector<AbiValue>& value) {
  auto leaf = standard_leaf_hash(dump.leaf_encoding, value);
  if (!leaf) return std::unexpected(leaf.error());
  return find_merkle_leaf(dump, *leaf);
}

}  // namespace verinfer
