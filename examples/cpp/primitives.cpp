// The primitives every verinfer check stands on: Keccak-256, SHA-256,
// hex and base64, and JSON that keeps what hashing needs.
#include <verinfer/verinfer.hpp>

#include <cstdio>

int main() {
  using namespace verinfer;
  std::printf("keccak256(\"abc\")  = %s\n", keccak256(std::string_view("abc")).hex().c_str());
  std::printf("sha256(\"abc\")     = %s\n", sha256(std::string_view("abc")).hex().c_str());

  auto decoded = from_base64("dmVyaWZpZWQ=");
  if (!decoded) {
    std::fprintf(stderr, "%s\n", decoded.error().to_string().c_str());
    return 1;
  }
  std::printf("base64 decode     = %.*s\n", static_cast<int>(decoded->size()),
              reinterpret_cast<const char*>(decoded->data()));

  auto bad = from_hex("0xabc");
  std::printf("bad hex rejected  = %s\n", bad ? "NO (bug)" : bad.error().to_string().c_str());

  auto request = parse_json(R"({"model":"gpt","temperature":0.0,"max_tokens":16})");
  if (!request) return 1;
  std::printf("json round trip   = %s\n", request->dump().c_str());
  return bad ? 1 : 0;
}
