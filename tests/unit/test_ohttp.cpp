// Oblivious HTTP (RFC 9458) message encapsulation and chunked responses
// (draft-ietf-ohai-chunked-ohttp): RFC 9458's worked example, key config
// parsing, limits, tampering, truncation and random round trips.
#include <random>

#include "test_support.hpp"
#include "transport/ohttp_internal.hpp"
#include "verinfer/transport/ohttp.hpp"
#include "verinfer/verify/ohttp_config.hpp"

using namespace verinfer;

namespace {

const Json& rfc9458() {
  static const Json doc = test::load_json(test::vectors_dir() / "hpke/vectors.json");
  return *doc.find("rfc9458_appendix_A");
}

Bytes field(const Json& j, std::string_view key) { return test::hex_bytes(test::str(j, key)); }

X25519PrivateKey key_from(ByteView raw) {
  auto key = X25519PrivateKey::from_bytes(raw);
  REQUIRE(key);
  return *key;
}

Bytes random_bytes(std::mt19937_64& rng, std::size_t size) {
  Bytes out(size);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

struct Exchange {
  OhttpGateway gateway;
  OhttpClientRequest request;
  OhttpServerRequest served;
};

Exchange exchange(ByteView body) {
  auto key = X25519PrivateKey::generate();
  REQUIRE(key);
  OhttpGateway gateway(1, *key);
  auto request = ohttp_encapsulate_request(gateway.key_config(), body);
  REQUIRE(request);
  auto served = gateway.decapsulate_request(request->wire);
  REQUIRE(served);
  return Exchange{std::move(gateway), std::move(*request), std::move(*served)};
}

// A chunked body sealed by the gateway: the nonce, then one string per chunk.
struct ChunkedBody {
  Bytes bytes;
  std::vector<Bytes> chunks;  // plaintexts, the last one final
};

ChunkedBody seal_chunks(const OhttpServerContext& server, std::mt19937_64& rng, int count) {
  auto encoder = server.chunked_response_encoder();
  REQUIRE(encoder);
  ChunkedBody body;
  for (int i = 0; i <= count; ++i) {
    Bytes pt = random_bytes(rng, rng() % 3 == 0 ? 0 : rng() % 200);
    auto out = i < count ? encoder->seal_chunk(pt) : encoder->seal_final(pt);
    REQUIRE(out);
    body.bytes.insert(body.bytes.end(), out->begin(), out->end());
    body.chunks.push_back(std::move(pt));
  }
  return body;
}

// Feeds `body` in random pieces; returns all plaintexts, or the first error.
Result<std::vector<Bytes>> decode_in_pieces(OhttpChunkedResponseDecoder& decoder, ByteView body,
                                            std::mt19937_64& rng) {
  std::vector<Bytes> out;
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t n = std::min<std::size_t>(body.size() - at, rng() % 4 == 0 ? 1 : rng() % 90);
    auto chunks = decoder.push(body.subspan(at, n));
    if (!chunks) return std::unexpected(chunks.error());
    for (auto& c : *chunks) out.push_back(std::move(c));
    at += n;
  }
  auto last = decoder.finish();
  if (!last) return std::unexpected(last.error());
  out.push_back(std::move(*last));
  return out;
}

}  // namespace

TEST_CASE("ohttp: RFC 9458 appendix A key config") {
  const Json& v = rfc9458();
  const Bytes raw = field(v, "key_config");
  auto config = parse_ohttp_key_config(raw);
  REQUIRE(config);
  CHECK(config->key_id == 1);
  CHECK(config->kem_id == 0x0020);
  CHECK(config->public_key == key_from(field(v, "skR")).public_key());
  REQUIRE(config->algorithms.size() == 2);
  CHECK(config->algorithms[0] == OhttpAlgorithms{1, 1});
  CHECK(config->algorithms[1] == OhttpAlgorithms{1, 3});
  CHECK(config->encode() == raw);
  auto suite = config->select_suite();
  REQUIRE(suite);
  CHECK(*suite == kHpkeX25519ChaCha20);
}

