// verinfer verify-response --request REQ.json --response RESP --public-key KEY [--at UNIX]
#include <cstdio>
#include <string>

#include "cli/cli.hpp"
#include "verinfer/verify/tee_response.hpp"

namespace verinfer::cli {
namespace {


// An SSE transcript starts with a field line; a buffered response with '{'.
bool looks_like_sse(std::string_view text) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  text.remove_prefix(first);
  return text.starts_with("data:") || text.starts_with("event:") || text.starts_with(":");
}

Result<std::int64_t> parse_seconds(const std::string& text, std::string_view option) {
  auto parsed = parse_json(text);
  auto value = parsed ? parsed->get_int64() : std::nullopt;
  if (!value) {
    return fail(ErrorCode::invalid_argument, std::string(option) + " needs whole seconds", "got " + text);
  }
  return *value;
}

int run(const Args& args) {
  auto request_path = args.option("--request");
  auto response_path = args.option("--response");
  auto key_path = args.option("--public-key");
  if (!request_path || !response_path || !key_path || !args.positional().empty()) {
    return unusable("verify-response needs --request, --response and --public-key");
  }
  auto request_text = read_input(*request_path);
  if (!request_text) return unusable(request_text.error());
  auto request = parse_json(*request_text);
  if (!request) return unusable("--request: " + request.error().to_string());
  auto key_text = read_input(*key_path);
  if (!key_text) return unusable(key_text.error());
  auto key = RsaPublicKey::parse(*key_text);
  if (!key) return unusable("--public-key: " + key.error().to_string());
  auto response_text = read_input(*response_path);
  if (!response_text) return unusable(response_text.error());

  TeeResponsePolicy policy;
  // The CLI is the one place that may read the clock; --at replaces it.
  policy.now = unix_now();
  if (auto at = args.option("--at")) {
    auto seconds = parse_seconds(*at, "--at");
    if (!seconds) return unusable(seconds.error());
    policy.now = *seconds;
  }
  if (args.flag("--any-age")) {
    policy.max_age_seconds.reset();
  } else if (auto max_age = args.option("--max-age")) {
    auto seconds = parse_seconds(*max_age, "--max-age");
    if (!seconds) return unusable(seconds.error());
    policy.max_age_seconds = *seconds;
  }
  if (auto pinned = args.option("--tee-id")) {
    auto id = Hash32::from_hex(*pinned);
    if (!id) return unusable("--tee-id: " + id.error().to_string());
    policy.expected_tee_id = *id;
  }
  policy.canonical.hash_web_search = !args.flag("--no-web-search-hash");

  Result<VerificationReport> report = [&]() -> Result<VerificationReport> {
    if (looks_like_sse(*response_text)) return check_tee_stream(*request, *response_text, *key, policy);
    auto response = parse_json(*response_text);
    if (!response) return fail(response.error().code, "--response: " + response.error().message,
                               response.error().detail);
    return check_tee_response(*request, *response, *key, policy);
  }();
  if (!report) return unusable(report.error());

  if (args.json()) {
    std::printf("%s\n", report->to_json().dump().c_str());
  } else if (report->ok()) {
    std::printf("verified\n%s", report->to_string().c_str());
  }
  if (!report->ok()) {
    std::fprintf(stderr, "verinfer: rejected: %s\n", report->to_error().to_string().c_str());
    return kExitRejected;
  }
  return kExitOk;
}

const Registrar registrar{Command{
    "verify-response", "verify a TEE-signed LLM response (RSA-PSS, OpenGradient gateway)",
    "usage: verinfer verify-response --request REQ.json --response RESP.json|RESP.sse\n"
    "                                --public-key KEY.pem|KEY.der [--at UNIX] [--max-age S | --any-age]\n"
    "                                [--tee-id 0xHEX] [--no-web-search-hash] [--json]\n\n"
    "Recomputes the canonical request hash and the output hash, checks the tee_id\n"
    "against the key and the RSA-PSS signature over keccak256(request_hash ||\n"
    "output_hash || timestamp), and the timestamp: at most --max-age (default 300)\n"
    "seconds old and 60 s ahead of --at (default: now). A response starting with\n"
    "\"data:\" is read as an SSE transcript.\n"
    "Exit 0 verified, 1 rejected (reason on stderr, report with --json), 2 unusable input.\n\n"
    "examples:\n"
    "  verinfer verify-response --request req.json --response resp.json --public-key tee.pem\n"
    "  verinfer verify-response --request req.json --response stream.sse --public-key tee.pem \\\n"
    "      --at 1770919980 --json",
    {"--request REQ.json", "--response RESP", "--public-key KEY", "--at UNIX", "--max-age S", "--any-age",
     "--tee-id 0xHEX", "--no-web-search-hash"},
    run}};

}  // namespace
}  // namespace verinfer::cli
