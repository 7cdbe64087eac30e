// verinfer x402 decode | sign: look inside payments, for debugging;
// verinfer x402 fetch: one HTTP request that pays a 402 once.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cli/cli.hpp"
#include "cli/keys.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/transport/x402.hpp"

namespace verinfer::cli {
namespace {

int decode(const Args& args) {
  if (args.positional().size() != 1) return unusable("x402 decode takes one header value");
  auto json = decode_x402_header(args.positional()[0]);
  if (!json) return unusable(json.error());
  std::printf("%s\n", json->dump().c_str());
  return kExitOk;
}

int sign(const Args& args) {
  auto required_b64 = args.option("--required");
  if (!required_b64) return unusable("x402 sign needs --required and --key-file or --keystore");
  auto required = parse_payment_required(*required_b64);
  if (!required) return unusable(required.error());
  auto given = key_from_args(args);
  if (!given) return unusable(given.error());
  if (!*given) return unusable("x402 sign needs --key-file or --keystore");
  const PrivateKey& key = **given;

  PaymentPolicy policy;
  policy.max_amount = U256::max();
  if (auto cap = args.option("--max-amount")) {
    auto parsed = U256::parse(*cap);
    if (!parsed) return unusable(parsed.error());
    policy.max_amount = *parsed;
  }
  auto network = args.option("--network");
  for (const auto& r : required->accepts) {
    if (!network || *network == r.network) policy.allowed_assets.push_back({r.network, r.asset});
  }
  auto chosen = choose_requirement(*required, policy);
  if (!chosen) {
    std::fprintf(stderr, "verinfer: refused: %s\n", chosen.error().to_string().c_str());
    return kExitRejected;
  }
  PaymentOptions options;
  options.now = static_cast<std::uint64_t>(unix_now());
  auto payment = sign_payment(*required, *chosen, key, options);
  if (!payment) return unusable(payment.error());
  if (args.json()) {
    Json out = Json::object();
    out.set("header", payment->header_name);
    out.set("value", payment->header_value);
    out.set("payload", payment->payload);
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s\n", payment->header_value.c_str());
  }
  return kExitOk;
}

// --asset NETWORK:TOKEN (the network itself holds a colon: "eip155:8453:0x...").
Result<PaymentPolicy::Asset> parse_asset(const std::string& spec) {
  const std::size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return fail(ErrorCode::invalid_argument, "--asset takes NETWORK:TOKEN_ADDRESS", "got " + spec);
  }
  auto token = parse_address(spec.substr(colon + 1));
  if (!token) return std::unexpected(token.error());
  return PaymentPolicy::Asset{spec.substr(0, colon), *token};
}

Result<HttpRequest> fetch_request(const Args& args) {
  HttpRequest request;
  request.url = args.positional()[0];
  request.method = args.option("--method").value_or("GET");
  const auto data = args.option("--data");
  const auto data_file = args.option("--data-file");
  if (data && data_file) return fail(ErrorCode::invalid_argument, "give --data or --data-file, not both");
  if (data) request.body = Bytes(data->begin(), data->end());
  if (data_file) {
    auto text = read_input(*data_file);
    if (!text) return std::unexpected(text.error());
    request.body = Bytes(text->begin(), text->end());
  }
  for (const std::string& header : args.options("--header")) {
    const std::size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0) {
      return fail(ErrorCode::invalid_argument, "--header takes 'Name: value'", "got " + header);
    }
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    request.headers.add(header.substr(0, colon), value);
  }
  return request;
}

Result<PaymentPolicy> fetch_policy(const Args& args) {
  PaymentPolicy policy;
  for (const std::string& spec : args.options("--asset")) {
    auto asset = parse_asset(spec);
    if (!asset) return std::unexpected(asset.error());
    policy.allowed_assets.push_back(*asset);
  }
  const auto cap = args.option("--max-amount");
  if (!cap) return fail(ErrorCode::invalid_argument, "x402 fetch needs --max-amount (base units)");
  auto amount = U256::parse(*cap);
  if (!amount) return std::unexpected(amount.error());
  policy.max_amount = *amount;
  if (auto schemes = args.options("--scheme"); !schemes.empty()) policy.schemes = schemes;
  return policy;
}

