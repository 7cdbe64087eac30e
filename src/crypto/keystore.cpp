#include "verinfer/crypto/keystore.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <bit>
#include <optional>

#include "crypto/scrypt.hpp"
#include "crypto/secret_access.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/json.hpp"

namespace verinfer {
namespace {

// Facts from the Web3 Secret Storage Definition (version 3).
constexpr std::string_view kCipher = "aes-128-ctr";
constexpr std::string_view kPrf = "hmac-sha256";
constexpr std::size_t kDerivedKeySize = 32;  // dklen: 16 bytes AES key + 16 bytes MAC key
constexpr std::size_t kIvSize = 16;
constexpr std::size_t kSaltSize = 32;
constexpr std::size_t kMaxSaltSize = 1024;
constexpr std::size_t kMaxKeystoreBytes = 64 * 1024;  // real files are ~500 bytes

Error malformed(std::string message, std::string detail = {}) {
  return Error{ErrorCode::parse_error, std::move(message), std::move(detail)};
}

// Wipes a buffer of secret bytes when the scope ends, on every return path.
template <class Buffer>
struct WipeOnExit {
  Buffer& buffer;
  ~WipeOnExit() { secure_wipe(buffer.data(), buffer.size()); }
};

struct KdfSpec {
  KeystoreKdf kdf = KeystoreKdf::scrypt;
  std::uint64_t n = 0, r = 0, p = 0, c = 0;
  Bytes salt;
};

Status check_limits(const KdfSpec& spec, const KeystoreLimits& limits) {
  if (spec.kdf == KeystoreKdf::pbkdf2) {
    if (spec.c == 0) return fail(ErrorCode::invalid_argument, "pbkdf2 iterations c must be at least 1");
    if (spec.c > limits.max_pbkdf2_iterations) {
      return fail(ErrorCode::resource_exhausted, "pbkdf2 iterations c exceed the limit",
                  fmt::format("got {}, limit {}", spec.c, limits.max_pbkdf2_iterations));
    }
    return {};
  }
  if (spec.n < 2 || !std::has_single_bit(spec.n)) {
    return fail(ErrorCode::invalid_argument, "scrypt n must be a power of two greater than 1",
                fmt::format("got {}", spec.n));
  }
  if (spec.r == 0 || spec.p == 0) {
    return fail(ErrorCode::invalid_argument, "scrypt r and p must be at least 1",
                fmt::format("got r={} p={}", spec.r, spec.p));
  }
  // 128*n*r bytes of memory; 128*n*r*p of work. Divisions keep it overflow-free.
  const std::uint64_t max_nr = limits.max_scrypt_memory / 128;
  if (spec.r > max_nr || spec.n > max_nr / spec.r) {
    return fail(ErrorCode::resource_exhausted, "scrypt memory 128*n*r exceeds the limit",
                fmt::format("n={} r={}, limit {} bytes", spec.n, spec.r, limits.max_scrypt_memory));
  }
  if (spec.p > limits.max_scrypt_work / 128 / (spec.n * spec.r)) {
    return fail(ErrorCode::resource_exhausted, "scrypt work 128*n*r*p exceeds the limit",
                fmt::format("n={} r={} p={}, limit {} bytes", spec.n, spec.r, spec.p,
                            limits.max_scrypt_work));
  }
  return {};
}

Status derive_key(const KdfSpec& spec, std::string_view passphrase,
                  std::array<std::uint8_t, kDerivedKeySize>& out) {
  return spec.kdf == KeystoreKdf::scrypt
             ? scrypt(as_bytes(passphrase), spec.salt, spec.n, spec.r, spec.p, out)
             : pbkdf2_hmac_sha256(as_bytes(passphrase), spec.salt, spec.c, out);
}

// AES-128-CTR is its own inverse: one function encrypts and decrypts.
Status aes128_ctr(std::span<const std::uint8_t, 16> key, ByteView iv, ByteView in,
                  std::span<std::uint8_t> out) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0, tail = 0;
  bool ok = ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key.data(), iv.data()) == 1 &&
            EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx, out.data() + len, &tail) == 1 &&
            static_cast<std::size_t>(len + tail) == in.size();
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return fail(ErrorCode::internal, "AES-128-CTR failed");
  return {};
}