TEST_CASE("ohttp: RFC 9458 appendix A request and response (AES-128-GCM, test-only path)") {
  const Json& v = rfc9458();
  const HpkeSuite aes{0x0020, 0x0001, 0x0001};
  const auto skR = key_from(field(v, "skR"));
  const auto skE = key_from(field(v, "skE"));
  const Bytes wire = field(v, "encapsulated_request");
  const Bytes request_pt = field(v, "request_plaintext_bhttp");

  CHECK(to_hex(ohttp_request_info(ohttp_request_header(1, aes)), false) == test::str(v, "info_hex"));
  CHECK(to_hex(ohttp_request_info(ByteView(wire).first(7)), false) == test::str(v, "info_hex"));

  auto client = ohttp_detail::encapsulate_request_for_testing(1, aes, skR.public_key(), request_pt, skE);
  REQUIRE(client);
  CHECK(to_hex(client->wire, false) == test::str(v, "encapsulated_request"));

  auto served = ohttp_detail::decapsulate_request_any_aead_for_testing(1, skR, wire);
  REQUIRE(served);
  CHECK(served->plaintext == request_pt);

  // Response: exported secret (max(Nn, Nk) = 16 bytes), key and nonce.
  const Bytes response = field(v, "encapsulated_response");
  const ByteView response_nonce = ByteView(response).first(16);
  const auto& server_hpke = ohttp_detail::Access::hpke(served->context);
  auto secret = server_hpke.export_secret(as_bytes(kOhttpResponseLabel), 16);
  REQUIRE(secret);
  CHECK(to_hex(*secret, false) == test::str(v, "exported_response_secret"));
  auto aead = hpke_detail::aead_params(0x0001);
  REQUIRE(aead);
  auto keys = ohttp_detail::derive_response_state(*aead, *secret, server_hpke.enc(), response_nonce);
  REQUIRE(keys);
  CHECK(to_hex((*keys)->key.view(), false) == test::str(v, "response_key"));
  CHECK(to_hex((*keys)->nonce.view(), false) == test::str(v, "response_nonce_aead"));

  const Bytes response_pt = field(v, "response_plaintext_bhttp");
  auto sealed = ohttp_detail::seal_response_with_nonce_for_testing(served->context, response_nonce,
                                                                   response_pt);
  REQUIRE(sealed);
  CHECK(to_hex(*sealed, false) == test::str(v, "encapsulated_response"));
  auto opened = client->context.open_response(response);
  REQUIRE(opened);
  CHECK(*opened == response_pt);

  SUBCASE("every flipped byte of the request or the response is rejected") {
    for (std::size_t i = 0; i < wire.size(); ++i) {
      Bytes bad = wire;
      bad[i] ^= 0x01;
      auto r = ohttp_detail::decapsulate_request_any_aead_for_testing(1, skR, bad);
      REQUIRE_FALSE(r);
      if (i >= 7) CHECK(r.error().code == ErrorCode::verification_failed);
    }
    for (std::size_t i = 0; i < response.size(); ++i) {
      Bytes bad = response;
      bad[i] ^= 0x80;
      auto r = client->context.open_response(bad);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::verification_failed);
    }
  }
  SUBCASE("the public gateway refuses the AES-128-GCM suite") {
    OhttpGateway gateway(1, skR);
    auto r = gateway.decapsulate_request(wire);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK(r.error().detail.find("aead 0x0001") != std::string::npos);
  }
}

