// Helpers shared by the unit tests: vector files and small conversions.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "verinfer/bytes.hpp"
#include "verinfer/json.hpp"

namespace verinfer::test {

inline std::filesystem::path vectors_dir() { return VERINFER_VECTORS_DIR; }

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Json load_json(const std::filesystem::path& path) {
  auto parsed = parse_json(read_file(path));
  if (!parsed) throw std::runtime_error(path.string() + ": " + parsed.error().to_string());
  return std::move(*parsed);
}

inline Bytes hex_bytes(std::string_view hex) {
  auto b = from_hex(hex);
  if (!b) throw std::runtime_error("bad hex in test: " + b.error().to_string());
  return *b;
}

inline const std::string& str(const Json& j, std::string_view key) {
  const Json* v = j.find(key);
  if (v == nullptr || !v->is_string()) throw std::runtime_error("missing string " + std::string(key));
  return v->as_string();
}

/// A seed for a randomised test: VERINFER_SEED when set, else a fresh one;
/// printed so that a failure can be replayed.
inline std::uint32_t random_seed(const char* name) {
  std::uint32_t seed = 0;
  if (const char* env = std::getenv("VERINFER_SEED")) {
    seed = static_cast<std::uint32_t>(std::strtoul(env, nullptr, 10));
  } else {
    seed = std::random_device{}();
  }
  MESSAGE(std::string(name) << " seed=" << seed << " (replay with VERINFER_SEED=" << seed << ")");
  return seed;
}

}  // namespace verinfer::test
