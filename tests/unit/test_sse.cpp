// SSE parsing (WHATWG HTML 9.2.6) and the OpenAI chat-stream reader.
#include "test_support.hpp"

#include <cstdlib>
#include <random>
#include <vector>

#include "verinfer/transport/chat_stream.hpp"
#include "verinfer/transport/sse.hpp"

using namespace verinfer;

namespace {

struct Collected {
  std::vector<SseEvent> events;
  Status status;
  Status end;
};

// Feeds `text` cut at `cuts` (sorted offsets) and collects what comes out.
Collected parse_split(std::string_view text, const std::vector<std::size_t>& cuts, SseLimits limits = {}) {
  Collected out;
  SseParser parser([&](const SseEvent& e) -> Status {
    out.events.push_back(e);
    return {};
  }, limits);
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    out.status = parser.feed(text.substr(pos, cut - pos));
    if (!out.status) return out;
    pos = cut;
  }
  out.status = parser.feed(text.substr(pos));
  if (out.status) out.end = parser.finish();
  return out;
}

Collected parse_whole(std::string_view text, SseLimits limits = {}) { return parse_split(text, {}, limits); }

std::vector<std::size_t> random_cuts(std::mt19937& rng, std::size_t size) {
  std::vector<std::size_t> cuts;
  std::size_t count = std::uniform_int_distribution<std::size_t>(0, size / 2)(rng);
  for (std::size_t i = 0; i < count; ++i) cuts.push_back(std::uniform_int_distribution<std::size_t>(0, size)(rng));
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

SseEvent ev(std::string data, std::string type = "message", std::string id = "") {
  return SseEvent{std::move(type), std::move(data), std::move(id)};
}

}  // namespace

TEST_CASE("sse: the WHATWG specification's examples") {
  // Section 9.2.6 examples, verbatim.
  auto a = parse_whole("data: YHOO\ndata: +2\ndata: 10\n\n");
  REQUIRE(a.status);
  CHECK(a.end);
  CHECK(a.events == std::vector{ev("YHOO\n+2\n10")});

  auto b = parse_whole(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n");
  REQUIRE(b.status);
  CHECK(b.events == std::vector{ev("first event", "message", "1"), ev("second event"), ev(" third event")});

  // Empty data lines dispatch; the unterminated last event does not, and
  // finish() reports it.
  auto c = parse_whole("data\n\ndata\ndata\n\ndata:");
  REQUIRE(c.status);
  CHECK(c.events == std::vector{ev(""), ev("\n")});
  REQUIRE_FALSE(c.end);
  CHECK(c.end.error().code == ErrorCode::unavailable);
  CHECK(c.end.error().message.starts_with("stream truncated"));

  auto d = parse_whole("data:test\n\ndata: test\n\n");
  CHECK(d.events == std::vector{ev("test"), ev("test")});
}

TEST_CASE("sse: line endings, fields and their lifetimes") {
  auto r = parse_whole("event: add\r\ndata: 1\r\rdata: 2\r\n\r\nid: 7\nevent: x\nretry: 1500\ndata: 3\n\n"
                       "data:4\nfoo: ignored\nevent\n\nretry: 1x\n: comment\n\n");
  REQUIRE(r.status);
  CHECK(r.end);
  // The type resets after each event; the id persists; "event" with no
  // colon sets an empty type, which means "message".
  CHECK(r.events == std::vector{ev("1", "add"), ev("2"), ev("3", "x", "7"), ev("4", "message", "7")});

  SseParser p([](const SseEvent&) -> Status { return {}; });
  REQUIRE(p.feed("retry: 1500\nretry: 12a\nretry:\n\n"));
  CHECK(p.retry_ms() == 1500u);

  // An id with a NUL is ignored; a type without data dispatches nothing.
  auto n = parse_whole(std::string("id: 1\n\nid: a\0b\nevent: lone\n\ndata: z\n\n", 38));
  CHECK(n.events == std::vector{ev("z", "message", "1")});
}

TEST_CASE("sse: a byte-order mark is skipped only at the very start, also when split") {
  std::string text = "\xEF\xBB\xBF" "data: a\n\ndata: \xEF\xBB\xBF" "b\n\n";
  for (std::size_t cut = 0; cut <= 4; ++cut) {
    auto r = parse_split(text, {cut});
    CHECK(r.events == std::vector{ev("a"), ev("\xEF\xBB\xBF" "b")});
  }
  // A partial BOM followed by something else is content (a field name here).
  auto r = parse_whole("\xEF\xBB" "data: x\n\n");
  CHECK(r.events.empty());
  CHECK(r.end);
}

TEST_CASE("sse: a CR LF pair split across chunks is one line ending") {
  std::string text = "data: a\r\n\r\ndata: b\r\n\r\n";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    auto r = parse_split(text, {cut});
    INFO("cut at " << cut);
    CHECK(r.events == std::vector{ev("a"), ev("b")});
    CHECK(r.end);
  }
  // A lone CR at a chunk end followed by a non-LF byte starts a new line.
  auto r = parse_split("data: a\r\rdata: b\r\r", {8});
  CHECK(r.events == std::vector{ev("a"), ev("b")});
}