TEST_CASE("ohttp: key config parsing is strict") {
  auto key = X25519PrivateKey::generate();
  REQUIRE(key);
  const OhttpKeyConfig good{1, 0x0020, key->public_key(), {{1, 3}}};
  const Bytes raw = good.encode();
  REQUIRE(raw.size() == 41);  // the size PROTOCOL.md section 8 gives
  auto parsed = parse_ohttp_key_config(raw);
  REQUIRE(parsed);
  CHECK(*parsed == good);

  for (std::size_t n = 0; n < raw.size(); ++n) {
    CAPTURE(n);
    auto r = parse_ohttp_key_config(ByteView(raw).first(n));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
  }
  Bytes trailing = raw;
  trailing.push_back(0);
  CHECK(parse_ohttp_key_config(trailing).error().message.find("trailing") != std::string::npos);
  for (std::size_t list : {0u, 2u, 3u, 5u, 6u}) {
    Bytes bad(raw.begin(), raw.begin() + 35);
    bad.push_back(static_cast<std::uint8_t>(list >> 8));
    bad.push_back(static_cast<std::uint8_t>(list));
    bad.resize(bad.size() + list, 1);
    auto r = parse_ohttp_key_config(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
  }
  Bytes p256 = raw;
  p256[2] = 0x10;  // DHKEM(P-256): another key length, unsupported
  CHECK(parse_ohttp_key_config(p256).error().code == ErrorCode::invalid_argument);

  OhttpKeyConfig aes_only = good;
  aes_only.algorithms = {{1, 1}, {2, 3}};
  auto suite = aes_only.select_suite();
  REQUIRE_FALSE(suite);
  CHECK(suite.error().code == ErrorCode::invalid_argument);
  CHECK(suite.error().detail.find("aead 0x0001") != std::string::npos);
  CHECK_FALSE(ohttp_encapsulate_request(aes_only, as_bytes(std::string_view("{}"))));

  // application/ohttp-keys: a P-256 config is skipped, the X25519 one kept.
  Bytes keys;
  for (const Bytes* c : {static_cast<const Bytes*>(&p256), &raw}) {
    keys.push_back(static_cast<std::uint8_t>(c->size() >> 8));
    keys.push_back(static_cast<std::uint8_t>(c->size()));
    keys.insert(keys.end(), c->begin(), c->end());
  }
  auto list = parse_ohttp_keys(keys);
  REQUIRE(list);
  REQUIRE(list->size() == 1);
  CHECK(list->front() == good);
  for (std::size_t n = 1; n < keys.size(); ++n) {
    if (n == 2 + p256.size()) continue;  // a whole first entry (skipped) and nothing usable
    CAPTURE(n);
    CHECK_FALSE(parse_ohttp_keys(ByteView(keys).first(n)));
  }
  CHECK_FALSE(parse_ohttp_keys({}));
  CHECK_FALSE(parse_ohttp_keys(ByteView(keys).first(2 + p256.size())));
}

TEST_CASE("ohttp: QUIC varints (RFC 9000 appendix A.1 examples)") {
  struct Case {
    const char* hex;
    std::uint64_t value;
  };
  for (const Case& c : {Case{"c2197c5eff14e88c", 151288809941952652ULL}, Case{"9d7f3e7d", 494878333},
                        Case{"7bbd", 15293}, Case{"25", 37}}) {
    CAPTURE(c.hex);
    auto encoded = encode_quic_varint(c.value);
    REQUIRE(encoded);
    CHECK(to_hex(*encoded, false) == c.hex);
    auto decoded = ohttp_detail::decode_quic_varint(test::hex_bytes(c.hex));
    REQUIRE(decoded);
    CHECK(decoded->value == c.value);
    CHECK(decoded->size == encoded->size());
    Bytes cut = *encoded;
    cut.pop_back();
    CHECK_FALSE(ohttp_detail::decode_quic_varint(cut));
  }
  // Two-byte encoding of 37 (RFC 9000: valid, just not minimal).
  auto non_minimal = ohttp_detail::decode_quic_varint(test::hex_bytes("4025"));
  REQUIRE(non_minimal);
  CHECK(non_minimal->value == 37);
  CHECK(encode_quic_varint(kQuicVarintMax));
  CHECK(encode_quic_varint(kQuicVarintMax + 1).error().code == ErrorCode::invalid_argument);
  for (std::uint64_t v : {0ULL, 63ULL, 64ULL, 16383ULL, 16384ULL, (1ULL << 30) - 1, 1ULL << 30}) {
    auto e = encode_quic_varint(v);
    REQUIRE(e);
    auto d = ohttp_detail::decode_quic_varint(*e);
    REQUIRE(d);
    CHECK(d->value == v);
  }
}

TEST_CASE("ohttp: request limits, key id and suite checks at the gateway") {
  auto key = X25519PrivateKey::generate();
  REQUIRE(key);
  OhttpGateway gateway(1, *key);
  CHECK(gateway.key_config().encode().size() == 41);

  const Bytes empty_body;
  auto minimal = ohttp_encapsulate_request(gateway.key_config(), empty_body);
  REQUIRE(minimal);
  CHECK(minimal->wire.size() == kOhttpMinRequestSize);
  CHECK(gateway.decapsulate_request(minimal->wire));
  auto short_wire = gateway.decapsulate_request(ByteView(minimal->wire).first(kOhttpMinRequestSize - 1));
  REQUIRE_FALSE(short_wire);
  CHECK(short_wire.error().code == ErrorCode::invalid_argument);

  const std::size_t biggest = kOhttpMaxRequestSize - kOhttpMinRequestSize;
  auto largest = ohttp_encapsulate_request(gateway.key_config(), Bytes(biggest, 'x'));
  REQUIRE(largest);
  CHECK(largest->wire.size() == kOhttpMaxRequestSize);
  CHECK(gateway.decapsulate_request(largest->wire));
  auto too_big = ohttp_encapsulate_request(gateway.key_config(), Bytes(biggest + 1, 'x'));
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().code == ErrorCode::resource_exhausted);
  Bytes oversized = largest->wire;
  oversized.push_back(0);
  CHECK(gateway.decapsulate_request(oversized).error().code == ErrorCode::resource_exhausted);

  Bytes other_key_id = minimal->wire;
  other_key_id[0] = 2;
  auto r = gateway.decapsulate_request(other_key_id);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::invalid_argument);
  CHECK(r.error().detail == "expected 1, got 2");
  for (std::size_t at : {1u, 2u, 3u, 4u, 5u, 6u}) {
    Bytes other_suite = minimal->wire;
    other_suite[at] ^= 0x02;
    auto s = gateway.decapsulate_request(other_suite);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::invalid_argument);
  }
  // The same request to a gateway with another key does not open.
  auto other = X25519PrivateKey::generate();
  REQUIRE(other);
  auto wrong_key = OhttpGateway(1, *other).decapsulate_request(minimal->wire);
  REQUIRE_FALSE(wrong_key);
  CHECK(wrong_key.error().code == ErrorCode::verification_failed);
}

