// Verification of Nitro attestation documents: ES384 over the COSE
// Sig_structure, the certificate chain (OpenSSL X509_STORE, pinned root,
// caller's time), per-certificate validity, and the caller's policy.
#include "verinfer/verify/nitro.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "verify/internal/nitro_cose.hpp"
#include "verinfer/crypto/sha2.hpp"

namespace verinfer {
namespace {

// AWS Nitro Enclaves root "G1" (CN=aws.nitro-enclaves), valid 2019-10-28 ..
// 2049-10-28; SHA-256 of the DER 641a0321...79bb5b. Source and provenance:
// tests/vectors/nitro/README.md.
constexpr std::string_view kAwsNitroRootG1 =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICETCCAZagAwIBAgIRAPkxdWgbkK/hHUbMtOTn+FYwCgYIKoZIzj0EAwMwSTEL\n"
    "MAkGA1UEBhMCVVMxDzANBgNVBAoMBkFtYXpvbjEMMAoGA1UECwwDQVdTMRswGQYD\n"
    "VQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMTkxMDI4MTMyODA1WhcNNDkxMDI4\n"
    "MTQyODA1WjBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQL\n"
    "DANBV1MxGzAZBgNVBAMMEmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEG\n"
    "BSuBBAAiA2IABPwCVOumCMHzaHDimtqQvkY4MpJzbolL//Zy2YlES1BR5TSksfbb\n"
    "48C8WBoyt7F2Bw7eEtaaP+ohG2bnUs990d0JX28TcPQXCEPZ3BABIeTPYwEoCWZE\n"
    "h8l5YoQwTcU/9KNCMEAwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUkCW1DdkF\n"
    "R+eWw5b6cp3PmanfS5YwDgYDVR0PAQH/BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYC\n"
    "MQCjfy+Rocm9Xue4YnwWmNJVA44fA0P5W2OpYow9OYCVRaEevL8uO1XYru5xtMPW\n"
    "rfMCMQCi85sWBbJwKKXdS6BptQFuZbT73o/gBh1qUxl/nNr12UO8Yfwr6wPLb+6N\n"
    "IwLz3/Y=\n"
    "-----END CERTIFICATE-----\n";

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
struct StackDeleter {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), StackDeleter>;
using KeyPtr = std::shared_ptr<EVP_PKEY>;
// OPENSSL_free is a macro: a function the deleter template can name.
void free_openssl_bytes(unsigned char* p) noexcept { OPENSSL_free(p); }

using Seconds = std::int64_t;  // Unix time

// A document's timestamp is attacker-chosen: the calendar formatting counts
// in nanoseconds inside and overflows past 2262 (UBSan), so far-off times are
// shown as plain Unix seconds.
std::string iso(Seconds t) {
  if (t < 0 || t >= (Seconds{1} << 33)) return "unix time " + std::to_string(t);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::sys_seconds(std::chrono::seconds(t)));
}

Result<X509Ptr> parse_der_certificate(ByteView der, std::string_view what) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return fail(ErrorCode::verification_failed, std::string(what) + " is not a DER certificate");
  if (p != der.data() + der.size()) {
    return fail(ErrorCode::verification_failed, std::string(what) + " has bytes after the certificate",
                std::to_string(der.data() + der.size() - p) + " extra bytes");
  }
  return cert;
}

