// Streamed text completions: a text_completion SSE stream (OpenAI's shape,
// each chunk a piece of choices[0].text) whose last event carries the tee_*
// fields. Known answer: the signed values of vector case 11_completion, since
// a stream signs the same canonical request (`stream` is not hashed) and the
// joined text. Read by the stream reader and the verifier, then end to end
// through Client::completion_stream against a loopback gateway: verified,
// and rejected with a specific error when signed wrong, altered or cut.
#include "test_support.hpp"

#include <random>

#include "loopback_gateway.hpp"
#include "verinfer/transport/chat_stream.hpp"
#include "verinfer/verify/tee_response.hpp"

using namespace verinfer;
using namespace verinfer::test;
using namespace verinfer::test::loopback;

namespace {

const Json& case11() {
  static const Json c = [] {
    Json all = load_json(vectors_dir() / "tee_response/cases.json");
    for (const Json& one : all.find("cases")->as_array()) {
      if (str(one, "id") == "11_completion") return one;
    }
    throw std::runtime_error("no case 11_completion");
  }();
  return c;
}

std::int64_t case_time() { return case11().find("timestamp")->get_int64().value(); }

// The case's request as a builder (max_tokens 32, temperature 0.5, stop "\n").
CompletionRequest case_request() {
  return CompletionRequest("openai/gpt-4.1", "Once upon a time").max_tokens(32).temperature(0.5).stop({"\n"});
}

// The pieces the gateway streams: the case's output text a word at a time.
std::vector<std::string> pieces() {
  return {" there", " was", " a", " small", " verifiable", " enclave."};
}

std::string event(const Json& j) { return "data: " + j.dump() + "\n\n"; }

Json completion_chunk(std::string_view text, Json finish_reason) {
  Json choice = Json::object();
  choice.set("index", 0);
  choice.set("text", std::string(text));
  choice.set("logprobs", nullptr);
  choice.set("finish_reason", std::move(finish_reason));
  Json choices = Json::array();
  choices.push_back(std::move(choice));
  Json chunk = Json::object();
  chunk.set("id", "cmpl-stream");
  chunk.set("object", "text_completion");
  chunk.set("created", case_time());
  chunk.set("model", "gpt-4.1");
  chunk.set("choices", std::move(choices));
  return chunk;
}

// The last event: finish_reason, the case's tee_* values, usage.
Json final_event(std::string signature = str(case11(), "tee_signature")) {
  Json last = completion_chunk("", "stop");
  last.set("tee_signature", std::move(signature));
  last.set("tee_request_hash", str(case11(), "request_hash"));
  last.set("tee_output_hash", str(case11(), "output_hash"));
  last.set("tee_timestamp", case_time());
  last.set("tee_id", str(case11(), "tee_id"));
  Json usage = Json::object();
  usage.set("prompt_tokens", 4);
  usage.set("completion_tokens", 6);
  usage.set("total_tokens", 10);
  last.set("usage", std::move(usage));
  return last;
}

struct Transcript {
  std::vector<std::string> pieces = ::pieces();
  std::string signature = str(case11(), "tee_signature");
  bool with_final = true;
  bool with_done = true;

  std::string sse() const {
    std::string out;
    for (const auto& p : pieces) out += event(completion_chunk(p, nullptr));
    if (with_final) out += event(final_event(signature));
    if (with_done) out += "data: [DONE]\n\n";
    return out;
  }
};

std::string flipped_last_byte(const std::string& base64) {
  Bytes sig = from_base64(base64).value();
  sig.back() ^= 0x01;
  return to_base64(sig);
}

Json streamed_request_body() {
  Json body = load_json(vectors_dir() / "tee_response/cases/11_completion/request.json");
  body.set("stream", true);
  return body;
}

const RsaPublicKey& tee_key() {
  static const RsaPublicKey key =
      RsaPublicKey::from_pem(read_file(vectors_dir() / "tee_response/keys/tee_public_key.pem")).value();
  return key;
}

TeeResponsePolicy case_policy() {
  TeeResponsePolicy p;
  p.now = case_time();
  return p;
}

// A loopback gateway answering the paid POST with `transcript` as SSE.
TestHttpServer::Handler streaming_gateway(std::string transcript,
                                          std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "text/event-stream");
  return gateway([transcript, headers](const ReceivedRequest&) { return http_response(200, transcript, headers); });
}

