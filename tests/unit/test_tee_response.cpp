// TEE response verification against tests/vectors/tee_response: every case
// accepts, every negative rejects with the check its README names, the legacy
// example behaves as documented, and a tamper matrix flips every byte of the
// signature and of each signed value in a few cases.
#include "test_support.hpp"

#include <filesystem>
#include <functional>
#include <map>

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/rsa_pss.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/verify/tee_response.hpp"

using namespace verinfer;

namespace {

const std::filesystem::path& dir() {
  static const auto d = test::vectors_dir() / "tee_response";
  return d;
}

RsaPublicKey load_key(const std::string& name) {
  auto key = RsaPublicKey::from_pem(test::read_file(dir() / "keys" / name));
  REQUIRE_MESSAGE(key.has_value(), (key ? "" : key.error().to_string()));
  return *key;
}

const RsaPublicKey& tee_key() {
  static const RsaPublicKey key = load_key("tee_public_key.pem");
  return key;
}

TeeResponsePolicy policy_at(std::int64_t now) {
  TeeResponsePolicy p;
  p.now = now;
  return p;
}

// Verifies a case folder's response (JSON or SSE) against a request.
VerificationReport check_files(const std::filesystem::path& request_file,
                               const std::filesystem::path& response_file, std::int64_t now,
                               const RsaPublicKey& key = tee_key()) {
  Json request = test::load_json(request_file);
  auto report = response_file.extension() == ".sse"
                    ? check_tee_stream(request, test::read_file(response_file), key, policy_at(now))
                    : check_tee_response(request, test::load_json(response_file), key, policy_at(now));
  REQUIRE_MESSAGE(report.has_value(), (report ? "" : report.error().to_string()));
  return *report;
}

const Check* find_check(const VerificationReport& report, std::string_view name) {
  for (const auto& c : report.checks()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool check_failed(const VerificationReport& report, std::string_view name) {
  const Check* c = find_check(report, name);
  return c != nullptr && !c->passed;
}

// Mutable member access for building tampered copies.
Json& member(Json& object, std::string_view key) {
  for (auto& [k, v] : object.as_object()) {
    if (k == key) return v;
  }
  throw std::runtime_error("no member " + std::string(key));
}

std::map<std::string, Json> cases_by_id() {
  std::map<std::string, Json> out;
  const Json doc = test::load_json(dir() / "cases.json");
  for (const auto& c : doc.find("cases")->as_array()) {
    out.emplace(test::str(c, "id"), c);
  }
  return out;
}

}  // namespace

TEST_CASE("rsa public key: PEM and SPKI DER give the same key; tee_id as documented") {
  const RsaPublicKey& key = tee_key();
  CHECK(key.bits() == 2048);
  CHECK(key.signature_size() == 256);
  std::string der_hex = test::read_file(dir() / "keys/tee_public_key_spki_der.hex");
  Bytes der = test::hex_bytes(der_hex.substr(0, der_hex.find_last_not_of(" \n") + 1));
  CHECK(key.spki_der() == der);
  auto from_der = RsaPublicKey::from_spki_der(der);
  REQUIRE(from_der.has_value());
  CHECK(from_der->spki_der() == der);
  auto parsed = RsaPublicKey::parse(std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
  REQUIRE(parsed.has_value());
  CHECK(tee_id_of(*parsed).hex() == "0x0e39f7323c0c78a2edc02dfff38f6933accdeb7980255637b3997cabf9605609");
  CHECK(tee_id_of(load_key("other_public_key.pem")).hex().starts_with("0xaf8b4272"));
}

TEST_CASE("rsa public key: bad input is refused with a reason") {
  const char* small_rsa =
      "-----BEGIN PUBLIC KEY-----\n"
      "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC/LpN34NCBz8GN4jnVVJZju+5U\n"
      "rl9YbcHRboTukPlSPbk9q0+A3YaDRKUf9PuTpAZT+sHSZsnPMkVLSBv7V5Z8YbSk\n"
      "lwgljBwpIZGecF0VEyPQPR6DL/uCXUJpW/j2gqzFmrWUAUxlSERL+NY3PXnKXthr\n"
      "6FCkKUUA3IxWlcOmPwIDAQAB\n"
      "-----END PUBLIC KEY-----\n";
  auto small = RsaPublicKey::from_pem(small_rsa);
  REQUIRE_FALSE(small.has_value());
  CHECK(small.error().code == ErrorCode::invalid_argument);
  CHECK(small.error().detail == "expected at least 2048 bits, got 1024");

  const char* ec_key =
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfZZh6xd6UO5ZJymqG3MlWJWwv78q\n"
      "+RJa8V47DhN0DeAS9FLltoEMgxFuU6zdyIyQx6fYbSFVBx24V+thUcMboA==\n"
      "-----END PUBLIC KEY-----\n";
  for (std::string_view text : {std::string_view(ec_key), std::string_view("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
                                std::string_view("not a key"), std::string_view()}) {
    auto key = RsaPublicKey::parse(text);
    REQUIRE_FALSE(key.has_value());
    CHECK(key.error().code == ErrorCode::parse_error);
  }
  Bytes der = tee_key().spki_der();
  der.resize(der.size() - 1);
  CHECK_FALSE(RsaPublicKey::from_spki_der(der).has_value());
}

TEST_CASE("msg_hash and hashes match cases.json for every case") {
  for (const auto& [id, c] : cases_by_id()) {
    INFO(id);
    auto request_hash = Hash32::from_hex(test::str(c, "request_hash"));
    auto output_hash = Hash32::from_hex(test::str(c, "output_hash"));
    REQUIRE((request_hash && output_hash));
    auto timestamp = *c.find("timestamp")->get_uint64();
    Bytes preimage = test::hex_bytes(test::str(c, "msg_preimage_hex"));
    CHECK(keccak256(preimage) == tee_msg_hash(*request_hash, *output_hash, timestamp));
    CHECK(tee_msg_hash(*request_hash, *output_hash, timestamp).hex(false) == test::str(c, "msg_hash"));
    CHECK(keccak256(std::string_view(test::str(c, "output_text"))) == *output_hash);
    std::string output_file = test::read_file(dir() / test::str(c, "output_file"));
    CHECK(output_file == test::str(c, "output_text"));
  }
}

TEST_CASE("all 14 cases verify, with every check reported") {
  int accepted = 0;
  for (const auto& [id, c] : cases_by_id()) {
    INFO(id);
    auto timestamp = *c.find("timestamp")->get_int64();
    auto report = check_files(dir() / test::str(c, "request_file"), dir() / test::str(c, "response_file"),
                              timestamp);
    INFO(report.to_string());
    CHECK(report.ok());
    CHECK(report.checks().size() >= 6);
    accepted += report.ok() ? 1 : 0;

    // The Verified value carries what was signed.
    Json request = test::load_json(dir() / test::str(c, "request_file"));
    std::string response_path = test::str(c, "response_file");
    auto verified = response_path.ends_with(".sse")
                        ? verify_tee_stream(request, test::read_file(dir() / response_path), tee_key(), policy_at(timestamp))
                        : verify_tee_response(request, test::load_json(dir() / response_path), tee_key(), policy_at(timestamp));
    REQUIRE(verified.has_value());
    CHECK(verified->value().output_text == test::str(c, "output_text"));
    CHECK(verified->value().canonical_request == test::str(c, "canonical_request"));
    CHECK(verified->value().msg_hash.hex(false) == test::str(c, "msg_hash"));
    CHECK(verified->value().tee_id.hex() == test::str(c, "tee_id"));
    CHECK(to_base64(verified->value().signature) == test::str(c, "tee_signature"));
  }
  CHECK(accepted == 14);
}

TEST_CASE("all 10 negative cases reject, naming the check the README names") {
  const std::map<std::string, std::string_view> check_for_reason = {
      {"malformed", tee_checks::kFields},
      {"tee_id_mismatch", tee_checks::kTeeId},
      {"request_hash_mismatch", tee_checks::kRequestHash},
      {"output_hash_mismatch", tee_checks::kOutputHash},
      {"signature_invalid", tee_checks::kSignature},
  };
  int rejected = 0;
  const Json doc = test::load_json(dir() / "cases.json");
  for (const auto& n : doc.find("negative_cases")->as_array()) {
    std::string id = test::str(n, "id");
    INFO(id);
    auto report = check_files(dir() / test::str(n, "request_file"), dir() / test::str(n, "response_file"),
                              1770919260);
    INFO(report.to_string());
    REQUIRE_FALSE(report.ok());
    const Check* first = report.first_failure();
    REQUIRE(first != nullptr);
    std::string reason = test::str(n, "expected_reason");
    CHECK(first->name == check_for_reason.at(reason));
    CHECK(first->reason.starts_with(reason));
    CHECK(first->code == ErrorCode::verification_failed);
    Error e = report.to_error();
    CHECK(e.code == ErrorCode::verification_failed);
    CHECK(e.message.starts_with(first->name));
    ++rejected;
  }
  CHECK(rejected == 10);
}

TEST_CASE("negative cases: the full report says what else holds") {
  auto base = dir() / "cases/02_chat_system_user_temp07_unhashed_fields/request.json";
  // Content changed after signing: the gateway still signed what it reported.
  auto content = check_files(base, dir() / "negative/tampered_content/response.json", 1770919260);
  CHECK(check_failed(content, tee_checks::kOutputHash));
  CHECK_FALSE(check_failed(content, tee_checks::kSignature));
  // Signed for another request: signature fine, request hash not.
  auto other_request = check_files(base, dir() / "negative/request_hash_mismatch/response.json", 1770919260);
  CHECK(check_failed(other_request, tee_checks::kRequestHash));
  CHECK_FALSE(check_failed(other_request, tee_checks::kSignature));
  auto signed_canonical = test::read_file(dir() / "negative/request_hash_mismatch/signed_canonical_request.txt");
  CHECK(find_check(other_request, tee_checks::kRequestHash)->actual ==
        keccak256(std::string_view(signed_canonical)).hex());
  // Missing field: nothing else can be checked.
  auto missing = check_files(base, dir() / "negative/missing_signature/response.json", 1770919260);
  CHECK(missing.checks().size() == 1);
  CHECK(missing.checks()[0].reason == "malformed: tee_signature missing");
  // Verified<T> is refused with the first failure as the error.
  auto verified = verify_tee_response(test::load_json(base), test::load_json(dir() / "negative/wrong_tee_id/response.json"),
                                      tee_key(), policy_at(1770919260));
  REQUIRE_FALSE(verified.has_value());
  CHECK(verified.error().message.starts_with("tee_response.tee_id: tee_id_mismatch"));
  CHECK(verified.error().detail.find("0xaf8b4272") != std::string::npos);
}

TEST_CASE("legacy example: sha256 request hash; salt = max valid, salt 32 invalid") {
  Json legacy = test::load_json(dir() / "legacy/legacy_example.json");
  auto request_json = python_json_dumps(*legacy.find("original_request"));
  REQUIRE(request_json.has_value());
  CHECK(*request_json == test::str(legacy, "request_json_sorted"));
  CHECK(sha256(std::string_view(*request_json)).hex(false) ==
        test::str(*legacy.find("system_fingerprint"), "request_signature"));
  auto signed_message = python_json_dumps(*legacy.find("signed_data"));
  REQUIRE(signed_message.has_value());
  CHECK(*signed_message == test::str(legacy, "signed_message"));

  auto key = RsaPublicKey::from_pem(test::str(legacy, "public_key_pem"));
  REQUIRE(key.has_value());
  auto signature = from_base64(test::str(*legacy.find("system_fingerprint"), "response_signature"));
  REQUIRE(signature.has_value());
  CHECK(verify_rsa_pss_sha256(*key, as_bytes(*signed_message), *signature, PssSaltLength::maximum).has_value());
  auto salt32 = verify_rsa_pss_sha256(*key, as_bytes(*signed_message), *signature, PssSaltLength::digest);
  REQUIRE_FALSE(salt32.has_value());
  CHECK(salt32.error().code == ErrorCode::verification_failed);
  CHECK(salt32.error().message == "RSA-PSS signature invalid");
  // Current-scheme checks refuse it: it carries no tee_* fields.
  auto report = check_tee_response(*legacy.find("original_request"), legacy, *key, policy_at(0));
  REQUIRE(report.has_value());
  CHECK(report->first_failure()->name == tee_checks::kFields);
}

TEST_CASE("timestamp policy: age, future skew and archive mode; tee_id pin") {
  auto request = dir() / "cases/01_chat_plain_defaults/request.json";
  auto response = dir() / "cases/01_chat_plain_defaults/response.json";
  const std::int64_t ts = 1770919200;
  CHECK(check_files(request, response, ts + 300).ok());
  CHECK(check_files(request, response, ts - 60).ok());
  for (std::int64_t now : {ts + 301, ts - 61, std::int64_t{0}, std::int64_t{-5}}) {
    INFO(now);
    auto report = check_files(request, response, now);
    REQUIRE_FALSE(report.ok());
    CHECK(report.first_failure()->name == tee_checks::kTimestamp);
    CHECK(report.to_error().code == ErrorCode::expired);
  }
  TeeResponsePolicy archive = policy_at(ts + 10 * 365 * 86400);
  archive.max_age_seconds.reset();
  Json req = test::load_json(request);
  Json resp = test::load_json(response);
  CHECK(check_tee_response(req, resp, tee_key(), archive)->ok());

  TeeResponsePolicy pinned = policy_at(ts);
  pinned.expected_tee_id = tee_id_of(load_key("other_public_key.pem"));
  auto verified = verify_tee_response(req, resp, tee_key(), pinned);
  REQUIRE_FALSE(verified.has_value());
  CHECK(verified.error().code == ErrorCode::untrusted);
  pinned.expected_tee_id = tee_id_of(tee_key());
  CHECK(verify_tee_response(req, resp, tee_key(), pinned).has_value());
  // The other key cannot verify it (and its tee_id does not match either).
  auto other = check_tee_response(req, resp, load_key("other_public_key.pem"), policy_at(ts));
  CHECK(check_failed(*other, tee_checks::kTeeId));
  CHECK(check_failed(*other, tee_checks::kSignature));
}

TEST_CASE("unusable requests are errors, not reports") {
  Json response = test::load_json(dir() / "cases/01_chat_plain_defaults/response.json");
  auto bad = check_tee_response(*parse_json(R"({"model":"m","messages":[{"role":"robot"}]})"), response,
                                tee_key(), policy_at(1770919200));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message == "unknown message role");
  auto bad_stream = check_tee_stream(*parse_json("{}"), "data: [DONE]\n\n", tee_key(), policy_at(0));
  REQUIRE_FALSE(bad_stream.has_value());
  CHECK(bad_stream.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("malformed responses fail the fields or output check with a reason") {
  Json request = test::load_json(dir() / "cases/02_chat_system_user_temp07_unhashed_fields/request.json");
  Json good = test::load_json(dir() / "cases/02_chat_system_user_temp07_unhashed_fields/response.json");
  auto with = [&](std::string_view field, Json value) {
    Json r = good;
    r.set(std::string(field), std::move(value));
    auto report = check_tee_response(request, r, tee_key(), policy_at(1770919260));
    REQUIRE(report.has_value());
    return *report;
  };
  CHECK(with("tee_signature", "***").checks()[0].reason.find("tee_signature is not base64") != std::string::npos);
  CHECK(with("tee_request_hash", "abc").checks()[0].reason.find("tee_request_hash is not 32 bytes of hex") != std::string::npos);
  CHECK(with("tee_output_hash", 5).checks()[0].reason.find("tee_output_hash is not a string") != std::string::npos);
  CHECK(with("tee_id", "0x1234").first_failure()->name == tee_checks::kFields);
  CHECK(with("tee_timestamp", -1).checks()[0].reason.find("tee_timestamp is not a non-negative integer: -1") != std::string::npos);
  CHECK(with("tee_timestamp", 1770919260.0).first_failure()->name == tee_checks::kFields);
  CHECK(with("tee_signature", "").first_failure()->name == tee_checks::kSignature);
  auto no_choices = with("choices", Json::array());
  CHECK(no_choices.first_failure()->name == tee_checks::kOutputHash);
  CHECK(no_choices.first_failure()->reason.find("no choices[0]") != std::string::npos);
  auto not_object = check_tee_response(request, Json("text"), tee_key(), policy_at(0));
  CHECK(not_object->checks()[0].reason == "malformed: response is not a JSON object");
}

TEST_CASE("output text: list content, tool calls, completions") {
  auto text = [](std::string_view response) {
    auto out = tee_output_text(*parse_json(response));
    REQUIRE_MESSAGE(out.has_value(), (out ? "" : out.error().to_string()));
    return *out;
  };
  CHECK(text(R"({"choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"image"},"b"]}}]})") == "ab");
  CHECK(text(R"({"choices":[{"message":{"content":null}}]})").empty());
  CHECK(text(R"({"choices":[{"message":{"role":"assistant"}}]})").empty());
  // Tool calls are the output only when finish_reason says so.
  const char* calls = R"([{"id":"c","type":"function","function":{"name":"f","arguments":"{\"é\": 1}"}}])";
  CHECK(text(std::string(R"({"choices":[{"finish_reason":"tool_calls","message":{"content":"x","tool_calls":)") + calls + "}}]}") ==
        R"([{"function": {"arguments": "{\"\u00e9\": 1}", "name": "f"}, "id": "c", "type": "function"}])");
  CHECK(text(std::string(R"({"choices":[{"finish_reason":"stop","message":{"content":"x","tool_calls":)") + calls + "}}]}") == "x");
  CHECK(text(R"({"choices":[{"text":" t"}]})") == " t");
  for (const char* bad : {R"({})", R"({"choices":{}})", R"({"choices":[1]})", R"({"choices":[{}]})",
                          R"({"choices":[{"message":{"content":[{"text":5}]}}]})"}) {
    INFO(bad);
    auto out = tee_output_text(*parse_json(bad));
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().code == ErrorCode::parse_error);
  }
}

