// NEAR AI / Phala signed chats: the worked example of docs.near.ai "Chat
// Message Verification" (nearai/docs, docs/cloud/verification/
// chat-verification.md) as a known answer, then self-signed records with
// every kind of tampering.
#include "test_support.hpp"

#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip191.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/verify/near_response.hpp"

using namespace verinfer;

namespace {

// The documented streaming response body, byte for byte (two newlines at the end).
const std::string kDocResponse =
    "data: {\"id\":\"chatcmpl-ba1b4314210adc3b\",\"object\":\"chat.completion.chunk\",\"created\":1764763435,\"model\":\"deepseek-ai/DeepSeek-V3.1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":null}],\"prompt_token_ids\":null}\n\n"
    "data: {\"id\":\"chatcmpl-ba1b4314210adc3b\",\"object\":\"chat.completion.chunk\",\"created\":1764763435,\"model\":\"deepseek-ai/DeepSeek-V3.1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Okay\",\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":null,\"token_ids\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-ba1b4314210adc3b\",\"object\":\"chat.completion.chunk\",\"created\":1764763435,\"model\":\"deepseek-ai/DeepSeek-V3.1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\".\",\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":null,\"token_ids\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-ba1b4314210adc3b\",\"object\":\"chat.completion.chunk\",\"created\":1764763435,\"model\":\"deepseek-ai/DeepSeek-V3.1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\",\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":\"stop\",\"stop_reason\":null,\"token_ids\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-ba1b4314210adc3b\",\"object\":\"chat.completion.chunk\",\"created\":1764763435,\"model\":\"deepseek-ai/DeepSeek-V3.1\",\"choices\":[],\"usage\":{\"prompt_tokens\":13,\"total_tokens\":16,\"completion_tokens\":3}}\n\n"
    "data: [DONE]\n\n";
// The documented request hash (the page's sample request body does not hash to it,
// so the request side is checked at the hash level).
const char* kDocRequestSha256 = "b524f8f4b611b43526aa988c636cf1d7e72aa661876c3d969e2c2acae125a8ba";
const char* kDocRecord = R"({
  "text":"b524f8f4b611b43526aa988c636cf1d7e72aa661876c3d969e2c2acae125a8ba:aae79d9de9c46f0a9c478481ceb84df5742a88067a6ab8bac9e98664d712d58f",
  "signature":"0x649b30be41e53ac33cb3fe414c8f5fd30ad72cacaeac0f41c4977fee4b67506e185300f1978039306c406b398c4eda49c3dad476d5054c63fd811570815012cc1b",
  "signing_address":"0x319f1b8BB3b723A5d098FFB67005Bdf7BB579ACa",
  "signing_algo":"ecdsa"})";
const char* kDocSigner = "0x319f1b8BB3b723A5d098FFB67005Bdf7BB579ACa";

Address address(std::string_view text) {
  auto a = parse_address(text);
  REQUIRE(a.has_value());
  return *a;
}

const Check* failure(const VerificationReport& report) { return report.first_failure(); }

// A record signed here with a throwaway key, as the gateway would sign it.
Json sign_record(const PrivateKey& key, std::string_view request, std::string_view response) {
  std::string text = near_signed_text(sha256(request), sha256(response));
  auto signature = key.sign_digest(eip191_digest(text));
  REQUIRE(signature.has_value());
  Json record = Json::object();
  record.set("text", text);
  record.set("signature", to_hex(signature->to_bytes()));
  record.set("signing_address", to_checksum_address(key.address()));
  record.set("signing_algo", "ecdsa");
  return record;
}

PrivateKey test_key(char fill) {
  auto key = PrivateKey::from_hex(std::string(64, fill));
  REQUIRE(key.has_value());
  return *key;
}

}  // namespace

TEST_CASE("near: the documented chat signature verifies") {
  CHECK(sha256(std::string_view(kDocResponse)).hex(false) ==
        "aae79d9de9c46f0a9c478481ceb84df5742a88067a6ab8bac9e98664d712d58f");
  Json record = *parse_json(kDocRecord);
  auto request_hash = *Hash32::from_hex(kDocRequestSha256);
  auto report = check_near_signature(request_hash, sha256(std::string_view(kDocResponse)), record, address(kDocSigner));
  INFO(report.to_string());
  CHECK(report.ok());
  CHECK(report.checks().size() == 5);

  // Another attested signer: the signature is still valid, but not trusted.
  auto other = check_near_signature(request_hash, sha256(std::string_view(kDocResponse)), record,
                                    address("0x0000000000000000000000000000000000000001"));
  REQUIRE(failure(other) != nullptr);
  CHECK(failure(other)->name == near_checks::kSigner);
  CHECK(failure(other)->code == ErrorCode::untrusted);
  CHECK(other.to_error().code == ErrorCode::untrusted);

  // Any changed byte of the response body breaks the response hash.
  int rejected = 0;
  for (std::size_t i = 0; i < kDocResponse.size(); i += 7) {
    std::string body = kDocResponse;
    body[i] = static_cast<char>(body[i] ^ 0x01);
    auto r = check_near_signature(request_hash, sha256(std::string_view(body)), record, address(kDocSigner));
    rejected += failure(r) != nullptr && failure(r)->name == near_checks::kResponseHash ? 1 : 0;
  }
  CHECK(rejected == static_cast<int>((kDocResponse.size() + 6) / 7));
}

