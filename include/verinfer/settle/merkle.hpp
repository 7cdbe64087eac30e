// verinfer: OpenZeppelin StandardMerkleTree ("standard-v1"), the Merkle tree
// a settlement facilitator builds over a batch of TEE responses
// (@openzeppelin/merkle-tree; contracts' MerkleProof for the pair hashing).
// Everything here is offline: the dump comes from a blob store, the root from
// a BatchSettlement event.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/abi.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer {

/// Leaf hash of the standard tree: keccak256(keccak256(abi.encode(values)))
/// (hashed twice so a leaf can never pass for an inner node).
[[nodiscard]] Result<Hash32> standard_leaf_hash(const std::vector<AbiType>& encoding,
                                                const std::vector<AbiValue>& values);

/// Inner node: keccak256(min(a, b) || max(a, b)) (sorted pairs).
[[nodiscard]] Hash32 merkle_hash_pair(const Hash32& a, const Hash32& b) noexcept;

/// Folds a proof onto a leaf: the root it implies.
[[nodiscard]] Hash32 merkle_process_proof(const Hash32& leaf, const std::vector<Hash32>& proof) noexcept;

/// Succeeds when `proof` leads from `leaf` to `root`; otherwise a
/// verification_failed error naming the computed and the expected root.
[[nodiscard]] Status verify_merkle_proof(const Hash32& root, const Hash32& leaf,
                                         const std::vector<Hash32>& proof);

/// OpenZeppelin multiproof (MerkleProof.processMultiProof): several leaves at
/// once, in the order the proof expects them. Inconsistent lengths are
/// invalid_argument; a wrong root is verification_failed.
[[nodiscard]] Result<Hash32> merkle_process_multiproof(const std::vector<Hash32>& leaves,
                                                       const std::vector<Hash32>& proof,
                                                       const std::vector<bool>& proof_flags);
/// merkle_process_multiproof() and a comparison with `root`.
[[nodiscard]] Status verify_merkle_multiproof(const Hash32& root, const std::vector<Hash32>& leaves,
                                              const std::vector<Hash32>& proof,
                                              const std::vector<bool>& proof_flags);

/// The leaf encoding OpenGradient's facilitator uses for a settled TEE
/// response: (teeId, inputHash, outputHash, signature, timestamp).
[[nodiscard]] const std::vector<AbiType>& settlement_leaf_encoding();

/// One settled TEE response as a batch leaf (PROTOCOL.md section 5).
struct SettlementLeaf {
  Hash32 tee_id;
  Hash32 input_hash;   ///< tee_request_hash
  Hash32 output_hash;  ///< tee_output_hash
  Bytes signature;     ///< the raw RSA-PSS signature (base64-decoded tee_signature)
  U256 timestamp;      ///< tee_timestamp (Unix seconds)

  /// The leaf's values in settlement_leaf_encoding() order.
  [[nodiscard]] std::vector<AbiValue> abi_values() const;
  /// keccak256(keccak256(abi.encode(values))): the StandardMerkleTree leaf.
  [[nodiscard]] Hash32 leaf_hash() const;

  /// From an ABI value list of settlement_leaf_encoding().
  [[nodiscard]] static Result<SettlementLeaf> from_abi_values(const std::vector<AbiValue>& values);

  friend bool operator==(const SettlementLeaf&, const SettlementLeaf&) = default;
};

/// A parsed tree dump: {format: "standard-v1", leafEncoding, tree, values}.
struct MerkleDump {
  /// One leaf's values and where its hash sits in `tree`.
  struct Entry {
    std::vector<AbiValue> value;
    std::size_t tree_index = 0;
  };
  std::vector<std::string> leaf_encoding_text;  ///< as written in the dump
  std::vector<AbiType> leaf_encoding;
  std::vector<Hash32> tree;  ///< all nodes, root first; children of i at 2i+1, 2i+2
  std::vector<Entry> values;

  /// The root (tree[0]); the tree of a parsed dump is never empty.
  [[nodiscard]] const Hash32& root() const { return tree.front(); }
};

/// Bounds on what parse_merkle_dump() accepts.
struct MerkleDumpLimits {
  std::size_t max_leaves = 1u << 16;
};

/// Strict parsing: the exact four keys, format "standard-v1", a leaf encoding
/// the ABI module understands, 32-byte nodes, a non-empty odd-sized tree, and
/// values that match the encoding (uint256 as decimal strings or numbers).
/// The structure is checked too (see validate_merkle_dump), so a parsed dump
/// is always consistent.
/// @{
[[nodiscard]] Result<MerkleDump> parse_merkle_dump(std::string_view text, MerkleDumpLimits limits = {});
[[nodiscard]] Result<MerkleDump> merkle_dump_from_json(const Json& dump, MerkleDumpLimits limits = {});
/// @}

/// Internal consistency: every inner node is the hash of its children, each
/// value's leaf hash sits at its stated tree index, that index is a leaf,
/// and every leaf is claimed by exactly one value.
[[nodiscard]] Status validate_merkle_dump(const MerkleDump& dump);

/// The proof of the value at position `value_index` of `dump.values`.
[[nodiscard]] Result<std::vector<Hash32>> merkle_proof(const MerkleDump& dump, std::size_t value_index);
/// The position in `dump.values` whose leaf equals the leaf of `value`.
[[nodiscard]] Result<std::size_t> find_merkle_value(const MerkleDump& dump,
                                                    const std::vector<AbiValue>& value);
/// The position in `dump.values` whose leaf hash is `leaf`.
[[nodiscard]] Result<std::size_t> find_merkle_leaf(const MerkleDump& dump, const Hash32& leaf);

/// Parses a leaf value given as a JSON array under `encoding`.
[[nodiscard]] Result<std::vector<AbiValue>> merkle_value_from_json(const std::vector<AbiType>& encoding,
                                                                   const Json& value);

}  // namespace verinfer