TEST_CASE("sse: random splits of one transcript yield identical events (property)") {
  std::mt19937 rng(test::random_seed("sse random splits"));
  // A transcript with every construct: BOM, all line endings, comments,
  // multi-line data, ids, types, retry, ignored fields, empty data.
  std::string transcript =
      "\xEF\xBB\xBF: hello\r\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
      "event: x402-settlement\r\ndata:{\"success\":true}\r\n\r\n"
      "id: 42\rdata: line one\rdata:  line two\r\r"
      "data\n\n: keep-alive\n\nretry: 300\nunknown: field\ndata: \xE2\x82\xAC\n\n"
      "event: a\nevent: b\ndata: last\r\n\r\n";
  auto reference = parse_whole(transcript);
  REQUIRE(reference.status);
  REQUIRE(reference.end);
  REQUIRE(reference.events.size() == 6);
  CHECK(reference.events[2] == ev("line one\n line two", "message", "42"));
  CHECK(reference.events[5] == ev("last", "b", "42"));
  for (int round = 0; round < 1500; ++round) {
    auto cuts = random_cuts(rng, transcript.size());
    auto got = parse_split(transcript, cuts);
    REQUIRE(got.status);
    REQUIRE(got.end);
    REQUIRE(got.events == reference.events);
  }
  // Byte by byte, too.
  std::vector<std::size_t> every(transcript.size());
  for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
  CHECK(parse_split(transcript, every).events == reference.events);
}

TEST_CASE("sse: truncation is reported at finish") {
  for (std::string_view text : {"data: a", "data: a\n", "event: x\n", "data: a\r\ndata: b\r\n"}) {
    auto r = parse_whole(text);
    INFO(text);
    REQUIRE(r.status);
    CHECK(r.events.empty());
    REQUIRE_FALSE(r.end);
    CHECK(r.end.error().message.starts_with("stream truncated"));
  }
  // Comments, ids and complete events leave nothing behind.
  for (std::string_view text : {"", ": ping\n", "id: 3\n", "data: a\n\n", "data: a\r\r", "data: a\n\n\n"}) {
    INFO(text);
    CHECK(parse_whole(text).end);
  }
}