Hash32 keystore_mac(const std::array<std::uint8_t, kDerivedKeySize>& derived, ByteView ciphertext) {
  Bytes body(derived.begin() + 16, derived.end());
  body.insert(body.end(), ciphertext.begin(), ciphertext.end());
  Hash32 mac = keccak256(body);
  secure_wipe(body.data(), body.size());
  return mac;
}

// --- reading ---------------------------------------------------------------

Result<const Json*> member(const Json& object, std::string_view key, std::string_view where,
                           Json::Kind kind, std::string_view kind_name) {
  const Json* v = object.find(key);
  if (v == nullptr) return std::unexpected(malformed(fmt::format("keystore has no {}{}", where, key)));
  if (v->kind() != kind) {
    return std::unexpected(
        malformed(fmt::format("keystore {}{} must be {}", where, key, kind_name), "got " + v->dump()));
  }
  return v;
}

Result<std::string> string_member(const Json& object, std::string_view key, std::string_view where) {
  auto v = member(object, key, where, Json::Kind::string, "a string");
  if (!v) return std::unexpected(v.error());
  return (*v)->as_string();
}

Result<std::uint64_t> uint_member(const Json& object, std::string_view key, std::string_view where) {
  auto v = member(object, key, where, Json::Kind::integer, "an unsigned integer");
  if (!v) return std::unexpected(v.error());
  auto value = (*v)->get_uint64();
  if (!value) {
    return std::unexpected(malformed(fmt::format("keystore {}{} must be an unsigned 64-bit integer", where, key),
                                     "got " + (*v)->dump()));
  }
  return *value;
}

// Hex of `min`..`max` bytes.
Result<Bytes> hex_member(const Json& object, std::string_view key, std::string_view where,
                         std::size_t min, std::size_t max) {
  auto text = string_member(object, key, where);
  if (!text) return std::unexpected(text.error());
  auto bytes = from_hex(*text);
  if (!bytes) {
    return std::unexpected(malformed(fmt::format("keystore {}{} is not hex", where, key), bytes.error().message));
  }
  if (bytes->size() < min || bytes->size() > max) {
    std::string expected = min == max ? fmt::format("{}", min) : fmt::format("{} to {}", min, max);
    return std::unexpected(malformed(fmt::format("keystore {}{} has the wrong length", where, key),
                                     fmt::format("expected {} bytes, got {}", expected, bytes->size())));
  }
  return bytes;
}

Result<KdfSpec> parse_kdf(const Json& crypto, const KeystoreLimits& limits) {
  auto name = string_member(crypto, "kdf", "crypto.");
  if (!name) return std::unexpected(name.error());
  auto params = member(crypto, "kdfparams", "crypto.", Json::Kind::object, "an object");
  if (!params) return std::unexpected(params.error());
  const Json& kp = **params;
  constexpr std::string_view where = "crypto.kdfparams.";

  KdfSpec spec;
  if (*name == "scrypt") {
    spec.kdf = KeystoreKdf::scrypt;
    for (auto [key, field] : {std::pair{"n", &spec.n}, {"r", &spec.r}, {"p", &spec.p}}) {
      auto value = uint_member(kp, key, where);
      if (!value) return std::unexpected(value.error());
      *field = *value;
    }
  } else if (*name == "pbkdf2") {
    spec.kdf = KeystoreKdf::pbkdf2;
    auto prf = string_member(kp, "prf", where);
    if (!prf) return std::unexpected(prf.error());
    if (*prf != kPrf) {
      return fail(ErrorCode::invalid_argument, "unsupported keystore pbkdf2 prf",
                  fmt::format("expected {}, got \"{}\"", kPrf, *prf));
    }
    auto c = uint_member(kp, "c", where);
    if (!c) return std::unexpected(c.error());
    spec.c = *c;
  } else {
    return fail(ErrorCode::invalid_argument, "unsupported keystore kdf",
                fmt::format("expected scrypt or pbkdf2, got \"{}\"", *name));
  }
  auto dklen = uint_member(kp, "dklen", where);
  if (!dklen) return std::unexpected(dklen.error());
  if (*dklen != kDerivedKeySize) {
    return fail(ErrorCode::invalid_argument, "unsupported keystore dklen",
                fmt::format("expected {}, got {}", kDerivedKeySize, *dklen));
  }
  auto salt = hex_member(kp, "salt", where, 0, kMaxSaltSize);
  if (!salt) return std::unexpected(salt.error());
  spec.salt = std::move(*salt);
  if (auto within = check_limits(spec, limits); !within) return std::unexpected(within.error());
  return spec;
}

