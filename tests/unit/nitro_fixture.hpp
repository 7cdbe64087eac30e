// Test helpers for Nitro attestation: the real vector, UTC parsing, and a
// synthetic document factory (own P-384 root -> intermediate -> leaf made
// with OpenSSL, payload and Sig_structure encoded with libcbor, so the
// encoder is independent of the decoder under test).
#pragma once

#include <cbor.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "test_support.hpp"
#include "verinfer/verify/nitro.hpp"

namespace verinfer::test {

/// "YYYY-MM-DDTHH:MM:SSZ" -> sys_seconds (tests only; throws on bad text).
inline std::chrono::sys_seconds utc(const std::string& iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6) {
    throw std::runtime_error("bad time " + iso);
  }
  using namespace std::chrono;
  return sys_days(year(y) / month(static_cast<unsigned>(mo)) / day(static_cast<unsigned>(d))) +
         hours(h) + minutes(mi) + seconds(s);
}

inline std::chrono::sys_seconds unix_seconds(std::int64_t t) {
  return std::chrono::sys_seconds(std::chrono::seconds(t));
}

inline Bytes real_nitro_document(const std::string& file = "attestation_doc.b64") {
  auto bytes = decode_nitro_base64(read_file(vectors_dir() / "nitro" / file));
  if (!bytes) throw std::runtime_error(bytes.error().to_string());
  return *bytes;
}

inline std::string real_nitro_root_pem() {
  return read_file(vectors_dir() / "nitro" / "aws_nitro_root_g1.pem");
}

/// A P-384 PKI and a signer of Nitro-shaped documents.
class SyntheticNitro {
 public:
  struct Fields {
    std::string module_id = "i-synthetic0000000-enc0000000000000000";
    std::uint64_t timestamp_ms = 0;  // 0: not_before + 60 s
    std::string digest = "SHA384";
    std::map<std::uint32_t, Bytes> pcrs;
    std::optional<Bytes> public_key;
    std::optional<Bytes> user_data;
    std::optional<Bytes> nonce;
    bool tagged = false;
    bool null_optionals = true;  // absent optionals written as CBOR null
  };

  /// Certificates valid [not_before, not_after] (Unix seconds).
  SyntheticNitro(std::int64_t not_before, std::int64_t not_after)
      : not_before_(not_before), not_after_(not_after) {
    root_key_ = EVP_EC_gen("P-384");
    mid_key_ = EVP_EC_gen("P-384");
    leaf_key_ = EVP_EC_gen("P-384");
    if (!root_key_ || !mid_key_ || !leaf_key_) throw std::runtime_error("EVP_EC_gen failed");
    root_ = make_cert("synthetic-root", root_key_, nullptr, root_key_, true);
    mid_ = make_cert("synthetic-intermediate", mid_key_, root_, root_key_, true);
    leaf_ = make_cert("synthetic-leaf", leaf_key_, mid_, mid_key_, false);
  }
  ~SyntheticNitro() {
    X509_free(root_);
    X509_free(mid_);
    X509_free(leaf_);
    EVP_PKEY_free(root_key_);
    EVP_PKEY_free(mid_key_);
    EVP_PKEY_free(leaf_key_);
  }
  SyntheticNitro(const SyntheticNitro&) = delete;
  SyntheticNitro& operator=(const SyntheticNitro&) = delete;