TEST_CASE("ohttp: single-shot round trips and tampering") {
  std::mt19937_64 rng(0x0477);
  for (int round = 0; round < 40; ++round) {
    const Bytes body = random_bytes(rng, round == 0 ? 0 : rng() % 2000);
    Exchange x = exchange(body);
    CHECK(x.served.plaintext == body);
    CHECK(x.request.wire[0] == 1);
    CHECK(to_hex(ByteView(x.request.wire).subspan(1, 6), false) == "002000010003");
    const Bytes answer = random_bytes(rng, rng() % 500);
    auto response = x.served.context.seal_response(answer);
    REQUIRE(response);
    CHECK(response->size() == kOhttpResponseNonceSize + answer.size() + kHpkeTagSize);
    auto opened = x.request.context.open_response(*response);
    REQUIRE(opened);
    CHECK(*opened == answer);
    // Two responses to one request use fresh nonces.
    auto again = x.served.context.seal_response(answer);
    REQUIRE(again);
    CHECK(*again != *response);
    // A response is bound to its request: another exchange cannot open it.
    Exchange y = exchange(body);
    CHECK_FALSE(y.request.context.open_response(*response));
    // A chunked-response decoder does not accept a single-shot response.
    auto decoder = x.request.context.chunked_response_decoder();
    REQUIRE(decoder);
    auto pushed = decoder->push(*response);
    CHECK((!pushed || !decoder->finish()));
  }
  Exchange x = exchange(as_bytes(std::string_view(R"({"model":"m","messages":[]})")));
  for (std::size_t i = 0; i < x.request.wire.size(); ++i) {
    Bytes bad = x.request.wire;
    bad[i] ^= 0x10;
    CHECK_FALSE(x.gateway.decapsulate_request(bad));
  }
  auto response = x.served.context.seal_response(as_bytes(std::string_view(R"({"ok":true})")));
  REQUIRE(response);
  for (std::size_t i = 0; i < response->size(); ++i) {
    Bytes bad = *response;
    bad[i] ^= 0x10;
    auto r = x.request.context.open_response(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::verification_failed);
  }
  for (std::size_t n = 0; n < response->size(); ++n) {
    CHECK_FALSE(x.request.context.open_response(ByteView(*response).first(n)));
  }
}

