// A user's first program: hash "abc" with the installed verinfer.
#include <verinfer/verinfer.hpp>

#include <cstdio>

int main() {
  auto digest = verinfer::keccak256(std::string_view("abc"));
  std::printf("%s\n", digest.hex().c_str());
  return 0;
}
