// Testkit ops for HPKE and OHTTP, driven by tests/python/test_diff_hpke.py
// against pyhpke + cryptography. Keys and byte strings travel as hex.
#include "crypto/hpke_internal.hpp"
#include "testkit.hpp"
#include "transport/ohttp_internal.hpp"
#include "verinfer/crypto/hpke.hpp"
#include "verinfer/transport/ohttp.hpp"
#include "verinfer/verify/ohttp_config.hpp"

namespace verinfer::testkit {
namespace {

Result<X25519PrivateKey> key_field(const Json& r, std::string_view key) {
  auto s = get_string(r, key);
  if (!s) return std::unexpected(s.error());
  return X25519PrivateKey::from_hex(*s);
}

Result<X25519PublicKey> public_field(const Json& r, std::string_view key) {
  auto s = get_string(r, key);
  if (!s) return std::unexpected(s.error());
  return X25519PublicKey::from_hex(*s);
}

Result<const Json::Array*> array_field(const Json& r, std::string_view key) {
  auto v = get_field(r, key);
  if (!v) return std::unexpected(v.error());
  if (!(*v)->is_array()) return fail(ErrorCode::invalid_argument, "field is not an array", std::string(key));
  return &(*v)->as_array();
}

Json hex_json(ByteView b) { return Json(to_hex(b, false)); }

// {"exports": [{"context": hex, "length": n}]} -> ["hex", ...]
template <class Context>
Result<Json> run_exports(const Json& r, const Context& context) {
  Json out = Json::array();
  const Json* list = r.find("exports");
  if (list == nullptr) return out;
  for (const Json& e : list->as_array()) {
    auto ctx = get_hex(e, "context");
    if (!ctx) return std::unexpected(ctx.error());
    auto length = e.find("length") ? e.find("length")->get_uint64() : std::nullopt;
    if (!length) return fail(ErrorCode::invalid_argument, "export without a length");
    auto value = context.export_secret(*ctx, static_cast<std::size_t>(*length));
    if (!value) return std::unexpected(value.error());
    out.push_back(hex_json(*value));
  }
  return out;
}

// Seals [{"aad", "pt"}] to pkR. With "ske" the ephemeral key is fixed (test-only entry point).
const OpRegistrar hpke_seal_op{"hpke_seal", [](const Json& r) -> Result<Json> {
  auto pk = public_field(r, "pkr");
  auto info = get_hex(r, "info");
  auto messages = array_field(r, "messages");
  if (!pk || !info || !messages) return fail(ErrorCode::invalid_argument, "need pkr, info, messages");
  Result<HpkeSenderContext> sender = fail(ErrorCode::internal, "unset");
  if (r.find("ske") != nullptr) {
    auto ske = key_field(r, "ske");
    if (!ske) return std::unexpected(ske.error());
    sender = hpke_detail::setup_base_sender_with_ephemeral_for_testing(kHpkeX25519ChaCha20, *pk, *info, *ske);
  } else {
    sender = hpke_setup_base_sender(kHpkeX25519ChaCha20, *pk, *info);
  }
  if (!sender) return std::unexpected(sender.error());
  Json cts = Json::array();
  for (const Json& m : **messages) {
    auto aad = get_hex(m, "aad");
    auto pt = get_hex(m, "pt");
    if (!aad || !pt) return fail(ErrorCode::invalid_argument, "message needs aad and pt");
    auto ct = sender->seal(*aad, *pt);
    if (!ct) return std::unexpected(ct.error());
    cts.push_back(hex_json(*ct));
  }
  auto exports = run_exports(r, *sender);
  if (!exports) return std::unexpected(exports.error());
  Json out = Json::object();
  out.set("enc", hex_json(sender->enc()));
  out.set("cts", std::move(cts));
  out.set("exports", std::move(*exports));
  return out;
}};

// Opens [{"aad", "ct"}] in order; the first failure fails the op.
const OpRegistrar hpke_open_op{"hpke_open", [](const Json& r) -> Result<Json> {
  auto sk = key_field(r, "skr");
  auto enc = get_hex(r, "enc");
  auto info = get_hex(r, "info");
  auto messages = array_field(r, "messages");
  if (!sk || !enc || !info || !messages) return fail(ErrorCode::invalid_argument, "need skr, enc, info, messages");
  auto recipient = hpke_setup_base_recipient(kHpkeX25519ChaCha20, *enc, *sk, *info);
  if (!recipient) return std::unexpected(recipient.error());
  Json pts = Json::array();
  for (const Json& m : **messages) {
    auto aad = get_hex(m, "aad");
    auto ct = get_hex(m, "ct");
    if (!aad || !ct) return fail(ErrorCode::invalid_argument, "message needs aad and ct");
    auto pt = recipient->open(*aad, *ct);
    if (!pt) return std::unexpected(pt.error());
    pts.push_back(hex_json(*pt));
  }
  auto exports = run_exports(r, *recipient);
  if (!exports) return std::unexpected(exports.error());
  Json out = Json::object();
  out.set("pts", std::move(pts));
  out.set("exports", std::move(*exports));
  return out;
}};

// Feeds `body` to a chunked decoder in the pieces "splits" names (sizes), then finishes.
Result<Json> decode_chunked(const OhttpClientContext& context, ByteView body, const Json& r) {
  auto decoder = context.chunked_response_decoder();
  if (!decoder) return std::unexpected(decoder.error());
  Json chunks = Json::array();
  std::size_t at = 0;
  const auto push = [&](std::size_t n) -> Status {
    auto out = decoder->push(body.subspan(at, n));
    if (!out) return std::unexpected(out.error());
    for (const auto& c : *out) chunks.push_back(hex_json(c));
    at += n;
    return {};
  };
  if (const Json* splits = r.find("splits")) {
    for (const Json& s : splits->as_array()) {
      const std::size_t n = std::min<std::size_t>(*s.get_uint64(), body.size() - at);
      if (auto ok = push(n); !ok) return std::unexpected(ok.error());
    }
  }
  if (auto ok = push(body.size() - at); !ok) return std::unexpected(ok.error());
  auto last = decoder->finish();
  if (!last) return std::unexpected(last.error());
  chunks.push_back(hex_json(*last));
  return chunks;
}

// Client side: encapsulates "plaintext" to "key_config" with the fixed ephemeral
// key "ske", then opens "response" and/or "chunked_response" if given.
const OpRegistrar ohttp_client_op{"ohttp_client", [](const Json& r) -> Result<Json> {
  auto config_bytes = get_hex(r, "key_config");
  auto plaintext = get_hex(r, "plaintext");
  auto ske = key_field(r, "ske");
  if (!config_bytes || !plaintext || !ske) return fail(ErrorCode::invalid_argument, "need key_config, plaintext, ske");
  auto config = parse_ohttp_key_config(*config_bytes);
  if (!config) return std::unexpected(config.error());
  auto suite = config->select_suite();
  if (!suite) return std::unexpected(suite.error());
  auto request = ohttp_detail::encapsulate_request_for_testing(config->key_id, *suite, config->public_key,
                                                              *plaintext, *ske);
  if (!request) return std::unexpected(request.error());
  Json out = Json::object();
  out.set("wire", hex_json(request->wire));
  if (r.find("response") != nullptr) {
    auto body = get_hex(r, "response");
    if (!body) return std::unexpected(body.error());
    auto pt = request->context.open_response(*body);
    if (!pt) return std::unexpected(pt.error());
    out.set("response_pt", hex_json(*pt));
  }
  if (r.find("chunked_response") != nullptr) {
    auto body = get_hex(r, "chunked_response");
    if (!body) return std::unexpected(body.error());
    auto chunks = decode_chunked(request->context, *body, r);
    if (!chunks) return std::unexpected(chunks.error());
    out.set("chunks", std::move(*chunks));
  }
  return out;
}};

// Gateway side: opens "wire" with "skr"/"key_id", then seals "response_pt"
// single-shot and "chunks" (the last one final) as a chunked response.
const OpRegistrar ohttp_server_op{"ohttp_server", [](const Json& r) -> Result<Json> {
  auto sk = key_field(r, "skr");
  auto wire = get_hex(r, "wire");
  const Json* key_id = r.find("key_id");
  if (!sk || !wire || key_id == nullptr || !key_id->get_uint64() || *key_id->get_uint64() > 255) {
    return fail(ErrorCode::invalid_argument, "need skr, wire, key_id");
  }
  OhttpGateway gateway(static_cast<std::uint8_t>(*key_id->get_uint64()), *sk);
  auto request = gateway.decapsulate_request(*wire);
  if (!request) return std::unexpected(request.error());
  Json out = Json::object();
  out.set("request_pt", hex_json(request->plaintext));
  out.set("key_config", hex_json(gateway.key_config().encode()));
  if (r.find("response_pt") != nullptr) {
    auto pt = get_hex(r, "response_pt");
    if (!pt) return std::unexpected(pt.error());
    auto body = request->context.seal_response(*pt);
    if (!body) return std::unexpected(body.error());
    out.set("response", hex_json(*body));
  }
  if (r.find("chunks") != nullptr) {
    auto encoder = request->context.chunked_response_encoder();
    if (!encoder) return std::unexpected(encoder.error());
    auto chunks = array_field(r, "chunks");
    if (!chunks || (*chunks)->empty()) return fail(ErrorCode::invalid_argument, "chunks needs at least the final one");
    Bytes body;
    for (std::size_t i = 0; i < (*chunks)->size(); ++i) {
      auto pt = from_hex((**chunks)[i].as_string());
      if (!pt) return std::unexpected(pt.error());
      auto sealed = i + 1 < (*chunks)->size() ? encoder->seal_chunk(*pt) : encoder->seal_final(*pt);
      if (!sealed) return std::unexpected(sealed.error());
      body.insert(body.end(), sealed->begin(), sealed->end());
    }
    out.set("chunked_response", hex_json(body));
  }
  return out;
}};

// OpenGradient's OHTTP config binding: configHash and the full verification.
const OpRegistrar ohttp_config_op{"ohttp_config_verify", [](const Json& r) -> Result<Json> {
  auto tee_id = get_hex(r, "tee_id");
  auto public_key = get_hex(r, "public_key");
  auto key_config = get_hex(r, "key_config");
  auto signature = get_hex(r, "signature");
  auto pem = get_string(r, "signing_key_pem");
  if (!tee_id || !public_key || !key_config || !signature || !pem) {
    return fail(ErrorCode::invalid_argument, "need tee_id, public_key, key_config, signature, signing_key_pem");
  }
  auto id = Hash32::from_bytes(*tee_id);
  if (!id) return std::unexpected(id.error());
  TeeOhttpConfig config;
  const auto number = [&](std::string_view key) { return r.find(key) ? r.find(key)->get_uint64().value_or(0) : 0; };
  config.key_id = static_cast<std::uint8_t>(number("key_id"));
  config.kem_id = static_cast<std::uint16_t>(number("kem_id"));
  config.kdf_id = static_cast<std::uint16_t>(number("kdf_id"));
  config.aead_id = static_cast<std::uint16_t>(number("aead_id"));
  config.public_key = *public_key;
  config.key_config = *key_config;
  auto key = RsaPublicKey::from_pem(*pem);
  if (!key) return std::unexpected(key.error());
  VerificationReport report;
  auto verified = verify_ohttp_config(*id, config, *signature, *key, report);
  Json failed = Json::array();
  for (const auto& c : report.checks()) {
    if (!c.passed) failed.push_back(Json(c.name));
  }
  Json out = Json::object();
  out.set("config_hash", hex_json(ohttp_config_hash(*id, config)));
  out.set("verified", verified.has_value());
  out.set("failed_checks", std::move(failed));
  return out;
}};

}  // namespace
}  // namespace verinfer::testkit