TEST_CASE("ohttp: chunked responses decode at any byte boundary") {
  std::mt19937_64 rng(0xc4a2);
  for (int round = 0; round < 60; ++round) {
    Exchange x = exchange(as_bytes(std::string_view(R"({"stream":true})")));
    ChunkedBody body = seal_chunks(x.served.context, rng, static_cast<int>(rng() % 8));
    auto decoder = x.request.context.chunked_response_decoder();
    REQUIRE(decoder);
    auto chunks = decode_in_pieces(*decoder, body.bytes, rng);
    REQUIRE(chunks);
    CHECK(*chunks == body.chunks);
    CHECK(decoder->complete());
    CHECK(decoder->chunks_opened() == body.chunks.size() - 1);
    CHECK(decoder->push(Bytes{0}).error().code == ErrorCode::invalid_argument);
  }
  // Byte by byte, chunks come out as soon as each one is complete.
  Exchange x = exchange({});
  auto encoder = x.served.context.chunked_response_encoder();
  REQUIRE(encoder);
  auto first = encoder->seal_chunk(as_bytes(std::string_view("data: one\n\n")));
  REQUIRE(first);
  REQUIRE(first->size() == 32 + 1 + 11 + 16);
  auto decoder = x.request.context.chunked_response_decoder();
  REQUIRE(decoder);
  for (std::size_t i = 0; i < first->size(); ++i) {
    auto out = decoder->push(ByteView(*first).subspan(i, 1));
    REQUIRE(out);
    CHECK(out->size() == (i + 1 == first->size() ? 1u : 0u));
  }
  auto last = encoder->seal_final({});
  REQUIRE(last);
  CHECK(to_hex(ByteView(*last).first(1), false) == "00");
  CHECK(decoder->push(*last));
  auto final_pt = decoder->finish();
  REQUIRE(final_pt);
  CHECK(final_pt->empty());
  CHECK(encoder->seal_chunk({}).error().code == ErrorCode::invalid_argument);
  CHECK_FALSE(encoder->seal_final({}));
}

TEST_CASE("ohttp: chunked responses reject tampering, truncation and reordering") {
  std::mt19937_64 rng(0x7a3);
  Exchange x = exchange({});
  ChunkedBody body = seal_chunks(x.served.context, rng, 3);
  const auto fresh = [&] {
    auto d = x.request.context.chunked_response_decoder();
    REQUIRE(d);
    return std::move(*d);
  };
  for (std::size_t i = 0; i < body.bytes.size(); ++i) {
    CAPTURE(i);
    Bytes bad = body.bytes;
    bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    auto d = fresh();
    auto r = decode_in_pieces(d, bad, rng);
    REQUIRE_FALSE(r);
    CHECK_FALSE(d.complete());
  }
  for (std::size_t n = 0; n < body.bytes.size(); ++n) {
    CAPTURE(n);
    auto d = fresh();
    auto r = decode_in_pieces(d, ByteView(body.bytes).first(n), rng);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::verification_failed);
    CHECK(r.error().message.find("truncated") != std::string::npos);
  }
  // Cutting the stream right after a complete non-final chunk: every chunk
  // so far opened, yet finish() reports the missing final chunk.
  {
    auto d = fresh();
    auto encoder = x.served.context.chunked_response_encoder();
    REQUIRE(encoder);
    auto c0 = encoder->seal_chunk(as_bytes(std::string_view("a")));
    REQUIRE(c0);
    auto out = d.push(*c0);
    REQUIRE(out);
    CHECK(out->size() == 1);
    auto end = d.finish();
    REQUIRE_FALSE(end);
    CHECK(end.error().code == ErrorCode::verification_failed);
    CHECK(end.error().detail.find("1 chunks opened") != std::string::npos);
    CHECK(d.push({}).error().message == end.error().message);  // stays failed
  }
  // Swapping two chunks, or sending a non-final chunk as the final one.
  {
    auto encoder = x.served.context.chunked_response_encoder();
    REQUIRE(encoder);
    auto a = encoder->seal_chunk(as_bytes(std::string_view("first")));
    auto b = encoder->seal_chunk(as_bytes(std::string_view("other")));
    auto f = encoder->seal_final(as_bytes(std::string_view("end")));
    REQUIRE((a && b && f));
    const std::size_t nonce = kOhttpResponseNonceSize;
    Bytes swapped(a->begin(), a->begin() + nonce);
    swapped.insert(swapped.end(), b->begin(), b->end());
    swapped.insert(swapped.end(), a->begin() + nonce, a->end());
    swapped.insert(swapped.end(), f->begin(), f->end());
    auto d = fresh();
    CHECK_FALSE(decode_in_pieces(d, swapped, rng));
    Bytes as_final(a->begin(), a->end());
    as_final[nonce] = 0;  // length prefix 0: "final", but sealed with AAD ""
    auto d2 = fresh();
    auto r = decode_in_pieces(d2, as_final, rng);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("final chunk does not open") != std::string::npos);
  }
}

