// Testkit ops for V3 keystores, so eth-account can be checked against them in bulk.
#include "crypto/secret_access.hpp"
#include "testkit.hpp"
#include "verinfer/crypto/keystore.hpp"
#include "verinfer/crypto/secp256k1.hpp"

namespace verinfer::testkit {
namespace {

Result<std::uint64_t> uint_or(const Json& request, std::string_view key, std::uint64_t fallback) {
  const Json* v = request.find(key);
  if (v == nullptr) return fallback;
  auto value = v->get_uint64();
  if (!value) return fail(ErrorCode::invalid_argument, std::string(key) + " must be an unsigned integer");
  return *value;
}

// {"keystore": JSON text, "passphrase": "..."} -> {"key": hex, "address": hex}
const OpRegistrar keystore_decrypt_op{"keystore_decrypt", [](const Json& r) -> Result<Json> {
  auto keystore = get_string(r, "keystore");
  if (!keystore) return pass_error(keystore);
  auto passphrase = get_string(r, "passphrase");
  if (!passphrase) return pass_error(passphrase);
  auto key = decrypt_keystore(*keystore, *passphrase);
  if (!key) return pass_error(key);
  Json out = Json::object();
  out.set("key", to_hex(secp256k1_detail::SecretAccess::secret(*key)));
  out.set("address", key->address().hex());
  return out;
}};

// {"key": hex, "passphrase", "kdf": "scrypt"|"pbkdf2", "n", "r", "p", "c"} -> keystore JSON text
const OpRegistrar keystore_encrypt_op{"keystore_encrypt", [](const Json& r) -> Result<Json> {
  auto key_hex = get_string(r, "key");
  if (!key_hex) return pass_error(key_hex);
  auto key = PrivateKey::from_hex(*key_hex);
  if (!key) return pass_error(key);
  auto passphrase = get_string(r, "passphrase");
  if (!passphrase) return pass_error(passphrase);
  KeystoreParams params;
  const Json* kdf = r.find("kdf");
  if (kdf != nullptr && kdf->is_string() && kdf->as_string() == "pbkdf2") params.kdf = KeystoreKdf::pbkdf2;
  for (auto [name, field] : {std::pair{"n", &params.scrypt_n}, {"r", &params.scrypt_r},
                             {"p", &params.scrypt_p}, {"c", &params.pbkdf2_iterations}}) {
    auto value = uint_or(r, name, *field);
    if (!value) return pass_error(value);
    *field = *value;
  }
  auto text = encrypt_keystore(*key, *passphrase, params);
  if (!text) return pass_error(text);
  return Json(*text);
}};

}  // namespace
}  // namespace verinfer::testkit
