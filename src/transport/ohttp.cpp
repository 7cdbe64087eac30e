// Oblivious HTTP message encapsulation: RFC 9458 sections 3 and 4 and
// draft-ietf-ohai-chunked-ohttp (responses), as docs/PROTOCOL.md section 8.
#include "verinfer/transport/ohttp.hpp"


#include <algorithm>
#include <limits>

#include "transport/ohttp_internal.hpp"

namespace verinfer {
namespace ohttp_detail {
namespace {

using hpke_detail::AeadParams;
using hpke_detail::ContextAccess;
using hpke_detail::SecretBytes;

constexpr std::string_view kFinalAad = "final";

std::uint16_t read_u16(ByteView b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

void append_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

void append(Bytes& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

std::string n(std::uint64_t v) { return std::to_string(v); }

// One key config starting at `in[0]`; `exact` demands that it fill `in`.
Result<OhttpKeyConfig> parse_config(ByteView in, bool exact) {
  if (in.size() < 3) {
    return fail(ErrorCode::parse_error, "OHTTP key config truncated",
                "expected at least 3 bytes (key id, KEM id), got " + n(in.size()));
  }
  OhttpKeyConfig config;
  config.key_id = in[0];
  config.kem_id = read_u16(in, 1);
  if (config.kem_id != kHpkeX25519ChaCha20.kem_id) {
    return fail(ErrorCode::invalid_argument, "OHTTP key config uses an unsupported KEM",
                "expected 0x0020 (DHKEM(X25519, HKDF-SHA256)), got " + HpkeSuite{config.kem_id, 0, 0}.to_string());
  }
  constexpr std::size_t kFixed = 3 + kHpkeEncSize + 2;
  if (in.size() < kFixed) {
    return fail(ErrorCode::parse_error, "OHTTP key config truncated",
                "expected at least " + n(kFixed) + " bytes, got " + n(in.size()));
  }
  std::copy_n(in.begin() + 3, kHpkeEncSize, config.public_key.bytes.begin());
  const std::size_t list = read_u16(in, 3 + kHpkeEncSize);
  if (list < 4 || list % 4 != 0) {
    return fail(ErrorCode::parse_error, "OHTTP key config algorithm list has a bad length",
                "expected a multiple of 4 in 4..65532, got " + n(list));
  }
  if (in.size() < kFixed + list) {
    return fail(ErrorCode::parse_error, "OHTTP key config truncated",
                "its algorithm list needs " + n(list) + " bytes, " + n(in.size() - kFixed) +
                    " remain");
  }
  if (exact && in.size() != kFixed + list) {
    return fail(ErrorCode::parse_error, "OHTTP key config has trailing bytes",
                "expected " + n(kFixed + list) + " bytes, got " + n(in.size()));
  }
  for (std::size_t at = kFixed; at < kFixed + list; at += 4) {
    config.algorithms.push_back({read_u16(in, at), read_u16(in, at + 2)});
  }
  return config;
}

Status check_counter(const ResponseState& s) {
  if (s.counter == std::numeric_limits<std::uint64_t>::max()) {
    return fail(ErrorCode::resource_exhausted, "OHTTP chunk limit reached",
                "chunk counter " + n(s.counter) + " would overflow");
  }
  return {};
}

template <class HpkeContext>
Result<std::unique_ptr<ResponseState>> response_state_for(const HpkeContext& hpke,
                                                          std::string_view label,
                                                          ByteView response_nonce) {
  const AeadParams& aead = ContextAccess::state(hpke).aead;
  auto secret = hpke.export_secret(as_bytes(label), response_nonce_size(aead));
  if (!secret) return std::unexpected(secret.error());
  auto state = derive_response_state(aead, *secret, hpke.enc(), response_nonce);
  secure_wipe(secret->data(), secret->size());
  return state;
}

Result<std::unique_ptr<ResponseState>> fresh_response_state(const HpkeRecipientContext& hpke,
                                                            std::string_view label) {
  auto nonce = random_bytes(response_nonce_size(ContextAccess::state(hpke).aead));
  if (!nonce) return std::unexpected(nonce.error());
  return response_state_for(hpke, label, *nonce);
}

Result<Bytes> seal_single(ResponseState& s, ByteView plaintext) {
  auto ct = hpke_detail::aead_seal(s.aead, s.key.view(), s.nonce.view(), {}, plaintext);
  if (!ct) return std::unexpected(ct.error());
  Bytes body = s.response_nonce;
  append(body, *ct);
  return body;
}

// Returns the bytes for one chunk: [response nonce] || varint(len or 0) || sealed.
Result<Bytes> seal_chunk_with(ResponseState& s, ByteView plaintext, bool final) {
  if (s.finished) {
    return fail(ErrorCode::invalid_argument, "OHTTP chunked response already ended",
                "seal_final() was called; no chunk may follow it");
  }
  if (auto ok = check_counter(s); !ok) return std::unexpected(ok.error());
  auto nonce = chunk_nonce(s);
  auto sealed = hpke_detail::aead_seal(s.aead, s.key.view(), nonce.view(),
                                       final ? as_bytes(kFinalAad) : ByteView{}, plaintext);
  if (!sealed) return std::unexpected(sealed.error());
  auto length = encode_quic_varint(final ? 0 : sealed->size());
  if (!length) return std::unexpected(length.error());
  Bytes out;
  if (!s.nonce_written) out = s.response_nonce;
  append(out, *length);
  append(out, *sealed);
  s.nonce_written = true;
  ++s.counter;
  s.finished = final;
  return out;
}

Result<OhttpClientRequest> encapsulate(std::uint8_t key_id, const HpkeSuite& suite,
                                       const X25519PublicKey& recipient, ByteView plaintext,
                                       const X25519PrivateKey* ephemeral) {
  const std::size_t size = kOhttpRequestHeaderSize + kHpkeEncSize + plaintext.size() + kHpkeTagSize;
  if (size > kOhttpMaxRequestSize) {
    return fail(ErrorCode::resource_exhausted, "OHTTP request too large",
                "at most " + n(kOhttpMaxRequestSize) + " bytes encapsulated, would be " + n(size));
  }
  const Bytes header = ohttp_request_header(key_id, suite);
  const Bytes info = ohttp_request_info(header);
  auto sender = ephemeral != nullptr
                    ? hpke_detail::setup_base_sender_with_ephemeral_for_testing(suite, recipient,
                                                                                info, *ephemeral)
                    : hpke_setup_base_sender(suite, recipient, info);
  if (!sender) return std::unexpected(sender.error());
  auto ct = sender->seal({}, plaintext);
  if (!ct) return std::unexpected(ct.error());
  Bytes wire = header;
  append(wire, sender->enc());
  append(wire, *ct);
  return OhttpClientRequest{std::move(wire), Access::client(std::move(*sender))};
}

Result<OhttpServerRequest> decapsulate(std::uint8_t key_id, const X25519PrivateKey& key,
                                       ByteView wire, bool any_aead) {
  if (wire.size() < kOhttpMinRequestSize) {
    return fail(ErrorCode::invalid_argument, "OHTTP request too short",
                "expected at least " + n(kOhttpMinRequestSize) + " bytes, got " + n(wire.size()));
  }
  if (wire.size() > kOhttpMaxRequestSize) {
    return fail(ErrorCode::resource_exhausted, "OHTTP request too large",
                "at most " + n(kOhttpMaxRequestSize) + " bytes, got " + n(wire.size()));
  }
  if (wire[0] != key_id) {
    return fail(ErrorCode::invalid_argument, "OHTTP request for an unknown key id",
                "expected " + n(key_id) + ", got " + n(wire[0]));
  }
  const HpkeSuite suite{read_u16(wire, 1), read_u16(wire, 3), read_u16(wire, 5)};
  const Bytes info = ohttp_request_info(wire.first(kOhttpRequestHeaderSize));
  const ByteView enc = wire.subspan(kOhttpRequestHeaderSize, kHpkeEncSize);
  auto recipient = any_aead ? hpke_detail::setup_base_recipient_any_aead_for_testing(suite, enc, key, info)
                            : hpke_setup_base_recipient(suite, enc, key, info);
  if (!recipient) return std::unexpected(recipient.error());
  auto plaintext = recipient->open({}, wire.subspan(kOhttpRequestHeaderSize + kHpkeEncSize));
  if (!plaintext) {
    Error e = plaintext.error();
    e.message = "OHTTP request does not open: " + e.message;
    return std::unexpected(std::move(e));
  }
  return OhttpServerRequest{std::move(*plaintext), Access::server(std::move(*recipient))};
}

// ---- chunked decoding -----------------------------------------------------

Error fail_decoder(DecoderState& s, Error e) {
  s.phase = DecoderPhase::failed;
  s.failure = e;
  return e;
}

// Consumes what it can from s.buffer[at..]; appends opened chunks to `out`.
Status decode_available(DecoderState& s, std::vector<Bytes>& out) {
  std::size_t at = 0;
  const auto available = [&] { return ByteView(s.buffer).subspan(at); };
  Status status;
  for (bool progress = true; progress && status;) {
    progress = false;
    switch (s.phase) {
      case DecoderPhase::nonce: {
        const std::size_t size = response_nonce_size(s.aead);
        if (available().size() < size) break;
        auto keys = derive_response_state(s.aead, s.secret.view(), s.enc, available().first(size));
        if (!keys) {
          status = std::unexpected(keys.error());
          break;
        }
        s.keys = std::move(*keys);
        at += size;
        s.phase = DecoderPhase::length;
        progress = true;
        break;
      }
      case DecoderPhase::length: {
        auto v = decode_quic_varint(available());
        if (!v) break;
        at += v->size;
        progress = true;
        if (v->value == 0) {
          s.phase = DecoderPhase::final_chunk;
        } else if (v->value < s.aead.tag_size) {
          status = fail(ErrorCode::parse_error, "OHTTP chunk shorter than its AEAD tag",
                        "chunk " + n(s.keys->counter) + " has length " + n(v->value) +
                            ", at least " + n(s.aead.tag_size) + " needed");
        } else if (v->value > s.limits.max_chunk_size) {
          status = fail(ErrorCode::resource_exhausted, "OHTTP chunk too large",
                        "chunk " + n(s.keys->counter) + " has length " + n(v->value) +
                            ", the limit is " + n(s.limits.max_chunk_size));
        } else {
          s.chunk_size = v->value;
          s.phase = DecoderPhase::chunk;
        }
        break;
      }
      case DecoderPhase::chunk: {
        if (available().size() < s.chunk_size) break;
        if (auto ok = check_counter(*s.keys); !ok) {
          status = ok;
          break;
        }
        auto nonce = chunk_nonce(*s.keys);
        auto pt = hpke_detail::aead_open(s.aead, s.keys->key.view(), nonce.view(), {},
                                         available().first(static_cast<std::size_t>(s.chunk_size)));
        if (!pt) {
          status = fail(ErrorCode::verification_failed, "OHTTP response chunk does not open",
                        "chunk " + n(s.keys->counter) + ": " + pt.error().detail);
          break;
        }
        out.push_back(std::move(*pt));
        at += static_cast<std::size_t>(s.chunk_size);
        ++s.keys->counter;
        s.phase = DecoderPhase::length;
        progress = true;
        break;
      }
      case DecoderPhase::final_chunk:
        // The final chunk runs to the end of the body: keep buffering it.
        if (available().size() > s.limits.max_chunk_size) {
          status = fail(ErrorCode::resource_exhausted, "OHTTP final chunk too large",
                        "more than " + n(s.limits.max_chunk_size) + " bytes");
        }
        break;
      case DecoderPhase::complete:
      case DecoderPhase::failed:
        break;
    }
  }
  s.buffer.erase(s.buffer.begin(), s.buffer.begin() + static_cast<std::ptrdiff_t>(at));
  return status;
}

}  // namespace

std::size_t response_nonce_size(const AeadParams& aead) {
  return std::max(aead.nonce_size, aead.key_size);
}

Result<std::unique_ptr<ResponseState>> derive_response_state(const AeadParams& aead,
                                                             ByteView secret, ByteView enc,
                                                             ByteView response_nonce) {
  if (response_nonce.size() != response_nonce_size(aead)) {
    return fail(ErrorCode::invalid_argument, "OHTTP response nonce of the wrong size",
                "expected " + n(response_nonce_size(aead)) + " bytes, got " +
                    n(response_nonce.size()));
  }
  Bytes salt(enc.begin(), enc.end());
  append(salt, response_nonce);
  SecretBytes prk = hpke_detail::hkdf_extract(salt, secret);
  auto key = hpke_detail::hkdf_expand(prk.view(), as_bytes(std::string_view("key")), aead.key_size);
  auto nonce =
      hpke_detail::hkdf_expand(prk.view(), as_bytes(std::string_view("nonce")), aead.nonce_size);
  if (!key || !nonce) return fail(ErrorCode::internal, "OHTTP response key derivation failed");
  auto state = std::make_unique<ResponseState>();
  state->aead = aead;
  state->response_nonce.assign(response_nonce.begin(), response_nonce.end());
  state->key = std::move(*key);
  state->nonce = std::move(*nonce);
  return state;
}

SecretBytes chunk_nonce(const ResponseState& state) {
  return hpke_detail::xor_counter(state.nonce, state.counter);
}

std::optional<Varint> decode_quic_varint(ByteView in) {
  if (in.empty()) return std::nullopt;
  const std::size_t size = std::size_t{1} << (in[0] >> 6);
  if (in.size() < size) return std::nullopt;
  std::uint64_t value = in[0] & 0x3f;
  for (std::size_t i = 1; i < size; ++i) value = (value << 8) | in[i];
  return Varint{value, size};
}

OhttpClientContext Access::client(HpkeSenderContext hpke) { return OhttpClientContext(std::move(hpke)); }
OhttpServerContext Access::server(HpkeRecipientContext hpke) { return OhttpServerContext(std::move(hpke)); }
OhttpChunkedResponseDecoder Access::decoder(std::unique_ptr<DecoderState> state) {
  return OhttpChunkedResponseDecoder(std::move(state));
}
OhttpChunkedResponseEncoder Access::encoder(std::unique_ptr<ResponseState> state) {
  return OhttpChunkedResponseEncoder(std::move(state));
}

Result<OhttpClientRequest> encapsulate_request_for_testing(std::uint8_t key_id,
                                                           const HpkeSuite& suite,
                                                           const X25519PublicKey& recipient,
                                                           ByteView plaintext,
                                                           const X25519PrivateKey& ephemeral) {
  return encapsulate(key_id, suite, recipient, plaintext, &ephemeral);
}

Result<OhttpServerRequest> decapsulate_request_any_aead_for_testing(std::uint8_t key_id,
                                                                   const X25519PrivateKey& key,
                                                                   ByteView wire) {
  return decapsulate(key_id, key, wire, true);
}

Result<Bytes> seal_response_with_nonce_for_testing(const OhttpServerContext& context,
                                                   ByteView response_nonce, ByteView plaintext) {
  auto state = response_state_for(Access::hpke(context), kOhttpResponseLabel, response_nonce);
  if (!state) return std::unexpected(state.error());
  return seal_single(**state, plaintext);
}

Result<OhttpChunkedResponseEncoder> chunked_encoder_with_nonce_for_testing(
    const OhttpServerContext& context, ByteView response_nonce) {
  auto state = response_state_for(Access::hpke(context), kOhttpChunkedResponseLabel, response_nonce);
  if (!state) return std::unexpected(state.error());
  return Access::encoder(std::move(*state));
}

}  // namespace ohttp_detail

using ohttp_detail::Access;
using ohttp_detail::DecoderPhase;
using ohttp_detail::DecoderState;
using ohttp_detail::ResponseState;

// ---- key configs and framing ----------------------------------------------

Bytes OhttpKeyConfig::encode() const {
  Bytes out{key_id};
  ohttp_detail::append_u16(out, kem_id);
  ohttp_detail::append(out, public_key);
  ohttp_detail::append_u16(out, static_cast<std::uint16_t>(algorithms.size() * 4));
  for (const auto& a : algorithms) {
    ohttp_detail::append_u16(out, a.kdf_id);
    ohttp_detail::append_u16(out, a.aead_id);
  }
  return out;
}

Result<HpkeSuite> OhttpKeyConfig::select_suite() const {
  const HpkeSuite wanted = kHpkeX25519ChaCha20;
  const bool offered = kem_id == wanted.kem_id &&
                       std::find(algorithms.begin(), algorithms.end(),
                                 OhttpAlgorithms{wanted.kdf_id, wanted.aead_id}) != algorithms.end();
  if (offered) return wanted;
  std::string offers;
  for (const auto& a : algorithms) {
    if (!offers.empty()) offers += "; ";
    offers += HpkeSuite{kem_id, a.kdf_id, a.aead_id}.to_string();
  }
  return fail(ErrorCode::invalid_argument, "OHTTP key config does not offer the supported suite",
              "expected " + wanted.to_string() + ", offered: " + (offers.empty() ? "nothing" : offers));
}

Result<OhttpKeyConfig> parse_ohttp_key_config(ByteView bytes) {
  return ohttp_detail::parse_config(bytes, true);
}

Result<std::vector<OhttpKeyConfig>> parse_ohttp_keys(ByteView bytes) {
  std::vector<OhttpKeyConfig> configs;
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < 2) {
      return fail(ErrorCode::parse_error, "application/ohttp-keys truncated",
                  "a length prefix needs 2 bytes at offset " + ohttp_detail::n(at));
    }
    const std::size_t size = ohttp_detail::read_u16(bytes, at);
    at += 2;
    if (bytes.size() - at < size) {
      return fail(ErrorCode::parse_error, "application/ohttp-keys truncated",
                  "config at offset " + ohttp_detail::n(at) + " needs " + ohttp_detail::n(size) +
                      " bytes, " + ohttp_detail::n(bytes.size() - at) + " remain");
    }
    auto config = ohttp_detail::parse_config(bytes.subspan(at, size), true);
    at += size;
    // RFC 9458 section 3.2: a client skips configs whose KEM it does not know.
    if (!config && config.error().code == ErrorCode::invalid_argument) continue;
    if (!config) return std::unexpected(config.error());
    configs.push_back(std::move(*config));
  }
  if (configs.empty()) {
    return fail(ErrorCode::invalid_argument, "application/ohttp-keys holds no usable key config",
                "expected at least one X25519 config in " + ohttp_detail::n(bytes.size()) + " bytes");
  }
  return configs;
}

Bytes ohttp_request_header(std::uint8_t key_id, const HpkeSuite& suite) {
  Bytes hdr{key_id};
  ohttp_detail::append_u16(hdr, suite.kem_id);
  ohttp_detail::append_u16(hdr, suite.kdf_id);
  ohttp_detail::append_u16(hdr, suite.aead_id);
  return hdr;
}

Bytes ohttp_request_info(ByteView header) {
  Bytes info(kOhttpRequestLabel.begin(), kOhttpRequestLabel.end());
  info.push_back(0);
  ohttp_detail::append(info, header);
  return info;
}

Result<Bytes> encode_quic_varint(std::uint64_t value) {
  if (value > kQuicVarintMax) {
    return fail(ErrorCode::invalid_argument, "value too large for a QUIC varint",
                "at most 2^62-1, got " + ohttp_detail::n(value));
  }
  const std::size_t size = value < 64 ? 1 : value < 16384 ? 2 : value < (1u << 30) ? 4 : 8;
  const std::uint8_t prefix = size == 1 ? 0x00 : size == 2 ? 0x40 : size == 4 ? 0x80 : 0xc0;
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) {
    out[size - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  out[0] |= prefix;
  return out;
}

// ---- client ----------------------------------------------------------------

OhttpClientContext::OhttpClientContext(HpkeSenderContext hpke) : hpke_(std::move(hpke)) {}
OhttpClientContext::OhttpClientContext(OhttpClientContext&&) noexcept = default;
OhttpClientContext& OhttpClientContext::operator=(OhttpClientContext&&) noexcept = default;
OhttpClientContext::~OhttpClientContext() = default;

Result<Bytes> OhttpClientContext::open_response(ByteView body) const {
  const auto& aead = hpke_detail::ContextAccess::state(hpke_).aead;
  const std::size_t nonce_size = ohttp_detail::response_nonce_size(aead);
  if (body.size() < nonce_size + aead.tag_size) {
    return fail(ErrorCode::parse_error, "OHTTP response too short",
                "expected at least " + ohttp_detail::n(nonce_size + aead.tag_size) +
                    " bytes (nonce and tag), got " + ohttp_detail::n(body.size()));
  }
  auto state = ohttp_detail::response_state_for(hpke_, kOhttpResponseLabel, body.first(nonce_size));
  if (!state) return std::unexpected(state.error());
  auto pt = hpke_detail::aead_open(aead, (*state)->key.view(), (*state)->nonce.view(), {},
                                   body.subspan(nonce_size));
  if (!pt) {
    Error e = pt.error();
    e.message = "OHTTP response does not open: " + e.message;
    return std::unexpected(std::move(e));
  }
  return pt;
}

Result<OhttpChunkedResponseDecoder> OhttpClientContext::chunked_response_decoder(
    OhttpChunkLimits limits) const {
  auto state = std::make_unique<DecoderState>();
  state->aead = hpke_detail::ContextAccess::state(hpke_).aead;
  state->enc = hpke_.enc();
  state->limits = limits;
  auto secret = hpke_.export_secret(as_bytes(kOhttpChunkedResponseLabel),
                                    ohttp_detail::response_nonce_size(state->aead));
  if (!secret) return std::unexpected(secret.error());
  state->secret = hpke_detail::SecretBytes(*secret);
  secure_wipe(secret->data(), secret->size());
  return Access::decoder(std::move(state));
}

Result<OhttpClientRequest> ohttp_encapsulate_request(const OhttpKeyConfig& config,
                                                     ByteView plaintext) {
  auto suite = config.select_suite();
  if (!suite) return std::unexpected(suite.error());
  return ohttp_detail::encapsulate(config.key_id, *suite, config.public_key, plaintext, nullptr);
}

// ---- chunked decoder ---------------------------------------------------------

OhttpChunkedResponseDecoder::OhttpChunkedResponseDecoder(std::unique_ptr<DecoderState> state)
    : state_(std::move(state)) {}
OhttpChunkedResponseDecoder::OhttpChunkedResponseDecoder(OhttpChunkedResponseDecoder&&) noexcept =
    default;
OhttpChunkedResponseDecoder& OhttpChunkedResponseDecoder::operator=(
    OhttpChunkedResponseDecoder&&) noexcept = default;
OhttpChunkedResponseDecoder::~OhttpChunkedResponseDecoder() = default;

bool OhttpChunkedResponseDecoder::complete() const noexcept {
  return state_->phase == DecoderPhase::complete;
}

std::uint64_t OhttpChunkedResponseDecoder::chunks_opened() const noexcept {
  return state_->keys ? state_->keys->counter : 0;
}

Result<std::vector<Bytes>> OhttpChunkedResponseDecoder::push(ByteView bytes) {
  DecoderState& s = *state_;
  if (s.phase == DecoderPhase::failed) return std::unexpected(*s.failure);
  if (s.phase == DecoderPhase::complete) {
    return fail(ErrorCode::invalid_argument, "OHTTP chunked response already complete",
                "finish() succeeded; got " + ohttp_detail::n(bytes.size()) + " more bytes");
  }
  s.buffer.insert(s.buffer.end(), bytes.begin(), bytes.end());
  std::vector<Bytes> out;
  if (auto ok = ohttp_detail::decode_available(s, out); !ok) {
    return std::unexpected(ohttp_detail::fail_decoder(s, ok.error()));
  }
  return out;
}

Result<Bytes> OhttpChunkedResponseDecoder::finish() {
  DecoderState& s = *state_;
  const auto truncated = [&](std::string detail) {
    return std::unexpected(ohttp_detail::fail_decoder(
        s, fail(ErrorCode::verification_failed,
                "OHTTP chunked response truncated: it ended without its final chunk",
                std::move(detail))
               .error()));
  };
  const std::string opened = ohttp_detail::n(chunks_opened()) + " chunks opened";
  switch (s.phase) {
    case DecoderPhase::failed: return std::unexpected(*s.failure);
    case DecoderPhase::complete:
      return fail(ErrorCode::invalid_argument, "OHTTP chunked response already complete");
    case DecoderPhase::nonce:
      return truncated("the body ended after " + ohttp_detail::n(s.buffer.size()) +
                       " bytes, inside the " +
                       ohttp_detail::n(ohttp_detail::response_nonce_size(s.aead)) +
                       "-byte response nonce");
    case DecoderPhase::length:
      return truncated(s.buffer.empty() ? opened + ", then the body ended"
                                        : opened + ", then the body ended inside a length prefix");
    case DecoderPhase::chunk:
      return truncated(opened + ", then the body ended inside the next chunk (" +
                       ohttp_detail::n(s.buffer.size()) + " of " + ohttp_detail::n(s.chunk_size) +
                       " bytes)");
    case DecoderPhase::final_chunk: break;
  }
  if (auto ok = ohttp_detail::check_counter(*s.keys); !ok) {
    return std::unexpected(ohttp_detail::fail_decoder(s, ok.error()));
  }
  auto nonce = ohttp_detail::chunk_nonce(*s.keys);
  auto pt = hpke_detail::aead_open(s.aead, s.keys->key.view(), nonce.view(),
                                   as_bytes(ohttp_detail::kFinalAad), s.buffer);
  if (!pt) {
    return std::unexpected(ohttp_detail::fail_decoder(
        s, fail(ErrorCode::verification_failed,
                "OHTTP final chunk does not open: truncated or tampered",
                "final chunk after " + opened + ", " + ohttp_detail::n(s.buffer.size()) +
                    " bytes: " + pt.error().detail)
               .error()));
  }
  s.buffer.clear();
  s.phase = DecoderPhase::complete;
  return pt;
}

// ---- server ------------------------------------------------------------------

OhttpChunkedResponseEncoder::OhttpChunkedResponseEncoder(std::unique_ptr<ResponseState> state)
    : state_(std::move(state)) {}
OhttpChunkedResponseEncoder::OhttpChunkedResponseEncoder(OhttpChunkedResponseEncoder&&) noexcept =
    default;
OhttpChunkedResponseEncoder& OhttpChunkedResponseEncoder::operator=(
    OhttpChunkedResponseEncoder&&) noexcept = default;
OhttpChunkedResponseEncoder::~OhttpChunkedResponseEncoder() = default;

Result<Bytes> OhttpChunkedResponseEncoder::seal_chunk(ByteView plaintext) {
  return ohttp_detail::seal_chunk_with(*state_, plaintext, false);
}

Result<Bytes> OhttpChunkedResponseEncoder::seal_final(ByteView plaintext) {
  return ohttp_detail::seal_chunk_with(*state_, plaintext, true);
}

OhttpServerContext::OhttpServerContext(HpkeRecipientContext hpke) : hpke_(std::move(hpke)) {}
OhttpServerContext::OhttpServerContext(OhttpServerContext&&) noexcept = default;
OhttpServerContext& OhttpServerContext::operator=(OhttpServerContext&&) noexcept = default;
OhttpServerContext::~OhttpServerContext() = default;

Result<Bytes> OhttpServerContext::seal_response(ByteView plaintext) const {
  auto state = ohttp_detail::fresh_response_state(hpke_, kOhttpResponseLabel);
  if (!state) return std::unexpected(state.error());
  return ohttp_detail::seal_single(**state, plaintext);
}

Result<OhttpChunkedResponseEncoder> OhttpServerContext::chunked_response_encoder() const {
  auto state = ohttp_detail::fresh_response_state(hpke_, kOhttpChunkedResponseLabel);
  if (!state) return std::unexpected(state.error());
  return Access::encoder(std::move(*state));
}

OhttpGateway::OhttpGateway(std::uint8_t key_id, X25519PrivateKey key)
    : key_id_(key_id), key_(std::move(key)) {}

OhttpKeyConfig OhttpGateway::key_config() const {
  return OhttpKeyConfig{key_id_, kHpkeX25519ChaCha20.kem_id, key_.public_key(),
                        {{kHpkeX25519ChaCha20.kdf_id, kHpkeX25519ChaCha20.aead_id}}};
}

Result<OhttpServerRequest> OhttpGateway::decapsulate_request(ByteView wire) const {
  return ohttp_detail::decapsulate(key_id_, key_, wire, false);
}

}  // namespace verinfer