Result<HttpClientOptions> fetch_http_options(const Args& args) {
  HttpClientOptions options;
  if (auto ca = args.option("--ca-file")) options.tls.ca_file = *ca;
  if (auto ms = args.option("--timeout-ms")) {
    char* end = nullptr;
    const long long value = std::strtoll(ms->c_str(), &end, 10);
    if (ms->empty() || *end != '\0' || value <= 0 || value > 86'400'000) {
      return fail(ErrorCode::invalid_argument, "--timeout-ms takes milliseconds in (0, 86400000]", "got " + *ms);
    }
    options.timeout = std::chrono::milliseconds(value);
  }
  return options;
}

Json fetch_json(const PaidExchange& paid) {
  Json out = Json::object();
  out.set("status", paid.response.status);
  Json headers = Json::array();
  for (const auto& [name, value] : paid.response.headers.fields()) {
    Json field = Json::array();
    field.push_back(name);
    field.push_back(value);
    headers.push_back(std::move(field));
  }
  out.set("headers", std::move(headers));
  out.set("body", std::string(paid.response.text()));
  Json payment(nullptr);
  if (paid.payment && paid.requirement) {
    payment = Json::object();
    payment.set("scheme", paid.requirement->scheme);
    payment.set("network", paid.requirement->network);
    payment.set("asset", to_checksum_address(paid.requirement->asset));
    payment.set("pay_to", to_checksum_address(paid.requirement->pay_to));
    payment.set("amount", paid.requirement->amount.to_decimal());
    payment.set("authorized_amount", paid.payment->max_amount.to_decimal());
    payment.set("payer", to_checksum_address(paid.payment->payer));
  }
  out.set("payment", std::move(payment));
  out.set("settlement", paid.settlement ? paid.settlement->raw : Json(nullptr));
  return out;
}

int fetch(const Args& args) {
  if (args.problem()) return unusable(*args.problem());
  if (args.positional().size() != 1) return unusable("x402 fetch takes one URL");
  auto request = fetch_request(args);
  if (!request) return unusable(request.error());
  auto policy = fetch_policy(args);
  if (!policy) return unusable(policy.error());
  auto http_options = fetch_http_options(args);
  if (!http_options) return unusable(http_options.error());
  auto http = HttpClient::create(*http_options);
  if (!http) return unusable(http.error());
  auto key = key_from_args(args);
  if (!key) return unusable(key.error());
  PaymentOptions options;
  options.now = static_cast<std::uint64_t>(unix_now());
  auto paid = send_with_payment(*http, std::move(*request), *key ? &**key : nullptr, *policy, options);
  if (!paid) {
    if (paid.error().payment == PaymentState::may_have_been_sent) {
      std::fprintf(stderr, "verinfer: the paid request was sent: the payment MAY HAVE BEEN MADE\n");
    }
    if (paid.error().code != ErrorCode::payment_required) return unusable(paid.error());
    std::fprintf(stderr, "verinfer: refused: %s\n", paid.error().to_string().c_str());
    return kExitRejected;
  }
  const bool ok = paid->response.status >= 200 && paid->response.status < 300;
  if (args.json()) {
    std::printf("%s\n", fetch_json(*paid).dump().c_str());
  } else {
    std::fwrite(paid->response.body.data(), 1, paid->response.body.size(), stdout);
    if (!paid->payment) {
      std::fprintf(stderr, "HTTP %d, no payment asked\n", paid->response.status);
    } else {
      const PaymentResponse* settled = paid->settlement ? &*paid->settlement : nullptr;
      std::fprintf(stderr, "HTTP %d, paid %s (%s) of %s on %s to %s; settlement: %s\n", paid->response.status,
                   paid->requirement->amount.to_decimal().c_str(), paid->requirement->scheme.c_str(),
                   to_checksum_address(paid->requirement->asset).c_str(), paid->requirement->network.c_str(),
                   to_checksum_address(paid->requirement->pay_to).c_str(),
                   settled == nullptr ? "none stated"
                   : settled->success ? ("tx " + settled->transaction).c_str()
                                      : ("failed: " + settled->error_reason).c_str());
    }
  }
  return ok ? kExitOk : kExitRejected;
}

