#include "test_support.hpp"

#include "verinfer/inference/request.hpp"

using namespace verinfer;

TEST_CASE("chat builder: body in a fixed order, provider stripped, headers") {
  auto req = ChatRequest("openai/gpt-5")
                 .system("be brief")
                 .user("hi")
                 .max_tokens(64)
                 .temperature(0.7)
                 .stop({"\n\n"})
                 .settlement(SettlementMode::batch)
                 .build();
  REQUIRE(req);
  CHECK(req->provider == "openai");
  CHECK(req->path == "/v1/chat/completions");
  CHECK(req->body_text ==
        R"({"model":"gpt-5","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"max_tokens":64,"temperature":0.7,"stop":["\n\n"]})");
  CHECK(req->headers().at(1) == std::pair<std::string, std::string>{"X-SETTLEMENT-TYPE", "batch"});
  CHECK_FALSE(req->stream);
}

TEST_CASE("chat builder keeps unknown provider prefixes as part of the model") {
  auto req = ChatRequest("Qwen/Qwen2.5-7B").user("x").build();
  REQUIRE(req);
  CHECK(req->provider.empty());
  CHECK(req->body.find("model")->as_string() == "Qwen/Qwen2.5-7B");
}

TEST_CASE("chat builder: tools, tool calls, response format, web search, stream") {
  Json tool = parse_json(R"({"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}})").value();
  Json tools = Json::array();
  tools.push_back(tool);
  auto req = ChatRequest("anthropic/claude-haiku-4-5")
                 .user("weather?")
                 .assistant("", {ToolCall{"call_1", "get_weather", R"({"city":"Oslo"})"}})
                 .tool_result("call_1", "sunny")
                 .tools(tools)
                 .tool_choice("auto")
                 .response_format(parse_json(R"({"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"}}})").value())
                 .web_search(true)
                 .stream(true)
                 .build();
  REQUIRE(req);
  CHECK(req->stream);
  CHECK(req->body.find("messages")->as_array().size() == 3);
  CHECK(req->body.find("web_search")->as_bool());
  CHECK(req->body_text.find(R"("tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}])") != std::string::npos);
}

TEST_CASE("chat builder rejects invalid requests with a clear message") {
  auto expect_invalid = [](Result<BuiltRequest> r, std::string_view fragment) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
    INFO(r.error().to_string());
    CHECK(r.error().to_string().find(fragment) != std::string::npos);
  };
  expect_invalid(ChatRequest("m").build(), "messages must be a non-empty array");
  expect_invalid(ChatRequest("").user("x").build(), "model is missing");
  expect_invalid(ChatRequest("m").user("x").temperature(2.5).build(), "temperature out of range");
  expect_invalid(ChatRequest("m").user("x").temperature(-0.1).build(), "temperature out of range");
  expect_invalid(ChatRequest("m").user("x").max_tokens(0).build(), "max_tokens");
  expect_invalid(ChatRequest("m").user("x").assistant("", {ToolCall{"", "f", "{}"}}).build(),
                 "has no id");
  expect_invalid(ChatRequest("m").user("x").assistant("", {ToolCall{"id", "", "{}"}}).build(),
                 "no function name");
  expect_invalid(ChatRequest("m").tool_result("", "r").build(), "needs a tool_call_id");
  expect_invalid(ChatRequest("m").user("x").stop({"a", "b", "c", "d", "e"}).build(),
                 "too many stop sequences");
  expect_invalid(ChatRequest("m").user("x").stop({""}).build(), "non-empty strings");
  expect_invalid(ChatRequest("m").user("x").response_format(parse_json(R"({"type":"xml"})").value()).build(),
                 "response_format type unknown");
  expect_invalid(ChatRequest("m").user("x").response_format(parse_json(R"({"type":"json_schema"})").value()).build(),
                 "json_schema.schema");
  expect_invalid(ChatRequest("m").message(parse_json(R"({"role":"robot","content":"x"})").value()).build(),
                 "unknown role");
  expect_invalid(ChatRequest("m").user("x").tools(parse_json(R"([{"type":"function"}])").value()).build(),
                 "tools[0] has no function name");
}

TEST_CASE("completion builder and request_from_body share validation") {
  auto req = CompletionRequest("openai/gpt-4o", "Once upon").max_tokens(5).temperature(1.0).build();
  REQUIRE(req);
  CHECK(req->path == "/v1/completions");
  CHECK(req->body_text == R"({"model":"gpt-4o","prompt":"Once upon","max_tokens":5,"temperature":1.0})");
  auto bad = request_from_body(RequestKind::completion, parse_json(R"({"model":"m"})").value(),
                               SettlementMode::private_);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "prompt must be a string");
  auto raw = request_from_body(RequestKind::chat,
                               parse_json(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":true})").value(),
                               SettlementMode::private_);
  REQUIRE(raw);
  CHECK(raw->stream);
  CHECK(raw->headers().at(1).second == "private");
}

TEST_CASE("settlement modes parse and print") {
  for (auto m : {SettlementMode::private_, SettlementMode::batch, SettlementMode::individual}) {
    CHECK(parse_settlement_mode(to_string(m)).value() == m);
  }
  auto bad = parse_settlement_mode("later");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().detail.find("later") != std::string::npos);
}
