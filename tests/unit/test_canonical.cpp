// Python json.dumps reproduction and the gateway's canonical request, against
// tests/vectors/tee_response (every canonical_request.txt byte for byte) and
// Python's documented behaviour.
#include "test_support.hpp"

#include <filesystem>
#include <limits>

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/inference/canonical.hpp"

using namespace verinfer;

namespace {

std::string dumps(const Json& v) {
  auto out = python_json_dumps(v);
  REQUIRE_MESSAGE(out.has_value(), (out ? "" : out.error().to_string()));
  return *out;
}

std::string dumps_text(std::string_view json_text) {
  auto parsed = parse_json(json_text);
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().to_string()));
  return dumps(*parsed);
}

Json parse(std::string_view text) {
  auto parsed = parse_json(text);
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().to_string()));
  return *parsed;
}

std::string canonical_of(std::string_view body_text, CanonicalRequestOptions options = {}) {
  auto out = canonical_request_bytes(parse(body_text), options);
  REQUIRE_MESSAGE(out.has_value(), (out ? "" : out.error().to_string()));
  return *out;
}

Error canonical_error(std::string_view body_text) {
  auto out = canonical_request_bytes(parse(body_text));
  REQUIRE_FALSE(out.has_value());
  return out.error();
}

}  // namespace

TEST_CASE("python float repr: shortest digits, Python's layout") {
  const std::pair<double, const char*> cases[] = {
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {0.7, "0.7"},
      {1.0, "1.0"},
      {100.0, "100.0"},
      {1e-05, "1e-05"},
      {0.0001, "0.0001"},
      {0.00012345, "0.00012345"},
      {1.5e-07, "1.5e-07"},
      {1e16, "1e+16"},
      {1234567890123456.0, "1234567890123456.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {1e22, "1e+22"},
      {1.5e300, "1.5e+300"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {0.1 + 0.2, "0.30000000000000004"},
      {-2.5e-5, "-2.5e-05"},
      {123.456, "123.456"},
      {1e100, "1e+100"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
  };
  for (const auto& [value, expected] : cases) {
    CHECK(python_float_repr(value) == expected);
  }
}

TEST_CASE("python json.dumps: separators, escapes, sort order") {
  CHECK(dumps_text(R"({"b": [1, 2.0, {}], "a": [], "c": null, "d": true})") ==
        R"({"a": [], "b": [1, 2.0, {}], "c": null, "d": true})");
  // Control characters, DEL, '/', quotes and backslashes as Python escapes them.
  CHECK(dumps_text(R"("\u0000\u0001\b\t\n\u000b\f\r\u001f \"\\/\u007f~")") ==
        R"("\u0000\u0001\b\t\n\u000b\f\r\u001f \"\\/\u007f~")");
  // Non-ASCII: lower-case \uXXXX, astral as surrogate pairs, U+2028 escaped.
  CHECK(dumps(Json("caf\xC3\xA9 \xE2\x80\xA8 \xF0\x9F\x98\x80 \xEF\xBF\xBF \xF4\x8F\xBF\xBF")) ==
        R"("caf\u00e9 \u2028 \ud83d\ude00 \uffff \udbff\udfff")");
  // Keys in code-point order (UTF-16 order would put U+1F600 before U+FF5E).
  CHECK(dumps_text("{\"\xF0\x9F\x98\x80\": 1, \"\xEF\xBD\x9E\": 2, \"\xC3\xA9\": 3, \"a\": 4, "
                   "\"_\": 5, \"Z\": 6, \"\": 7}") ==
        R"({"": 7, "Z": 6, "_": 5, "a": 4, "\u00e9": 3, "\uff5e": 2, "\ud83d\ude00": 1})");
  // Integers keep their exact text; floats are re-spelt from their value.
  CHECK(dumps_text("[123456789012345678901234567890, -0, 1E2, 1.50, -0.0, 1e-5, 5e-324]") ==
        "[123456789012345678901234567890, 0, 100.0, 1.5, -0.0, 1e-05, 5e-324]");
  CHECK(dumps_text("[[[]], [{}], {\"x\": [{\"y\": {}}]}]") == R"([[[]], [{}], {"x": [{"y": {}}]}])");
}

TEST_CASE("python json.dumps rejects strings that are not UTF-8") {
  const char* bad[] = {"\xFF", "\xC3", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\x80"};
  for (const char* text : bad) {
    auto out = python_json_dumps(Json(text));
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().code == ErrorCode::invalid_argument);
    CHECK(out.error().message == "string is not valid UTF-8");
    Json keyed = Json::object();
    keyed.set(text, 1);
    CHECK_FALSE(python_json_dumps(keyed).has_value());
  }
}

TEST_CASE("canonical request: every vector's canonical_request.txt byte for byte") {
  auto cases = test::vectors_dir() / "tee_response" / "cases";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(cases)) {
    INFO(entry.path().filename().string());
    std::string request = test::read_file(entry.path() / "request.json");
    std::string expected = test::read_file(entry.path() / "canonical_request.txt");
    CHECK(canonical_of(request) == expected);
    auto hash = tee_request_hash(parse(request));
    REQUIRE(hash.has_value());
    CHECK(*hash == keccak256(std::string_view(expected)));
    ++checked;
  }
  CHECK(checked == 14);
}

TEST_CASE("canonical request: truthiness and presence rules") {
  // max_tokens is hashed unless null (0 included); stop/tools/response_format/web_search when truthy.
  CHECK(canonical_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0,)"
                     R"("stop":"","tools":[],"response_format":{},"web_search":false,"tool_choice":"auto"})") ==
        R"({"max_tokens": 0, "messages": [{"content": "x", "role": "user"}], "model": "m", "temperature": 0.0})");
  CHECK(canonical_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":null,"temperature":null})") ==
        R"({"messages": [{"content": "x", "role": "user"}], "model": "m", "temperature": 0.0})");
  // Temperature is always a float: int, bool and big int become floats.
  CHECK(canonical_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":2})")
            .ends_with(R"("temperature": 2.0})"));
  CHECK(canonical_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":true})")
            .ends_with(R"("temperature": 1.0})"));
  CHECK(canonical_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":100000000000000000000000})")
            .ends_with(R"("temperature": 1e+23})"));
  // web_search is hashed as `true` whatever truthy value was sent, unless switched off.
  const char* web = R"({"model":"m","messages":[{"role":"user","content":"x"}],"web_search":"yes"})";
  CHECK(canonical_of(web).ends_with(R"("web_search": true})"));
  CanonicalRequestOptions old_gateway;
  old_gateway.hash_web_search = false;
  old_gateway.hash_response_format = false;
  CHECK(canonical_of(web, old_gateway).find("web_search") == std::string::npos);
  CHECK(canonical_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}})",
                     old_gateway)
            .find("response_format") == std::string::npos);
}

