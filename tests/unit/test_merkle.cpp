// StandardMerkleTree dumps and proofs against vectors/merkle (built with
// @openzeppelin/merkle-tree 1.0.8), tamper cases and malformed dumps.
#include "test_support.hpp"

#include <functional>

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/settle/merkle.hpp"

using namespace verinfer;

namespace {

const std::filesystem::path kMerkle = test::vectors_dir() / "merkle";

Hash32 h32(std::string_view hex) {
  auto h = Hash32::from_hex(hex);
  if (!h) throw std::runtime_error("bad hash in test");
  return *h;
}

std::vector<Hash32> hashes(const Json& array) {
  std::vector<Hash32> out;
  for (const auto& j : array.as_array()) out.push_back(h32(j.as_string()));
  return out;
}

std::vector<AbiValue> leaf_value(const Json& value) {
  auto v = merkle_value_from_json(settlement_leaf_encoding(), value);
  if (!v) throw std::runtime_error(v.error().to_string());
  return *v;
}

MerkleDump load_dump(const std::string& name) {
  auto dump = parse_merkle_dump(test::read_file(kMerkle / (name + ".dump.json")));
  if (!dump) throw std::runtime_error(dump.error().to_string());
  return *dump;
}

// The dump as JSON, edited by `edit`, then parsed: the error it produces.
Error dump_error(const std::function<void(Json&)>& edit) {
  Json json = test::load_json(kMerkle / "tree_3.dump.json");
  edit(json);
  auto parsed = merkle_dump_from_json(json);
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}

Json& member(Json& object, std::string_view key) {
  for (auto& [k, v] : object.as_object()) {
    if (k == key) return v;
  }
  throw std::runtime_error("no member " + std::string(key));
}

}  // namespace

TEST_CASE("merkle: every vector leaf, proof and root of the three trees") {
  for (std::string name : {"tree_1", "tree_3", "tree_20"}) {
    INFO(name);
    MerkleDump dump = load_dump(name);
    Json expected = test::load_json(kMerkle / (name + ".expected.json"));
    Hash32 root = h32(test::str(expected, "root"));
    CHECK(dump.root() == root);
    const auto& leaves = expected.find("leaves")->as_array();
    CHECK(leaves.size() == dump.values.size());
    for (const auto& leaf : leaves) {
      auto value = leaf_value(*leaf.find("value"));
      Hash32 leaf_hash = h32(test::str(leaf, "leaf_hash"));
      auto computed = standard_leaf_hash(settlement_leaf_encoding(), value);
      REQUIRE(computed.has_value());
      CHECK(*computed == leaf_hash);
      auto settlement = SettlementLeaf::from_abi_values(value);
      REQUIRE(settlement.has_value());
      CHECK(settlement->leaf_hash() == leaf_hash);
      CHECK(settlement->abi_values() == value);

      auto index = find_merkle_value(dump, value);
      REQUIRE(index.has_value());
      CHECK(dump.values[*index].tree_index == *leaf.find("tree_index")->get_uint64());
      CHECK(*find_merkle_leaf(dump, leaf_hash) == *index);
      auto proof = merkle_proof(dump, *index);
      REQUIRE(proof.has_value());
      CHECK(*proof == hashes(*leaf.find("proof")));
      CHECK(verify_merkle_proof(root, leaf_hash, *proof).has_value());
    }
    if (const Json* multi = expected.find("multiproof")) {
      std::vector<Hash32> multi_leaves;
      for (const auto& v : multi->find("leaves")->as_array()) {
        multi_leaves.push_back(*standard_leaf_hash(settlement_leaf_encoding(), leaf_value(v)));
      }
      std::vector<bool> flags;
      for (const auto& f : multi->find("proofFlags")->as_array()) flags.push_back(f.as_bool());
      auto proof = hashes(*multi->find("proof"));
      CHECK(verify_merkle_multiproof(root, multi_leaves, proof, flags).has_value());
      // Swapping two leaves or dropping a flag breaks it.
      std::swap(multi_leaves.front(), multi_leaves.back());
      CHECK_FALSE(verify_merkle_multiproof(root, multi_leaves, proof, flags).has_value());
      flags.pop_back();
      auto bad = verify_merkle_multiproof(root, multi_leaves, proof, flags);
      REQUIRE_FALSE(bad.has_value());
      CHECK(bad.error().code == ErrorCode::invalid_argument);
    }
  }
}

