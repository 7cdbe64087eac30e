// Oblivious HTTP: key configs (strict: parse then encode gives the input),
// request decapsulation at the gateway, and response decapsulation, single
// and chunked, of responses sealed here and then tampered with or truncated
// as the input says: an untouched response opens to exactly what was sealed
// whatever the chunking, any change is refused. Input: mode byte, then data.
#include "fuzz_support.hpp"

#include <verinfer/crypto/hpke.hpp>
#include <verinfer/transport/ohttp.hpp>

#include <algorithm>
#include <vector>

using namespace verinfer;

namespace {

const OhttpGateway& gateway() {
  static const OhttpGateway g(7, fuzz::must(X25519PrivateKey::derive(
                                    as_bytes("verinfer fuzz gateway key, 32+ bytes of ikm")),
                                "gateway key"));
  return g;
}

// What the input asks for: plaintext chunks, a tamper, a truncation, a split.
struct Plan {
  std::vector<Bytes> chunks;
  Bytes final_chunk;
  std::size_t flip_at = 0;
  std::uint8_t flip_mask = 0;
  std::size_t cut = 0;  // bytes removed from the end
  std::size_t split = 1;
};

Plan plan_of(fuzz::Input& in) {
  Plan p;
  const std::size_t n = in.byte() % 4;
  for (std::size_t i = 0; i < n; ++i) {
    ByteView c = in.take(in.byte() % 48);
    p.chunks.emplace_back(c.begin(), c.end());
  }
  p.flip_at = static_cast<std::size_t>(in.byte()) << 8 | in.byte();
  p.flip_mask = in.byte();
  p.cut = in.byte() % 4 == 0 ? in.byte() % 40 + 1 : 0;
  p.split = in.byte() % 17 + 1;
  ByteView rest = in.rest();
  p.final_chunk.assign(rest.begin(), rest.end());
  return p;
}

bool tamper(const Plan& p, Bytes& wire) {
  bool changed = false;
  if (p.flip_mask != 0 && !wire.empty()) {
    wire[p.flip_at % wire.size()] ^= p.flip_mask;
    changed = true;
  }
  if (p.cut != 0) {
    wire.resize(wire.size() - std::min(p.cut, wire.size()));
    changed = true;
  }
  return changed;
}

void chunked(fuzz::Input& in, const OhttpClientContext& client, const OhttpServerContext& server) {
  const Plan p = plan_of(in);
  auto encoder = server.chunked_response_encoder();
  FUZZ_CHECK(encoder.has_value());
  Bytes wire;
  for (const Bytes& c : p.chunks) {
    auto sealed = encoder->seal_chunk(c);
    if (!sealed) return;  // an empty non-final chunk is refused: nothing to open
    wire.insert(wire.end(), sealed->begin(), sealed->end());
  }
  auto last = encoder->seal_final(p.final_chunk);
  FUZZ_CHECK(last.has_value());
  wire.insert(wire.end(), last->begin(), last->end());
  const bool changed = tamper(p, wire);

  auto decoder = client.chunked_response_decoder(OhttpChunkLimits{.max_chunk_size = 4096});
  FUZZ_CHECK(decoder.has_value());
  std::vector<Bytes> opened;
  bool ok = true;
  for (std::size_t pos = 0; ok && pos < wire.size(); pos += p.split) {
    auto got = decoder->push(ByteView(wire).subspan(pos, std::min(p.split, wire.size() - pos)));
    if (!got) {
      ok = false;
      break;
    }
    opened.insert(opened.end(), got->begin(), got->end());
  }
  auto final_plain = ok ? decoder->finish() : Result<Bytes>(fail(ErrorCode::internal, "stopped"));
  if (changed) {
    FUZZ_CHECK(!final_plain);
  } else {
    FUZZ_CHECK(final_plain && *final_plain == p.final_chunk && opened == p.chunks);
    FUZZ_CHECK(decoder->complete() && decoder->chunks_opened() == p.chunks.size());
  }
}

void single(fuzz::Input& in, const OhttpClientContext& client, const OhttpServerContext& server) {
  Plan p = plan_of(in);
  auto sealed = server.seal_response(p.final_chunk);
  FUZZ_CHECK(sealed.has_value());
  const bool changed = tamper(p, *sealed);
  auto opened = client.open_response(*sealed);
  if (changed) {
    FUZZ_CHECK(!opened);
  } else {
    FUZZ_CHECK(opened && *opened == p.final_chunk);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte() % 5;

  if (mode == 0) {
    const ByteView raw = in.rest();
    auto config = parse_ohttp_key_config(raw);
    if (config) FUZZ_CHECK(std::ranges::equal(config->encode(), raw));
    return 0;
  }
  if (mode == 1) {
    const ByteView raw = in.rest();
    auto configs = parse_ohttp_keys(raw);
    if (configs) {
      // The configs are the records that parse on their own, in order (records
      // with another KEM are skipped, RFC 9458 section 3.2), each re-encoding
      // to its record.
      std::vector<OhttpKeyConfig> usable;
      for (std::size_t at = 0; at + 2 <= raw.size();) {
        const std::size_t len = static_cast<std::size_t>(raw[at]) << 8 | raw[at + 1];
        const ByteView record = raw.subspan(at + 2, std::min(len, raw.size() - at - 2));
        at += 2 + record.size();
        auto one = parse_ohttp_key_config(record);
        if (!one) continue;
        FUZZ_CHECK(std::ranges::equal(one->encode(), record));
        usable.push_back(*one);
      }
      FUZZ_CHECK(usable == *configs);
    }
    return 0;
  }
  if (mode == 2) {
    // Hostile bytes at both ends: a request to the gateway, a response to a client.
    const ByteView raw = in.rest();
    auto opened = gateway().decapsulate_request(raw);
    if (!opened) FUZZ_CHECK(!opened.error().message.empty());
    auto request = ohttp_encapsulate_request(gateway().key_config(), as_bytes("{}"));
    FUZZ_CHECK(request.has_value());
    FUZZ_CHECK(!request->context.open_response(raw));
    auto decoder = request->context.chunked_response_decoder();
    FUZZ_CHECK(decoder.has_value());
    if (decoder->push(raw)) FUZZ_CHECK(!decoder->finish());
    return 0;
  }

  auto request = ohttp_encapsulate_request(gateway().key_config(), as_bytes("{\"model\":\"m\"}"));
  FUZZ_CHECK(request.has_value());
  auto served = gateway().decapsulate_request(request->wire);
  FUZZ_CHECK(served.has_value());
  if (mode == 3) {
    chunked(in, request->context, served->context);
  } else {
    single(in, request->context, served->context);
  }
  return 0;
}
