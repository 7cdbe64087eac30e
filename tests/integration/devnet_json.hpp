// The running devnet's profile.json (ctest sets VERINFER_DEVNET_PROFILE).
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "verinfer/json.hpp"

namespace verinfer::test {

inline Json devnet_json() {
  const char* path = std::getenv("VERINFER_DEVNET_PROFILE");
  REQUIRE_MESSAGE(path != nullptr, "VERINFER_DEVNET_PROFILE is not set (run through ctest)");
  std::ifstream in(path);
  auto j = parse_json(std::string(std::istreambuf_iterator<char>(in), {}));
  REQUIRE(j);
  return *j;
}

}  // namespace verinfer::test
