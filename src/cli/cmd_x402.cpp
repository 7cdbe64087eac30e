// verinfer x402 decode | sign: look inside payments, for debugging.
#include <chrono>
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/keys.hpp"
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
  options.now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch()).count());
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

}  // namespace
}  // namespace verinfer::cli