TEST_CASE("canonical request: per-role message normalisation") {
  CHECK(canonical_of(R"({"model":"m","messages":[
      {"role":"developer","content":"d","name":"ignored"},
      {"role":"system"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"c1","function":{"name":"f"}},{}]},
      {"role":"assistant","content":"","tool_calls":[]},
      {"role":"tool","content":"r"},
      {"role":"function","content":null,"name":"fn","extra":1},
      {"role":"user","content":[{"type":"text"},{"type":"text","text":0},{"type":"text","text":"t"},
                               {"type":"image_url","image_url":{"url":"data:..."}},
                               {"type":"file","file":{"filename":""},"filename":"outer.pdf"},
                               {"type":"file","file":{"filename":"inner.pdf"},"filename":"outer.pdf"},
                               {"file":"not-an-object"},"bare",7,null]},
      {"role":"user","content":null},{"role":"user","content":2.5},{"role":"user","content":false}]})") ==
        R"({"messages": [{"content": "d", "role": "system"}, {"content": null, "role": "system"}, )"
        R"({"content": "", "role": "assistant", "tool_calls": [{"function": {"arguments": "", "name": "f"}, "id": "c1", "type": "function"}, )"
        R"({"function": {"arguments": "", "name": ""}, "id": "", "type": "function"}]}, {"content": "", "role": "assistant"}, )"
        R"({"content": "r", "role": "tool", "tool_call_id": null}, {"content": null, "name": "fn", "role": "function"}, )"
        R"({"content": [{"text": "", "type": "text"}, {"text": "", "type": "text"}, {"text": "t", "type": "text"}, )"
        R"({"type": "image_url"}, {"filename": "outer.pdf", "type": "file"}, {"filename": "inner.pdf", "type": "file"}, )"
        R"({"type": null}, {"text": "bare", "type": "text"}, {"text": "7", "type": "text"}, {"text": "None", "type": "text"}], "role": "user"}, )"
        R"({"content": "None", "role": "user"}, {"content": "2.5", "role": "user"}, {"content": "False", "role": "user"}], )"
        R"("model": "m", "temperature": 0.0})");
}

