// x402 headers: PAYMENT-REQUIRED (v2 header, v1 body), PAYMENT-RESPONSE and
// payment payloads (EIP-712 typed data and signature checks). Decoding a
// header is base64 then a JSON object, exactly. Input: selector byte, then the value.
#include "fuzz_support.hpp"

#include <verinfer/json.hpp>
#include <verinfer/transport/x402.hpp>

using namespace verinfer;

namespace {

// Every x402 header is a JSON object; other JSON values are refused.
std::optional<Json> strict_decode(std::string_view header) {
  auto raw = from_base64(header);
  if (!raw) return std::nullopt;
  auto json = parse_json(std::string_view(reinterpret_cast<const char*>(raw->data()), raw->size()));
  if (!json || !json->is_object()) return std::nullopt;
  return *json;
}

void check_required(const Result<PaymentRequired>& required) {
  if (!required) {
    FUZZ_CHECK(!required.error().message.empty());
    return;
  }
  // A network that is not eip155:<id> parses with chain_id 0, which
  // choose_requirement refuses.
  for (const auto& r : required->accepts) {
    auto chain = chain_id_of(r.network);
    FUZZ_CHECK(chain ? *chain == r.chain_id : r.chain_id == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t which = in.byte() % 4;
  const std::string_view value = in.rest_text();

  if (which <= 1) {
    // Header forms: decode_x402_header must agree with base64 + strict JSON.
    auto decoded = decode_x402_header(value);
    auto expected = strict_decode(value);
    FUZZ_CHECK(decoded.has_value() == expected.has_value());
    if (decoded) FUZZ_CHECK(*decoded == *expected);
    if (which == 0) {
      check_required(parse_payment_required(value));
    } else {
      auto response = parse_payment_response(value);
      if (response) FUZZ_CHECK(decoded.has_value());
    }
    return 0;
  }

  auto json = parse_json(value);
  if (!json) return 0;
  if (which == 2) {
    check_required(parse_payment_required_json(*json));
    auto response = parse_payment_response_json(*json);
    if (!response) FUZZ_CHECK(!response.error().message.empty());
  } else {
    auto typed = payment_typed_data(*json);
    if (!typed) FUZZ_CHECK(!typed.error().message.empty());
    auto report = verify_payment(*json, 1770919200);
    FUZZ_CHECK(!report.checks().empty());
  }
  return 0;
}
