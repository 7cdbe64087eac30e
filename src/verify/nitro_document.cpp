// Decoding of Nitro attestation documents (no cryptography here).
#include <string>

#include "verify/internal/cbor.hpp"
#include "verify/internal/nitro_cose.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/verify/nitro.hpp"

namespace verinfer {
namespace internal {
namespace {

using cbor::Item;
using cbor::Type;

constexpr std::uint64_t kTagCoseSign1 = 18;      // RFC 9052 section 2
constexpr std::uint64_t kHeaderAlg = 1;          // RFC 9052 section 3.1
constexpr std::uint64_t kEs384Negated = 34;      // alg -35 is CBOR negative arg 34
constexpr std::size_t kMaxCertificate = 1024;    // AWS: cert = bytes .size (1..1024)
constexpr std::size_t kMaxPcrs = 32;
constexpr std::size_t kMaxCabundle = 16;         // real bundles hold 4; room to grow

std::unexpected<Error> bad(std::string message, std::string detail = {}) {
  return fail(ErrorCode::parse_error, std::move(message), std::move(detail));
}

std::string describe(const Item& item) {
  return std::string(cbor::to_string(item.type)) + " at byte " + std::to_string(item.offset);
}

Status expect_type(const Item& item, Type type, std::string_view field) {
  if (item.type == type) return {};
  return bad(std::string(field) + " has the wrong type",
             "expected " + std::string(cbor::to_string(type)) + ", got " + describe(item));
}

Status expect_length(ByteView data, std::size_t min, std::size_t max, std::string_view field) {
  if (data.size() >= min && data.size() <= max) return {};
  return bad(std::string(field) + " has a wrong length",
             "expected " + std::to_string(min) + ".." + std::to_string(max) + " bytes, got " +
                 std::to_string(data.size()));
}

// public_key, user_data, nonce: a byte string in range, or null (= absent).
Result<std::optional<Bytes>> optional_bytes(const Item& item, std::size_t min, std::size_t max,
                                            std::string_view field) {
  if (item.type == Type::null) return std::optional<Bytes>{};
  if (auto t = expect_type(item, Type::bytes, field); !t) return std::unexpected(t.error());
  if (auto l = expect_length(item.data, min, max, field); !l) return std::unexpected(l.error());
  return std::optional<Bytes>(Bytes(item.data.begin(), item.data.end()));
}

Status read_pcrs(const Item& map, NitroAttestation& out) {
  if (auto t = expect_type(map, Type::map, "pcrs"); !t) return t;
  if (map.size() < 1 || map.size() > kMaxPcrs) {
    return bad("pcrs has a wrong number of entries",
               "expected 1..32, got " + std::to_string(map.size()));
  }
  for (std::size_t i = 0; i < map.items.size(); i += 2) {
    const Item& key = map.items[i];
    const Item& value = map.items[i + 1];
    if (key.type != Type::unsigned_int || key.value >= kMaxPcrs) {
      return bad("pcrs key is not an index 0..31", "got " + describe(key));
    }
    std::string name = "pcrs[" + std::to_string(key.value) + "]";
    if (auto t = expect_type(value, Type::bytes, name); !t) return t;
    std::size_t n = value.data.size();
    if (n != 32 && n != 48 && n != 64) {
      return bad(name + " has a wrong length", "expected 32, 48 or 64 bytes, got " +
                                                   std::to_string(n));
    }
    out.pcrs.emplace(static_cast<std::uint32_t>(key.value), Bytes(value.data.begin(), value.data.end()));
  }
  return {};
}

Status read_cabundle(const Item& array, NitroAttestation& out) {
  if (auto t = expect_type(array, Type::array, "cabundle"); !t) return t;
  if (array.size() < 1 || array.size() > kMaxCabundle) {
    return bad("cabundle has a wrong number of certificates",
               "expected 1.." + std::to_string(kMaxCabundle) + ", got " +
                   std::to_string(array.size()));
  }
  for (std::size_t i = 0; i < array.items.size(); ++i) {
    std::string name = "cabundle[" + std::to_string(i) + "]";
    const Item& cert = array.items[i];
    if (auto t = expect_type(cert, Type::bytes, name); !t) return t;
    if (auto l = expect_length(cert.data, 1, kMaxCertificate, name); !l) return l;
    out.cabundle.emplace_back(cert.data.begin(), cert.data.end());
  }
  return {};
}

Status read_field(std::string_view key, const Item& value, NitroAttestation& out) {
  if (key == "module_id") {
    if (auto t = expect_type(value, Type::text, key); !t) return t;
    if (value.data.empty()) return bad("module_id is empty");
    out.module_id = std::string(value.text());
  } else if (key == "digest") {
    if (auto t = expect_type(value, Type::text, key); !t) return t;
    out.digest = std::string(value.text());
  } else if (key == "timestamp") {
    if (auto t = expect_type(value, Type::unsigned_int, key); !t) return t;
    if (value.value == 0) return bad("timestamp is zero");
    out.timestamp_ms = value.value;
  } else if (key == "pcrs") {
    return read_pcrs(value, out);
  } else if (key == "certificate") {
    if (auto t = expect_type(value, Type::bytes, key); !t) return t;
    if (auto l = expect_length(value.data, 1, kMaxCertificate, key); !l) return l;
    out.certificate.assign(value.data.begin(), value.data.end());
  } else if (key == "cabundle") {
    return read_cabundle(value, out);
  } else {
    std::optional<Bytes>* slot = key == "public_key"  ? &out.public_key
                                 : key == "user_data" ? &out.user_data
                                 : key == "nonce"     ? &out.nonce
                                                      : nullptr;
    if (slot == nullptr) return bad("unknown attestation field", "got \"" + std::string(key) + "\"");
    // AWS: public_key 1..1024 bytes; user_data and nonce 0..512 bytes.
    auto v = key == "public_key" ? optional_bytes(value, 1, 1024, key)
                                 : optional_bytes(value, 0, 512, key);
    if (!v) return std::unexpected(v.error());
    *slot = std::move(*v);
  }
  return {};
}

}  // namespace

Result<CoseSign1> parse_cose_sign1(ByteView cose) {
  auto root = cbor::decode(cose);
  if (!root) return std::unexpected(root.error());
  CoseSign1 out;
  const Item* array = &*root;
  if (array->type == Type::tag) {
    if (array->value != kTagCoseSign1) {
      return bad("unexpected CBOR tag", "expected 18 (COSE_Sign1), got " + std::to_string(array->value));
    }
    out.tagged = true;
    array = &array->items.front();
  }
  if (auto t = expect_type(*array, Type::array, "COSE_Sign1"); !t) return std::unexpected(t.error());
  if (array->size() != 4) {
    return bad("COSE_Sign1 must have 4 elements", "got " + std::to_string(array->size()));
  }
  const Item& prot = array->items[0];
  const Item& unprot = array->items[1];
  const Item& payload = array->items[2];
  const Item& signature = array->items[3];
  if (auto t = expect_type(prot, Type::bytes, "protected header"); !t) return std::unexpected(t.error());
  if (auto t = expect_type(unprot, Type::map, "unprotected header"); !t) return std::unexpected(t.error());
  if (auto t = expect_type(payload, Type::bytes, "payload"); !t) return std::unexpected(t.error());
  if (auto t = expect_type(signature, Type::bytes, "signature"); !t) return std::unexpected(t.error());

  auto header = cbor::decode(prot.data);
  bool es384 = header && header->type == Type::map && header->size() == 1 &&
               header->items[0].type == Type::unsigned_int && header->items[0].value == kHeaderAlg &&
               header->items[1].type == Type::negative_int && header->items[1].value == kEs384Negated;
  if (!es384) {
    return bad("protected header must be {1: -35} (ES384)", "got " + to_hex(prot.data, false));
  }
  if (auto l = expect_length(payload.data, 1, kMaxPayload, "payload"); !l) return std::unexpected(l.error());
  if (signature.data.size() != kEs384SignatureSize) {
    return bad("ES384 signature must be 96 bytes (r || s)",
               "got " + std::to_string(signature.data.size()));
  }
  out.protected_header = prot.data;
  out.payload = payload.data;
  out.signature = signature.data;
  return out;
}

Result<NitroAttestation> parse_attestation_payload(ByteView payload) {
  auto map = cbor::decode(payload);
  if (!map) {
    Error e = map.error();
    e.message = "payload: " + e.message;
    return std::unexpected(std::move(e));
  }
  if (auto t = expect_type(*map, Type::map, "payload"); !t) return std::unexpected(t.error());
  NitroAttestation out;
  for (std::size_t i = 0; i < map->items.size(); i += 2) {
    const Item& key = map->items[i];
    if (key.type != Type::text) return bad("payload key is not text", "got " + describe(key));
    if (auto f = read_field(key.text(), map->items[i + 1], out); !f) return std::unexpected(f.error());
  }
  for (std::string_view required : {"module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle"}) {
    if (map->find(required) == nullptr) {
      return bad("payload lacks a required field", "missing \"" + std::string(required) + "\"");
    }
  }
  return out;
}

Bytes sig_structure(ByteView protected_header, ByteView payload) {
  Bytes out;
  out.reserve(protected_header.size() + payload.size() + 32);
  cbor::append_head(out, 4, 4);
  cbor::append_text(out, "Signature1");
  cbor::append_bytes(out, protected_header);
  cbor::append_bytes(out, {});  // external_aad: empty
  cbor::append_bytes(out, payload);
  return out;
}

}  // namespace internal

Result<NitroDocument> parse_nitro_document(ByteView cose) {
  auto parts = internal::parse_cose_sign1(cose);
  if (!parts) return std::unexpected(parts.error());
  auto attestation = internal::parse_attestation_payload(parts->payload);
  if (!attestation) return std::unexpected(attestation.error());
  NitroDocument doc;
  doc.attestation = std::move(*attestation);
  doc.tagged = parts->tagged;
  doc.protected_header.assign(parts->protected_header.begin(), parts->protected_header.end());
  doc.payload.assign(parts->payload.begin(), parts->payload.end());
  doc.signature.assign(parts->signature.begin(), parts->signature.end());
  return doc;
}

Result<Bytes> decode_nitro_base64(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return fail(ErrorCode::parse_error, "empty attestation document");
  text = text.substr(first, text.find_last_not_of(kSpace) - first + 1);
  auto bytes = from_base64(text);
  if (!bytes) {
    Error e = bytes.error();
    e.message = "attestation document is not base64: " + e.message;
    return std::unexpected(std::move(e));
  }
  return bytes;
}

Result<Hash32> NitroAttestation::pcr_hash() const {
  Keccak256 h;
  for (std::uint32_t index : {0u, 1u, 2u}) {
    auto it = pcrs.find(index);
    if (it == pcrs.end()) {
      return fail(ErrorCode::invalid_argument, "pcr_hash needs PCR0, PCR1 and PCR2",
                  "PCR" + std::to_string(index) + " is missing");
    }
    h.update(it->second);
  }
  return h.finish();
}

namespace {
constexpr std::uint8_t kMultihashSha256[2] = {0x12, 0x20};  // multihash: sha2-256, 32 bytes
constexpr std::size_t kUserDataSize = 2 * (2 + 32);
}  // namespace

Result<NitroUserData> parse_opengradient_user_data(ByteView user_data) {
  if (user_data.size() != kUserDataSize) {
    return fail(ErrorCode::parse_error, "user_data is not two sha256 multihashes",
                "expected 68 bytes, got " + std::to_string(user_data.size()));
  }
  for (std::size_t at : {std::size_t{0}, std::size_t{34}}) {
    if (user_data[at] != kMultihashSha256[0] || user_data[at + 1] != kMultihashSha256[1]) {
      return fail(ErrorCode::parse_error, "user_data multihash prefix is not 0x1220",
                  "at byte " + std::to_string(at) + ": got " + to_hex(user_data.subspan(at, 2), false));
    }
  }
  NitroUserData out;
  std::copy_n(user_data.begin() + 2, 32, out.tls_certificate_sha256.bytes.begin());
  std::copy_n(user_data.begin() + 36, 32, out.signing_key_sha256.bytes.begin());
  return out;
}

Bytes make_opengradient_user_data(ByteView tls_certificate_der, ByteView signing_key_spki_der) {
  Bytes out;
  out.reserve(kUserDataSize);
  for (ByteView part : {tls_certificate_der, signing_key_spki_der}) {
    out.insert(out.end(), std::begin(kMultihashSha256), std::end(kMultihashSha256));
    Hash32 digest = sha256(part);
    out.insert(out.end(), digest.begin(), digest.end());
  }
  return out;
}

Result<NitroUserData> NitroAttestation::opengradient_user_data() const {
  if (!user_data) return fail(ErrorCode::parse_error, "user_data is absent");
  return parse_opengradient_user_data(*user_data);
}

NitroPolicy NitroPolicy::opengradient() {
  NitroPolicy p;
  p.max_age = std::chrono::seconds(300);
  p.max_future_skew = std::chrono::seconds(60);
  return p;
}

}  // namespace verinfer
