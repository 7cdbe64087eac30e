// verinfer merkle verify --dump DUMP.json (--leaf-index N | --leaf JSON) [--root HEX]
#include <iostream>

#include "cli/cli.hpp"
#include "verinfer/settle/merkle.hpp"

namespace verinfer::cli {
namespace {

int run(const Args& args) {
  auto dump_path = args.option("--dump");
  auto index_text = args.option("--leaf-index");
  auto leaf_text = args.option("--leaf");
  if (!dump_path || (index_text.has_value() == leaf_text.has_value()) || !args.positional().empty()) {
    return unusable("merkle verify needs --dump and exactly one of --leaf-index, --leaf");
  }
  auto text = read_input(*dump_path);
  if (!text) return unusable(text.error());
  auto json = parse_json(*text);
  if (!json) return unusable(json.error());
  auto dump = merkle_dump_from_json(*json);
  if (!dump) {
    // A dump that parses but is inconsistent is evidence that fails, not bad input.
    if (dump.error().code == ErrorCode::verification_failed) {
      std::cerr << "rejected: " << dump.error().to_string() << '\n';
      return kExitRejected;
    }
    return unusable(dump.error());
  }
  std::size_t index = 0;
  if (index_text) {
    try {
      std::size_t used = 0;
      index = std::stoul(*index_text, &used);
      if (used != index_text->size()) return unusable("--leaf-index is not a number");
    } catch (const std::exception&) {
      return unusable("--leaf-index is not a number");
    }
    if (index >= dump->values.size()) {
      return unusable("--leaf-index " + *index_text + " is past the " + std::to_string(dump->values.size()) + " leaves");
    }
  } else {
    auto leaf_json = parse_json(*leaf_text);
    if (!leaf_json) return unusable("--leaf: " + leaf_json.error().to_string());
    auto value = merkle_value_from_json(dump->leaf_encoding, *leaf_json);
    if (!value) return unusable("--leaf: " + value.error().to_string());
    auto found = find_merkle_value(*dump, *value);
    if (!found) {
      std::cerr << "rejected: " << found.error().to_string() << '\n';
      return kExitRejected;
    }
    index = *found;
  }
  Hash32 root = dump->root();
  if (auto root_text = args.option("--root")) {
    auto parsed = Hash32::from_hex(*root_text);
    if (!parsed) return unusable("--root: " + parsed.error().to_string());
    root = *parsed;
  }
  auto leaf = standard_leaf_hash(dump->leaf_encoding, dump->values[index].value);
  auto proof = merkle_proof(*dump, index);
  if (!leaf || !proof) return unusable(leaf ? proof.error() : leaf.error());
  auto verified = verify_merkle_proof(root, *leaf, *proof);
  if (args.json()) {
    Json out = Json::object();
    out.set("verified", verified.has_value());
    out.set("root", root.hex());
    out.set("leaf", leaf->hex());
    out.set("leaf_index", static_cast<std::uint64_t>(index));
    Json p = Json::array();
    for (const auto& h : *proof) p.push_back(h.hex());
    out.set("proof", std::move(p));
    if (!verified) out.set("error", verified.error().to_string());
    std::cout << out.dump() << '\n';
  } else if (verified) {
    std::cout << "verified: leaf " << leaf->hex() << " is in root " << root.hex() << " (" << proof->size()
              << "-node proof)\n";
  } else {
    std::cerr << "rejected: " << verified.error().to_string() << '\n';
  }
  return verified ? kExitOk : kExitRejected;
}

const Registrar registrar{Command{
    "merkle verify", "check a leaf of an OpenZeppelin StandardMerkleTree dump against a root",
    "usage: verinfer merkle verify --dump DUMP.json (--leaf-index N | --leaf JSON) [--root HEX] [--json]\n\n"
    "Parses the dump strictly (format standard-v1; every node and leaf re-hashed),\n"
    "builds the leaf's proof and checks it against --root (default: the dump's\n"
    "own root, e.g. when the root was taken from a BatchSettlement event).\n"
    "Exit 0 verified, 1 rejected (inconsistent dump, leaf absent, wrong root), 2 unusable input.\n\n"
    "examples:\n"
    "  verinfer merkle verify --dump tree.json --leaf-index 3 --root 0xb82d...00e1\n"
    "  verinfer merkle verify --dump tree.json --leaf '[\"0x0e39...\",\"0x6439...\",\"0xed2b...\",\"0xb576...\",\"1770919200\"]'",
    {"--dump DUMP.json", "--leaf-index N", "--leaf JSON", "--root HEX"}, run}};

}  // namespace
}  // namespace verinfer::cli
