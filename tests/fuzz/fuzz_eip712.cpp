// EIP-712 typed data (JSON): hashing from text and from the parsed value
// agree, the type hash is the hash of the encoded type, and the digest is
// keccak256(0x1901 || domain separator || struct hash).
#include "fuzz_support.hpp"

#include <verinfer/crypto/eip712.hpp>
#include <verinfer/crypto/keccak.hpp>
#include <verinfer/json.hpp>

using namespace verinfer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  auto from_text = eip712_hash(text);
  auto json = parse_json(text);
  if (!json) {
    FUZZ_CHECK(!from_text);
    return 0;
  }
  auto from_json = eip712_hash(*json);
  FUZZ_CHECK(from_text.has_value() == from_json.has_value());
  if (!from_json) {
    FUZZ_CHECK(!from_json.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(from_text->digest == from_json->digest);
  FUZZ_CHECK(from_json->type_hash == keccak256(from_json->encode_type));
  Bytes preimage{0x19, 0x01};
  preimage.insert(preimage.end(), from_json->domain_separator.begin(), from_json->domain_separator.end());
  preimage.insert(preimage.end(), from_json->struct_hash.begin(), from_json->struct_hash.end());
  FUZZ_CHECK(keccak256(preimage) == from_json->digest);
  return 0;
}
