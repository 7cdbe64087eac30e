// verinfer serve: a local OpenAI-compatible proxy that pays for, verifies
// and only then returns every answer (the server lives in serve_*.cpp).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "cli/cli.hpp"
#include "cli/keys.hpp"
#include "cli/serve_log.hpp"
#include "cli/serve_server.hpp"
#include "verinfer/client.hpp"

namespace verinfer::cli {
namespace {

struct ListenAddress {
  std::string host;
  int port = 0;
};

Result<ListenAddress> parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return fail(ErrorCode::invalid_argument, "--listen takes HOST:PORT", text);
  }
  ListenAddress out{text.substr(0, colon), 0};
  std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return fail(ErrorCode::invalid_argument, "--listen port must be 0..65535", port);
  }
  out.port = std::stoi(port);
  return out;
}

Result<std::size_t> parse_count(const Args& args, std::string_view name, std::size_t fallback) {
  auto text = args.option(name);
  if (!text) return fallback;
  if (text->empty() || text->size() > 9 || text->find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(*text) == 0) {
    return fail(ErrorCode::invalid_argument, std::string(name) + " takes a positive integer", *text);
  }
  return static_cast<std::size_t>(std::stoul(*text));
}

// Everything but the profile's part, so bad options fail before any I/O.
Result<ServeConfig> read_config(const Args& args) {
  ServeConfig c;
  auto listen = parse_listen(args.option("--listen").value_or("127.0.0.1:11434"));
  if (!listen) return std::unexpected(listen.error());
  c.host = listen->host;
  c.port = listen->port;
  if (!is_loopback_host(c.host) && !args.flag("--allow-remote")) {
    return fail(ErrorCode::invalid_argument,
                "refusing to listen on a non-loopback address without --allow-remote",
                "anyone who reaches it spends from your key: " + c.host);
  }
  if (auto p = args.option("--stream-policy")) {
    auto policy = parse_stream_policy(*p);
    if (!policy) return std::unexpected(policy.error());
    c.stream_policy = *policy;
  }
  if (auto s = args.option("--settlement")) {
    auto mode = parse_settlement_mode(*s);
    if (!mode) return std::unexpected(mode.error());
    c.settlement = *mode;
  }
  c.log_prompts = args.flag("--log-prompts");
  auto threads = parse_count(args, "--threads", c.threads);
  auto body = parse_count(args, "--max-body-bytes", c.max_body_bytes);
  if (!threads) return std::unexpected(threads.error());
  if (!body) return std::unexpected(body.error());
  c.threads = *threads;
  c.max_body_bytes = *body;
  if (auto m = args.option("--max-spend")) {
    auto limit = U256::from_decimal(*m);
    if (!limit) return fail(ErrorCode::invalid_argument, "--max-spend takes base units (decimal)", *m);
    c.max_spend = *limit;
  }
  return c;
}

int run(const Args& args) {
  if (args.problem()) return unusable(*args.problem());
  if (!args.positional().empty()) return unusable("serve takes no positional arguments");
  auto config = read_config(args);
  if (!config) return unusable(config.error());
  auto profile = load_profile(args.option("--profile").value_or("devnet"));
  if (!profile) return unusable(profile.error());
  config->profile_name = profile->name;
  config->per_call_cap = profile->max_payment;
  if (config->max_spend && *config->max_spend < config->per_call_cap) {
    config->per_call_cap = *config->max_spend;
  }

  ClientOptions options;
  options.profile = *profile;
  // The on-chain checks are not in this build (Client::create refuses them).
  options.trust.registry = false;
  options.trust.settlement = false;
  if (auto key = args.option("--key-file")) {
    auto payer = load_private_key(*key);
    if (!payer) return unusable(payer.error());
    options.payer = std::move(*payer);
  }
  PaymentPolicy payment;
  payment.allowed_assets = profile->payment_assets;
  payment.max_amount = config->per_call_cap;
  options.payment = payment;
  bool has_payer = options.payer.has_value();
  auto client = Client::create(std::move(options));
  if (!client) return unusable(client.error());

  // Signals are taken by sigwait below, never by a handler on a random thread;
  // the mask is set before any thread starts so they all inherit it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ProxyServer server(std::move(*client), *config);
  auto port = server.bind();
  if (!port) return unusable(port.error());
  LogLine("info", "listening")
      .kv("address", config->host + ":" + std::to_string(*port))
      .kv("profile", config->profile_name)
      .kv("stream_policy", args.option("--stream-policy").value_or("verify-first"))
      .kv("payer", has_payer ? "set" : "none")
      .kv("per_call_cap", config->per_call_cap.to_decimal())
      .kv("max_spend", config->max_spend ? config->max_spend->to_decimal() : "unlimited")
      .emit();

  Status served;
  std::thread runner([&] {
    served = server.run();
    if (!served) kill(getpid(), SIGTERM);  // wakes the sigwait below
  });
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogLine("info", "draining").kv("signal", signal_number).emit();
  server.stop();
  runner.join();
  if (!served) return unusable(served.error());
  LogLine("info", "stopped").emit();
  return kExitOk;
}

const Registrar registrar{Command{
    "serve", "local OpenAI-compatible proxy that verifies every answer",
    "usage: verinfer serve [--profile devnet|opengradient|PATH] [--listen 127.0.0.1:11434]\n"
    "                      [--key-file FILE | --key-file env:NAME] [--max-spend BASE_UNITS]\n"
    "                      [--stream-policy verify-first|low-latency]\n"
    "                      [--settlement private|batch|individual] [--threads N]\n"
    "                      [--max-body-bytes N] [--log-prompts] [--allow-remote]\n\n"
    "Serves POST /v1/chat/completions (buffered or stream: true), POST /v1/completions,\n"
    "GET /v1/models, GET /health and GET /metrics. Every answer is paid from the key (x402),\n"
    "verified (TEE signature, attestation) and only then returned, with the headers\n"
    "X-Verinfer-Verified: true, X-Verinfer-TEE-Id and a body field verinfer_verification.\n"
    "A failed check is HTTP 502 naming it, with no content. --max-spend caps the total paid\n"
    "across calls (each paid call counts at the per-call cap); over it, calls get 402.\n"
    "Listening beyond loopback needs --allow-remote. SIGINT/SIGTERM stop accepting calls and\n"
    "finish the ones in flight. Logs: one logfmt line per request on stderr, prompts only\n"
    "with --log-prompts. See docs/serve.md.\n\n"
    "examples:\n"
    "  verinfer serve --key-file ~/.verinfer/devnet.key\n"
    "  OPENAI_BASE_URL=http://127.0.0.1:11434/v1 OPENAI_API_KEY=unused python my_app.py\n"
    "  verinfer serve --listen 127.0.0.1:0 --stream-policy low-latency --max-spend 1000000",
    {"--profile P", "--listen HOST:PORT", "--key-file FILE", "--max-spend N", "--stream-policy P", "--settlement S", "--threads N", "--max-body-bytes N", "--log-prompts", "--allow-remote"}, run}};

}  // namespace
}  // namespace verinfer::cli
