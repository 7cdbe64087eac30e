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
#include "cli/serve_tees.hpp"
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

Result<std::vector<Hash32>> parse_hashes(const Args& args, std::string_view name) {
  std::vector<Hash32> out;
  for (const std::string& text : args.options(name)) {
    auto h = Hash32::from_hex(text);
    if (!h) return fail(ErrorCode::invalid_argument, std::string(name) + " takes a 32-byte hex hash", text);
    out.push_back(*h);
  }
  return out;
}

Result<U256> parse_base_units(const Args& args, std::string_view name) {
  auto text = args.option(name).value_or("");
  auto v = U256::from_decimal(text);
  if (!v) return fail(ErrorCode::invalid_argument, std::string(name) + " takes base units (decimal)", text);
  return *v;
}

// Which registry TEEs to use and how often to look again.
Result<TeePoolOptions> read_tee_options(const Args& args) {
  TeePoolOptions o;
  auto ids = parse_hashes(args, "--tee-id");
  if (!ids) return std::unexpected(ids.error());
  auto pcrs = parse_hashes(args, "--pcr-hash");
  if (!pcrs) return std::unexpected(pcrs.error());
  o.selection.tee_ids = std::move(*ids);
  o.selection.pcr_hashes = std::move(*pcrs);
  if (auto t = args.option("--tee-type")) {
    if (t->empty() || t->size() > 3 || t->find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(*t) > 255) {
      return fail(ErrorCode::invalid_argument, "--tee-type takes 0..255", *t);
    }
    o.selection.tee_type = static_cast<std::uint8_t>(std::stoul(*t));
  }
  if (auto route = args.option("--route")) {
    auto parsed = parse_route(*route);
    if (!parsed) return std::unexpected(parsed.error());
    o.client.route = *parsed;
  }
  if (args.option("--connect-timeout-ms")) {
    auto ms = parse_count(args, "--connect-timeout-ms", 0);
    if (!ms) return std::unexpected(ms.error());
    o.client.http.connect_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
  }
  if (auto r = args.option("--refresh-seconds")) {
    if (r->empty() || r->size() > 6 || r->find_first_not_of("0123456789") != std::string::npos) {
      return fail(ErrorCode::invalid_argument, "--refresh-seconds takes seconds (0: never)", *r);
    }
    o.refresh_interval = std::chrono::seconds(std::stol(*r));
  }
  return o;
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
  if (args.option("--max-spend")) {
    auto limit = parse_base_units(args, "--max-spend");
    if (!limit) return std::unexpected(limit.error());
    c.max_spend = *limit;
  }
  c.settlement_check = args.flag("--settlement-check");
  if (c.settlement_check && c.settlement == SettlementMode::batch) {
    return fail(ErrorCode::invalid_argument,
                "--settlement-check needs --settlement individual or private",
                "a batch is posted minutes later, so no answer could pass the check when it arrives");
  }
  return c;
}