TEST_CASE("near: every signature byte and every text byte flipped is rejected") {
  Json record = *parse_json(kDocRecord);
  auto request_hash = *Hash32::from_hex(kDocRequestSha256);
  auto response_hash = sha256(std::string_view(kDocResponse));
  const std::string sig = test::str(record, "signature");
  int tried = 0, rejected = 0;
  for (std::size_t i = 2; i < sig.size(); ++i) {  // every hex digit of r || s || v
    std::string flipped = sig;
    flipped[i] = flipped[i] == '0' ? '1' : '0';
    Json r = record;
    r.set("signature", flipped);
    auto report = check_near_signature(request_hash, response_hash, r, address(kDocSigner));
    ++tried;
    rejected += report.ok() ? 0 : 1;
  }
  const std::string text = test::str(record, "text");
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ':') continue;
    std::string flipped = text;
    flipped[i] = flipped[i] == 'a' ? 'b' : 'a';
    Json r = record;
    r.set("text", flipped);
    auto report = check_near_signature(request_hash, response_hash, r, address(kDocSigner));
    ++tried;
    // The altered half no longer matches our bytes, and the signature no longer covers it.
    bool hash_failed = false, signature_failed = false;
    for (const auto& c : report.checks()) {
      if (!c.passed && (c.name == near_checks::kRequestHash || c.name == near_checks::kResponseHash)) hash_failed = true;
      if (!c.passed && c.name == near_checks::kSignature) signature_failed = true;
    }
    rejected += hash_failed && signature_failed ? 1 : 0;
  }
  MESSAGE("near record tampers: " << tried << ", rejected: " << rejected);
  CHECK(tried == 130 + 128);
  CHECK(rejected == tried);
}

TEST_CASE("near: self-signed records over request and response bytes") {
  const PrivateKey key = test_key('1');
  const std::string request = R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true})";
  const std::string response = "data: {\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}\n\ndata: [DONE]\n\n";
  Json record = sign_record(key, request, response);
  CHECK(check_near_response(as_bytes(request), as_bytes(response), record, key.address()).ok());
  // Every byte of either body matters.
  int rejected = 0;
  for (std::size_t i = 0; i < request.size(); ++i) {
    std::string r = request;
    r[i] = static_cast<char>(r[i] ^ 0x20);
    auto report = check_near_response(as_bytes(r), as_bytes(response), record, key.address());
    rejected += failure(report) != nullptr && failure(report)->name == near_checks::kRequestHash ? 1 : 0;
  }
  CHECK(rejected == static_cast<int>(request.size()));
  CHECK_FALSE(check_near_response(as_bytes(request), as_bytes(response + "\n"), record, key.address()).ok());
  // Signed by another key but claiming this one's address.
  Json forged = sign_record(test_key('2'), request, response);
  forged.set("signing_address", to_checksum_address(key.address()));
  auto report = check_near_response(as_bytes(request), as_bytes(response), forged, key.address());
  REQUIRE(failure(report) != nullptr);
  CHECK(failure(report)->name == near_checks::kSignature);
  CHECK(failure(report)->actual == to_checksum_address(test_key('2').address()));
  // Honestly signed by another key: valid signature, untrusted signer.
  auto other = check_near_response(as_bytes(request), as_bytes(response), sign_record(test_key('2'), request, response),
                                   key.address());
  CHECK(failure(other)->name == near_checks::kSigner);
}

TEST_CASE("near: malformed signature records fail the fields check with a reason") {
  Json good = *parse_json(kDocRecord);
  auto request_hash = *Hash32::from_hex(kDocRequestSha256);
  auto response_hash = sha256(std::string_view(kDocResponse));
  struct Bad {
    const char* field;
    Json value;
    const char* reason_part;
  };
  const Bad bad[] = {
      {"text", Json("no-colon"), "text is not"},
      {"text", Json(5), "text is not a string"},
      {"signature", Json("0x1234"), "signature is not 65 bytes of hex"},
      {"signature", Json("zz"), "signature is not 65 bytes of hex"},
      {"signing_address", Json("0x1234"), "signing_address"},
      {"signing_algo", Json("ed25519"), "only \"ecdsa\""},
      {"signing_algo", Json(nullptr), "signing_algo is not a string"},
  };
  for (const auto& b : bad) {
    INFO(b.field << " = " << b.value.dump());
    Json r = good;
    r.set(b.field, b.value);
    auto report = check_near_signature(request_hash, response_hash, r, address(kDocSigner));
    REQUIRE(report.checks().size() == 1);
    CHECK(report.checks()[0].name == near_checks::kFields);
    CHECK(report.checks()[0].reason.find(b.reason_part) != std::string::npos);
  }
  auto not_object = check_near_signature(request_hash, response_hash, Json::array(), address(kDocSigner));
  CHECK(not_object.checks()[0].reason == "malformed: signature record is not a JSON object");
  Json missing = Json::object();
  auto empty = check_near_signature(request_hash, response_hash, missing, address(kDocSigner));
  CHECK(empty.checks()[0].reason ==
        "malformed: text missing; signature missing; signing_address missing; signing_algo missing");
}