Bytes der_of(X509* cert) {
  unsigned char* out = nullptr;
  int n = i2d_X509(cert, &out);
  if (n <= 0) return {};
  Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

std::string subject_of(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    return "?";
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::optional<Seconds> unix_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  using namespace std::chrono;
  auto date = sys_days(year(tm.tm_year + 1900) / month(static_cast<unsigned>(tm.tm_mon + 1)) /
                       day(static_cast<unsigned>(tm.tm_mday)));
  return duration_cast<seconds>(date.time_since_epoch()).count() + tm.tm_hour * 3600 +
         tm.tm_min * 60 + tm.tm_sec;
}

struct CertWindow {
  std::string subject;
  Seconds not_before = 0;
  Seconds not_after = 0;
};

// A chain that verified: kept by the cache, keyed by SHA-256(leaf ‖ bundle).
struct ChainRecord {
  std::vector<CertWindow> path;  // leaf first, root last
  Seconds valid_from = 0;        // intersection of all windows
  Seconds valid_until = 0;
  KeyPtr leaf_key;
  std::string path_text;
};

struct VerifyErrors {
  std::vector<std::pair<int, int>> time_errors;   // (depth, OpenSSL error)
  std::vector<std::pair<int, int>> other_errors;
};

// Records every error; carries on past validity-window errors only, so all
// links are still checked and every certificate's window gets its own check
// (OpenSSL checks top-down and would stop at the first expired CA).
int record_errors(int ok, X509_STORE_CTX* ctx) {
  if (ok == 1) return 1;
  auto* errors = static_cast<VerifyErrors*>(X509_STORE_CTX_get_app_data(ctx));
  int err = X509_STORE_CTX_get_error(ctx);
  int depth = X509_STORE_CTX_get_error_depth(ctx);
  if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
    errors->time_errors.emplace_back(depth, err);
    return 1;
  }
  errors->other_errors.emplace_back(depth, err);
  return 0;
}

Status verify_es384(EVP_PKEY* key, ByteView message, ByteView rs) {
  constexpr int kHalf = internal::kEs384SignatureSize / 2;
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(rs.data(), kHalf, nullptr);
  BIGNUM* s = BN_bin2bn(rs.data() + kHalf, kHalf, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return fail(ErrorCode::internal, "cannot build an ECDSA signature");
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return fail(ErrorCode::internal, "cannot encode an ECDSA signature");
  std::unique_ptr<unsigned char, Deleter<free_openssl_bytes>> der_owner(der);
  MdCtxPtr md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha384(), nullptr, key) != 1) {
    return fail(ErrorCode::internal, "cannot start an ES384 verification");
  }
  if (EVP_DigestVerify(md.get(), der, static_cast<std::size_t>(der_len), message.data(),
                       message.size()) != 1) {
    return fail(ErrorCode::verification_failed, "ES384 signature does not verify with the leaf key");
  }
  return {};
}

Result<KeyPtr> p384_key_of(X509* leaf) {
  KeyPtr key(X509_get_pubkey(leaf), EVP_PKEY_free);
  if (!key) return fail(ErrorCode::verification_failed, "leaf certificate key is unreadable");
  char group[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_group_name(key.get(), group, sizeof group, &len) != 1 ||
      std::string_view(group, len) != "secp384r1") {
    return fail(ErrorCode::verification_failed, "leaf key is not ECDSA P-384",
                std::string("expected secp384r1, got ") + (len ? std::string(group, len) : "another key type"));
  }
  return key;
}


Hash32 chain_key(const NitroAttestation& att) {
  // DER is self-delimiting, so the concatenation is unambiguous.
  Sha256 h;
  h.update(att.certificate);
  for (const auto& cert : att.cabundle) h.update(cert);
  return h.finish();
}

void add_validity_checks(const std::vector<CertWindow>& path, Seconds at, VerificationReport& report) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    const CertWindow& w = path[i];
    std::string name = "nitro.validity_" + std::to_string(i);
    std::string expected = iso(w.not_before) + " .. " + iso(w.not_after);
    std::string actual = iso(at) + " (" + w.subject + ")";
    if (at < w.not_before) {
      report.fail(name, ErrorCode::expired, "certificate not yet valid", expected, actual);
    } else if (at > w.not_after) {
      report.fail(name, ErrorCode::expired, "certificate expired", expected, actual);
    } else {
      report.pass(name, expected, actual);
    }
  }
}

std::string openssl_errors_text(const std::vector<std::pair<int, int>>& errors) {
  std::string out;
  for (const auto& [depth, err] : errors) {
    if (!out.empty()) out += "; ";
    out += "depth " + std::to_string(depth) + ": " + X509_verify_cert_error_string(err);
  }
  return out;
}

}  // namespace