Result<Json> parse_keystore_json(std::string_view text) {
  if (text.size() > kMaxKeystoreBytes) {
    return fail(ErrorCode::resource_exhausted, "keystore file is too large",
                fmt::format("{} bytes, limit {}", text.size(), kMaxKeystoreBytes));
  }
  auto json = parse_json(text);
  if (!json) return std::unexpected(malformed("keystore is not JSON", json.error().to_string()));
  if (!json->is_object()) return std::unexpected(malformed("keystore must be a JSON object"));
  return json;
}

Result<std::optional<Address>> declared_address(const Json& keystore) {
  const Json* field = keystore.find("address");
  if (field == nullptr || field->is_null()) return std::optional<Address>{};
  if (!field->is_string()) return std::unexpected(malformed("keystore address must be a string", "got " + field->dump()));
  auto address = Address::from_hex(field->as_string());
  if (!address) {
    return std::unexpected(malformed("keystore address is not 20 bytes of hex", "got \"" + field->as_string() + "\""));
  }
  return std::optional<Address>{*address};
}

std::string uuid_v4(ByteView random16) {
  std::array<std::uint8_t, 16> b{};
  std::copy(random16.begin(), random16.end(), b.begin());
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4 (RFC 9562)
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // variant 10
  std::string hex = to_hex(b, false);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

}  // namespace

Result<PrivateKey> decrypt_keystore(std::string_view text, std::string_view passphrase,
                                    const KeystoreLimits& limits) {
  auto json = parse_keystore_json(text);
  if (!json) return std::unexpected(json.error());
  const Json* version = json->find("version");
  if (version == nullptr || version->get_uint64() != std::optional<std::uint64_t>{3}) {
    return fail(ErrorCode::invalid_argument, "unsupported keystore version",
                "expected 3, got " + (version == nullptr ? std::string("none") : version->dump()));
  }
  // geth reads "Crypto" too (Go's JSON is case-insensitive) and old MyEtherWallet files use it.
  const Json* crypto = json->find("crypto");
  if (crypto == nullptr) crypto = json->find("Crypto");
  if (crypto == nullptr || !crypto->is_object()) return fail(ErrorCode::parse_error, "keystore has no crypto object");

  auto cipher = string_member(*crypto, "cipher", "crypto.");
  if (!cipher) return std::unexpected(cipher.error());
  if (*cipher != kCipher) {
    return fail(ErrorCode::invalid_argument, "unsupported keystore cipher",
                fmt::format("expected {}, got \"{}\"", kCipher, *cipher));
  }
  auto cipherparams = member(*crypto, "cipherparams", "crypto.", Json::Kind::object, "an object");
  if (!cipherparams) return std::unexpected(cipherparams.error());
  // Older eth-keyfile versions wrote the IV as a big-endian integer without
  // its leading zero bytes; its reader pads them back, and so do we.
  auto iv_bytes = hex_member(**cipherparams, "iv", "crypto.cipherparams.", 1, kIvSize);
  if (!iv_bytes) return std::unexpected(iv_bytes.error());
  Bytes iv(kIvSize - iv_bytes->size(), 0);
  iv.insert(iv.end(), iv_bytes->begin(), iv_bytes->end());
  auto ciphertext = hex_member(*crypto, "ciphertext", "crypto.", 32, 32);
  if (!ciphertext) return std::unexpected(ciphertext.error());
  auto mac = hex_member(*crypto, "mac", "crypto.", 32, 32);
  if (!mac) return std::unexpected(mac.error());
  auto spec = parse_kdf(*crypto, limits);
  if (!spec) return std::unexpected(spec.error());
  auto address = declared_address(*json);
  if (!address) return std::unexpected(address.error());

  std::array<std::uint8_t, kDerivedKeySize> derived{};
  WipeOnExit wipe_derived{derived};
  if (auto ok = derive_key(*spec, passphrase, derived); !ok) return std::unexpected(ok.error());
  Hash32 computed = keystore_mac(derived, *ciphertext);
  if (!constant_time_equal(computed, *mac)) {
    return fail(ErrorCode::verification_failed, "MAC mismatch: wrong passphrase or corrupted keystore",
                "expected " + to_hex(*mac, false) + ", got " + computed.hex(false));
  }
  std::array<std::uint8_t, 32> plain{};
  WipeOnExit wipe_plain{plain};
  if (auto ok = aes128_ctr(std::span<const std::uint8_t, 16>(derived.data(), 16), iv, *ciphertext, plain); !ok) {
    return std::unexpected(ok.error());
  }
  auto key = PrivateKey::from_bytes(plain);
  if (!key) {
    return fail(ErrorCode::verification_failed, "keystore holds no valid secp256k1 private key",
                key.error().message);
  }
  if (*address && **address != key->address()) {
    return fail(ErrorCode::verification_failed, "keystore address does not match its key",
                "expected " + (*address)->hex(false) + ", got " + key->address().hex(false));
  }
  return key;
}

