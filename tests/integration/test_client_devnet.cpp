// The front door against the real local devnet (anvil + reference gateway +
// facilitator): paid, verified calls, and every gateway misbehaviour rejected
// with its specific check.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "devnet_json.hpp"
#include "verinfer/verinfer.hpp"

using namespace verinfer;

namespace {

using test::devnet_json;

TrustPolicy full_trust() {
  TrustPolicy t;
  t.registry = true;
  t.settlement = true;
  return t;
}

Client make_client(TrustPolicy trust = full_trust()) {
  auto profile = load_profile("devnet");
  REQUIRE_MESSAGE(profile, (profile ? "" : profile.error().to_string()));
  ClientOptions options;
  options.profile = *profile;
  options.payer = PrivateKey::from_hex(devnet_json().find("testPayer")->find("privateKey")->as_string()).value();
  options.trust = trust;
  auto client = Client::create(std::move(options));
  REQUIRE_MESSAGE(client, (client ? "" : client.error().to_string()));
  return std::move(*client);
}

void misbehave(std::string_view mode) {
  auto http = HttpClient::create().value();
  HttpRequest req;
  req.method = "POST";
  auto profile = load_profile("devnet");
  REQUIRE(profile);
  req.url = profile->gateway_url + "/admin/misbehave";
  req.headers.add("Content-Type", "application/json");
  std::string body = R"({"mode":")" + std::string(mode) + R"("})";
  req.body = Bytes(body.begin(), body.end());
  auto answer = http.send(req);
  REQUIRE(answer);
  REQUIRE(answer->status == 200);
}

struct MisbehaviourReset {
  ~MisbehaviourReset() { misbehave("none"); }
};

ChatRequest hello(SettlementMode mode = SettlementMode::individual) {
  return ChatRequest("openai/gpt-5").user("hello devnet").max_tokens(32).settlement(mode);
}

const Check* failed_check(const Error& e) {
  return e.report ? e.report->first_failure() : nullptr;
}

}  // namespace

TEST_CASE("devnet: a paid chat call is verified end to end") {
  auto client = make_client();
  auto result = client.chat(hello());
  REQUIRE_MESSAGE(result, (result ? "" : result.error().to_string()));
  CHECK(result->value().content == "Devnet echo: hello devnet");
  CHECK(result->report().ok());
  REQUIRE(result->value().payment);
  CHECK(result->value().payment->success);
  CHECK(Hash32::from_hex(result->value().payment->transaction));
  // exact: the signed authorisation is the advertised price, no more.
  REQUIRE(result->value().authorized_amount);
  CHECK(result->value().authorized_amount->to_decimal() ==
        devnet_json().find("x402")->find("amount")->as_string());
  CHECK(result->value().settlement.type == "individual");
  // The report names every layer: attestation, registry, signature, payment
  // on chain, settlement event.
  for (auto name : {"nitro.nonce", "registry.registered", "tee_response.signature",
                    "x402.transfer", "settlement.input_hash"}) {
    bool found = false;
    for (const auto& c : result->report().checks()) found = found || c.name == name;
    CHECK_MESSAGE(found, name);
  }
}

TEST_CASE("devnet: streamed chat, completion and a tool call verify") {
  TrustPolicy trust = full_trust();
  trust.settlement = false;  // batch and private calls settle later or not at all
  auto client = make_client(trust);
  std::string streamed;
  auto stream = client.chat_stream(hello(SettlementMode::batch),
                                   [&](std::string_view d) { streamed += d; });
  REQUIRE_MESSAGE(stream, (stream ? "" : stream.error().to_string()));
  CHECK(streamed == stream->value().content);
  CHECK_FALSE(streamed.empty());

  auto completion = client.completion(CompletionRequest("openai/gpt-4o", "Once upon").max_tokens(8));
  REQUIRE_MESSAGE(completion, (completion ? "" : completion.error().to_string()));
  CHECK_FALSE(completion->value().content.empty());

  Json tools = parse_json(R"([{"type":"function","function":{"name":"get_weather",
      "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])").value();
  auto tool = client.chat(ChatRequest("openai/gpt-5")
                              .user("What is the weather in Oslo? use the tool")
                              .tools(tools)
                              .settlement(SettlementMode::private_));
  REQUIRE_MESSAGE(tool, (tool ? "" : tool.error().to_string()));
  CHECK_FALSE(tool->value().tool_calls.empty());
}