Client case_client(const TestHttpServer& server) {
  ClientOptions o = loopback_options(server);
  o.clock = [] { return case_time(); };
  return create_client(std::move(o));
}

}  // namespace

TEST_CASE("completion stream: the reader joins choices[0].text pieces, whatever the split") {
  const std::string sse = Transcript{}.sse();
  std::mt19937 rng(random_seed("completion stream splits"));
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> seen;
    ChatStreamReader reader({}, [&](std::string_view piece) { seen.emplace_back(piece); });
    std::size_t at = 0;
    while (at < sse.size()) {
      std::size_t n = std::uniform_int_distribution<std::size_t>(1, 64)(rng);
      REQUIRE(reader.feed(std::string_view(sse).substr(at, n)));
      at += n;
    }
    auto result = reader.finish();
    REQUIRE_MESSAGE(result, (result ? "" : result.error().to_string()));
    CHECK(result->content == str(case11(), "output_text"));
    CHECK(result->finish_reason == "stop");
    CHECK(result->chunks == pieces().size() + 1);
    CHECK(result->final_event.find("tee_signature") != nullptr);
    // Each piece is handed on as it arrives (pieces split across feeds arrive whole).
    CHECK(seen == pieces());
  }
}

TEST_CASE("completion stream: the verifier checks the joined text against the signed output hash") {
  auto stream = parse_tee_stream(Transcript{}.sse());
  REQUIRE(stream);
  CHECK(stream->output_text == str(case11(), "output_text"));

  auto report = check_tee_stream(streamed_request_body(), Transcript{}.sse(), tee_key(), case_policy());
  REQUIRE(report);
  CHECK_MESSAGE(report->ok(), report->to_string());
  CHECK(report->checks().size() >= 6);

  Transcript altered;
  altered.pieces[4] = " trustworthy";
  report = check_tee_stream(streamed_request_body(), altered.sse(), tee_key(), case_policy());
  REQUIRE(report);
  REQUIRE(report->first_failure() != nullptr);
  CHECK(report->first_failure()->name == tee_checks::kOutputHash);
}

TEST_CASE("completion stream: Client::completion_stream hands out pieces and verifies the end") {
  TestHttpServer server(streaming_gateway(Transcript{}.sse()));
  std::vector<std::string> seen;
  auto r = case_client(server).completion_stream(case_request(), [&](std::string_view d) { seen.emplace_back(d); });
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  CHECK(seen == pieces());
  const CallResult& v = r->value();
  CHECK(v.content == str(case11(), "output_text"));
  CHECK(v.finish_reason == "stop");
  CHECK(v.output_hash.hex() == "0x" + str(case11(), "output_hash"));
  CHECK(v.request_hash.hex() == "0x" + str(case11(), "request_hash"));
  CHECK(v.tee_timestamp == static_cast<std::uint64_t>(case_time()));
  CHECK(v.authorized_amount == U256(10000));
  CHECK(r->report().ok());
  // The gateway got one paid POST to /v1/completions asking for a stream.
  Seen s = seen_by(server);
  REQUIRE(s.paid.size() == 1);
  CHECK(s.paid[0].target == "/v1/completions");
  auto sent = parse_json(s.paid[0].body).value();
  CHECK(*sent.find("stream") == Json(true));
  CHECK(str(sent, "prompt") == "Once upon a time");
}

TEST_CASE("completion stream: a bad signature or an altered piece is rejected, naming the check") {
  struct Case {
    const char* what;
    Transcript transcript;
    std::string_view check;
  };
  Transcript bad_signature;
  bad_signature.signature = flipped_last_byte(bad_signature.signature);
  Transcript altered;
  altered.pieces[1] = " is";
  for (const Case& c : {Case{"bad signature", bad_signature, tee_checks::kSignature},
                        Case{"altered piece", altered, tee_checks::kOutputHash}}) {
    CAPTURE(c.what);
    TestHttpServer server(streaming_gateway(c.transcript.sse()));
    std::string shown;
    auto r = case_client(server).completion_stream(case_request(), [&](std::string_view d) { shown += d; });
    REQUIRE_FALSE(r);
    INFO(r.error().to_string());
    CHECK(r.error().code == ErrorCode::verification_failed);
    REQUIRE(r.error().report);
    REQUIRE(r.error().report->first_failure() != nullptr);
    CHECK(r.error().report->first_failure()->name == c.check);
    CHECK(r.error().payment == PaymentState::may_have_been_sent);
    CHECK(shown == [&] {  // the pieces were shown as they came, unverified
      std::string all;
      for (const auto& p : c.transcript.pieces) all += p;
      return all;
    }());
  }
}