struct NitroVerifier::Impl {
  X509Ptr root;
  Bytes root_der;
  Hash32 fingerprint;
  StorePtr store;
  NitroVerifierOptions options;

  mutable std::mutex mutex;
  mutable std::map<Hash32, std::shared_ptr<const ChainRecord>> cache;
  mutable CacheStats stats;

  static std::shared_ptr<Impl> make(X509Ptr root, NitroVerifierOptions options) {
    auto impl = std::make_shared<Impl>();
    impl->store.reset(X509_STORE_new());
    if (!impl->store || X509_STORE_add_cert(impl->store.get(), root.get()) != 1) return nullptr;
    // OpenSSL fills a certificate's extension cache (key ids, flags) on first
    // use; the shared root would get it from whichever verifying threads come
    // first, which ThreadSanitizer reports as a race. Fill it here, once.
    (void)X509_check_purpose(root.get(), -1, 0);
    impl->root_der = der_of(root.get());
    impl->fingerprint = sha256(impl->root_der);
    impl->root = std::move(root);
    impl->options = options;
    return impl;
  }

  std::shared_ptr<const ChainRecord> cached(const Hash32& key, Seconds at) const {
    std::lock_guard lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end() && at >= it->second->valid_from && at <= it->second->valid_until) {
      ++stats.hits;
      return it->second;
    }
    ++stats.misses;
    return nullptr;
  }

  void remember(const Hash32& key, std::shared_ptr<const ChainRecord> record) const {
    std::lock_guard lock(mutex);
    if (cache.size() >= options.cache_capacity) cache.clear();
    cache[key] = std::move(record);
  }

  static void replay(const ChainRecord& record, Seconds at, VerificationReport& report) {
    report.pass("nitro.leaf_certificate", "ECDSA P-384", record.path.front().subject);
    report.pass("nitro.root_pinned", "cabundle[0] is the pinned root", "yes (cached chain)");
    report.pass("nitro.chain", "leaf <- cabundle (reversed) <- pinned root",
                record.path_text + " (cached)");
    add_validity_checks(record.path, at, report);
  }

  // Parses and checks the chain at `at`; adds its checks; returns a record
  // (for the cache) only when every chain check passed. `leaf_key` is set
  // whenever the leaf is usable, so the signature can still be judged.
  std::shared_ptr<const ChainRecord> check_chain(const NitroAttestation& att, Seconds at,
                                                 VerificationReport& report, KeyPtr& leaf_key) const {
    auto leaf = parse_der_certificate(att.certificate, "certificate");
    Result<KeyPtr> key = std::unexpected(Error{});
    if (leaf) {
      key = p384_key_of(leaf->get());
    } else {
      key = std::unexpected(leaf.error());
    }
    if (!key) {
      report.fail("nitro.leaf_certificate", key.error().code, key.error().message,
                  "DER X.509 with an ECDSA P-384 key", key.error().detail);
      return nullptr;
    }
    leaf_key = *key;
    report.pass("nitro.leaf_certificate", "ECDSA P-384", subject_of(leaf->get()));

    bool pinned = att.cabundle.front() == root_der;
    if (pinned) {
      report.pass("nitro.root_pinned", "cabundle[0] is the pinned root", "yes");
    } else {
      report.fail("nitro.root_pinned", ErrorCode::verification_failed,
                  "cabundle[0] is not the pinned root", "sha256 " + fingerprint.hex(false),
                  "sha256 " + sha256(att.cabundle.front()).hex(false));
    }

    // Declared path: leaf, cabundle[n-1], ..., cabundle[0].
    std::vector<X509*> declared{leaf->get()};
    X509StackPtr untrusted(sk_X509_new_null());
    if (!untrusted) {
      report.fail("nitro.chain", ErrorCode::internal, "out of memory");
      return nullptr;
    }
    for (std::size_t i = att.cabundle.size(); i-- > 0;) {
      auto cert = parse_der_certificate(att.cabundle[i], "cabundle[" + std::to_string(i) + "]");
      if (!cert) {
        report.fail("nitro.chain", cert.error().code, cert.error().message, "DER certificates",
                    cert.error().detail);
        return nullptr;
      }
      declared.push_back(cert->get());
      if (sk_X509_push(untrusted.get(), cert->get()) <= 0) {
        report.fail("nitro.chain", ErrorCode::internal, "out of memory");
        return nullptr;
      }
      (void)cert->release();  // owned by the stack now
    }

    auto record = std::make_shared<ChainRecord>();
    record->leaf_key = leaf_key;
    bool windows_ok = true;
    for (X509* cert : declared) {
      auto nb = unix_time(X509_get0_notBefore(cert));
      auto na = unix_time(X509_get0_notAfter(cert));
      if (!nb || !na) windows_ok = false;
      record->path.push_back(CertWindow{subject_of(cert), nb.value_or(0), na.value_or(-1)});
      if (!record->path_text.empty()) record->path_text += " <- ";
      record->path_text += record->path.back().subject;
    }

    StoreCtxPtr ctx(X509_STORE_CTX_new());
    VerifyErrors errors;
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf->get(), untrusted.get()) != 1) {
      report.fail("nitro.chain", ErrorCode::internal, "cannot set up certificate verification");
      return nullptr;
    }
    X509_STORE_CTX_set_app_data(ctx.get(), &errors);
    X509_STORE_CTX_set_verify_cb(ctx.get(), record_errors);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(at));
    int verdict = X509_verify_cert(ctx.get());

    // OpenSSL's path must be exactly the declared one.
    STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
    bool same_path = built != nullptr && sk_X509_num(built) == static_cast<int>(declared.size());
    for (std::size_t i = 0; same_path && i < declared.size(); ++i) {
      same_path = X509_cmp(sk_X509_value(built, static_cast<int>(i)), declared[i]) == 0;
    }
    const std::string expected_path = "leaf <- cabundle (reversed) <- pinned root";
    bool chain_ok = false;
    if (verdict != 1 || !errors.other_errors.empty()) {
      std::string why = errors.other_errors.empty()
                            ? X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))
                            : openssl_errors_text(errors.other_errors);
      report.fail("nitro.chain", ErrorCode::verification_failed, "certificate path does not verify",
                  expected_path, why);
    } else if (!same_path) {
      report.fail("nitro.chain", ErrorCode::verification_failed,
                  "the verified path is not leaf <- cabundle in reverse order", expected_path,
                  std::to_string(built ? sk_X509_num(built) : 0) + " certificates in another order");
    } else {
      chain_ok = true;
      report.pass("nitro.chain", expected_path, record->path_text);
    }

    VerificationReport windows;
    add_validity_checks(record->path, at, windows);
    // OpenSSL's own time verdicts must agree with ours (same path, same time).
    for (const auto& [depth, err] : errors.time_errors) {
      auto d = static_cast<std::size_t>(depth);
      if (same_path && d < windows.checks().size() && windows.checks()[d].passed) {
        report.fail("nitro.chain", ErrorCode::internal, "OpenSSL and the validity check disagree",
                    "certificate " + std::to_string(d) + " valid", X509_verify_cert_error_string(err));
        chain_ok = false;
      }
    }
    report.merge(windows);
    if (!chain_ok || !pinned || !windows_ok || !windows.ok()) return nullptr;
    record->valid_from = record->path.front().not_before;
    record->valid_until = record->path.front().not_after;
    for (const auto& w : record->path) {
      record->valid_from = std::max(record->valid_from, w.not_before);
      record->valid_until = std::min(record->valid_until, w.not_after);
    }
    return record;
  }
};

