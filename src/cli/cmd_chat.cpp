// verinfer chat / verinfer completion: one paid, verified call from the shell.
// Both verbs share everything but how the request is built: the answer goes
// to stdout only once every check passed; a rejected answer is never printed.
#include <cstdio>
#include <string>

#include "cli/cli.hpp"
#include "cli/keys.hpp"
#include "cli/progress.hpp"
#include "cli/serve_openai.hpp"
#include "verinfer/client.hpp"

namespace verinfer::cli {
namespace {

// A number option read as JSON (as verify-response reads --at).
Result<std::optional<double>> number_option(const Args& args, std::string_view name) {
  auto text = args.option(name);
  if (!text) return std::nullopt;
  auto parsed = parse_json(*text);
  auto value = parsed ? parsed->get_number() : std::nullopt;
  if (!value) return fail(ErrorCode::invalid_argument, std::string(name) + " takes a number", "got " + *text);
  return value;
}

// The sampling options both builders share.
struct Sampling {
  std::optional<std::uint32_t> max_tokens;
  std::optional<double> temperature;
  std::vector<std::string> stop;
  SettlementMode settlement = SettlementMode::individual;
};

Result<Sampling> read_sampling(const Args& args) {
  Sampling s;
  if (auto text = args.option("--max-tokens")) {
    auto parsed = parse_json(*text);
    auto n = parsed ? parsed->get_uint64() : std::nullopt;
    if (!n || *n == 0 || *n > UINT32_MAX) {
      return fail(ErrorCode::invalid_argument, "--max-tokens takes a positive integer", "got " + *text);
    }
    s.max_tokens = static_cast<std::uint32_t>(*n);
  }
  auto temperature = number_option(args, "--temperature");
  if (!temperature) return std::unexpected(temperature.error());
  s.temperature = *temperature;
  s.stop = args.options("--stop");
  if (auto mode = args.option("--settlement")) {
    auto parsed = parse_settlement_mode(*mode);
    if (!parsed) return std::unexpected(parsed.error());
    s.settlement = *parsed;
  }
  return s;
}

template <class Builder>
void apply(Builder& builder, const Sampling& s) {
  if (s.max_tokens) builder.max_tokens(*s.max_tokens);
  if (s.temperature) builder.temperature(*s.temperature);
  if (!s.stop.empty()) builder.stop(s.stop);
  builder.settlement(s.settlement);
}

// Text from an option, else all of stdin (trailing newline dropped).
Result<std::string> text_or_stdin(const Args& args, std::string_view option) {
  if (auto text = args.option(option)) return *text;
  auto input = read_input("-");
  if (!input) return std::unexpected(input.error());
  while (!input->empty() && (input->back() == '\n' || input->back() == '\r')) input->pop_back();
  if (input->empty()) {
    return fail(ErrorCode::invalid_argument, "nothing to send",
                "give " + std::string(option) + " or pipe the text on stdin");
  }
  return input;
}

Result<BuiltRequest> build_chat(const Args& args, const std::string& model, const Sampling& s) {
  ChatRequest request(model);
  if (auto system = args.option("--system")) request.system(*system);
  if (auto path = args.option("--messages-file")) {
    if (args.option("--message")) {
      return fail(ErrorCode::invalid_argument, "give --message or --messages-file, not both");
    }
    auto text = read_input(*path);
    if (!text) return std::unexpected(text.error());
    auto json = parse_json(*text);
    if (!json) return fail(ErrorCode::invalid_argument, "--messages-file: " + json.error().message, *path);
    // An OpenAI messages array, or a request body holding one.
    const Json* messages = json->is_object() ? json->find("messages") : &*json;
    if (messages == nullptr || !messages->is_array()) {
      return fail(ErrorCode::invalid_argument, "--messages-file holds no messages array",
                  "expected [{\"role\": ..., \"content\": ...}, ...] or {\"messages\": [...]}");
    }
    for (const Json& m : messages->as_array()) request.message(m);
  } else {
    auto text = text_or_stdin(args, "--message");
    if (!text) return std::unexpected(text.error());
    request.user(std::move(*text));
  }
  apply(request, s);
  request.stream(args.flag("--stream"));
  return request.build();
}

Result<BuiltRequest> build_completion(const Args& args, const std::string& model, const Sampling& s) {
  auto prompt = text_or_stdin(args, "--prompt");
  if (!prompt) return std::unexpected(prompt.error());
  CompletionRequest request(model, std::move(*prompt));
  apply(request, s);
  request.stream(args.flag("--stream"));
  return request.build();
}

// Network, trust and payer; every problem here is unusable input.
Result<ClientOptions> read_client_options(const Args& args) {
  ClientOptions options;
  auto profile = load_profile(args.option("--profile").value_or("devnet"));
  if (!profile) return std::unexpected(profile.error());
  options.profile = std::move(*profile);
  if (args.flag("--no-attestation")) {
    // The registry check compares attested values, so it goes too.
    options.trust.attestation = false;
    options.trust.registry = false;
  }
  if (auto route = args.option("--route")) {
    auto parsed = parse_route(*route);
    if (!parsed) return std::unexpected(parsed.error());
    options.route = *parsed;
  }
  auto timeout = number_option(args, "--timeout");
  if (!timeout) return std::unexpected(timeout.error());
  if (*timeout) {
    if (**timeout <= 0 || **timeout > 86400) {
      return fail(ErrorCode::invalid_argument, "--timeout takes seconds in (0, 86400]",
                  "got " + *args.option("--timeout"));
    }
    options.http.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(**timeout * 1000));
  }
  auto payer = key_from_args(args);
  if (!payer) return std::unexpected(payer.error());
  if (*payer) options.payer = std::move(**payer);
  return options;
}

// A call that was answered but failed a check is rejected; one that could not
// be made or answered (network, payment refused, bad input) is neither
// verified nor rejected: unusable, as `receipt` and `settlement check` treat
// an RPC failure.
int exit_code_of(const Error& error) {
  if (error.report) return kExitRejected;
  switch (error.code) {
    case ErrorCode::verification_failed:
    case ErrorCode::untrusted:
    case ErrorCode::expired:
      return kExitRejected;
    default:
      return kExitUnusable;
  }
}

// The one-line-per-check summary on stderr: ✓ passed, ✗ failed with why.
void print_summary(const VerificationReport& report) {
  for (const Check& c : report.checks()) {
    std::fprintf(stderr, "%s %s%s%s\n", c.passed ? "✓" : "✗", c.name.c_str(), c.passed ? "" : ": ",
                 c.reason.c_str());
  }
}

void print_verified(const Args& args, const VerifiedResult& verified, bool streamed) {
  const CallResult& r = verified.value();
  if (args.json()) {
    Json out = Json::object();
    out.set("answer", r.content);
    out.set("finish_reason", r.finish_reason);
    if (const Json* usage = r.response.find("usage"); usage && usage->is_object()) out.set("usage", *usage);
    // What serve returns as verinfer_verification (TEE, hashes, payment,
    // settlement), with the report's full checks (expected, actual).
    const Json verification = verification_json(verified);
    for (const auto& [key, value] : verification.as_object()) out.set(key, value);
    out.set("checks", *verified.report().to_json().find("checks"));
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  if (!streamed) std::printf("%s\n", r.content.c_str());
  std::fflush(stdout);
  if (args.flag("--report")) {
    std::fprintf(stderr, "%s", verified.report().to_string().c_str());
  } else {
    print_summary(verified.report());
  }
  std::string paid = r.authorized_amount ? "payment authorized " + r.authorized_amount->to_decimal() : "no payment";
  std::fprintf(stderr, "verified: tee %s, %s%s, settlement %s\n", r.tee_id.hex().c_str(), paid.c_str(),
               r.payment && !r.payment->transaction.empty() ? (" (tx " + r.payment->transaction + ")").c_str() : "",
               r.settlement.type.empty() ? "none stated" : r.settlement.type.c_str());
}

int print_failure(const Args& args, const Error& error, bool streamed, bool has_payer) {
  if (streamed) {
    std::fprintf(stderr, "\nverinfer: THE STREAMED TEXT ABOVE WAS NOT VERIFIED: do not trust it\n");
  }
  int code = exit_code_of(error);
  if (code == kExitUnusable) {
    std::string hint = error.code == ErrorCode::payment_required && !has_payer
                           ? " (the gateway asks for payment: give --key-file)" : "";
    return unusable(error.to_string() + hint);
  }
  if (error.report) {
    if (args.json()) std::printf("%s\n", error.report->to_json().dump().c_str());
    std::fprintf(stderr, "%s", error.report->to_string().c_str());
  }
  std::fprintf(stderr, "verinfer: rejected: %s\n", error.to_string().c_str());
  return kExitRejected;
}

int run(const Args& args, RequestKind kind) {
  if (args.problem()) return unusable(*args.problem());
  const char* verb = kind == RequestKind::chat ? "chat" : "completion";
  if (!args.positional().empty()) {
    return unusable(std::string(verb) + " takes no positional arguments (unexpected " + args.positional()[0] + ")");
  }
  auto model = args.option("--model");
  if (!model || model->empty()) return unusable(std::string(verb) + " needs --model");
  auto sampling = read_sampling(args);
  if (!sampling) return unusable(sampling.error());
  auto options = read_client_options(args);
  if (!options) return unusable(options.error());
  const bool has_payer = options->payer.has_value();
  auto built = kind == RequestKind::chat ? build_chat(args, *model, *sampling)
                                         : build_completion(args, *model, *sampling);
  if (!built) return unusable(built.error());
  auto client = Client::create(std::move(*options));
  if (!client) return unusable(client.error());

  const bool stream = built->stream;
  bool streamed_any = false;
  // Attestation, registry, payment and the answer happen inside the call;
  // a stream's spinner gives way to its first words.
  Progress waiting(stream ? "checking the TEE, waiting for the first words" : "checking the TEE, waiting for the answer",
                   !args.json());
  auto result = stream ? client->call_stream(*built, [&](std::string_view delta) {
                           if (args.json()) return;  // one JSON object at the end instead
                           waiting.stop();
                           streamed_any = true;
                           std::fwrite(delta.data(), 1, delta.size(), stdout);
                           std::fflush(stdout);
                         })
                       : client->call(*built);
  waiting.stop();
  if (streamed_any) {
    std::printf("\n");
    std::fflush(stdout);
  }
  if (!result) return print_failure(args, result.error(), streamed_any, has_payer);
  print_verified(args, *result, stream && !args.json());
  return kExitOk;
}

// Options both verbs take, after the verb's own.
std::vector<std::string> flags_with(std::vector<std::string> own) {
  for (const char* f : {"--model M", "--max-tokens N", "--temperature X", "--stop S", "--settlement S",
                        "--profile P", "--route R", "--timeout S", "--no-attestation", "--report"}) {
    own.emplace_back(f);
  }
  return with_key_flags(std::move(own));
}

constexpr const char* kSharedHelp =
    "The call is paid from the key (x402; a file, env:NAME or an encrypted V3 keystore, never\n"
    "an argument) and the\n"
    "answer goes to stdout only after every check passed: the TEE's signature over the\n"
    "request and the answer, its Nitro attestation and its registry entry (--no-attestation\n"
    "skips both: then only the signing key the gateway hands out vouches for the answer).\n"
    "stderr gets one line per check (✓/✗), the TEE id, the amount the payment authorised and\n"
    "the settlement mode; --report prints the full report instead of the ✓ lines; --json prints\n"
    "one object (answer, finish_reason, usage, verified, tee_id, payment, settlement, checks).\n"
    "--settlement individual|batch|private (default individual); --route\n"
    "direct|private_relay|private_gateway (default direct); --timeout S per call (default 120);\n"
    "--profile devnet|opengradient|PATH (default devnet).\n"
    "Exit 0 verified; 1 answered but a check failed (the answer is not printed, the report\n"
    "goes to stderr); 2 unusable input or no answer (bad option, unreadable key or file,\n"
    "gateway unreachable, payment refused): neither verified nor rejected.\n\n";

const Registrar chat_registrar{Command{
    "chat", "one verified, paid chat call (answer on stdout, checks on stderr)",
    std::string("usage: verinfer chat --model M [--message TEXT | --messages-file FILE.json]\n"
                "                     [--system TEXT] [--max-tokens N] [--temperature X] [--stop S]...\n"
                "                     [--settlement individual|batch|private] [--stream] [--report]\n"
                "                     [--profile devnet|opengradient|PATH] [--key-file FILE | --key-file env:NAME]\n"
                "                     [--keystore FILE [--passphrase-env NAME]]\n"
                "                     [--route direct|private_relay|private_gateway] [--timeout S]\n"
                "                     [--no-attestation] [--json]\n\n"
                "Sends one chat message (--message, else stdin) or a whole conversation (--messages-file:\n"
                "an OpenAI messages array, or an object holding one under \"messages\").\n"
                "--stream prints the answer as it arrives and verifies it when it ends: if a check then\n"
                "fails, the exit code is 1 and stderr says the printed text was NOT verified.\n") +
        kSharedHelp +
        "examples:\n"
        "  verinfer chat --model openai/gpt-5 --message 'Hello' --key-file ~/.verinfer/devnet.key\n"
        "  echo 'Summarise this' | verinfer chat --model openai/gpt-5 --key-file env:PAYER_KEY --json\n"
        "  verinfer chat --model openai/gpt-5 --messages-file talk.json --stream --key-file payer.key",
    flags_with({"--message TEXT", "--messages-file FILE", "--system TEXT", "--stream"}),
    [](const Args& args) { return run(args, RequestKind::chat); }}};

const Registrar completion_registrar{Command{
    "completion", "one verified, paid text completion (answer on stdout, checks on stderr)",
    std::string("usage: verinfer completion --model M [--prompt TEXT] [--max-tokens N] [--temperature X]\n"
                "                           [--stop S]... [--settlement individual|batch|private] [--stream] [--report]\n"
                "                           [--profile devnet|opengradient|PATH] [--key-file FILE | --key-file env:NAME]\n"
                "                           [--keystore FILE [--passphrase-env NAME]]\n"
                "                           [--route direct|private_relay|private_gateway] [--timeout S]\n"
                "                           [--no-attestation] [--json]\n\n"
                "Completes --prompt (else stdin) with POST /v1/completions.\n"
                "--stream prints the text as it arrives and verifies it when it ends: if a check then\n"
                "fails, or the stream is cut before its signed last event, the exit code is 1 or 2 and\n"
                "stderr says the printed text was NOT verified.\n") +
        kSharedHelp +
        "examples:\n"
        "  verinfer completion --model openai/gpt-5 --prompt 'Once upon a time' --key-file payer.key\n"
        "  verinfer completion --model openai/gpt-5 --prompt 'Once' --max-tokens 8 --key-file payer.key --json\n"
        "  verinfer completion --model openai/gpt-5 --prompt 'Once upon a time' --stream --key-file payer.key",
    flags_with({"--prompt TEXT", "--stream"}),
    [](const Args& args) { return run(args, RequestKind::completion); }}};

}  // namespace
}  // namespace verinfer::cli