TEST_CASE("devnet: a streamed completion is verified, settled, and rejected when signed wrong or cut") {
  // Individual settlement: the settlement event on chain carries the stream's output hash.
  auto client = make_client();
  const CompletionRequest request = CompletionRequest("openai/gpt-4o", "Once upon a time").max_tokens(16);
  std::vector<std::string> pieces;
  auto stream = client.completion_stream(request, [&](std::string_view d) { pieces.emplace_back(d); });
  REQUIRE_MESSAGE(stream, (stream ? "" : stream.error().to_string()));
  CHECK(stream->value().content == " ... and the devnet said: done.");
  CHECK(pieces.size() == 6);  // a word at a time
  std::string joined;
  for (const auto& p : pieces) joined += p;
  CHECK(joined == stream->value().content);
  CHECK(stream->value().output_hash == keccak256(std::string_view(joined)));
  for (auto name : {"tee_response.signature", "nitro.nonce", "registry.registered", "x402.transfer",
                    "settlement.output_hash"}) {
    bool found = false;
    for (const auto& c : stream->report().checks()) found = found || (c.name == name && c.passed);
    CHECK_MESSAGE(found, name);
  }

  MisbehaviourReset reset;
  misbehave("bad_signature");
  auto bad = make_client().completion_stream(request, [](std::string_view) {});
  REQUIRE_FALSE(bad);
  const Check* f = failed_check(bad.error());
  REQUIRE_MESSAGE(f != nullptr, bad.error().to_string());
  CHECK(f->name == "tee_response.signature");
  CHECK(bad.error().payment == PaymentState::may_have_been_sent);

  misbehave("stream_truncated");
  std::string shown;
  auto cut = make_client().completion_stream(request, [&](std::string_view d) { shown += d; });
  REQUIRE_FALSE(cut);
  CHECK(cut.error().code == ErrorCode::unavailable);
  CHECK(cut.error().message == "stream truncated: no `data: [DONE]`");
  CHECK(shown == " ... and the devnet said: done.");  // shown as it came, never verified
}

TEST_CASE("devnet: every gateway misbehaviour is rejected with its specific check") {
  MisbehaviourReset reset;
  struct Case {
    const char* mode;
    const char* check;
    ErrorCode code;
  };
  const Case cases[] = {
      {"bad_signature", "tee_response.signature", ErrorCode::verification_failed},
      {"wrong_tee_id", "tee_response.tee_id", ErrorCode::verification_failed},
      {"stale_attestation", "nitro.freshness", ErrorCode::expired},
      {"wrong_nonce_attestation", "nitro.nonce", ErrorCode::untrusted},
      {"pcr_not_approved", "nitro.pcr_hash", ErrorCode::untrusted},
      {"unregistered_tee", "registry.registered", ErrorCode::untrusted},
      {"settlement_never_posted", "settlement.receipt", ErrorCode::verification_failed},
  };
  for (const auto& c : cases) {
    INFO("mode " << std::string(c.mode));
    misbehave(c.mode);
    auto result = make_client().chat(hello());
    REQUIRE_FALSE(result);
    const Check* f = failed_check(result.error());
    REQUIRE_MESSAGE(f != nullptr, result.error().to_string());
    CHECK(f->name == c.check);
    CHECK(result.error().code == c.code);
  }
  misbehave("payment_overcharge");
  auto over = make_client().chat(hello());
  REQUIRE_FALSE(over);
  CHECK(over.error().code == ErrorCode::payment_required);
  CHECK(over.error().detail.find("above the cap") != std::string::npos);
}

TEST_CASE("devnet: an unverified call is clearly separate and still works") {
  TrustPolicy none;
  none.attestation = false;
  none.registry = false;
  auto result = make_client(none).chat_unverified(hello(SettlementMode::private_));
  REQUIRE(result);
  CHECK(result->content == "Devnet echo: hello devnet");
  CHECK(result->authorized_amount);  // it still paid
}