const Registrar decode_registrar{Command{
    "x402 decode", "Decode any x402 header value to JSON",
    "usage: verinfer x402 decode HEADER_VALUE\n\n"
    "Decodes PAYMENT-REQUIRED, PAYMENT-SIGNATURE, PAYMENT-RESPONSE (or v1 X-PAYMENT*) values.\n\n"
    "example:\n  verinfer x402 decode eyJ4NDAyVmVyc2lvbiI6Mi...",
    {}, decode}};

const Registrar sign_registrar{Command{
    "x402 sign", "Sign the payment a 402 asks for (prints PAYMENT-SIGNATURE)",
    "usage: verinfer x402 sign --required PAYMENT_REQUIRED_B64 (--key-file KEY | --keystore FILE)\n"
    "                          [--passphrase-env NAME] [--max-amount N] [--network eip155:ID] [--json]\n\n"
    "Chooses a requirement (on --network if given, at most --max-amount base units), signs it\n"
    "with the payer key (never a key on the command line) and prints the header value it\n"
    "would send. Nothing is sent.\n"
    "Exit 1 if the policy refuses every requirement.\n\n"
    "key options:\n" + std::string(kKeyFlagsHelp) + "\n"
    "examples:\n  verinfer x402 sign --required \"$REQ\" --key-file payer.key --max-amount 10000\n"
    "  verinfer x402 sign --required \"$REQ\" --keystore payer.json --passphrase-env PAYER_PASS",
    with_key_flags({"--required PAYMENT_REQUIRED_B64", "--max-amount N", "--network eip155:ID"}), sign}};

const Registrar fetch_registrar{Command{
    "x402 fetch", "Send one HTTP request, paying a 402 once (body on stdout)",
    "usage: verinfer x402 fetch URL --max-amount N --asset NETWORK:TOKEN [--asset ...]\n"
    "                           (--key-file KEY | --keystore FILE) [--passphrase-env NAME]\n"
    "                           [--method M] [--data TEXT | --data-file FILE] [--header 'Name: value']...\n"
    "                           [--scheme exact|upto]... [--ca-file PEM] [--timeout-ms N] [--json]\n\n"
    "Sends the request; if the server answers 402, pays the first offer in one of the --asset\n"
    "tokens (on its network), by an allowed --scheme (default exact and upto), of at most\n"
    "--max-amount base units, and sends it again: never twice. The final body goes to stdout,\n"
    "what was paid and the settlement to stderr; --json prints status, headers, body, payment\n"
    "and settlement as one object. TLS is verified (--ca-file: a PEM bundle to trust instead).\n"
    "Exit 0 on a 2xx answer; 1 when the payment is refused (by the policy or the server) or the\n"
    "final answer is not 2xx; 2 on unusable input or a transport failure (stderr says when the\n"
    "paid request had already been sent).\n\n"
    "key options:\n" + std::string(kKeyFlagsHelp) + "\n"
    "example:\n  verinfer x402 fetch https://api.example.com/report --asset eip155:8453:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913 \\\n"
    "      --max-amount 10000 --key-file payer.key",
    with_key_flags({"--max-amount N", "--asset NETWORK:TOKEN", "--method M", "--data TEXT", "--data-file FILE",
                    "--header NAME:VALUE", "--scheme exact|upto", "--ca-file PEM", "--timeout-ms N"}),
    fetch}};

}  // namespace
}  // namespace verinfer::cli
