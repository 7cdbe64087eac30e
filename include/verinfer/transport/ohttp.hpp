// verinfer: Oblivious HTTP message encapsulation (RFC 9458) as OpenGradient's
// private path uses it (docs/PROTOCOL.md section 8), plus chunked responses
// (draft-ietf-ohai-chunked-ohttp). Bytes in, bytes out: no networking here.
//
// Divergence from RFC 9458, on purpose: the request plaintext is the JSON chat
// body itself, not a Binary HTTP message; the labels stay "message/bhttp ...".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/hpke.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// HPKE info / export labels of RFC 9458 and chunked OHTTP.
/// @{
inline constexpr std::string_view kOhttpRequestLabel = "message/bhttp request";
inline constexpr std::string_view kOhttpResponseLabel = "message/bhttp response";
inline constexpr std::string_view kOhttpChunkedResponseLabel = "message/bhttp chunked response";
/// @}

/// key_id(1) || kem_id(2) || kdf_id(2) || aead_id(2).
inline constexpr std::size_t kOhttpRequestHeaderSize = 7;
/// Gateway limits on an encapsulated request: header + enc + AEAD tag, and 512 KiB.
/// @{
inline constexpr std::size_t kOhttpMinRequestSize = kOhttpRequestHeaderSize + kHpkeEncSize + kHpkeTagSize;
inline constexpr std::size_t kOhttpMaxRequestSize = 512 * 1024;
/// @}
/// max(Nn, Nk) of ChaCha20-Poly1305.
inline constexpr std::size_t kOhttpResponseNonceSize = 32;

/// One (KDF, AEAD) pair a key config offers.
struct OhttpAlgorithms {
  std::uint16_t kdf_id = 0;
  std::uint16_t aead_id = 0;
  friend bool operator==(const OhttpAlgorithms&, const OhttpAlgorithms&) = default;
};

/// A key configuration (RFC 9458 section 3).
struct OhttpKeyConfig {
  std::uint8_t key_id = 0;
  std::uint16_t kem_id = 0x0020;
  X25519PublicKey public_key;
  std::vector<OhttpAlgorithms> algorithms;

  /// key_id || kem_id || public_key || u16 length || (kdf_id, aead_id)*.
  [[nodiscard]] Bytes encode() const;
  /// kHpkeX25519ChaCha20 when this config offers it; invalid_argument
  /// listing what it offers otherwise.
  [[nodiscard]] Result<HpkeSuite> select_suite() const;
  friend bool operator==(const OhttpKeyConfig&, const OhttpKeyConfig&) = default;
};

/// Exactly one key config, strictly: the KEM must be X25519 (so the public key
/// length is known), the algorithm list 4..65532 bytes and a multiple of 4,
/// no trailing bytes. Other KEMs are invalid_argument, bad bytes parse_error.
[[nodiscard]] Result<OhttpKeyConfig> parse_ohttp_key_config(ByteView bytes);
/// application/ohttp-keys (RFC 9458 section 3.2): u16-length-prefixed configs.
[[nodiscard]] Result<std::vector<OhttpKeyConfig>> parse_ohttp_keys(ByteView bytes);

/// The request header hdr and the HPKE info "message/bhttp request" || 0 || hdr.
/// @{
[[nodiscard]] Bytes ohttp_request_header(std::uint8_t key_id, const HpkeSuite& suite);
[[nodiscard]] Bytes ohttp_request_info(ByteView header);
/// @}

/// QUIC variable-length integers (RFC 9000 section 16), values < 2^62.
inline constexpr std::uint64_t kQuicVarintMax = (std::uint64_t{1} << 62) - 1;
/// Shortest encoding; invalid_argument above kQuicVarintMax.
[[nodiscard]] Result<Bytes> encode_quic_varint(std::uint64_t value);

/// Bounds on what a chunked response decoder accepts.
struct OhttpChunkLimits {
  /// Largest sealed chunk (final chunk included) a decoder accepts.
  std::size_t max_chunk_size = 1u << 20;
};

namespace ohttp_detail {
struct ResponseState;  // src/transport/ohttp_internal.hpp
struct DecoderState;
struct Access;
}  // namespace ohttp_detail

/// Opens a chunked response (message/ohttp-chunked-res) as it arrives:
/// response_nonce(32) || (varint(len) || sealed)* || varint(0) || sealed_final.
/// Bytes may be pushed at any boundary. After any error it refuses further
/// input. Non-minimal varints are accepted: the draft leaves the choice of
/// encoding to the sender and does not authenticate it.
class OhttpChunkedResponseDecoder {
 public:
  OhttpChunkedResponseDecoder(OhttpChunkedResponseDecoder&&) noexcept;
  OhttpChunkedResponseDecoder& operator=(OhttpChunkedResponseDecoder&&) noexcept;
  ~OhttpChunkedResponseDecoder();