Result<std::string> encrypt_keystore(const PrivateKey& key, std::string_view passphrase,
                                     const KeystoreParams& params) {
  KdfSpec spec{params.kdf, params.scrypt_n, params.scrypt_r, params.scrypt_p, params.pbkdf2_iterations, {}};
  if (auto ok = check_limits(spec, KeystoreLimits{}); !ok) return std::unexpected(ok.error());
  auto random = random_bytes(kSaltSize + kIvSize + 16);
  if (!random) return std::unexpected(random.error());
  spec.salt.assign(random->begin(), random->begin() + kSaltSize);
  ByteView iv(random->data() + kSaltSize, kIvSize);
  ByteView id_bytes(random->data() + kSaltSize + kIvSize, 16);

  std::array<std::uint8_t, kDerivedKeySize> derived{};
  WipeOnExit wipe_derived{derived};
  if (auto ok = derive_key(spec, passphrase, derived); !ok) return std::unexpected(ok.error());
  std::array<std::uint8_t, 32> ciphertext{};
  const auto& secret = secp256k1_detail::SecretAccess::secret(key);
  if (auto ok = aes128_ctr(std::span<const std::uint8_t, 16>(derived.data(), 16), iv, secret, ciphertext); !ok) {
    return std::unexpected(ok.error());
  }

  Json kdfparams = Json::object();
  if (spec.kdf == KeystoreKdf::scrypt) {
    kdfparams.set("dklen", Json(std::uint64_t{kDerivedKeySize}));
    kdfparams.set("n", Json(spec.n));
    kdfparams.set("p", Json(spec.p));
    kdfparams.set("r", Json(spec.r));
  } else {
    kdfparams.set("c", Json(spec.c));
    kdfparams.set("dklen", Json(std::uint64_t{kDerivedKeySize}));
    kdfparams.set("prf", Json(kPrf));
  }
  kdfparams.set("salt", Json(to_hex(spec.salt, false)));
  Json cipherparams = Json::object();
  cipherparams.set("iv", Json(to_hex(iv, false)));
  Json crypto = Json::object();
  crypto.set("cipher", Json(kCipher));
  crypto.set("cipherparams", std::move(cipherparams));
  crypto.set("ciphertext", Json(to_hex(ciphertext, false)));
  crypto.set("kdf", Json(spec.kdf == KeystoreKdf::scrypt ? "scrypt" : "pbkdf2"));
  crypto.set("kdfparams", std::move(kdfparams));
  crypto.set("mac", Json(keystore_mac(derived, ciphertext).hex(false)));
  Json out = Json::object();
  out.set("address", Json(key.address().hex(false)));
  out.set("crypto", std::move(crypto));
  out.set("id", Json(uuid_v4(id_bytes)));
  out.set("version", Json(3));
  return out.dump();
}

Result<Address> keystore_address(std::string_view text) {
  auto json = parse_keystore_json(text);
  if (!json) return std::unexpected(json.error());
  auto address = declared_address(*json);
  if (!address) return std::unexpected(address.error());
  if (!*address) return fail(ErrorCode::invalid_argument, "keystore has no address field");
  return **address;
}

}  // namespace verinfer