TEST_CASE("SSE transcripts: events, tool-call assembly and malformed streams") {
  auto stream = parse_tee_stream(
      ": comment\r\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\"},\"index\":0}]}\r\n\r\n"
      "event: x402-settlement\ndata: {\"success\":true}\n\n"
      "data: {\"choices\":[{\"message\":{\"content\":\"b\"},\"index\":0}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":null},\"finish_reason\":\"stop\"}],\n"
      "data: \"tee_id\":\"x\"}\n\n"
      "data: [DONE]\n\n");
  REQUIRE_MESSAGE(stream.has_value(), (stream ? "" : stream.error().to_string()));
  CHECK(stream->output_text == "ab");
  CHECK(test::str(stream->final_event, "tee_id") == "x");

  // Tool calls by index, fragments joined, as the gateway hashes them.
  auto tools = parse_tee_stream(
      "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"c2\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\": 1}\"}}]}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n");
  REQUIRE(tools.has_value());
  CHECK(tools->output_text ==
        R"([{"function": {"arguments": "{\"a\": 1}", "name": "f"}, "id": "c1", "type": "function"}, )"
        R"({"function": {"arguments": "{}", "name": "g"}, "id": "c2", "type": "function"}])");

  struct Bad {
    const char* body;
    ErrorCode code;
    const char* message;
  };
  const Bad bad[] = {
      {"", ErrorCode::parse_error, "SSE transcript has no data events"},
      {"data: [DONE]\n\n", ErrorCode::parse_error, "SSE transcript has no data events"},
      {"data: {\"a\":1}\n\ndata: [DONE]\n\ndata: {\"b\":2}\n\n", ErrorCode::parse_error, "data after [DONE]"},
      {"data: {oops}\n\n", ErrorCode::parse_error, "SSE data is not JSON"},
      {"data: [1]\n\n", ErrorCode::parse_error, "SSE data is not a JSON object"},
      {"data: {\"error\": \"Stream processing failed\"}\n\n", ErrorCode::verification_failed, "the gateway reported an error"},
      {"data: {\"choices\":[{\"delta\":{\"tool_calls\":{}}}]}\n\n", ErrorCode::parse_error, "delta.tool_calls is not a list"},
      {"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":\"0\"}]}}]}\n\n", ErrorCode::parse_error, "tool call index is not an integer"},
  };
  for (const auto& b : bad) {
    INFO(b.body);
    auto out = parse_tee_stream(b.body);
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().code == b.code);
    CHECK(out.error().message == b.message);
  }
  // In a check, a broken stream is a failed check (rejected), not an error.
  Json request = test::load_json(dir() / "cases/14_chat_streaming_sse/request.json");
  auto report = check_tee_stream(request, "data: {\"error\":\"x\"}\n\n", tee_key(), policy_at(0));
  REQUIRE(report.has_value());
  CHECK(report->first_failure()->name == tee_checks::kStream);
  // Content after the signed event is not covered: the final event must carry tee_*.
  std::string sse = test::read_file(dir() / "cases/14_chat_streaming_sse/response.sse");
  std::string extended = sse.substr(0, sse.find("data: [DONE]")) +
                         "data: {\"choices\":[{\"delta\":{\"content\":\"!\"},\"index\":0}]}\n\n";
  auto late = check_tee_stream(request, extended, tee_key(), policy_at(1770919980));
  REQUIRE(late.has_value());
  CHECK(late->first_failure()->name == tee_checks::kFields);
}

