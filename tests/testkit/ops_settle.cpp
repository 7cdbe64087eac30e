// Testkit ops for the settlement layer: Merkle dumps and proofs, RLP and
// transaction signing, so Python/Node peers can check them in bulk.
#include "testkit.hpp"
#include "verinfer/crypto/abi.hpp"
#include "verinfer/settle/merkle.hpp"

namespace verinfer::testkit {
namespace {

template <class T>
std::unexpected<Error> pass_error(const Result<T>& r) {
  return std::unexpected(r.error());
}

Result<std::vector<Hash32>> hash_list(const Json& r, std::string_view key) {
  auto list = get_field(r, key);
  if (!list) return pass_error(list);
  if (!(*list)->is_array()) return fail(ErrorCode::invalid_argument, "not an array", std::string(key));
  std::vector<Hash32> out;
  for (const auto& item : (*list)->as_array()) {
    if (!item.is_string()) return fail(ErrorCode::invalid_argument, "not a hex string", std::string(key));
    auto h = Hash32::from_hex(item.as_string());
    if (!h) return pass_error(h);
    out.push_back(*h);
  }
  return out;
}

Result<std::vector<AbiType>> encoding_field(const Json& r) {
  auto list = get_field(r, "encoding");
  if (!list) return pass_error(list);
  if (!(*list)->is_array()) return fail(ErrorCode::invalid_argument, "encoding must be an array");
  std::vector<AbiType> out;
  for (const auto& t : (*list)->as_array()) {
    if (!t.is_string()) return fail(ErrorCode::invalid_argument, "type must be a string");
    auto parsed = AbiType::parse(t.as_string());
    if (!parsed) return pass_error(parsed);
    out.push_back(std::move(*parsed));
  }
  return out;
}

Json hex_list(const std::vector<Hash32>& hashes) {
  Json out = Json::array();
  for (const auto& h : hashes) out.push_back(h.hex());
  return out;
}

// {dump} -> {root, leaves: [{leaf, tree_index, proof}]} in dump value order.
const OpRegistrar merkle_dump_op{"merkle_dump", [](const Json& r) -> Result<Json> {
  auto json = get_field(r, "dump");
  if (!json) return pass_error(json);
  auto dump = merkle_dump_from_json(**json);
  if (!dump) return pass_error(dump);
  Json leaves = Json::array();
  for (std::size_t i = 0; i < dump->values.size(); ++i) {
    auto proof = merkle_proof(*dump, i);
    if (!proof) return pass_error(proof);
    auto leaf = standard_leaf_hash(dump->leaf_encoding, dump->values[i].value);
    if (!leaf) return pass_error(leaf);
    if (auto ok = verify_merkle_proof(dump->root(), *leaf, *proof); !ok) return pass_error(ok);
    Json entry = Json::object();
    entry.set("leaf", leaf->hex());
    entry.set("tree_index", static_cast<std::uint64_t>(dump->values[i].tree_index));
    entry.set("proof", hex_list(*proof));
    leaves.push_back(std::move(entry));
  }
  Json out = Json::object();
  out.set("root", dump->root().hex());
  out.set("leaves", std::move(leaves));
  return out;
}};

// {encoding, value, proof, root} -> {valid, leaf}; a bad value is an error.
const OpRegistrar merkle_verify_op{"merkle_verify", [](const Json& r) -> Result<Json> {
  auto encoding = encoding_field(r);
  if (!encoding) return pass_error(encoding);
  auto value_json = get_field(r, "value");
  if (!value_json) return pass_error(value_json);
  auto value = merkle_value_from_json(*encoding, **value_json);
  if (!value) return pass_error(value);
  auto leaf = standard_leaf_hash(*encoding, *value);
  if (!leaf) return pass_error(leaf);
  auto proof = hash_list(r, "proof");
  if (!proof) return pass_error(proof);
  auto root = get_string(r, "root");
  if (!root) return pass_error(root);
  auto root_hash = Hash32::from_hex(*root);
  if (!root_hash) return pass_error(root_hash);
  Json out = Json::object();
  out.set("leaf", leaf->hex());
  out.set("valid", verify_merkle_proof(*root_hash, *leaf, *proof).has_value());
  return out;
}};

// {encoding, leaves (values), proof, proofFlags, root} -> {valid}.
const OpRegistrar merkle_multiproof_op{"merkle_multiproof", [](const Json& r) -> Result<Json> {
  auto encoding = encoding_field(r);
  if (!encoding) return pass_error(encoding);
  auto values = get_field(r, "leaves");
  if (!values) return pass_error(values);
  std::vector<Hash32> leaves;
  for (const auto& v : (*values)->as_array()) {
    auto value = merkle_value_from_json(*encoding, v);
    if (!value) return pass_error(value);
    auto leaf = standard_leaf_hash(*encoding, *value);
    if (!leaf) return pass_error(leaf);
    leaves.push_back(*leaf);
  }
  auto proof = hash_list(r, "proof");
  if (!proof) return pass_error(proof);
  auto flags_json = get_field(r, "proofFlags");
  if (!flags_json) return pass_error(flags_json);
  std::vector<bool> flags;
  for (const auto& f : (*flags_json)->as_array()) flags.push_back(f.is_bool() && f.as_bool());
  auto root = get_string(r, "root");
  if (!root) return pass_error(root);
  auto root_hash = Hash32::from_hex(*root);
  if (!root_hash) return pass_error(root_hash);
  Json out = Json::object();
  out.set("valid", verify_merkle_multiproof(*root_hash, leaves, *proof, flags).has_value());
  return out;
}};

}  // namespace
}  // namespace verinfer::testkit