int run(const Args& args) {
  if (args.problem()) return unusable(*args.problem());
  if (!args.positional().empty()) return unusable("serve takes no positional arguments");
  auto config = read_config(args);
  if (!config) return unusable(config.error());
  auto tee_options = read_tee_options(args);
  if (!tee_options) return unusable(tee_options.error());
  auto profile = load_profile(args.option("--profile").value_or("devnet"));
  if (!profile) return unusable(profile.error());
  config->profile_name = profile->name;
  config->per_call_cap = profile->max_payment;
  if (args.option("--max-call-spend")) {
    auto cap = parse_base_units(args, "--max-call-spend");
    if (!cap) return unusable(cap.error());
    if (*cap < config->per_call_cap) config->per_call_cap = *cap;
  }
  if (config->max_spend && *config->max_spend < config->per_call_cap) {
    config->per_call_cap = *config->max_spend;
  }

  ClientOptions& options = tee_options->client;
  options.profile = *profile;
  options.trust.registry = true;  // the TEE is registered and active with the attested key, cert, PCRs
  options.trust.settlement = config->settlement_check;
  auto payer = key_from_args(args);
  if (!payer) return unusable(payer.error());
  if (*payer) options.payer = std::move(**payer);
  PaymentPolicy payment;
  payment.allowed_assets = profile->payment_assets;
  payment.max_amount = config->per_call_cap;
  options.payment = payment;
  bool has_payer = options.payer.has_value();
  const Route options_route = options.route;
  auto pool = TeePool::create(std::move(*tee_options));
  if (!pool) return unusable(pool.error());
  TeePoolStatus tees = (*pool)->status();
  for (const ExcludedTee& e : tees.excluded) {
    LogLine("info", "tee_excluded").kv("tee_id", e.tee_id.hex()).kv("reason", e.reason).emit();
  }

  // Signals are taken by sigwait below, never by a handler on a random thread;
  // the mask is set before any thread starts so they all inherit it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  (*pool)->start_refreshing();
  ProxyServer server(std::move(*pool), *config);
  auto port = server.bind();
  if (!port) return unusable(port.error());
  LogLine("info", "listening")
      .kv("address", config->host + ":" + std::to_string(*port))
      .kv("profile", config->profile_name)
      .kv("active_tee", tees.active ? tees.active->hex() : "none")
      .kv("candidates", static_cast<std::int64_t>(tees.candidates.size()))
      .kv("route", to_string(options_route))
      .kv("settlement_check", config->settlement_check ? "on" : "off")
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
    "                      [--key-file FILE | --key-file env:NAME | --keystore FILE]\n"
    "                      [--passphrase-env NAME] [--max-spend BASE_UNITS]\n"
    "                      [--max-call-spend BASE_UNITS] [--tee-id HEX]... [--pcr-hash HEX]...\n"
    "                      [--tee-type N] [--refresh-seconds S] [--settlement-check]\n"
    "                      [--route direct|private_relay|private_gateway]\n"
    "                      [--connect-timeout-ms N]\n"
    "                      [--stream-policy verify-first|low-latency]\n"
    "                      [--settlement private|batch|individual] [--threads N]\n"
    "                      [--max-body-bytes N] [--log-prompts] [--allow-remote]\n\n"
    "Serves POST /v1/chat/completions and POST /v1/completions (buffered or stream: true),\n"
    "GET /v1/models, GET /health and GET /metrics. Every answer is paid from the key (x402),\n"
    "verified (TEE signature, attestation, registry entry; with --settlement-check also the\n"
    "payment and settlement on chain) and only then returned, with the headers\n"
    "X-Verinfer-Verified: true, X-Verinfer-TEE-Id and a body field verinfer_verification.\n"
    "A failed check is HTTP 502 naming it, with no content. --max-spend caps the total paid\n"
    "across calls (each paid call counts what its payment authorised); over it, calls get 402.\n"
    "TEEs come from the profile's registry (active ones, filtered by --tee-id / --pcr-hash pins,\n"
    "repeatable; --tee-id order is the order of preference), read again every\n"
    "--refresh-seconds (60; 0: never). A call moves to the next TEE when the one it tried\n"
    "failed before any payment was sent (never after: that call answers 502);\n"
    "--connect-timeout-ms (10000) bounds each attempt to connect to a TEE.\n"
    "--route private_relay seals every request to the attested enclave (Oblivious HTTP) and\n"
    "sends it through the profile's relay, which pays; private_gateway seals it straight to\n"
    "the TEE's /v1/ohttp, paid from the key. Either way the answer is verified as a direct one.\n"
    "Listening beyond loopback needs --allow-remote. SIGINT/SIGTERM stop accepting calls and\n"
    "finish the ones in flight. Logs: one logfmt line per request on stderr, prompts only\n"
    "with --log-prompts. See docs/serve.md.\n\n"
    "examples:\n"
    "  verinfer serve --key-file ~/.verinfer/devnet.key\n"
    "  OPENAI_BASE_URL=http://127.0.0.1:11434/v1 OPENAI_API_KEY=unused python my_app.py\n"
    "  verinfer serve --listen 127.0.0.1:0 --stream-policy low-latency --max-spend 1000000",
    with_key_flags({"--profile P", "--listen HOST:PORT", "--max-spend N", "--max-call-spend N",
     "--tee-id HEX", "--pcr-hash HEX", "--tee-type N", "--refresh-seconds S", "--settlement-check",
     "--stream-policy P", "--settlement S", "--threads N", "--max-body-bytes N", "--log-prompts",
     "--allow-remote", "--route R", "--connect-timeout-ms N"}), run}};

}  // namespace
}  // namespace verinfer::cli
