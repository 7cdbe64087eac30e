// Hex and base64 decoders: strict, so whatever decodes must re-encode to the
// same text (modulo hex case and prefix, and optional url padding), and
// encoding any bytes must decode back to them.
#include "fuzz_support.hpp"

#include <algorithm>
#include <cctype>

using namespace verinfer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte() % 3;
  const ByteView raw = in.rest();
  const std::string_view text{reinterpret_cast<const char*>(raw.data()), raw.size()};

  if (mode == 0) {
    auto decoded = from_hex(text);
    if (decoded) {
      std::string digits(text);
      if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        digits.erase(0, 2);
      }
      std::ranges::transform(digits, digits.begin(),
                             [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      FUZZ_CHECK(to_hex(*decoded, false) == digits);
      FUZZ_CHECK(to_hex(*decoded, true) == "0x" + digits);
    } else {
      FUZZ_CHECK(!decoded.error().message.empty());
    }
    auto back = from_hex(to_hex(raw));
    FUZZ_CHECK(back && std::ranges::equal(*back, raw));
    return 0;
  }

  const auto alphabet = mode == 1 ? Base64Alphabet::standard : Base64Alphabet::url;
  auto decoded = from_base64(text, alphabet);
  if (decoded) {
    std::string again = to_base64(*decoded, alphabet);
    if (alphabet == Base64Alphabet::url && again != text) {
      // Padding is optional in the url alphabet: the text is the encoding without it.
      while (!again.empty() && again.back() == '=') again.pop_back();
    }
    FUZZ_CHECK(again == text);
  } else {
    FUZZ_CHECK(!decoded.error().message.empty());
  }
  auto back = from_base64(to_base64(raw, alphabet), alphabet);
  FUZZ_CHECK(back && std::ranges::equal(*back, raw));
  return 0;
}