// ---- tamper matrix ---------------------------------------------------------

namespace {

struct TamperCounts {
  int tried = 0;
  int rejected = 0;
};

// Applies `mutate(response, i)` for i in [0, n) and requires every result to
// fail `must_fail` (and so be rejected).
void tamper(TamperCounts& counts, const Json& request, const Json& response, std::int64_t now, std::size_t n,
            const std::function<void(Json&, std::size_t)>& mutate, std::string_view must_fail) {
  for (std::size_t i = 0; i < n; ++i) {
    Json copy = response;
    mutate(copy, i);
    auto report = check_tee_response(request, copy, tee_key(), policy_at(now));
    ++counts.tried;
    if (report && !report->ok() && check_failed(*report, must_fail)) {
      ++counts.rejected;
    } else {
      FAIL_CHECK("tamper " << i << " not rejected by " << must_fail << ": "
                           << (report ? report->to_string() : report.error().to_string()));
    }
  }
}

Json& choice_of(Json& response) { return member(response, "choices").as_array()[0]; }
Json& message_of(Json& response) { return member(choice_of(response), "message"); }

std::string flip_char(std::string s, std::size_t i) {
  s[i] = static_cast<char>(s[i] ^ 0x01);
  return s;
}

void flip_hex_field(Json& r, const char* field, std::size_t i) {
  Bytes b = test::hex_bytes(test::str(r, field));
  b[i] ^= 0x01;
  r.set(field, to_hex(b, std::string_view(test::str(r, field)).starts_with("0x")));
}

}  // namespace