TEST_CASE("ohttp: chunk framing limits and non-minimal length prefixes") {
  std::mt19937_64 rng(0x11);
  Exchange x = exchange({});
  auto encoder = x.served.context.chunked_response_encoder();
  REQUIRE(encoder);
  auto c0 = encoder->seal_chunk(Bytes(100, 'a'));
  auto fin = encoder->seal_final(Bytes(10, 'b'));
  REQUIRE((c0 && fin));
  const std::size_t nonce = kOhttpResponseNonceSize;
  REQUIRE((*c0)[nonce] == 0x40);  // 116 needs a two-byte varint
  REQUIRE((*c0)[nonce + 1] == 116);

  SUBCASE("an 8-byte encoding of the same lengths decodes the same") {
    Bytes framed(c0->begin(), c0->begin() + nonce);
    Bytes len8{0xc0, 0, 0, 0, 0, 0, 0, 116};
    framed.insert(framed.end(), len8.begin(), len8.end());
    framed.insert(framed.end(), c0->begin() + nonce + 2, c0->end());
    Bytes zero4{0x80, 0, 0, 0};
    framed.insert(framed.end(), zero4.begin(), zero4.end());
    framed.insert(framed.end(), fin->begin() + 1, fin->end());
    auto d = x.request.context.chunked_response_decoder();
    REQUIRE(d);
    auto r = decode_in_pieces(*d, framed, rng);
    REQUIRE(r);
    REQUIRE(r->size() == 2);
    CHECK((*r)[0] == Bytes(100, 'a'));
    CHECK((*r)[1] == Bytes(10, 'b'));
  }
  SUBCASE("a chunk over the limit is refused before it is buffered") {
    auto d = x.request.context.chunked_response_decoder(OhttpChunkLimits{100});
    REQUIRE(d);
    auto r = d->push(ByteView(*c0).first(nonce + 2));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::resource_exhausted);
    auto d2 = x.request.context.chunked_response_decoder(OhttpChunkLimits{20});
    REQUIRE(d2);
    Bytes only_final(c0->begin(), c0->begin() + nonce);
    only_final.push_back(0);
    only_final.resize(only_final.size() + 21, 0);
    CHECK(d2->push(only_final).error().code == ErrorCode::resource_exhausted);
  }
  SUBCASE("a length shorter than the AEAD tag is a framing error") {
    for (std::uint8_t len : {std::uint8_t{1}, std::uint8_t{15}}) {
      auto d = x.request.context.chunked_response_decoder();
      REQUIRE(d);
      Bytes framed(c0->begin(), c0->begin() + nonce);
      framed.push_back(len);
      auto r = d->push(framed);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::parse_error);
    }
  }
}