  [[nodiscard]] std::string root_pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, root_);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
  }
  [[nodiscard]] Bytes root_der() const { return der(root_); }
  [[nodiscard]] Bytes leaf_der() const { return der(leaf_); }
  [[nodiscard]] std::int64_t not_before() const { return not_before_; }
  [[nodiscard]] std::int64_t not_after() const { return not_after_; }

  /// Signed COSE_Sign1 bytes. `sign_with_root` signs with a key that does not
  /// match the leaf (for negative tests).
  [[nodiscard]] Bytes document(Fields f, bool sign_with_root = false) const {
    if (f.timestamp_ms == 0) f.timestamp_ms = static_cast<std::uint64_t>(not_before_ + 60) * 1000;
    cbor_item_t* map = cbor_new_definite_map(9);
    auto put = [&](const char* key, cbor_item_t* value) {
      (void)cbor_map_add(map, cbor_pair{cbor_move(cbor_build_string(key)), cbor_move(value)});
    };
    put("module_id", cbor_build_string(f.module_id.c_str()));
    put("digest", cbor_build_string(f.digest.c_str()));
    put("timestamp", uint_item(f.timestamp_ms));
    cbor_item_t* pcrs = cbor_new_definite_map(f.pcrs.size());
    for (const auto& [index, value] : f.pcrs) {
      (void)cbor_map_add(pcrs, cbor_pair{cbor_move(uint_item(index)), cbor_move(bytes_item(value))});
    }
    put("pcrs", pcrs);
    put("certificate", bytes_item(der(leaf_)));
    cbor_item_t* bundle = cbor_new_definite_array(2);
    (void)cbor_array_push(bundle, cbor_move(bytes_item(der(root_))));
    (void)cbor_array_push(bundle, cbor_move(bytes_item(der(mid_))));
    put("cabundle", bundle);
    for (auto [key, value] : {std::pair{"public_key", &f.public_key}, std::pair{"user_data", &f.user_data},
                              std::pair{"nonce", &f.nonce}}) {
      if (*value) {
        put(key, bytes_item(**value));
      } else if (f.null_optionals) {
        put(key, cbor_new_null());
      }
    }
    Bytes payload = serialize(map);

    cbor_item_t* header = cbor_new_definite_map(1);
    (void)cbor_map_add(header, cbor_pair{cbor_move(cbor_build_uint8(1)), cbor_move(cbor_build_negint8(34))});
    Bytes protected_header = serialize(header);

    cbor_item_t* sig_structure = cbor_new_definite_array(4);
    (void)cbor_array_push(sig_structure, cbor_move(cbor_build_string("Signature1")));
    (void)cbor_array_push(sig_structure, cbor_move(bytes_item(protected_header)));
    (void)cbor_array_push(sig_structure, cbor_move(bytes_item({})));
    (void)cbor_array_push(sig_structure, cbor_move(bytes_item(payload)));
    Bytes signature = sign_p1363(sign_with_root ? root_key_ : leaf_key_, serialize(sig_structure));

    cbor_item_t* cose = cbor_new_definite_array(4);
    (void)cbor_array_push(cose, cbor_move(bytes_item(protected_header)));
    (void)cbor_array_push(cose, cbor_move(cbor_new_definite_map(0)));
    (void)cbor_array_push(cose, cbor_move(bytes_item(payload)));
    (void)cbor_array_push(cose, cbor_move(bytes_item(signature)));
    if (f.tagged) cose = cbor_build_tag(18, cbor_move(cose));
    return serialize(cose);
  }

 private:
  static cbor_item_t* uint_item(std::uint64_t v) {  // libcbor keeps the width it is given
    if (v <= 0xFF) return cbor_build_uint8(static_cast<std::uint8_t>(v));
    if (v <= 0xFFFF) return cbor_build_uint16(static_cast<std::uint16_t>(v));
    if (v <= 0xFFFFFFFF) return cbor_build_uint32(static_cast<std::uint32_t>(v));
    return cbor_build_uint64(v);
  }
  static cbor_item_t* bytes_item(const Bytes& b) { return cbor_build_bytestring(b.data(), b.size()); }
  static Bytes serialize(cbor_item_t* item) {
    unsigned char* buffer = nullptr;
    std::size_t capacity = 0;
    std::size_t n = cbor_serialize_alloc(item, &buffer, &capacity);
    Bytes out(buffer, buffer + n);
    std::free(buffer);
    cbor_decref(&item);
    return out;
  }
  static Bytes der(X509* cert) {
    unsigned char* out = nullptr;
    int n = i2d_X509(cert, &out);
    Bytes b(out, out + n);
    OPENSSL_free(out);
    return b;
  }
  static Bytes sign_p1363(EVP_PKEY* key, const Bytes& message) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    std::size_t len = 0;
    EVP_DigestSignInit(md, nullptr, EVP_sha384(), nullptr, key);
    EVP_DigestSign(md, nullptr, &len, message.data(), message.size());
    Bytes der_sig(len);
    EVP_DigestSign(md, der_sig.data(), &len, message.data(), message.size());
    EVP_MD_CTX_free(md);
    const unsigned char* p = der_sig.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    Bytes out(96);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), out.data(), 48);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), out.data() + 48, 48);
    ECDSA_SIG_free(sig);
    return out;
  }
  X509* make_cert(const char* cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, bool ca) const {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial_);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(not_before_));
    ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(not_after_));
    X509_set_pubkey(cert, key);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
    auto add = [&](int nid, const char* value) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    };
    add(NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add(NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    X509_sign(cert, issuer_key, EVP_sha384());
    return cert;
  }

  std::int64_t not_before_;
  std::int64_t not_after_;
  mutable long serial_ = 0;
  EVP_PKEY* root_key_ = nullptr;
  EVP_PKEY* mid_key_ = nullptr;
  EVP_PKEY* leaf_key_ = nullptr;
  X509* root_ = nullptr;
  X509* mid_ = nullptr;
  X509* leaf_ = nullptr;
};

/// The check of that name in a report, or nullptr.
inline const Check* find_check(const VerificationReport& report, std::string_view name) {
  for (const auto& c : report.checks()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

/// 48-byte PCR filled with `fill`.
inline Bytes pcr48(std::uint8_t fill) { return Bytes(48, fill); }

}  // namespace verinfer::test