TEST_CASE("tamper matrix: every flipped byte of a signed value is rejected") {
  TamperCounts sig, fields, content, request_flips;
  const char* names[] = {"02_chat_system_user_temp07_unhashed_fields", "03_chat_tools_tool_call_answer",
                         "11_completion", "13_chat_empty_output"};
  for (const char* name : names) {
    INFO(name);
    Json request = test::load_json(dir() / "cases" / name / "request.json");
    Json response = test::load_json(dir() / "cases" / name / "response.json");
    const std::int64_t now = *response.find("tee_timestamp")->get_int64();
    REQUIRE(check_tee_response(request, response, tee_key(), policy_at(now))->ok());
    const Bytes signature = *from_base64(test::str(response, "tee_signature"));

    tamper(sig, request, response, now, signature.size(), [&](Json& r, std::size_t i) {
      Bytes s = signature;
      s[i] ^= 0x01;
      r.set("tee_signature", to_base64(s));
    }, tee_checks::kSignature);
    tamper(fields, request, response, now, 32, [](Json& r, std::size_t i) { flip_hex_field(r, "tee_request_hash", i); },
           tee_checks::kRequestHash);
    tamper(fields, request, response, now, 32, [](Json& r, std::size_t i) { flip_hex_field(r, "tee_output_hash", i); },
           tee_checks::kOutputHash);
    tamper(fields, request, response, now, 32, [](Json& r, std::size_t i) { flip_hex_field(r, "tee_id", i); },
           tee_checks::kTeeId);
    tamper(fields, request, response, now, 8, [&](Json& r, std::size_t i) {
      r.set("tee_timestamp", static_cast<std::uint64_t>(now) ^ (std::uint64_t{1} << (8 * i)));
    }, tee_checks::kSignature);

    // The signed output: message content, tool-call arguments or completion text.
    const Json& choice = choice_of(response);
    if (std::string_view(name).starts_with("03")) {
      std::string args = test::str(*message_of(response).find("tool_calls")->as_array()[0].find("function"), "arguments");
      tamper(content, request, response, now, args.size(), [&](Json& r, std::size_t i) {
        Json& call = member(message_of(r), "tool_calls").as_array()[0];
        member(call, "function").set("arguments", flip_char(args, i));
      }, tee_checks::kOutputHash);
      // Swapping the answer kind (tool calls -> text) changes the output too.
      tamper(content, request, response, now, 1, [](Json& r, std::size_t) {
        choice_of(r).set("finish_reason", "stop");
      }, tee_checks::kOutputHash);
    } else if (choice.find("text") != nullptr) {
      std::string text = test::str(choice, "text");
      tamper(content, request, response, now, text.size(), [&](Json& r, std::size_t i) {
        choice_of(r).set("text", flip_char(text, i));
      }, tee_checks::kOutputHash);
    } else {
      std::string text = test::str(message_of(response), "content");
      tamper(content, request, response, now, std::max<std::size_t>(text.size(), 1), [&](Json& r, std::size_t i) {
        message_of(r).set("content", text.empty() ? std::string(" ") : flip_char(text, i));
      }, tee_checks::kOutputHash);
    }

    // The request as the client holds it: every byte of the last message / prompt.
    Json* holder = request.find("messages") != nullptr ? &member(request, "messages").as_array().back() : &request;
    const char* key = request.find("messages") != nullptr ? "content" : "prompt";
    std::string original = test::str(*holder, key);
    for (std::size_t i = 0; i < original.size(); ++i) {
      holder->set(key, flip_char(original, i));
      auto report = check_tee_response(request, response, tee_key(), policy_at(now));
      ++request_flips.tried;
      if (report && check_failed(*report, tee_checks::kRequestHash)) ++request_flips.rejected;
    }
    holder->set(key, original);
  }
  MESSAGE("signature bytes flipped: " << sig.tried << ", rejected: " << sig.rejected);
  MESSAGE("tee_* field bytes flipped: " << fields.tried << ", rejected: " << fields.rejected);
  MESSAGE("output bytes flipped: " << content.tried << ", rejected: " << content.rejected);
  MESSAGE("request bytes flipped: " << request_flips.tried << ", rejected: " << request_flips.rejected);
  CHECK(sig.tried == 4 * 256);
  CHECK(sig.rejected == sig.tried);
  CHECK(fields.rejected == fields.tried);
  CHECK(content.rejected == content.tried);
  CHECK(request_flips.tried == 30 + 28 + 16 + 12);  // the four prompts' lengths
  CHECK(request_flips.rejected == request_flips.tried);
}