TEST_CASE("canonical completion request") {
  CHECK(canonical_of(R"({"model":"m","prompt":"p","temperature":1,"max_tokens":5,"stop":["x"],"n":2,"echo":true})") ==
        R"({"max_tokens": 5, "model": "m", "prompt": "p", "stop": ["x"], "temperature": 1.0})");
  CHECK(canonical_of(R"({"model":"m","prompt":["a","b"]})") ==
        R"({"model": "m", "prompt": ["a", "b"], "temperature": 0.0})");
}

TEST_CASE("canonical request: unusable bodies are errors that name the field") {
  struct Bad {
    std::string body;
    const char* message;
    const char* detail_part;
  };
  const Bad bad[] = {
      {R"([1])", "request is neither chat nor completion", "messages"},
      {R"({"model":"m"})", "request is neither chat nor completion", "prompt"},
      {R"({"messages":[{"role":"user","content":"x"}]})", "chat request has no model", "null"},
      {R"({"model":"","messages":[{"role":"user","content":"x"}]})", "chat request has no model", "\"\""},
      {R"({"model":"m","messages":[]})", "chat request has no messages", "[]"},
      {R"({"model":"m","messages":{"role":"user"}})", "chat request has no messages", "role"},
      {R"({"model":"m","messages":["hi"]})", "message is not an object", "messages[0]"},
      {R"({"model":"m","messages":[{"role":"robot","content":"x"}]})", "unknown message role", "\"robot\""},
      {R"({"model":"m","messages":[{"content":"x"}]})", "unknown message role", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user","content":{"a":1}}]})", "value cannot be canonicalised", "messages[0].content"},
      {R"({"model":"m","messages":[{"role":"user","content":[[1]]}]})", "value cannot be canonicalised", "messages[0].content[0]"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":{"a":1}}]})", "tool_calls is not a list", "messages[0].tool_calls"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":["x"]}]})", "malformed tool call", "messages[0].tool_calls[0]"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"function":null}]}]})", "malformed tool call", "function"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":{"type":"function"}})", "tools is not a list", "function"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"0.5"})", "temperature is not a number", "\"0.5\""},
      {R"({"model":"m","prompt":"p","temperature":[]})", "temperature is not a number", "[]"},
      {R"({"model":"m","prompt":"p","temperature":)" + std::string(400, '9') + "}", "temperature out of range", "999"},
  };
  for (const auto& b : bad) {
    INFO(b.body);
    Error e = canonical_error(b.body);
    INFO(e.to_string());
    CHECK(e.code == ErrorCode::invalid_argument);
    CHECK(e.message == b.message);
    CHECK(e.detail.find(b.detail_part) != std::string::npos);
  }
}

TEST_CASE("canonical: one byte to escape at every offset of a long plain run (word-at-a-time scan)") {
  // Each special byte, at each position of a 40-byte run, in both the word
  // scan and the byte-by-byte tail.
  const std::pair<std::string, std::string> specials[] = {
      {"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {std::string(1, '\x1f'), "\\u001f"},
      {std::string(1, '\x7f'), "\\u007f"}, {"\xc3\xa9", "\\u00e9"}, {" ", " "}, {"~", "~"}};
  for (const auto& [raw, escaped] : specials) {
    for (std::size_t k = 0; k <= 40; ++k) {
      CAPTURE(escaped);
      CAPTURE(k);
      std::string text = std::string(k, 'a') + raw + std::string(40 - k, 'b');
      auto out = python_json_dumps(Json(text));
      REQUIRE(out);
      CHECK(*out == "\"" + std::string(k, 'a') + escaped + std::string(40 - k, 'b') + "\"");
    }
  }
}
