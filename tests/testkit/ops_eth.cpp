// Testkit ops for the Ethereum primitives: secp256k1, EIP-191, EIP-712, ABI,
// EIP-55 and U256, so Python/Node peers can check them in bulk.
#include "testkit.hpp"
#include "verinfer/crypto/abi.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip191.hpp"
#include "verinfer/crypto/eip712.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/crypto/u256.hpp"

namespace verinfer::testkit {
namespace {

Json signature_json(const Signature& sig) {
  Json out = Json::object();
  out.set("r", sig.r.hex());
  out.set("s", sig.s.hex());
  out.set("v", static_cast<std::uint64_t>(sig.v()));
  out.set("signature", sig.to_bytes().hex());
  return out;
}

Result<PrivateKey> key_field(const Json& r) {
  auto s = get_string(r, "key");
  if (!s) return pass_error(s);
  return PrivateKey::from_hex(*s);
}

const OpRegistrar eip712_hash_op{"eip712_hash", [](const Json& r) -> Result<Json> {
  auto td = get_field(r, "typed_data");
  if (!td) return pass_error(td);
  auto h = eip712_hash(**td);
  if (!h) return pass_error(h);
  Json out = Json::object();
  out.set("digest", h->digest.hex());
  out.set("domain_separator", h->domain_separator.hex());
  out.set("struct_hash", h->struct_hash.hex());
  out.set("type_hash", h->type_hash.hex());
  out.set("encode_type", h->encode_type);
  if (r.find("key")) {
    auto key = key_field(r);
    if (!key) return pass_error(key);
    auto sig = eip712_sign(**td, *key);
    if (!sig) return pass_error(sig);
    out.set("signed", signature_json(*sig));
  }
  return out;
}};

const OpRegistrar eip191_op{"eip191_digest", [](const Json& r) -> Result<Json> {
  auto msg = get_hex(r, "hex");
  if (!msg) return pass_error(msg);
  return Json(eip191_digest(ByteView(*msg)).hex());
}};

const OpRegistrar sign_op{"sign_digest", [](const Json& r) -> Result<Json> {
  auto key = key_field(r);
  if (!key) return pass_error(key);
  auto digest = get_hex(r, "digest");
  if (!digest) return pass_error(digest);
  auto d = Hash32::from_bytes(*digest);
  if (!d) return pass_error(d);
  auto sig = key->sign_digest(*d);
  if (!sig) return pass_error(sig);
  Json out = signature_json(*sig);
  out.set("address", to_checksum_address(key->address()));
  out.set("public_key", key->public_key().xy.hex());
  return out;
}};

const OpRegistrar recover_op{"recover", [](const Json& r) -> Result<Json> {
  auto digest = get_hex(r, "digest");
  if (!digest) return pass_error(digest);
  auto d = Hash32::from_bytes(*digest);
  if (!d) return pass_error(d);
  auto sig = get_hex(r, "signature");
  if (!sig) return pass_error(sig);
  SignatureOptions options;
  const Json* high = r.find("allow_high_s");
  options.allow_high_s = high && high->is_bool() && high->as_bool();
  auto address = recover_address(*d, *sig, options);
  if (!address) return pass_error(address);
  return Json(to_checksum_address(*address));
}};

const OpRegistrar address_op{"parse_address", [](const Json& r) -> Result<Json> {
  auto text = get_string(r, "address");
  if (!text) return pass_error(text);
  auto address = parse_address(*text);
  if (!address) return pass_error(address);
  return Json(to_checksum_address(*address));
}};

const OpRegistrar abi_encode_op{"abi_encode", [](const Json& r) -> Result<Json> {
  auto types = get_abi_types(r, "types");
  if (!types) return pass_error(types);
  auto values = get_field(r, "values");
  if (!values) return pass_error(values);
  auto tuple = AbiType::tuple(*types);
  auto value = abi_value_from_json(tuple, **values);
  if (!value) return pass_error(value);
  auto encoded = abi_encode(*types, value->as_list());
  if (!encoded) return pass_error(encoded);
  // Decoding what was encoded must give the value back exactly.
  auto decoded = abi_decode(*types, *encoded);
  if (!decoded) return pass_error(decoded);
  Json out = Json::object();
  out.set("hex", to_hex(*encoded));
  out.set("round_trip", *decoded == value->as_list());
  return out;
}};

const OpRegistrar abi_decode_op{"abi_decode", [](const Json& r) -> Result<Json> {
  auto types = get_abi_types(r, "types");
  if (!types) return pass_error(types);
  auto data = get_hex(r, "hex");
  if (!data) return pass_error(data);
  auto decoded = abi_decode(*types, *data);
  if (!decoded) return pass_error(decoded);
  return abi_value_to_json(AbiType::tuple(*types), AbiValue(std::move(*decoded)));
}};

const OpRegistrar abi_type_op{"abi_type", [](const Json& r) -> Result<Json> {
  auto text = get_string(r, "type");
  if (!text) return pass_error(text);
  auto t = AbiType::parse(*text);
  if (!t) return pass_error(t);
  return Json(t->canonical());
}};

const OpRegistrar selector_op{"selector", [](const Json& r) -> Result<Json> {
  auto text = get_string(r, "signature");
  if (!text) return pass_error(text);
  auto sel = function_selector(*text);
  if (!sel) return pass_error(sel);
  auto topic = event_topic(*text);
  if (!topic) return pass_error(topic);
  Json out = Json::object();
  out.set("selector", sel->hex());
  out.set("topic", topic->hex());
  return out;
}};

const OpRegistrar u256_op{"u256", [](const Json& r) -> Result<Json> {
  auto text = get_string(r, "text");
  if (!text) return pass_error(text);
  const Json* is_signed = r.find("signed");
  bool s = is_signed && is_signed->is_bool() && is_signed->as_bool();
  auto v = s ? signed_from_text(*text) : U256::parse(*text);
  if (!v) return pass_error(v);
  Json out = Json::object();
  out.set("decimal", s ? signed_to_decimal(*v) : v->to_decimal());
  out.set("hex", v->to_hex());
  out.set("word", v->to_word().hex());
  return out;
}};

}  // namespace
}  // namespace verinfer::testkit