TEST_CASE("sse: limits on line and event size, and a failed parser stays failed") {
  SseLimits limits{.max_line_bytes = 16, .max_event_bytes = 24};
  auto line = parse_whole("data: 0123456789abc\n\n", limits);
  REQUIRE_FALSE(line.status);
  CHECK(line.status.error().code == ErrorCode::resource_exhausted);
  // Also when the long line arrives in small pieces with no terminator.
  auto pieces = parse_split("data: 0123456789abcdefghij", {3, 6, 9, 12, 15, 18}, limits);
  REQUIRE_FALSE(pieces.status);
  CHECK(pieces.status.error().code == ErrorCode::resource_exhausted);

  auto event = parse_whole("data: 0123456789\ndata: 0123456789\ndata: 0123456789\n\n", limits);
  REQUIRE_FALSE(event.status);
  CHECK(event.status.error().code == ErrorCode::resource_exhausted);
  CHECK(event.events.empty());
  // At the limit exactly is fine.
  CHECK(parse_whole("data: 0123456789\ndata: 0123456789\n\n", {16, 22}).events.size() == 1);

  SseParser p([](const SseEvent&) -> Status { return {}; }, limits);
  REQUIRE_FALSE(p.feed("data: this line is far too long\n"));
  auto again = p.feed("data: ok\n\n");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::resource_exhausted);
  CHECK_FALSE(p.finish());
}

TEST_CASE("sse: an error from the sink stops parsing") {
  int calls = 0;
  SseParser p([&](const SseEvent&) -> Status {
    ++calls;
    return fail(ErrorCode::cancelled, "enough");
  });
  auto st = p.feed("data: 1\n\ndata: 2\n\n");
  REQUIRE_FALSE(st);
  CHECK(st.error().code == ErrorCode::cancelled);
  CHECK(calls == 1);
}

// ---- chat stream reader ----

namespace {

const std::string kGatewayStream =
    "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"index\":0,"
    "\"finish_reason\":null}],\"model\":\"gpt-5\"}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"},\"index\":0,\"finish_reason\":null}]}\n\n"
    ": keep-alive\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\", w\\u00f6rld\"},\"index\":0,\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"delta\":{},\"index\":0,\"finish_reason\":\"stop\"}],\"model\":\"gpt-5\","
    "\"usage\":{\"total_tokens\":9},\"tee_signature\":\"c2ln\",\"tee_request_hash\":\"ab\","
    "\"tee_output_hash\":\"cd\",\"tee_timestamp\":1700000000,\"tee_id\":\"0x01\"}\n\n"
    "event: x402-settlement\ndata: {\"success\":true,\"paymentResponse\":\"eyJ9\"}\n\n"
    "data: [DONE]\n\n";

Result<ChatStreamResult> read_chat(std::string_view body, const std::vector<std::size_t>& cuts = {},
                                   ChatStreamLimits limits = {}) {
  ChatStreamReader reader(limits);
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    if (auto st = reader.feed(body.substr(pos, cut - pos)); !st) return std::unexpected(st.error());
    pos = cut;
  }
  if (auto st = reader.feed(body.substr(pos)); !st) return std::unexpected(st.error());
  return reader.finish();
}

}  // namespace

TEST_CASE("chat stream: a gateway stream gives content, final event and settlement") {
  std::string streamed;
  ChatStreamReader reader({}, [&](std::string_view piece) { streamed += piece; });
  REQUIRE(reader.feed(kGatewayStream));
  CHECK(reader.done());
  auto r = reader.finish();
  REQUIRE(r);
  CHECK(r->role == "assistant");
  CHECK(r->content == "Hello, w\xC3\xB6rld");
  CHECK(streamed == r->content);
  CHECK(r->finish_reason == "stop");
  CHECK(r->chunks == 4);
  CHECK(test::str(r->final_event, "tee_signature") == "c2ln");
  CHECK(r->final_event.find("tee_timestamp")->get_uint64() == 1700000000u);
  REQUIRE(r->settlements.size() == 1);
  CHECK(r->settlements[0].success);
  CHECK(r->settlements[0].payment_response == "eyJ9");
  CHECK(r->tool_calls.as_array().empty());

  std::mt19937 rng(test::random_seed("chat stream random splits"));
  for (int round = 0; round < 300; ++round) {
    auto again = read_chat(kGatewayStream, random_cuts(rng, kGatewayStream.size()));
    REQUIRE(again);
    REQUIRE(again->content == r->content);
    REQUIRE(again->final_event == r->final_event);
  }
}