TEST_CASE("tamper matrix: streamed case, every byte of signature and deltas") {
  Json request = test::load_json(dir() / "cases/14_chat_streaming_sse/request.json");
  const std::string sse = test::read_file(dir() / "cases/14_chat_streaming_sse/response.sse");
  const std::int64_t now = 1770919980;
  REQUIRE(check_tee_stream(request, sse, tee_key(), policy_at(now))->ok());
  auto stream = parse_tee_stream(sse);
  REQUIRE(stream.has_value());
  const std::string sig_b64 = test::str(stream->final_event, "tee_signature");
  const Bytes signature = *from_base64(sig_b64);
  TamperCounts counts;
  auto expect_reject = [&](const std::string& body, std::string_view must_fail) {
    auto report = check_tee_stream(request, body, tee_key(), policy_at(now));
    ++counts.tried;
    if (report && check_failed(*report, must_fail)) {
      ++counts.rejected;
    } else {
      FAIL_CHECK("stream tamper not rejected by " << must_fail);
    }
  };
  for (std::size_t i = 0; i < signature.size(); ++i) {
    Bytes s = signature;
    s[i] ^= 0x01;
    std::string body = sse;
    body.replace(body.find(sig_b64), sig_b64.size(), to_base64(s));
    expect_reject(body, tee_checks::kSignature);
  }
  // Every byte of the plain-ASCII deltas.
  for (const char* delta : {"\"One\"", "\", two\"", "\", three\""}) {
    std::size_t at = sse.find(delta);
    for (std::size_t i = 1; i + 1 < std::string_view(delta).size(); ++i) {
      std::string body = sse;
      body[at + i] = static_cast<char>(body[at + i] ^ 0x01);
      expect_reject(body, tee_checks::kOutputHash);
    }
  }
  // Dropping any one content event.
  for (const char* delta : {"\"One\"", "\", two\"", "\", three\"", "\" \\u2713\""}) {
    std::size_t start = sse.rfind("data: ", sse.find(delta));
    std::size_t end = sse.find("\n\n", start) + 2;
    expect_reject(sse.substr(0, start) + sse.substr(end), tee_checks::kOutputHash);
  }
  MESSAGE("stream tampers: " << counts.tried << ", rejected: " << counts.rejected);
  CHECK(counts.tried == 256 + (3 + 5 + 7) + 4);
  CHECK(counts.rejected == counts.tried);
}
