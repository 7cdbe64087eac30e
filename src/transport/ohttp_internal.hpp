// Internals of Oblivious HTTP message encapsulation shared by
// src/transport/ohttp.cpp and the tests. Not installed, not public API.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "crypto/hpke_internal.hpp"
#include "verinfer/transport/ohttp.hpp"

namespace verinfer::ohttp_detail {

/// Response AEAD key and nonce (RFC 9458 section 4.4) plus the chunk counter.
struct ResponseState {
  hpke_detail::AeadParams aead;
  Bytes response_nonce;  ///< max(Nn, Nk) random bytes, sent in the clear
  hpke_detail::SecretBytes key;
  hpke_detail::SecretBytes nonce;
  std::uint64_t counter = 0;  ///< chunks sealed or opened so far
  bool nonce_written = false;
  bool finished = false;
};

/// max(Nn, Nk): the length of the exported secret and of response_nonce.
[[nodiscard]] std::size_t response_nonce_size(const hpke_detail::AeadParams& aead);

/// prk = Extract(enc || response_nonce, secret); key = Expand(prk, "key", Nk);
/// nonce = Expand(prk, "nonce", Nn).
[[nodiscard]] Result<std::unique_ptr<ResponseState>> derive_response_state(
    const hpke_detail::AeadParams& aead, ByteView secret, ByteView enc, ByteView response_nonce);

/// nonce XOR I2OSP(counter, Nn) (draft-ietf-ohai-chunked-ohttp section 6.2).
[[nodiscard]] hpke_detail::SecretBytes chunk_nonce(const ResponseState& state);

struct Varint {
  std::uint64_t value = 0;
  std::size_t size = 0;  ///< bytes consumed
};
/// nullopt when `in` is too short to hold the whole varint.
[[nodiscard]] std::optional<Varint> decode_quic_varint(ByteView in);

enum class DecoderPhase { nonce, length, chunk, final_chunk, complete, failed };

struct DecoderState {
  hpke_detail::AeadParams aead;
  X25519PublicKey enc;
  hpke_detail::SecretBytes secret;  ///< Export("message/bhttp chunked response", ...)
  OhttpChunkLimits limits;
  std::unique_ptr<ResponseState> keys;  ///< set once the response nonce arrived
  Bytes buffer;                         ///< bytes not yet consumed
  DecoderPhase phase = DecoderPhase::nonce;
  std::uint64_t chunk_size = 0;  ///< sealed size of the chunk being read
  std::optional<Error> failure;  ///< the first error; repeated once failed
};

struct Access {
  static OhttpClientContext client(HpkeSenderContext hpke);
  static OhttpServerContext server(HpkeRecipientContext hpke);
  static const HpkeSenderContext& hpke(const OhttpClientContext& c) { return c.hpke_; }
  static const HpkeRecipientContext& hpke(const OhttpServerContext& c) { return c.hpke_; }
  static OhttpChunkedResponseDecoder decoder(std::unique_ptr<DecoderState> state);
  static OhttpChunkedResponseEncoder encoder(std::unique_ptr<ResponseState> state);
};

/// TEST ONLY: a request sealed with a caller-chosen ephemeral key (known
/// answers, interop); accepts aead 1 or 3. Reusing an ephemeral key for real
/// traffic breaks HPKE.
[[nodiscard]] Result<OhttpClientRequest> encapsulate_request_for_testing(
    std::uint8_t key_id, const HpkeSuite& suite, const X25519PublicKey& recipient,
    ByteView plaintext, const X25519PrivateKey& ephemeral);

/// TEST ONLY: gateway-side open that also accepts aead 1 (RFC 9458 example).
[[nodiscard]] Result<OhttpServerRequest> decapsulate_request_any_aead_for_testing(
    std::uint8_t key_id, const X25519PrivateKey& key, ByteView wire);

/// TEST ONLY: responses with a caller-chosen response nonce.
[[nodiscard]] Result<Bytes> seal_response_with_nonce_for_testing(const OhttpServerContext& context,
                                                                 ByteView response_nonce,
                                                                 ByteView plaintext);
[[nodiscard]] Result<OhttpChunkedResponseEncoder> chunked_encoder_with_nonce_for_testing(
    const OhttpServerContext& context, ByteView response_nonce);

}  // namespace verinfer::ohttp_detail
