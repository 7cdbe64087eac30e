// RLP: the decoder accepts only the canonical encoding, so whatever decodes
// re-encodes to exactly the input; signed-transaction decoding rides on it.
#include "fuzz_support.hpp"

#include <verinfer/crypto/keccak.hpp>
#include <verinfer/settle/rlp.hpp>
#include <verinfer/settle/transaction.hpp>

#include <algorithm>

using namespace verinfer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input{data, size};
  auto item = rlp_decode(input, RlpLimits{.max_depth = 64, .max_items = 1u << 14});
  if (item) {
    FUZZ_CHECK(std::ranges::equal(rlp_encode(*item), input));
    if (item->is_bytes()) {
      auto v = rlp_to_uint(*item, "fuzz");
      if (v) FUZZ_CHECK(rlp_encode(RlpItem::uint(*v)) == rlp_encode(*item));
    }
  } else {
    FUZZ_CHECK(!item.error().message.empty());
  }
  auto tx = decode_signed_transaction(input);
  if (tx) {
    FUZZ_CHECK(std::ranges::equal(tx->raw, input));
    FUZZ_CHECK(tx->hash == keccak256(input));
  } else {
    FUZZ_CHECK(!tx.error().message.empty());
  }
  return 0;
}