  /// Feeds the next bytes; returns the plaintext of every non-final chunk they
  /// complete, in order. A tampered chunk is verification_failed; a chunk
  /// over the limit resource_exhausted; a bad length prefix parse_error.
  [[nodiscard]] Result<std::vector<Bytes>> push(ByteView bytes);
  /// The body has ended: opens and returns the final chunk. A body that ends
  /// without the final-chunk indicator, or whose final chunk does not open
  /// with the "final" AAD, is verification_failed (truncation).
  [[nodiscard]] Result<Bytes> finish();
  /// True once finish() succeeded.
  [[nodiscard]] bool complete() const noexcept;
  /// Non-final chunks opened so far.
  [[nodiscard]] std::uint64_t chunks_opened() const noexcept;

 private:
  friend struct ohttp_detail::Access;
  explicit OhttpChunkedResponseDecoder(std::unique_ptr<ohttp_detail::DecoderState> state);
  std::unique_ptr<ohttp_detail::DecoderState> state_;
};

/// Seals a chunked response on the gateway side. Each call returns the bytes
/// to write next; the first of them start with the response nonce.
class OhttpChunkedResponseEncoder {
 public:
  OhttpChunkedResponseEncoder(OhttpChunkedResponseEncoder&&) noexcept;
  OhttpChunkedResponseEncoder& operator=(OhttpChunkedResponseEncoder&&) noexcept;
  ~OhttpChunkedResponseEncoder();

  /// varint(len) || Seal(key, nonce XOR counter, "", plaintext).
  [[nodiscard]] Result<Bytes> seal_chunk(ByteView plaintext);
  /// varint(0) || Seal(key, nonce XOR counter, "final", plaintext); the
  /// encoder refuses everything after it.
  [[nodiscard]] Result<Bytes> seal_final(ByteView plaintext);

 private:
  friend struct ohttp_detail::Access;
  explicit OhttpChunkedResponseEncoder(std::unique_ptr<ohttp_detail::ResponseState> state);
  std::unique_ptr<ohttp_detail::ResponseState> state_;
};

/// What a client keeps after sending a request, to open the response.
class OhttpClientContext {
 public:
  OhttpClientContext(OhttpClientContext&&) noexcept;
  OhttpClientContext& operator=(OhttpClientContext&&) noexcept;
  ~OhttpClientContext();

  /// Opens a single-shot response (message/ohttp-res):
  /// response_nonce(32) || AEAD(key, nonce, "", plaintext).
  [[nodiscard]] Result<Bytes> open_response(ByteView body) const;
  /// A decoder for a chunked response to this request.
  [[nodiscard]] Result<OhttpChunkedResponseDecoder> chunked_response_decoder(
      OhttpChunkLimits limits = {}) const;

 private:
  friend struct ohttp_detail::Access;
  explicit OhttpClientContext(HpkeSenderContext hpke);
  HpkeSenderContext hpke_;
};

/// An encapsulated request: the bytes to send and the context to open the answer.
struct OhttpClientRequest {
  Bytes wire;  ///< hdr || enc || Seal("", plaintext): the message/ohttp-req body
  OhttpClientContext context;
};

/// Encapsulates `plaintext` (the JSON chat body) to `config` with a fresh
/// ephemeral key. Fails when the config does not offer the supported suite or
/// the result would exceed kOhttpMaxRequestSize.
[[nodiscard]] Result<OhttpClientRequest> ohttp_encapsulate_request(const OhttpKeyConfig& config,
                                                                   ByteView plaintext);

/// What a gateway keeps after opening a request, to seal the response.
class OhttpServerContext {
 public:
  OhttpServerContext(OhttpServerContext&&) noexcept;
  OhttpServerContext& operator=(OhttpServerContext&&) noexcept;
  ~OhttpServerContext();

  /// A single-shot response with a fresh random response nonce.
  [[nodiscard]] Result<Bytes> seal_response(ByteView plaintext) const;
  /// A chunked response with a fresh random response nonce.
  [[nodiscard]] Result<OhttpChunkedResponseEncoder> chunked_response_encoder() const;

 private:
  friend struct ohttp_detail::Access;
  explicit OhttpServerContext(HpkeRecipientContext hpke);
  HpkeRecipientContext hpke_;
};

/// An opened request: the plaintext and the context to seal the answer.
struct OhttpServerRequest {
  Bytes plaintext;
  OhttpServerContext context;
};

/// The gateway side: one key id and its X25519 key, suite kHpkeX25519ChaCha20.
class OhttpGateway {
 public:
  /// Serves `key` under `key_id`.
  OhttpGateway(std::uint8_t key_id, X25519PrivateKey key);

  /// The key id requests must name.
  [[nodiscard]] std::uint8_t key_id() const noexcept { return key_id_; }
  /// The config clients need: this key id, X25519, (HKDF-SHA256, ChaCha20-Poly1305).
  [[nodiscard]] OhttpKeyConfig key_config() const;
  /// Opens a message/ohttp-req body. Outside [kOhttpMinRequestSize,
  /// kOhttpMaxRequestSize] is invalid_argument / resource_exhausted; another
  /// key id or suite invalid_argument; a failed open verification_failed.
  [[nodiscard]] Result<OhttpServerRequest> decapsulate_request(ByteView wire) const;

 private:
  std::uint8_t key_id_;
  X25519PrivateKey key_;
};

}  // namespace verinfer
