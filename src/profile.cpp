#include "verinfer/profile.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "verinfer/crypto/address.hpp"

namespace verinfer {
namespace {

Result<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::invalid_argument, "cannot read file", path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Walks "a.b.c" through nested objects; nullptr when any step is missing.
const Json* at(const Json& root, std::string_view dotted) {
  const Json* cur = &root;
  while (cur != nullptr && !dotted.empty()) {
    auto dot = dotted.find('.');
    cur = cur->find(dotted.substr(0, dot));
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return cur;
}

Result<std::string> text_at(const Json& root, std::string_view dotted) {
  const Json* v = at(root, dotted);
  if (v == nullptr || !v->is_string()) {
    return fail(ErrorCode::parse_error, "profile field missing or not a string", std::string(dotted));
  }
  return v->as_string();
}

Result<Address> address_at(const Json& root, std::string_view dotted) {
  auto t = text_at(root, dotted);
  if (!t) return std::unexpected(t.error());
  return parse_address(*t);
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : base / path;
}

Result<Profile> parse_devnet(const Json& j, const std::filesystem::path& dir) {
  Profile p;
  p.name = "devnet";
  auto gateway = text_at(j, "urls.gateway");
  auto rpc = text_at(j, "chain.rpcUrl");
  auto registry = address_at(j, "contracts.teeRegistry");
  auto relay = address_at(j, "contracts.settlementRelay");
  auto network = text_at(j, "x402.network");
  auto asset = address_at(j, "x402.asset");
  auto root_path = text_at(j, "attestation.rootPemPath");
  if (!gateway) return std::unexpected(gateway.error());
  if (!rpc) return std::unexpected(rpc.error());
  if (!registry) return std::unexpected(registry.error());
  if (!relay) return std::unexpected(relay.error());
  if (!network) return std::unexpected(network.error());
  if (!asset) return std::unexpected(asset.error());
  if (!root_path) return std::unexpected(root_path.error());
  const Json* chain_id = at(j, "chain.chainId");
  if (chain_id == nullptr || !chain_id->get_uint64()) {
    return fail(ErrorCode::parse_error, "profile field missing or not a number", "chain.chainId");
  }
  p.gateway_url = *gateway;
  p.rpc_url = *rpc;
  p.chain_id = *chain_id->get_uint64();
  p.tee_registry = *registry;
  p.settlement_relay = *relay;
  if (auto f = text_at(j, "urls.facilitator")) p.facilitator_url = *f;
  if (auto b = text_at(j, "urls.blobs")) p.blob_url = *b;
  p.payment_assets.push_back({*network, *asset});
  // Default cap: ten times the devnet's price, in the token's base units.
  const Json* price = at(j, "x402.amount");
  auto price_value = price && price->is_string() ? U256::parse(price->as_string())
                                                 : Result<U256>(U256(10'000));
  if (!price_value) return std::unexpected(price_value.error());
  p.max_payment = U256(price_value->to_uint64().value_or(10'000) * 10);
  auto root = read_text(resolve(dir, *root_path));
  if (!root) return std::unexpected(root.error());
  p.attestation_root_pem = std::move(*root);
  if (auto pcr = text_at(j, "attestation.pcrHash")) {
    auto h = Hash32::from_hex(*pcr);
    if (!h) return fail(ErrorCode::parse_error, "profile attestation.pcrHash is not a hash", *pcr);
    p.pcr_hash = *h;
  }
  if (auto tls = text_at(j, "tee.tlsCertificatePemPath")) p.tls_ca_file = resolve(dir, *tls).string();
  if (auto relay_url = text_at(j, "relay.url")) p.relay_url = *relay_url;
  if (auto token = text_at(j, "relay.accountToken")) p.relay_account_token = *token;
  return p;
}

}  // namespace

Result<Profile> devnet_profile(std::optional<std::filesystem::path> path) {
  if (!path) {
    const char* env = std::getenv("VERINFER_DEVNET_PROFILE");
    path = env != nullptr ? std::filesystem::path(env)
                          : std::filesystem::path("devnet/run/profile.json");
  }
  auto text = read_text(*path);
  if (!text) {
    return fail(ErrorCode::unavailable, "devnet profile not found (is the devnet running? devnet/start.sh)",
                path->string());
  }
  auto json = parse_json(*text);
  if (!json) return std::unexpected(json.error());
  return parse_devnet(*json, path->parent_path());
}

Profile opengradient_profile() {
  // Values from OpenGradient's public repositories (PROTOCOL.md sections 4-5);
  // they changed between releases, so callers should confirm them.
  Profile p;
  p.name = "opengradient";
  p.rpc_url = "https://ogevmdevnet.opengradient.ai";
  p.chain_id = 10740;
  p.tee_registry = parse_address("0x4e72238852f3c918f4E4e57AeC9280dDB0c80248").value();
  p.payment_assets.push_back(
      {"eip155:8453", parse_address("0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB").value()});
  p.max_payment = U256::parse("100000000000000000").value();
  return p;
}

Result<Profile> load_profile(std::string_view name_or_path) {
  if (name_or_path == "devnet") return devnet_profile();
  if (name_or_path == "opengradient") return opengradient_profile();
  return devnet_profile(std::filesystem::path(name_or_path));
}

}  // namespace verinfer