namespace {

void check_policy(const NitroAttestation& att, Seconds at, const NitroPolicy& policy,
                  VerificationReport& report) {
  if (policy.nonce) {
    std::string expected = to_hex(*policy.nonce, false);
    if (!att.nonce) {
      report.fail("nitro.nonce", ErrorCode::untrusted, "document carries no nonce", expected, "absent");
    } else if (*att.nonce != *policy.nonce) {
      report.fail("nitro.nonce", ErrorCode::untrusted, "nonce differs", expected, to_hex(*att.nonce, false));
    } else {
      report.pass("nitro.nonce", expected, expected);
    }
  }
  if (policy.max_age || policy.max_future_skew) {
    // og-evm compares whole seconds: timestamp_ms / 1000.
    auto doc = static_cast<Seconds>(att.timestamp_ms / 1000);
    Seconds age = at - doc;
    std::string expected;
    if (policy.max_age) expected = "age <= " + std::to_string(policy.max_age->count()) + " s";
    if (policy.max_future_skew) {
      if (!expected.empty()) expected += ", ";
      expected += "at most " + std::to_string(policy.max_future_skew->count()) + " s ahead";
    }
    std::string actual = "age " + std::to_string(age) + " s (document " + iso(doc) + ", verifier " + iso(at) + ")";
    if (policy.max_age && age > policy.max_age->count()) {
      report.fail("nitro.freshness", ErrorCode::expired, "attestation is too old", expected, actual);
    } else if (policy.max_future_skew && -age > policy.max_future_skew->count()) {
      report.fail("nitro.freshness", ErrorCode::expired, "attestation is from the future", expected, actual);
    } else {
      report.pass("nitro.freshness", expected, actual);
    }
  }
  for (const auto& [index, value] : policy.pcrs) {
    std::string name = "nitro.pcr" + std::to_string(index);
    auto it = att.pcrs.find(index);
    std::string actual = it == att.pcrs.end() ? "absent" : to_hex(it->second, false);
    if (it == att.pcrs.end() || it->second != value) {
      report.fail(name, ErrorCode::untrusted, "PCR" + std::to_string(index) + " differs",
                  to_hex(value, false), actual);
    } else {
      report.pass(name, actual, actual);
    }
  }
  if (policy.pcr_hash) {
    auto h = att.pcr_hash();
    std::string actual = h ? h->hex() : h.error().detail;
    if (!h || *h != *policy.pcr_hash) {
      report.fail("nitro.pcr_hash", ErrorCode::untrusted, "keccak256(pcr0 || pcr1 || pcr2) differs",
                  policy.pcr_hash->hex(), actual);
    } else {
      report.pass("nitro.pcr_hash", actual, actual);
    }
  }
  if (policy.tls_certificate_sha256 || policy.signing_key_sha256) {
    auto bound = att.opengradient_user_data();
    auto check = [&](const char* name, const std::optional<Hash32>& want, Hash32 NitroUserData::*field) {
      if (!want) return;
      if (!bound) {
        report.fail(name, ErrorCode::untrusted, bound.error().message, want->hex(false), bound.error().detail);
      } else if ((*bound).*field != *want) {
        report.fail(name, ErrorCode::untrusted, "user_data binds another hash", want->hex(false),
                    ((*bound).*field).hex(false));
      } else {
        report.pass(name, want->hex(false), want->hex(false));
      }
    };
    check("nitro.user_data.tls_certificate", policy.tls_certificate_sha256,
          &NitroUserData::tls_certificate_sha256);
    check("nitro.user_data.signing_key", policy.signing_key_sha256, &NitroUserData::signing_key_sha256);
  }
}

}  // namespace