TEST_CASE("merkle: a one-leaf tree's root is its leaf and its proof is empty") {
  MerkleDump dump = load_dump("tree_1");
  REQUIRE(dump.tree.size() == 1);
  auto proof = merkle_proof(dump, 0);
  REQUIRE(proof.has_value());
  CHECK(proof->empty());
  CHECK(merkle_process_proof(dump.tree[0], {}) == dump.root());
}

TEST_CASE("merkle: every negative vector is rejected") {
  Json negative = test::load_json(kMerkle / "negative.json");
  const auto& cases = negative.find("cases")->as_array();
  REQUIRE(cases.size() == 5);
  for (const auto& c : cases) {
    INFO(test::str(c, "name"));
    Hash32 leaf = c.find("leaf_hash_override")
                      ? h32(test::str(c, "leaf_hash_override"))
                      : *standard_leaf_hash(settlement_leaf_encoding(), leaf_value(*c.find("value")));
    auto status = verify_merkle_proof(h32(test::str(c, "root")), leaf, hashes(*c.find("proof")));
    REQUIRE_FALSE(status.has_value());
    CHECK(status.error().code == ErrorCode::verification_failed);
    CHECK(status.error().detail.find("expected root") != std::string::npos);
  }
}

TEST_CASE("merkle: the single-keccak leaf of negative.json is the once-hashed encoding") {
  Json negative = test::load_json(kMerkle / "negative.json");
  const Json& c = negative.find("cases")->as_array().back();
  auto encoded = abi_encode(settlement_leaf_encoding(), leaf_value(*c.find("value")));
  REQUIRE(encoded.has_value());
  CHECK(keccak256(*encoded) == h32(test::str(c, "leaf_hash_override")));
}

TEST_CASE("merkle: malformed or inconsistent dumps are rejected with a reason") {
  CHECK(dump_error([](Json& j) { member(j, "format") = Json("standard-v2"); }).message.find("format") !=
        std::string::npos);
  CHECK(dump_error([](Json& j) { j.set("extra", Json(1)); }).message.find("unexpected key") != std::string::npos);
  CHECK(dump_error([](Json& j) { j.as_object().erase(j.as_object().begin() + 3); }).message.find("missing key") !=
        std::string::npos);
  CHECK(dump_error([](Json& j) { member(j, "leafEncoding").as_array()[4] = Json("uint257"); }).message.find(
            "unknown type") != std::string::npos);
  CHECK(dump_error([](Json& j) { member(j, "tree").as_array().pop_back(); }).message.find("odd") != std::string::npos);
  CHECK(dump_error([](Json& j) { member(j, "tree").as_array()[1] = Json("0x1234"); }).message.find("64 hex") !=
        std::string::npos);
  // A flipped inner node, a flipped leaf, a moved value, a duplicated index.
  auto flip = [](Json& node) {
    std::string s = node.as_string();
    s.back() = s.back() == '0' ? '1' : '0';
    node = Json(s);
  };
  Error inner = dump_error([&](Json& j) { flip(member(j, "tree").as_array()[0]); });
  CHECK(inner.code == ErrorCode::verification_failed);
  CHECK(inner.message.find("hash of its children") != std::string::npos);
  CHECK(dump_error([&](Json& j) { flip(member(j, "tree").as_array()[4]); }).code == ErrorCode::verification_failed);
  CHECK(dump_error([](Json& j) {
          auto& values = member(j, "values").as_array();
          member(values[0], "treeIndex") = Json(0);
        }).message.find("not a leaf") != std::string::npos);
  CHECK(dump_error([](Json& j) {
          auto& values = member(j, "values").as_array();
          member(values[1], "treeIndex") = member(values[0], "treeIndex");
        }).message.find("same leaf") != std::string::npos);
  CHECK(dump_error([](Json& j) { member(j, "values").as_array().pop_back(); }).message.find("number of values") !=
        std::string::npos);
  CHECK(dump_error([](Json& j) {
          auto& value = member(member(j, "values").as_array()[0], "value").as_array();
          value[4] = Json("1770919201");
        }).message.find("leaf hash") != std::string::npos);
  CHECK(dump_error([](Json& j) {
          member(member(j, "values").as_array()[0], "value").as_array()[4] = Json("-1");
        }).code == ErrorCode::parse_error);
  CHECK(dump_error([](Json& j) {
          member(member(j, "values").as_array()[0], "value").as_array().pop_back();
        }).message.find("number of fields") != std::string::npos);
  CHECK(dump_error([](Json& j) { member(member(j, "values").as_array()[0], "treeIndex") = Json(99); }).message.find(
            "treeIndex") != std::string::npos);
  CHECK_FALSE(parse_merkle_dump(std::string_view("{\"format\":")).has_value());
  CHECK_FALSE(parse_merkle_dump(std::string_view("[]")).has_value());
}

