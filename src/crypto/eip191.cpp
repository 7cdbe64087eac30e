#include "verinfer/crypto/eip191.hpp"

#include <string>

#include "verinfer/crypto/keccak.hpp"

namespace verinfer {

Hash32 eip191_digest(ByteView message) {
  Keccak256 h;
  h.update(std::string_view("\x19" "Ethereum Signed Message:\n"));
  h.update(std::to_string(message.size()));
  h.update(message);
  return h.finish();
}

}  // namespace verinfer