namespace {

TeeOhttpConfig config_vector(Hash32& tee_id) {
  static const Json doc = test::load_json(test::vectors_dir() / "hpke/vectors.json");
  const Json& v = *doc.find("opengradient_ohttp_config_hash");
  tee_id = *Hash32::from_hex(test::str(v, "tee_id"));
  TeeOhttpConfig c;
  c.key_id = static_cast<std::uint8_t>(*v.find("key_id")->get_uint64());
  c.kem_id = static_cast<std::uint16_t>(*v.find("kem_id")->get_uint64());
  c.kdf_id = static_cast<std::uint16_t>(*v.find("kdf_id")->get_uint64());
  c.aead_id = static_cast<std::uint16_t>(*v.find("aead_id")->get_uint64());
  c.public_key = field(v, "public_key");
  c.key_config = field(v, "key_config");
  return c;
}

// RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over the vector's configHash by
// tests/vectors/tee_response/keys/tee_TEST_ONLY_private_key.pem, made once with
// Python `cryptography` (key.sign(digest, PSS(MGF1(SHA256()), 32), SHA256())).
constexpr std::string_view kConfigSignature =
    "5ae6698cb13d51358b586d2c1a66e8824adaeb068f09bf10db83cc085651d348407222a1964dc038bf953d7f4f8a82"
    "63b4c1c8359eb1757901d008cdc9b61da64a0ecb4b649818fd3c1568aa9382d9d8a33318183a231cca4007d3739322"
    "3adb03870bc6e9cde7ff589f871e83d7af2a08ea743c45f6e4e5b099ece4c0c6385023e8e3c3b44477f36cb0964ae4"
    "402690b81898c40e8ba7dfdafdd6e2d09d06bceec7aef0232f873b0f6a5d4a59d3dc495183d4859169588eea0c8558"
    "74c997e6ee91a695ba964c9e360c68081a9854fbe462ea8c70ed5bb1d6d35358765d41973d9ad522b6886466caea7c"
    "a14d67fac313e8f736b8a29db4a6fb502c232db8bd";

RsaPublicKey tee_key(const char* name = "tee_public_key.pem") {
  auto key = RsaPublicKey::from_pem(test::read_file(test::vectors_dir() / "tee_response/keys" / name));
  REQUIRE(key);
  return *key;
}

const Check* find_check(const VerificationReport& report, std::string_view name) {
  for (const auto& c : report.checks()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("ohttp config: OpenGradient configHash known answer") {
  Hash32 tee_id;
  TeeOhttpConfig c = config_vector(tee_id);
  CHECK(ohttp_config_hash(tee_id, c).hex(false) ==
        "f2a783a780198b72145ce4f4824c3de4993975e17ee8df1e59f3b5dd78a0f1d9");
  // Every input is bound: changing any one changes the digest.
  const Hash32 base = ohttp_config_hash(tee_id, c);
  Hash32 other_tee = tee_id;
  other_tee.bytes[31] ^= 1;
  CHECK(ohttp_config_hash(other_tee, c) != base);
  for (int field_index = 0; field_index < 6; ++field_index) {
    TeeOhttpConfig m = c;
    switch (field_index) {
      case 0: m.key_id = 2; break;
      case 1: m.kem_id = 0x21; break;
      case 2: m.kdf_id = 2; break;
      case 3: m.aead_id = 1; break;
      case 4: m.public_key[0] ^= 1; break;
      case 5: m.key_config.back() ^= 1; break;
    }
    CAPTURE(field_index);
    CHECK(ohttp_config_hash(tee_id, m) != base);
  }
}

TEST_CASE("ohttp config: a signed, consistent config verifies and yields its key config") {
  Hash32 tee_id;
  TeeOhttpConfig c = config_vector(tee_id);
  VerificationReport report;
  auto verified = verify_ohttp_config(tee_id, c, test::hex_bytes(kConfigSignature), tee_key(), report);
  REQUIRE_MESSAGE(verified, report.to_string());
  CHECK(report.ok());
  CHECK(report.checks().size() == 4);
  CHECK(verified->value().encode() == c.key_config);
  CHECK(verified->value().key_id == 1);
  CHECK(verified->value().public_key.view().size() == 32);
  auto request = ohttp_encapsulate_request(verified->value(), as_bytes(std::string_view("{}")));
  CHECK(request);
}

TEST_CASE("ohttp config: each broken binding fails its own named check") {
  Hash32 tee_id;
  const TeeOhttpConfig good = config_vector(tee_id);
  const Bytes signature = test::hex_bytes(kConfigSignature);
  struct Case {
    const char* name;
    const char* check;
    TeeOhttpConfig config;
  };
  std::vector<Case> cases;
  {
    TeeOhttpConfig m = good;
    m.public_key[7] ^= 1;
    cases.push_back({"public key differs from keyConfig[3:35]", "ohttp_config.public_key", m});
  }
  {
    TeeOhttpConfig m = good;
    m.public_key.pop_back();
    cases.push_back({"31-byte public key", "ohttp_config.public_key", m});
  }
  {
    TeeOhttpConfig m = good;
    m.aead_id = 1;
    cases.push_back({"AES-128-GCM registered", "ohttp_config.suite", m});
  }
  {
    TeeOhttpConfig m = good;
    m.key_id = 2;
    cases.push_back({"keyConfig key id differs", "ohttp_config.key_config", m});
  }
  {
    TeeOhttpConfig m = good;
    m.key_config.push_back(0);
    cases.push_back({"keyConfig with a trailing byte", "ohttp_config.key_config", m});
  }
  {
    TeeOhttpConfig m = good;
    m.key_config.back() = 1;  // offers (1, 1) instead of (1, 3)
    cases.push_back({"keyConfig without the registered suite", "ohttp_config.key_config", m});
  }
  for (const auto& k : cases) {
    CAPTURE(k.name);
    VerificationReport report;
    auto r = verify_ohttp_config(tee_id, k.config, signature, tee_key(), report);
    REQUIRE_FALSE(r);
    const Check* check = find_check(report, k.check);
    REQUIRE(check != nullptr);
    CHECK_FALSE(check->passed);
    CHECK_FALSE(check->reason.empty());
    // Any change to the signed fields also breaks the signature.
    const Check* sig = find_check(report, "ohttp_config.signature");
    REQUIRE(sig != nullptr);
    CHECK_FALSE(sig->passed);
    CHECK(report.checks().size() == 4);
  }
  // The right config under another tee_id, another key, or a tampered signature.
  Hash32 other_tee = tee_id;
  other_tee.bytes[0] ^= 0x80;
  auto wrong_tee = verify_ohttp_config(other_tee, good, signature, tee_key());
  REQUIRE_FALSE(wrong_tee);
  CHECK(wrong_tee.error().code == ErrorCode::verification_failed);
  CHECK(wrong_tee.error().message.find("ohttp_config.signature") != std::string::npos);
  CHECK_FALSE(verify_ohttp_config(tee_id, good, signature, tee_key("other_public_key.pem")));
  for (std::size_t i = 0; i < signature.size(); i += 17) {
    Bytes bad = signature;
    bad[i] ^= 0x04;
    CHECK_FALSE(verify_ohttp_config(tee_id, good, bad, tee_key()));
  }
  CHECK_FALSE(verify_ohttp_config(tee_id, good, ByteView(signature).first(255), tee_key()));
  CHECK_FALSE(verify_ohttp_config(tee_id, good, {}, tee_key()));
}

TEST_CASE("ohttp config: /v1/ohttp/config JSON parses strictly and verifies") {
  Hash32 tee_id;
  const TeeOhttpConfig c = config_vector(tee_id);
  const Bytes signature = test::hex_bytes(kConfigSignature);
  auto make = [&]() {
    Json j = Json::object();
    j.set("tee_id", tee_id.hex());
    j.set("key_id", Json(1));
    j.set("kem_id", Json(32));
    j.set("kdf_id", Json(1));
    j.set("aead_id", Json(3));
    j.set("public_key", to_hex(c.public_key, false));
    j.set("key_config", to_base64(c.key_config));
    j.set("signature", to_base64(signature));
    j.set("signature_hash", "0xnot-read");
    return j;
  };
  auto parsed = parse_ohttp_config_json(make());
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? std::string() : parsed.error().to_string()));
  CHECK(parsed->tee_id == tee_id);
  CHECK(parsed->config.public_key == c.public_key);
  CHECK(parsed->config.key_config == c.key_config);
  CHECK(parsed->signature == signature);
  CHECK(verify_ohttp_config(tee_id, parsed->config, parsed->signature, tee_key()));

  struct Bad {
    const char* field;
    Json value;
  };
  const std::vector<Bad> bad = {
      {"tee_id", Json("0x1234")},           {"tee_id", Json(1)},
      {"key_id", Json(256)}, {"kem_id", Json(65536)},
      {"kdf_id", Json("1")},                {"aead_id", Json(-3)},
      {"public_key", Json("zz")},           {"key_config", Json("not base64!")},
      {"signature", Json(7)}, {"signature", Json("YQ")},
  };
  for (const auto& b : bad) {
    CAPTURE(b.field);
    Json j = make();
    j.set(b.field, b.value);
    auto r = parse_ohttp_config_json(j);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
  }
  const Json full = make();
  for (const char* field : {"tee_id", "key_id", "public_key", "key_config", "signature"}) {
    CAPTURE(field);
    Json j = Json::object();
    for (const auto& [k, v] : full.as_object()) {
      if (k != field) j.set(k, v);
    }
    CHECK_FALSE(parse_ohttp_config_json(j));
  }
  CHECK_FALSE(parse_ohttp_config_json(Json::array()));
}