TEST_CASE("merkle: uint256 given as a JSON number or decimal string hashes the same") {
  Json json = test::load_json(kMerkle / "tree_3.dump.json");
  for (auto& entry : member(json, "values").as_array()) {
    auto& ts = member(entry, "value").as_array()[4];
    ts = *Json::integer(ts.as_string());
  }
  auto dump = merkle_dump_from_json(json);
  REQUIRE(dump.has_value());
  CHECK(dump->root() == load_dump("tree_3").root());
}

TEST_CASE("merkle: out-of-range lookups are errors, not crashes") {
  MerkleDump dump = load_dump("tree_3");
  CHECK_FALSE(merkle_proof(dump, 3).has_value());
  CHECK(find_merkle_leaf(dump, Hash32{}).error().code == ErrorCode::verification_failed);
  CHECK_FALSE(SettlementLeaf::from_abi_values({}).has_value());
  CHECK_FALSE(merkle_process_multiproof({}, {}, {}).has_value());
}

TEST_CASE("merkle: tamper matrix - every single-byte flip of leaf, proof node or root is rejected") {
  MerkleDump dump = load_dump("tree_20");
  const Hash32 root = dump.root();
  std::size_t tried = 0;
  std::size_t accepted = 0;
  auto expect_reject = [&](const Hash32& r, const Hash32& leaf, const std::vector<Hash32>& proof, std::string_view what) {
    ++tried;
    auto status = verify_merkle_proof(r, leaf, proof);
    if (status.has_value()) {
      ++accepted;
      FAIL_CHECK("accepted with a byte of " << what << " flipped");
    } else {
      CHECK(status.error().code == ErrorCode::verification_failed);
    }
  };
  for (std::size_t index = 0; index < dump.values.size(); ++index) {
    INFO("value " << index);
    const Hash32 leaf = dump.tree[dump.values[index].tree_index];
    const std::vector<Hash32> proof = *merkle_proof(dump, index);
    REQUIRE(verify_merkle_proof(root, leaf, proof).has_value());
    for (std::size_t i = 0; i < 32; ++i) {
      Hash32 flipped_leaf = leaf;
      flipped_leaf.bytes[i] ^= 0x01;  // the lowest bit: the smallest possible change
      expect_reject(root, flipped_leaf, proof, "the leaf");
      Hash32 flipped_root = root;
      flipped_root.bytes[i] ^= 0x01;
      expect_reject(flipped_root, leaf, proof, "the root");
      for (std::size_t node = 0; node < proof.size(); ++node) {
        std::vector<Hash32> flipped_proof = proof;
        flipped_proof[node].bytes[i] ^= 0x01;
        expect_reject(root, leaf, flipped_proof, "a proof node");
      }
    }
  }
  MESSAGE("merkle tamper matrix over " << dump.values.size() << " proofs of tree_20, each byte XOR 0x01: " << tried
                                       << " tried, " << accepted << " accepted");
  CHECK(tried > 20 * 64);
  CHECK(accepted == 0);
}
