// verinfer: AWS Nitro Enclaves attestation documents. Decoding (strict CBOR,
// COSE_Sign1 per RFC 9052) and verification: ES384 signature, certificate
// chain to a pinned root at a caller-supplied time, and the caller's policy
// (PCRs, nonce, freshness, OpenGradient's user_data binding).
// Format: aws/aws-nitro-enclaves-nsm-api docs/attestation_process.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer {

/// OpenGradient's user_data (nitriding's multihash pair, 68 bytes):
/// 0x1220 ‖ sha256(TLS certificate DER) ‖ 0x1220 ‖ sha256(signing key SPKI DER).
struct NitroUserData {
  Hash32 tls_certificate_sha256;
  Hash32 signing_key_sha256;
};

/// The payload of an attestation document, as decoded (nothing verified).
struct NitroAttestation {
  std::string module_id;
  std::uint64_t timestamp_ms = 0;        ///< document creation, ms since the Unix epoch
  std::string digest;                    ///< "SHA384" in every real document
  std::map<std::uint32_t, Bytes> pcrs;   ///< index (0..31) -> 32/48/64 bytes
  Bytes certificate;                     ///< the signing (leaf) certificate, DER
  std::vector<Bytes> cabundle;           ///< issuing CAs, DER, root first
  std::optional<Bytes> public_key;       ///< absent and CBOR null both give nullopt
  std::optional<Bytes> user_data;
  std::optional<Bytes> nonce;

  /// keccak256(pcr0 ‖ pcr1 ‖ pcr2), OpenGradient's registered measurement;
  /// an error when one of the three is missing.
  [[nodiscard]] Result<Hash32> pcr_hash() const;
  /// user_data in OpenGradient's form (parse_opengradient_user_data); an
  /// error when it is absent or malformed.
  [[nodiscard]] Result<NitroUserData> opengradient_user_data() const;
};

/// The COSE_Sign1 envelope with its decoded payload.
struct NitroDocument {
  NitroAttestation attestation;
  bool tagged = false;     ///< CBOR tag 18 present
  Bytes protected_header;  ///< the serialized protected header ({1: -35})
  Bytes payload;           ///< the serialized attestation map that was signed
  Bytes signature;         ///< 96 bytes r ‖ s
};

/// Strict decoding of a COSE_Sign1 attestation document (CBOR bytes): limits
/// on size (64 KiB), depth, counts and lengths; definite lengths and minimal
/// heads only; no duplicate keys; protected header exactly {1: -35}; payload
/// fields typed and sized per AWS's spec (unknown fields rejected). Errors
/// are parse_error (or resource_exhausted for a limit) with the position.
[[nodiscard]] Result<NitroDocument> parse_nitro_document(ByteView cose);

/// The document bytes from its base64 text (standard alphabet); surrounding
/// whitespace is ignored.
[[nodiscard]] Result<Bytes> decode_nitro_base64(std::string_view text);

/// OpenGradient's 68-byte user_data: 0x1220 || sha256(TLS certificate DER)
/// || 0x1220 || sha256(signing key SPKI DER) (nitriding's multihash form);
/// parse_error for any other shape. make_ builds it (for tests and the devnet).
/// @{
[[nodiscard]] Result<NitroUserData> parse_opengradient_user_data(ByteView user_data);
[[nodiscard]] Bytes make_opengradient_user_data(ByteView tls_certificate_der,
                                                ByteView signing_key_spki_der);
/// @}

/// What the caller requires beyond a valid signature and chain. Every set
/// field becomes a named check in the report.
struct NitroPolicy {
  std::map<std::uint32_t, Bytes> pcrs;      ///< exact values for these indexes
  std::optional<Hash32> pcr_hash;           ///< keccak256(pcr0 ‖ pcr1 ‖ pcr2)
  std::optional<Bytes> nonce;               ///< must equal the document's nonce
  std::optional<std::chrono::seconds> max_age;  ///< at - timestamp, whole seconds
  std::optional<std::chrono::seconds> max_future_skew{std::chrono::seconds(60)};
  std::optional<Hash32> tls_certificate_sha256;  ///< bound through user_data
  std::optional<Hash32> signing_key_sha256;      ///< sha256 of the SPKI DER, via user_data

  /// OpenGradient's on-chain rule (og-evm): at most 300 s old, 60 s ahead.
  [[nodiscard]] static NitroPolicy opengradient();
};

/// How a NitroVerifier caches certificate chains.
struct NitroVerifierOptions {
  bool chain_cache = true;          ///< remember verified chains (see NitroVerifier)
  std::size_t cache_capacity = 256; ///< entries; the cache is cleared when full
};

/// Verifies attestation documents against one pinned root. Thread-safe;
/// copies share the root and the cache.
///
/// The chain cache is keyed by SHA-256 of the leaf and bundle DER and holds
/// a chain only while the query time lies within the intersection of its
/// certificates' validity windows; the signature and every per-document
/// check run each time.
class NitroVerifier {
 public:
  /// Pinned to the built-in AWS Nitro Enclaves root "G1".
  explicit NitroVerifier(NitroVerifierOptions options = {});
  /// Pinned to the caller's root certificate (PEM), e.g. the devnet's.
  [[nodiscard]] static Result<NitroVerifier> with_root_pem(std::string_view pem,
                                                           NitroVerifierOptions options = {});

  /// Verifies `cose` at time `at` (the caller's clock, or a document's own
  /// time for an archive). The report receives every check, also on failure.
  /// Errors: parse_error (malformed), verification_failed (signature, chain),
  /// expired (certificate windows, freshness), untrusted (PCR, nonce, user_data).
  [[nodiscard]] Result<Verified<NitroAttestation>> verify(ByteView cose,
                                                          std::chrono::sys_seconds at,
                                                          const NitroPolicy& policy,
                                                          VerificationReport& report) const;
  /// The same, when the caller does not need the report of a success.
  [[nodiscard]] Result<Verified<NitroAttestation>> verify(ByteView cose,
                                                          std::chrono::sys_seconds at,
                                                          const NitroPolicy& policy = {}) const;

  /// SHA-256 of the pinned root's DER.
  [[nodiscard]] Hash32 root_fingerprint() const;

  /// Counters of the chain cache (shared by copies).
  struct CacheStats {
    std::size_t hits = 0;
    std::size_t misses = 0;
    std::size_t entries = 0;
  };
  /// The chain cache's counters.
  [[nodiscard]] CacheStats cache_stats() const;
  /// Forgets every cached chain.
  void clear_cache() const;

 private:
  struct Impl;
  explicit NitroVerifier(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

/// The AWS Nitro Enclaves root "G1" (PEM) that NitroVerifier pins by default.
[[nodiscard]] std::string_view aws_nitro_root_g1_pem() noexcept;

}  // namespace verinfer
