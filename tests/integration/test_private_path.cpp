// The private path against the devnet: chats and a completion sealed with
// OHTTP to the attested enclave, through the relay and straight to the
// gateway, opened and verified like direct calls; a tampered or truncated
// sealed answer and a config the attested key never signed are rejected with
// their named checks, the last before any prompt leaves the client.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "verinfer/verinfer.hpp"

using namespace verinfer;

namespace {

Profile devnet() {
  auto profile = load_profile("devnet");
  REQUIRE_MESSAGE(profile, (profile ? "" : profile.error().to_string()));
  return *profile;
}

// The devnet's test payer (standard mnemonic #3), from profile.json.
PrivateKey test_payer() {
  const char* path = std::getenv("VERINFER_DEVNET_PROFILE");
  REQUIRE(path != nullptr);
  std::ifstream in(path);
  auto j = parse_json(std::string(std::istreambuf_iterator<char>(in), {}));
  REQUIRE(j);
  return PrivateKey::from_hex(j->find("testPayer")->find("privateKey")->as_string()).value();
}

Client private_client(Route route, OhttpConfigSource source = OhttpConfigSource::registry) {
  ClientOptions options;
  options.profile = devnet();
  options.route = route;
  options.private_route.config_source = source;
  if (route == Route::private_gateway) options.payer = test_payer();
  auto client = Client::create(std::move(options));
  REQUIRE_MESSAGE(client, (client ? "" : client.error().to_string()));
  return std::move(*client);
}

Json gateway_admin(std::string_view method, std::string_view body = {}) {
  auto http = HttpClient::create().value();
  HttpRequest req;
  req.method = std::string(method);
  req.url = devnet().gateway_url + "/admin/misbehave";
  if (!body.empty()) {
    req.headers.add("Content-Type", "application/json");
    req.body = Bytes(body.begin(), body.end());
  }
  auto answer = http.send(req);
  REQUIRE(answer);
  REQUIRE_MESSAGE(answer->status == 200, std::string(answer->text()));
  return parse_json(answer->text()).value();
}

struct Mode {
  explicit Mode(std::string_view mode) { gateway_admin("POST", R"({"mode":")" + std::string(mode) + R"("})"); }
  ~Mode() { gateway_admin("POST", R"({"mode":"none"})"); }
};

bool has_check(const VerificationReport& report, std::string_view name, bool passed = true) {
  for (const auto& c : report.checks()) {
    if (c.name == name && c.passed == passed) return true;
  }
  return false;
}

ChatRequest secret_chat(std::string_view text) {
  return ChatRequest("openai/gpt-5").user(std::string(text)).settlement(SettlementMode::private_);
}

}  // namespace

TEST_CASE("private path: chat through the relay is sealed, opened and verified") {
  auto client = private_client(Route::private_relay);
  auto result = client.chat(secret_chat("relay secret 4711"));
  REQUIRE_MESSAGE(result, (result ? "" : result.error().to_string()));
  CHECK(result->value().content == "Devnet echo: relay secret 4711");
  const auto& report = result->report();
  CHECK(report.ok());
  // The key is the attested enclave's; the answer opened and was signed by it.
  for (auto name : {"nitro.nonce", "ohttp_config.source", "ohttp_config.tee_id", "ohttp_config.public_key",
                    "ohttp_config.signature", "ohttp.response", "tee_response.signature"}) {
    CHECK_MESSAGE(has_check(report, name), name);
  }
  // The relay paid, not the client.
  CHECK_FALSE(result->value().payment);
}

TEST_CASE("private path: chat straight to the gateway, config from /v1/ohttp/config, paid with x402") {
  auto client = private_client(Route::private_gateway, OhttpConfigSource::gateway);
  auto result = client.chat(secret_chat("gateway secret"));
  REQUIRE_MESSAGE(result, (result ? "" : result.error().to_string()));
  CHECK(result->value().content == "Devnet echo: gateway secret");
  REQUIRE(result->value().payment);
  CHECK(result->value().payment->success);
  CHECK(has_check(result->report(), "payment.settled"));
  CHECK(has_check(result->report(), "ohttp_config.signature"));
}

TEST_CASE("private path: a streamed chat over chunked OHTTP and a completion verify") {
  auto client = private_client(Route::private_relay);
  std::string streamed;
  auto stream = client.chat_stream(secret_chat("stream these words please"),
                                   [&](std::string_view d) { streamed += d; });
  REQUIRE_MESSAGE(stream, (stream ? "" : stream.error().to_string()));
  CHECK(streamed == "Devnet echo: stream these words please");
  CHECK(stream->value().content == streamed);
  CHECK(has_check(stream->report(), "ohttp.stream_complete"));
  CHECK(has_check(stream->report(), "tee_response.signature"));

  auto completion = client.completion(CompletionRequest("openai/gpt-4o", "Once upon").max_tokens(8));
  REQUIRE_MESSAGE(completion, (completion ? "" : completion.error().to_string()));
  CHECK(completion->value().content == " ... and the devnet said: done.");
  CHECK(has_check(completion->report(), "ohttp.response"));
}

TEST_CASE("private path: a flipped byte in the sealed answer fails ohttp.response") {
  Mode mode("ohttp_tampered_response");
  auto client = private_client(Route::private_relay);
  auto single = client.chat(secret_chat("tamper me"));
  REQUIRE_FALSE(single);
  REQUIRE(single.error().report);
  CHECK(has_check(*single.error().report, "ohttp.response", false));
  CHECK(single.error().code == ErrorCode::verification_failed);

  std::string streamed;
  auto stream = client.chat_stream(secret_chat("tamper the stream"), [&](std::string_view d) { streamed += d; });
  REQUIRE_FALSE(stream);
  REQUIRE(stream.error().report);
  CHECK(has_check(*stream.error().report, "ohttp.response", false));
  CHECK(streamed.empty());  // nothing unauthenticated reaches the caller
}

TEST_CASE("private path: a stream without its final chunk fails ohttp.stream_complete") {
  Mode mode("ohttp_dropped_final_chunk");
  auto client = private_client(Route::private_gateway, OhttpConfigSource::gateway);
  auto stream = client.chat_stream(secret_chat("cut me short"), {});
  REQUIRE_FALSE(stream);
  REQUIRE(stream.error().report);
  CHECK(has_check(*stream.error().report, "ohttp.stream_complete", false));
}

TEST_CASE("private path: a config the attested key did not sign is refused before any prompt is sent") {
  for (auto source : {OhttpConfigSource::registry, OhttpConfigSource::gateway}) {
    CAPTURE(static_cast<int>(source));
    Mode mode("ohttp_forged_config");
    const auto before = gateway_admin("GET").find("ohttpRequests")->get_uint64().value();
    auto client = private_client(Route::private_relay, source);
    auto result = client.chat(secret_chat("never leaves"));
    REQUIRE_FALSE(result);
    REQUIRE(result.error().report);
    CHECK(has_check(*result.error().report, "ohttp_config.signature", false));
    CHECK(result.error().code == ErrorCode::verification_failed);
    CHECK(gateway_admin("GET").find("ohttpRequests")->get_uint64().value() == before);
  }
}
