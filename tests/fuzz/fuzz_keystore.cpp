// V3 keystores: decrypt_keystore and keystore_address over hostile files,
// under tight KeystoreLimits so that no input costs more than a millisecond of
// KDF work. Input: a length byte (mod 32), that many passphrase bytes, then
// the keystore text. The seeds are eth-account files with tiny KDF parameters
// (tests/vectors/keystore/small_kdf.json), so mutations reach the MAC check
// and the decryption.
#include "fuzz_support.hpp"

#include <verinfer/crypto/keystore.hpp>
#include <verinfer/json.hpp>

#include <string>

#include "crypto/secret_access.hpp"

using namespace verinfer;

namespace {

// scrypt n*r <= 1024 and n*r*p <= 2048, PBKDF2 c <= 64: well under a
// millisecond each, against seconds under the default limits.
constexpr KeystoreLimits kTight{std::uint64_t{1} << 17, std::uint64_t{1} << 18, 64};
static_assert(kTight.max_scrypt_memory <= KeystoreLimits{}.max_scrypt_memory &&
              kTight.max_scrypt_work <= KeystoreLimits{}.max_scrypt_work &&
              kTight.max_pbkdf2_iterations <= KeystoreLimits{}.max_pbkdf2_iterations);

bool same_key(const PrivateKey& a, const PrivateKey& b) {
  return secp256k1_detail::SecretAccess::secret(a) == secp256k1_detail::SecretAccess::secret(b);
}

bool same_error(const Error& a, const Error& b) {
  return a.code == b.code && a.message == b.message && a.detail == b.detail;
}

// Every refusal is one of the documented kinds, with a message.
void check_refusal(const Error& error) {
  FUZZ_CHECK(!error.message.empty());
  FUZZ_CHECK(error.code == ErrorCode::parse_error || error.code == ErrorCode::invalid_argument ||
             error.code == ErrorCode::resource_exhausted || error.code == ErrorCode::verification_failed);
}

// 8-4-4-4-12 lower-case hex, version 4, variant 10 (RFC 9562 section 5.4).
bool is_uuid_v4(std::string_view id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = id[i];
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return id[14] == '4' && (id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

// A decrypted key survives a re-encryption: the new file decrypts to the same
// key under the tight limits, declares its address and has a v4 UUID.
void check_reencryption(const PrivateKey& key, std::string_view passphrase) {
  auto text = encrypt_keystore(key, passphrase, {KeystoreKdf::pbkdf2, 0, 0, 0, 1});
  FUZZ_CHECK(text.has_value());
  auto back = decrypt_keystore(*text, passphrase, kTight);
  FUZZ_CHECK(back && same_key(*back, key));
  auto address = keystore_address(*text);
  FUZZ_CHECK(address && *address == key.address());
  auto json = parse_json(*text);
  FUZZ_CHECK(json && json->find("id") != nullptr && json->find("id")->is_string());
  FUZZ_CHECK(is_uuid_v4(json->find("id")->as_string()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const ByteView pass_bytes = in.take(in.byte() % 32);
  const std::string passphrase(reinterpret_cast<const char*>(pass_bytes.data()), pass_bytes.size());
  const std::string_view text = in.rest_text();

  auto declared = keystore_address(text);
  if (!declared) check_refusal(declared.error());

  auto key = decrypt_keystore(text, passphrase, kTight);
  if (!key) {
    check_refusal(key.error());
    // Limits only refuse: any other verdict is the same under the defaults
    // (which cost no more here, since the tight limits let the KDF run).
    if (key.error().code != ErrorCode::resource_exhausted) {
      auto relaxed = decrypt_keystore(text, passphrase);
      FUZZ_CHECK(!relaxed && same_error(relaxed.error(), key.error()));
    }
    return 0;
  }
  auto relaxed = decrypt_keystore(text, passphrase);
  FUZZ_CHECK(relaxed && same_key(*relaxed, *key));
  // A declared address is the key's (decrypt_keystore checked it).
  if (declared) FUZZ_CHECK(*declared == key->address());
  // The MAC binds the passphrase. (Not a 0x00 byte: HMAC pads short keys with
  // zeros, so "pw" and "pw\0" derive the same key by design of PBKDF2.)
  auto wrong = decrypt_keystore(text, passphrase + "\x01", kTight);
  FUZZ_CHECK(!wrong && wrong.error().code == ErrorCode::verification_failed);
  check_reencryption(*key, passphrase);
  return 0;
}