TEST_CASE("completion stream: a stream cut before its signed event or before [DONE] is truncated") {
  Transcript no_final;
  no_final.with_final = false;
  no_final.with_done = false;
  Transcript no_done;
  no_done.with_done = false;
  Transcript done_without_final;
  done_without_final.with_final = false;
  for (const auto& [transcript, message] :
       {std::pair{no_final, "stream truncated: no `data: [DONE]`"},
        std::pair{no_done, "stream truncated: no `data: [DONE]`"},
        std::pair{done_without_final, "stream truncated: no final event"}}) {
    CAPTURE(message);
    TestHttpServer server(streaming_gateway(transcript.sse()));
    auto r = case_client(server).completion_stream(case_request(), [](std::string_view) {});
    REQUIRE_FALSE(r);
    INFO(r.error().to_string());
    CHECK(r.error().code == ErrorCode::unavailable);
    CHECK(r.error().message == message);
    CHECK(r.error().payment == PaymentState::may_have_been_sent);
    CHECK(seen_by(server).paid.size() == 1);
  }
}

TEST_CASE("completion stream: stream(true) is for completion_stream, a stream request for call_stream") {
  TestHttpServer server(streaming_gateway(Transcript{}.sse()));
  Client client = case_client(server);
  auto buffered = client.completion(CompletionRequest(case_request()).stream(true));
  REQUIRE_FALSE(buffered);
  CHECK(buffered.error().code == ErrorCode::invalid_argument);
  CHECK(buffered.error().message == "stream(true) requests go through completion_stream()");
  auto built = case_request().build().value();
  auto streamed = client.call_stream(built, [](std::string_view) {});
  REQUIRE_FALSE(streamed);
  CHECK(streamed.error().message == "call_stream() takes a request with stream: true");
  CHECK(seen_by(server).posts == 0);
  // Built elsewhere (e.g. by serve from an OpenAI body), a completion stream goes through call_stream.
  auto from_body = request_from_body(RequestKind::completion, streamed_request_body(), SettlementMode::individual);
  REQUIRE(from_body);
  auto r = client.call_stream(*from_body, [](std::string_view) {});
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  CHECK(r->value().content == str(case11(), "output_text"));
}

TEST_CASE("client: a stated cost (X-Inference-Cost-OPG/-USD) is reported when well-formed, never guessed") {
  struct Case {
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<StatedCost> expected;
  };
  const std::vector<Case> cases = {
      {{{"X-Inference-Cost-OPG", "10000"}, {"X-Inference-Cost-USD", "0.01"}}, StatedCost{"10000", "0.01"}},
      {{{"X-Inference-Cost-OPG", "10000"}}, StatedCost{"10000", ""}},
      {{}, std::nullopt},
      {{{"X-Inference-Cost-OPG", "-5"}, {"X-Inference-Cost-USD", "0.01"}}, std::nullopt},
      {{{"X-Inference-Cost-OPG", "1e3"}}, std::nullopt},
      {{{"X-Inference-Cost-OPG", "10000"}, {"X-Inference-Cost-USD", "$0.01"}}, std::nullopt},
      {{{"X-Inference-Cost-OPG", "1."}}, std::nullopt},
      {{{"X-Inference-Cost-USD", "0.01"}}, std::nullopt},
  };
  for (const Case& c : cases) {
    CAPTURE(c.headers.size());
    TestHttpServer server(streaming_gateway(Transcript{}.sse(), c.headers));
    auto r = case_client(server).completion_stream(case_request(), [](std::string_view) {});
    REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    // The cost is informational: well-formed or not, the answer is verified.
    CHECK(r->report().ok());
    const auto& got = r->value().stated_cost;
    REQUIRE(got.has_value() == c.expected.has_value());
    if (got) {
      CHECK(got->opg == c.expected->opg);
      CHECK(got->usd == c.expected->usd);
    }
  }
}
