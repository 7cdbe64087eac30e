// A TEE gateway response as it arrives: strict JSON parsing (dump/parse
// round trip) and the whole verification path (canonical request, output
// text, hashes, RSA-PSS) against the request of one of the vector cases.
// Input: mode byte (bit 0: SSE transcript instead of a JSON body), case
// byte, then the response.
#include "fuzz_support.hpp"

#include <verinfer/crypto/keccak.hpp>
#include <verinfer/crypto/rsa_pss.hpp>
#include <verinfer/json.hpp>
#include <verinfer/verify/tee_response.hpp>

#include <vector>

using namespace verinfer;

namespace {

struct Fixture {
  RsaPublicKey key;
  std::vector<Json> requests;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    static const char* const kCases[] = {
        "01_chat_plain_defaults", "03_chat_tools_tool_call_answer",
        "05_chat_unicode_emoji_escapes", "10_chat_multimodal_attachments",
        "11_completion", "14_chat_streaming_sse"};
    Fixture out{fuzz::must(RsaPublicKey::from_pem(fuzz::read_vector("tee_response/keys/tee_public_key.pem")),
                           "tee key"),
                {}};
    for (const char* c : kCases) {
      out.requests.push_back(fuzz::must(
          parse_json(fuzz::read_vector(std::string("tee_response/cases/") + c + "/request.json")), c));
    }
    return out;
  }();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  fuzz::Input in(data, size);
  const bool stream = in.byte() & 1;
  const Json& request = f.requests[in.byte() % f.requests.size()];
  const std::string_view body = in.rest_text();

  TeeResponsePolicy policy;
  policy.now = 1770919200;
  policy.max_age_seconds = std::nullopt;

  if (stream) {
    auto report = check_tee_stream(request, body, f.key, policy);
    auto verified = verify_tee_stream(request, body, f.key, policy);
    FUZZ_CHECK(report.has_value());  // the request is a valid vector request
    FUZZ_CHECK(!report->checks().empty());
    FUZZ_CHECK(report->ok() == verified.has_value());
    if (verified) {
      auto parsed = parse_tee_stream(body);
      FUZZ_CHECK(parsed && parsed->output_text == verified->value().output_text);
    }
    return 0;
  }

  auto json = parse_json(body);
  if (!json) {
    FUZZ_CHECK(!json.error().message.empty());
    return 0;
  }
  // dump() is a fixed point of parse: parse(dump(x)) == x.
  const std::string dumped = json->dump();
  auto again = parse_json(dumped);
  FUZZ_CHECK(again && *again == *json && again->dump() == dumped);

  auto report = check_tee_response(request, *json, f.key, policy);
  auto verified = verify_tee_response(request, *json, f.key, policy);
  FUZZ_CHECK(report.has_value());
  FUZZ_CHECK(report->ok() == verified.has_value());
  if (verified) {
    // Accepted: the signed output is the response's output text, and its hash.
    auto text = tee_output_text(*json);
    FUZZ_CHECK(text && *text == verified->value().output_text);
    FUZZ_CHECK(keccak256(as_bytes(*text)) == verified->value().output_hash);
  } else {
    const Check* bad = report->first_failure();
    FUZZ_CHECK(bad != nullptr);
  }
  return 0;
}
