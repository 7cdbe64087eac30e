#include "verinfer/transport/x402.hpp"

#include <fmt/format.h>

#include <charconv>

#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip712.hpp"

namespace verinfer {
namespace {

// Reference x402 clients back-date validAfter to tolerate clock skew.
constexpr std::uint64_t kValidAfterSkew = 600;

Error bad(std::string message, std::string detail = {}) {
  return Error{ErrorCode::parse_error, std::move(message), std::move(detail)};
}

Result<std::string> string_field(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = obj.find(key);
  if (v == nullptr || !v->is_string()) {
    return std::unexpected(bad(fmt::format("{}.{} is missing or not a string", where, key)));
  }
  return v->as_string();
}

// Amounts arrive as decimal strings (or integers in older payloads).
Result<U256> amount_field(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = obj.find(key);
  if (v == nullptr) return std::unexpected(bad(fmt::format("{}.{} is missing", where, key)));
  std::string text = v->is_integer() ? v->as_integer_text() : v->is_string() ? v->as_string() : "";
  auto out = U256::parse(text);
  if (!out) {
    return std::unexpected(bad(fmt::format("{}.{} is not an amount", where, key), v->dump()));
  }
  return out;
}

Result<Address> address_field(const Json& obj, std::string_view key, std::string_view where) {
  auto s = string_field(obj, key, where);
  if (!s) return std::unexpected(s.error());
  auto a = parse_address(*s);
  if (!a) {
    return std::unexpected(bad(fmt::format("{}.{} is not an address", where, key), a.error().to_string()));
  }
  return a;
}

Result<PaymentRequirement> parse_requirement(const Json& entry, int version, std::size_t index) {
  std::string where = fmt::format("accepts[{}]", index);
  if (!entry.is_object()) return std::unexpected(bad(where + " is not an object"));
  PaymentRequirement r;
  auto scheme = string_field(entry, "scheme", where);
  auto network = string_field(entry, "network", where);
  if (!scheme) return std::unexpected(scheme.error());
  if (!network) return std::unexpected(network.error());
  r.scheme = *scheme;
  r.network = *network;
  if (auto id = chain_id_of(r.network)) r.chain_id = *id;
  auto asset = address_field(entry, "asset", where);
  auto pay_to = address_field(entry, "payTo", where);
  auto amount = amount_field(entry, version == 1 ? "maxAmountRequired" : "amount", where);
  if (!asset) return std::unexpected(asset.error());
  if (!pay_to) return std::unexpected(pay_to.error());
  if (!amount) return std::unexpected(amount.error());
  r.asset = *asset;
  r.pay_to = *pay_to;
  r.amount = *amount;
  if (const Json* t = entry.find("maxTimeoutSeconds")) {
    auto secs = t->get_uint64();
    if (!secs) return std::unexpected(bad(where + ".maxTimeoutSeconds is not a whole number"));
    r.max_timeout_seconds = *secs;
  }
  if (const Json* extra = entry.find("extra")) r.extra = *extra;
  r.raw = entry;
  return r;
}

Json field(std::string_view name, std::string_view type) {
  Json f = Json::object();
  f.set("name", std::string(name));
  f.set("type", std::string(type));
  return f;
}

Json fields(std::initializer_list<std::pair<std::string_view, std::string_view>> list) {
  Json out = Json::array();
  for (auto [n, t] : list) out.push_back(field(n, t));
  return out;
}

Result<Json> exact_typed_data(const PaymentRequirement& r, const Json& authorization) {
  const Json* name = r.extra.find("name");
  const Json* version = r.extra.find("version");
  if (name == nullptr || !name->is_string() || version == nullptr || !version->is_string()) {
    return fail(ErrorCode::invalid_argument,
                "exact payment needs the token's EIP-712 name and version in extra",
                "got extra = " + r.extra.dump());
  }
  Json types = Json::object();
  types.set("EIP712Domain", fields({{"name", "string"}, {"version", "string"},
                                    {"chainId", "uint256"}, {"verifyingContract", "address"}}));
  types.set("TransferWithAuthorization",
            fields({{"from", "address"}, {"to", "address"}, {"value", "uint256"},
                    {"validAfter", "uint256"}, {"validBefore", "uint256"}, {"nonce", "bytes32"}}));
  Json domain = Json::object();
  domain.set("name", *name);
  domain.set("version", *version);
  domain.set("chainId", r.chain_id);
  domain.set("verifyingContract", to_checksum_address(r.asset));
  Json td = Json::object();
  td.set("types", std::move(types));
  td.set("primaryType", "TransferWithAuthorization");
  td.set("domain", std::move(domain));
  td.set("message", authorization);
  return td;
}

Json upto_typed_data(const PaymentRequirement& r, const Json& permit) {
  Json types = Json::object();
  types.set("EIP712Domain",
            fields({{"name", "string"}, {"chainId", "uint256"}, {"verifyingContract", "address"}}));
  types.set("PermitWitnessTransferFrom",
            fields({{"permitted", "TokenPermissions"}, {"spender", "address"},
                    {"nonce", "uint256"}, {"deadline", "uint256"}, {"witness", "Witness"}}));
  types.set("TokenPermissions", fields({{"token", "address"}, {"amount", "uint256"}}));
  types.set("Witness",
            fields({{"to", "address"}, {"facilitator", "address"}, {"validAfter", "uint256"}}));
  Json domain = Json::object();
  domain.set("name", "Permit2");
  domain.set("chainId", r.chain_id);
  domain.set("verifyingContract", std::string(kPermit2Address));
  Json message = Json::object();
  for (const auto& [k, v] : permit.as_object()) {
    if (k != "from") message.set(k, v);  // `from` is the signer, not a signed field
  }
  Json td = Json::object();
  td.set("types", std::move(types));
  td.set("primaryType", "PermitWitnessTransferFrom");
  td.set("domain", std::move(domain));
  td.set("message", std::move(message));
  return td;
}

std::string decimal(std::uint64_t v) { return std::to_string(v); }

// x402 v1 names EVM networks instead of using CAIP-2 (coinbase/x402
// specs/x402-specification-v1.md; the same table as @x402/evm's v1 schemes).
constexpr std::pair<std::string_view, std::uint64_t> kV1Networks[] = {
    {"ethereum", 1},          {"sepolia", 11155111},      {"base", 8453},
    {"base-sepolia", 84532},  {"avalanche", 43114},       {"avalanche-fuji", 43113},
    {"polygon", 137},         {"polygon-amoy", 80002},    {"iotex", 4689},
    {"sei", 1329},            {"sei-testnet", 1328},      {"abstract", 2741},
    {"abstract-testnet", 11124}, {"peaq", 3338},          {"story", 1514},
    {"educhain", 41923},      {"skale-base-sepolia", 324705682}, {"celo", 42220},
};

}  // namespace

Result<std::uint64_t> chain_id_of(std::string_view network) {
  constexpr std::string_view prefix = "eip155:";
  for (auto [name, id] : kV1Networks) {
    if (network == name) return id;
  }
  if (!network.starts_with(prefix)) {
    return fail(ErrorCode::invalid_argument, "not an EVM network", std::string(network));
  }
  std::string_view digits = network.substr(prefix.size());
  std::uint64_t id = 0;
  auto res = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (res.ec != std::errc() || res.ptr != digits.data() + digits.size() || id == 0 ||
      (digits.size() > 1 && digits[0] == '0')) {
    return fail(ErrorCode::invalid_argument, "bad chain id in network", std::string(network));
  }
  return id;
}

Result<Json> decode_x402_header(std::string_view value) {
  auto raw = from_base64(value);
  if (!raw) {
    return fail(ErrorCode::parse_error, "x402 header is not base64", raw.error().to_string());
  }
  auto json = parse_json(std::string_view(reinterpret_cast<const char*>(raw->data()), raw->size()));
  if (!json) return fail(ErrorCode::parse_error, "x402 header is not JSON", json.error().to_string());
  if (!json->is_object()) return fail(ErrorCode::parse_error, "x402 header is not a JSON object");
  return json;
}

Result<PaymentRequired> parse_payment_required_json(const Json& object) {
  if (!object.is_object()) return std::unexpected(bad("payment requirements are not an object"));
  PaymentRequired out;
  const Json* version = object.find("x402Version");
  auto v = version ? version->get_int64() : std::nullopt;
  if (!v || (*v != 1 && *v != 2)) {
    return std::unexpected(bad("unsupported x402Version",
                               "expected 1 or 2, got " + (version ? version->dump() : "none")));
  }
  out.x402_version = static_cast<int>(*v);
  if (const Json* e = object.find("error"); e && e->is_string()) out.error = e->as_string();
  if (const Json* r = object.find("resource")) out.resource = *r;
  if (const Json* x = object.find("extensions")) out.extensions = *x;
  const Json* accepts = object.find("accepts");
  if (accepts == nullptr || !accepts->is_array() || accepts->as_array().empty()) {
    return std::unexpected(bad("payment requirements list no accepted payment"));
  }
  for (std::size_t i = 0; i < accepts->as_array().size(); ++i) {
    auto r = parse_requirement(accepts->as_array()[i], out.x402_version, i);
    if (!r) return std::unexpected(r.error());
    if (out.x402_version == 1 && out.resource.is_null()) {
      if (const Json* res = accepts->as_array()[i].find("resource")) out.resource = *res;
    }
    out.accepts.push_back(std::move(*r));
  }
  return out;
}

Result<PaymentRequired> parse_payment_required(std::string_view header_value) {
  auto json = decode_x402_header(header_value);
  if (!json) return std::unexpected(json.error());
  return parse_payment_required_json(*json);
}

Result<PaymentRequirement> choose_requirement(const PaymentRequired& required,
                                              const PaymentPolicy& policy) {
  std::string reasons;
  for (const auto& r : required.accepts) {
    std::string why;
    bool scheme_ok = false;
    for (const auto& s : policy.schemes) scheme_ok = scheme_ok || s == r.scheme;
    bool asset_ok = false;
    for (const auto& a : policy.allowed_assets) {
      // "eip155:84532" allows v1's "base-sepolia" too: the chain is what counts.
      auto allowed_chain = chain_id_of(a.network);
      bool same_network = a.network == r.network || (allowed_chain && *allowed_chain == r.chain_id);
      asset_ok = asset_ok || (same_network && a.asset == r.asset);
    }
    if (!scheme_ok) {
      why = "scheme " + r.scheme + " not allowed";
    } else if (r.chain_id == 0) {
      why = "network " + r.network + " is not an EVM network";
    } else if (!asset_ok) {
      why = "asset " + to_checksum_address(r.asset) + " on " + r.network + " not allowed";
    } else if (r.amount > policy.max_amount) {
      why = "amount " + r.amount.to_decimal() + " above the cap " + policy.max_amount.to_decimal();
    } else {
      return r;
    }
    if (!reasons.empty()) reasons += "; ";
    reasons += why;
  }
  return fail(ErrorCode::payment_required, "no acceptable payment requirement", reasons);
}

Result<SignedPayment> sign_payment(const PaymentRequired& required, const PaymentRequirement& chosen,
                                   const PrivateKey& key, const PaymentOptions& options) {
  if (chosen.chain_id == 0) {
    return fail(ErrorCode::invalid_argument, "cannot pay on a non-EVM network", chosen.network);
  }
  Hash32 nonce;
  if (options.nonce) {
    nonce = *options.nonce;
  } else {
    auto fresh = random_bytes(nonce.size());
    if (!fresh) return std::unexpected(fresh.error());
    nonce = Hash32::from_bytes(*fresh).value();
  }
  Address payer = key.address();
  std::uint64_t valid_after = options.now > kValidAfterSkew ? options.now - kValidAfterSkew : 0;
  std::uint64_t valid_before =
      options.now + chosen.max_timeout_seconds + options.valid_before_slack;

  Json inner = Json::object();
  Json typed;
  if (chosen.scheme == "exact") {
    Json auth = Json::object();
    auth.set("from", to_checksum_address(payer));
    auth.set("to", to_checksum_address(chosen.pay_to));
    auth.set("value", chosen.amount.to_decimal());
    auth.set("validAfter", decimal(valid_after));
    auth.set("validBefore", decimal(valid_before));
    auth.set("nonce", nonce.hex());
    auto td = exact_typed_data(chosen, auth);
    if (!td) return std::unexpected(td.error());
    typed = std::move(*td);
    inner.set("authorization", std::move(auth));
  } else if (chosen.scheme == "upto") {
    const Json* facilitator = chosen.extra.find("facilitatorAddress");
    if (facilitator == nullptr || !facilitator->is_string()) {
      return fail(ErrorCode::invalid_argument, "upto payment needs extra.facilitatorAddress",
                  "got extra = " + chosen.extra.dump());
    }
    auto spender = parse_address(options.upto_spender);
    auto fac = parse_address(facilitator->as_string());
    if (!spender) return std::unexpected(spender.error());
    if (!fac) return std::unexpected(fac.error());
    Json permitted = Json::object();
    permitted.set("token", to_checksum_address(chosen.asset));
    permitted.set("amount", chosen.amount.to_decimal());
    Json witness = Json::object();
    witness.set("to", to_checksum_address(chosen.pay_to));
    witness.set("facilitator", to_checksum_address(*fac));
    witness.set("validAfter", decimal(valid_after));
    Json permit = Json::object();
    permit.set("from", to_checksum_address(payer));
    permit.set("permitted", std::move(permitted));
    permit.set("spender", to_checksum_address(*spender));
    permit.set("nonce", U256::from_word(nonce).to_decimal());
    permit.set("deadline", decimal(valid_before));
    permit.set("witness", std::move(witness));
    typed = upto_typed_data(chosen, permit);
    inner.set("permit2Authorization", std::move(permit));
  } else {
    return fail(ErrorCode::invalid_argument, "unsupported payment scheme", chosen.scheme);
  }

  auto hashes = eip712_hash(typed);
  if (!hashes) return std::unexpected(hashes.error());
  auto sig = eip712_sign(typed, key);
  if (!sig) return std::unexpected(sig.error());
  Json payload = Json::object();
  payload.set("signature", to_hex(sig->to_bytes()));
  for (auto& [k, v] : inner.as_object()) payload.set(k, v);

  SignedPayment out;
  out.payload = Json::object();
  out.payload.set("x402Version", required.x402_version);
  if (required.x402_version == 1) {
    out.payload.set("scheme", chosen.scheme);
    out.payload.set("network", chosen.network);
  } else {
    if (!required.resource.is_null()) out.payload.set("resource", required.resource);
    out.payload.set("accepted", chosen.raw);
  }
  out.payload.set("payload", std::move(payload));
  if (!required.extensions.is_null()) out.payload.set("extensions", required.extensions);
  out.header_name = std::string(required.x402_version == 1 ? kPaymentHeaderV1 : kPaymentSignatureHeader);
  out.header_value = to_base64(as_bytes(out.payload.dump()));
  out.payer = payer;
  out.max_amount = chosen.amount;
  out.digest = hashes->digest;
  return out;
}

Result<Json> payment_typed_data(const Json& payment_payload) {
  const Json* accepted = payment_payload.find("accepted");
  const Json* payload = payment_payload.find("payload");
  if (accepted == nullptr || payload == nullptr || !payload->is_object()) {
    return fail(ErrorCode::parse_error, "payment payload needs accepted and payload");
  }
  auto r = parse_requirement(*accepted, 2, 0);
  if (!r) return std::unexpected(r.error());
  if (const Json* auth = payload->find("authorization")) return exact_typed_data(*r, *auth);
  if (const Json* permit = payload->find("permit2Authorization")) {
    return upto_typed_data(*r, *permit);
  }
  return fail(ErrorCode::parse_error, "payment payload has neither authorization nor permit2Authorization");
}

VerificationReport verify_payment(const Json& payment_payload, std::uint64_t now) {
  VerificationReport report;
  auto typed = payment_typed_data(payment_payload);
  if (!typed) {
    report.fail("x402.payload", typed.error().code, typed.error().to_string());
    return report;
  }
  report.pass("x402.payload");
  const Json& payload = *payment_payload.find("payload");
  const Json* auth = payload.find("authorization");
  const Json* permit = payload.find("permit2Authorization");
  const Json& signed_obj = auth ? *auth : *permit;
  auto from = address_field(signed_obj, "from", "payload");
  auto sig_text = string_field(payload, "signature", "payload");
  auto sig = sig_text ? from_hex(*sig_text) : Result<Bytes>(std::unexpected(sig_text.error()));
  if (!from || !sig) {
    report.fail("x402.signature", ErrorCode::parse_error, "payer or signature unreadable");
    return report;
  }
  auto hashes = eip712_hash(*typed);
  if (!hashes) {
    report.fail("x402.signature", hashes.error().code, hashes.error().to_string());
    return report;
  }
  auto recovered = recover_address(hashes->digest, *sig);
  if (!recovered) {
    report.fail("x402.signature", ErrorCode::verification_failed, recovered.error().to_string());
  } else if (*recovered != *from) {
    report.fail("x402.signature", ErrorCode::verification_failed,
                "signature does not recover to the payer", to_checksum_address(*from),
                to_checksum_address(*recovered));
  } else {
    report.pass("x402.signature", to_checksum_address(*from), to_checksum_address(*recovered));
  }
  auto accepted = parse_requirement(*payment_payload.find("accepted"), 2, 0);
  // The signed amount and recipient must be the ones that were asked for.
  if (auth && accepted) {
    auto value = amount_field(*auth, "value", "authorization");
    auto to = address_field(*auth, "to", "authorization");
    if (value && *value == accepted->amount && to && *to == accepted->pay_to) {
      report.pass("x402.terms", accepted->amount.to_decimal(), value->to_decimal());
    } else {
      report.fail("x402.terms", ErrorCode::verification_failed,
                  "authorised value or recipient differs from the requirement",
                  accepted->amount.to_decimal() + " to " + to_checksum_address(accepted->pay_to),
                  (value ? value->to_decimal() : "?") + " to " +
                      (to ? to_checksum_address(*to) : "?"));
    }
    auto after = amount_field(*auth, "validAfter", "authorization");
    auto before = amount_field(*auth, "validBefore", "authorization");
    U256 t = U256(now);
    // EIP-3009: valid strictly after validAfter and strictly before validBefore.
    if (after && before && *after < t && t < *before) {
      report.pass("x402.window", after->to_decimal() + " < t < " + before->to_decimal(),
                  std::to_string(now));
    } else {
      report.fail("x402.window", ErrorCode::expired, "authorisation not valid at this time",
                  (after ? after->to_decimal() : "?") + " < t < " +
                      (before ? before->to_decimal() : "?"),
                  std::to_string(now));
    }
  } else if (permit && accepted) {
    const Json* permitted = permit->find("permitted");
    auto amount = permitted ? amount_field(*permitted, "amount", "permitted")
                            : Result<U256>(std::unexpected(bad("permitted missing")));
    if (amount && *amount <= accepted->amount) {
      report.pass("x402.terms", "<= " + accepted->amount.to_decimal(), amount->to_decimal());
    } else {
      report.fail("x402.terms", ErrorCode::verification_failed, "permitted amount above the requirement",
                  "<= " + accepted->amount.to_decimal(), amount ? amount->to_decimal() : "?");
    }
    auto deadline = amount_field(*permit, "deadline", "permit2Authorization");
    if (deadline && U256(now) <= *deadline) {
      report.pass("x402.window", "t <= " + deadline->to_decimal(), std::to_string(now));
    } else {
      report.fail("x402.window", ErrorCode::expired, "permit deadline passed",
                  "t <= " + (deadline ? deadline->to_decimal() : "?"), std::to_string(now));
    }
  }
  return report;
}

Result<PaymentResponse> parse_payment_response_json(const Json& object) {
  if (!object.is_object()) return std::unexpected(bad("payment response is not an object"));
  const Json* success = object.find("success");
  if (success == nullptr || !success->is_bool()) {
    return std::unexpected(bad("payment response has no boolean success"));
  }
  PaymentResponse out;
  out.success = success->as_bool();
  auto text = [&](std::string_view key) -> std::string {
    const Json* v = object.find(key);
    return v && v->is_string() ? v->as_string() : std::string();
  };
  out.transaction = text("transaction");
  out.network = text("network");
  out.payer = text("payer");
  out.error_reason = text("errorReason");
  if (out.success) {
    auto tx = Hash32::from_hex(out.transaction);
    if (!tx) {
      return std::unexpected(bad("payment response transaction is not a 32-byte hash",
                                 "\"" + out.transaction + "\""));
    }
  }
  out.raw = object;
  return out;
}

Result<PaymentResponse> parse_payment_response(std::string_view header_value) {
  auto json = decode_x402_header(header_value);
  if (!json) return std::unexpected(json.error());
  return parse_payment_response_json(*json);
}

}  // namespace verinfer