NitroVerifier::NitroVerifier(NitroVerifierOptions options) {
  BioPtr bio(BIO_new_mem_buf(kAwsNitroRootG1.data(), static_cast<int>(kAwsNitroRootG1.size())));
  X509Ptr root(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  auto impl = root ? Impl::make(std::move(root), options) : nullptr;
  if (!impl) std::abort();  // the built-in root is a constant: failing here is a bug
  impl_ = std::move(impl);
}

Result<NitroVerifier> NitroVerifier::with_root_pem(std::string_view pem, NitroVerifierOptions options) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr root(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!root) return fail(ErrorCode::invalid_argument, "root is not a PEM certificate");
  auto impl = Impl::make(std::move(root), options);
  if (!impl) return fail(ErrorCode::internal, "cannot set up the trust store");
  return NitroVerifier(std::shared_ptr<const Impl>(std::move(impl)));
}

Hash32 NitroVerifier::root_fingerprint() const { return impl_->fingerprint; }

NitroVerifier::CacheStats NitroVerifier::cache_stats() const {
  std::lock_guard lock(impl_->mutex);
  CacheStats out = impl_->stats;
  out.entries = impl_->cache.size();
  return out;
}

void NitroVerifier::clear_cache() const {
  std::lock_guard lock(impl_->mutex);
  impl_->cache.clear();
}