TEST_CASE("chat stream: `message` in place of `delta`, and tool calls merged by index") {
  auto m = read_chat(
      "data: {\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\n"
      "data: [DONE]\n\n");
  REQUIRE(m);
  CHECK(m->content == "ok");

  auto t = read_chat(
      "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
      "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}},"
      "{\"index\":1,\"id\":\"call_2\",\"function\":{\"name\":\"now\",\"arguments\":\"{}\"}}]},\"finish_reason\":null}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]},"
      "\"finish_reason\":\"tool_calls\"}]}\n\n"
      "data: [DONE]\n\n");
  REQUIRE(t);
  CHECK(t->finish_reason == "tool_calls");
  CHECK(t->tool_calls.dump() ==
        R"([{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},)"
        R"({"id":"call_2","type":"function","function":{"name":"now","arguments":"{}"}}])");
}

TEST_CASE("chat stream: truncation is an error") {
  // No [DONE]: cut the transcript before it, at every event boundary and mid-event.
  std::size_t done_at = kGatewayStream.find("data: [DONE]");
  for (std::size_t cut : {std::size_t{0}, std::size_t{40}, kGatewayStream.find("event: x402"), done_at, done_at + 8}) {
    auto r = read_chat(std::string_view(kGatewayStream).substr(0, cut));
    INFO("cut at " << cut);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::unavailable);
    CHECK(r.error().message.starts_with("stream truncated"));
  }
  // [DONE] without a final event.
  auto no_final = read_chat("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\ndata: [DONE]\n\n");
  REQUIRE_FALSE(no_final);
  CHECK(no_final.error().message == "stream truncated: no final event");
}

TEST_CASE("chat stream: error frames, bad chunks and limits") {
  auto e1 = read_chat("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"error\": \"upstream timeout\"}\n\n");
  REQUIRE_FALSE(e1);
  CHECK(e1.error().code == ErrorCode::unavailable);
  CHECK(e1.error().message == "stream error frame from the server");
  CHECK(e1.error().detail == "upstream timeout");
  auto e2 = read_chat("data: {\"error\": {\"message\": \"rate limited\", \"type\": \"x\"}}\n\n");
  REQUIRE_FALSE(e2);
  CHECK(e2.error().detail == "rate limited");

  for (std::string_view bad : {"data: not json\n\n", "data: [1,2]\n\n", "data: {\"a\":1,\"a\":2}\n\n",
                               "event: x402-settlement\ndata: {\"paymentResponse\":\"x\"}\n\n",
                               "event: x402-settlement\ndata: {\"success\":\"yes\"}\n\n",
                               "data: {\"choices\":[{\"delta\":{\"tool_calls\":{}}}]}\n\n",
                               "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-1}]}}]}\n\n",
                               "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"name\":7}}]}}]}\n\n",
                               "data: {\"choices\":[{\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\ndata: {}\n\n",
                               "data: {\"choices\":[{\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\ndata: [DONE]\n\n"}) {
    INFO(bad);
    auto r = read_chat(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
  }

  ChatStreamLimits small;
  small.max_content_bytes = 4;
  auto big = read_chat("data: {\"choices\":[{\"delta\":{\"content\":\"12345\"}}]}\n\n", {}, small);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == ErrorCode::resource_exhausted);
  small.max_tool_calls = 2;
  auto many = read_chat("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":2}]}}]}\n\n", {}, small);
  REQUIRE_FALSE(many);
  CHECK(many.error().code == ErrorCode::resource_exhausted);

  // Events of unknown types are not chat data.
  auto other = read_chat("event: ping\ndata: whatever\n\n"
                         "data: {\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
  REQUIRE(other);
  CHECK(other->content == "x");
}