Result<Verified<NitroAttestation>> NitroVerifier::verify(ByteView cose, std::chrono::sys_seconds at_time,
                                                         const NitroPolicy& policy) const {
  VerificationReport ignored;
  return verify(cose, at_time, policy, ignored);
}

Result<Verified<NitroAttestation>> NitroVerifier::verify(ByteView cose, std::chrono::sys_seconds at_time,
                                                         const NitroPolicy& policy,
                                                         VerificationReport& out_report) const {
  const Seconds at = at_time.time_since_epoch().count();
  VerificationReport report;
  auto finish = [&](Result<Verified<NitroAttestation>> result) {
    out_report.merge(report);
    return result;
  };

  auto parts = internal::parse_cose_sign1(cose);
  if (!parts) {
    report.fail("nitro.cose_structure", parts.error().code, parts.error().message,
                "COSE_Sign1 [{1: -35}, {}, payload, 96-byte r||s]", parts.error().detail);
    return finish(std::unexpected(report.to_error()));
  }
  report.pass("nitro.cose_structure", "COSE_Sign1, protected {1: -35} (ES384)",
              parts->tagged ? "tagged (18)" : "untagged");
  auto att = internal::parse_attestation_payload(parts->payload);
  if (!att) {
    report.fail("nitro.payload_fields", att.error().code, att.error().message,
                "AWS attestation document fields", att.error().detail);
    return finish(std::unexpected(report.to_error()));
  }
  report.pass("nitro.payload_fields", "module_id, digest, timestamp, pcrs, certificate, cabundle",
              att->module_id);
  if (att->digest == "SHA384") {
    report.pass("nitro.digest", "SHA384", att->digest);
  } else {
    report.fail("nitro.digest", ErrorCode::verification_failed, "unsupported PCR digest", "SHA384", att->digest);
  }

  // The chain (or its cached verdict) first: it yields the leaf key.
  VerificationReport chain_report;
  KeyPtr leaf_key;
  const Hash32 key = chain_key(*att);
  std::shared_ptr<const ChainRecord> record =
      impl_->options.chain_cache ? impl_->cached(key, at) : nullptr;
  if (record) {
    leaf_key = record->leaf_key;
    Impl::replay(*record, at, chain_report);
  } else {
    record = impl_->check_chain(*att, at, chain_report, leaf_key);
    if (record && impl_->options.chain_cache) impl_->remember(key, record);
  }

  if (!leaf_key) {
    report.fail("nitro.cose_signature", ErrorCode::verification_failed, "no usable leaf key",
                "ES384 by the leaf certificate", "leaf certificate unusable");
  } else if (auto sig = verify_es384(leaf_key.get(), internal::sig_structure(parts->protected_header, parts->payload),
                                     parts->signature);
             !sig) {
    report.fail("nitro.cose_signature", sig.error().code, sig.error().message,
                "ES384 over Sig_structure by the leaf key", "signature " + to_hex(parts->signature, false));
  } else {
    report.pass("nitro.cose_signature", "ES384 over Sig_structure by the leaf key", "valid");
  }
  report.merge(chain_report);
  check_policy(*att, at, policy, report);

  if (!report.ok()) return finish(std::unexpected(report.to_error()));
  auto verified = make_verified(std::move(*att), report);
  return finish(std::move(verified));
}

std::string_view aws_nitro_root_g1_pem() noexcept { return kAwsNitroRootG1; }

}  // namespace verinfer
