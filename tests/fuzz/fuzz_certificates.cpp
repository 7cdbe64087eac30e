// Certificates as OpenSSL receives them: the real attestation document with
// its leaf certificate and cabundle replaced by the input's DER blobs, then
// verified against the real root at the document's time. Only the real
// chain may verify. Input: count byte (cabundle size, 0..4), then for each
// cabundle certificate (root first) a 2-byte big-endian length and its DER;
// the leaf certificate takes the rest.
#include "fuzz_cbor.hpp"
#include "fuzz_support.hpp"

#include <verinfer/verify/nitro.hpp>

#include <chrono>
#include <vector>

using namespace verinfer;

namespace {

struct Fixture {
  NitroVerifier verifier;
  NitroDocument real;
  internal::cbor::Item payload;  // views into `payload_bytes`
  Bytes payload_bytes;
};

const Fixture& fixture() {
  static const Fixture* f = [] {
    auto* out = new Fixture{
        fuzz::must(NitroVerifier::with_root_pem(fuzz::read_vector("nitro/aws_nitro_root_g1.pem"),
                                                NitroVerifierOptions{.chain_cache = false}),
                   "nitro root"),
        fuzz::must(parse_nitro_document(fuzz::must(
                       decode_nitro_base64(fuzz::read_vector("nitro/attestation_doc.b64")), "doc")),
                   "nitro doc"),
        {},
        {}};
    out->payload_bytes = out->real.payload;
    out->payload = fuzz::must(internal::cbor::decode(out->payload_bytes), "payload");
    return out;
  }();
  return *f;
}

// The real document with other certificates: COSE_Sign1 [protected, {}, payload, signature].
Bytes document_with(const Fixture& f, ByteView leaf, const std::vector<ByteView>& cabundle) {
  Bytes payload;
  const auto& map = f.payload;
  if (map.indefinite) {
    payload.push_back(0xbf);
  } else {
    internal::cbor::append_head(payload, 5, map.size());
  }
  for (std::size_t i = 0; i + 1 < map.items.size(); i += 2) {
    const auto& key = map.items[i];
    fuzz::encode_cbor(key, payload);
    if (key.text() == "certificate") {
      internal::cbor::append_bytes(payload, leaf);
    } else if (key.text() == "cabundle") {
      internal::cbor::append_head(payload, 4, cabundle.size());
      for (ByteView der : cabundle) internal::cbor::append_bytes(payload, der);
    } else {
      fuzz::encode_cbor(map.items[i + 1], payload);
    }
  }
  if (map.indefinite) payload.push_back(0xff);

  Bytes cose;
  internal::cbor::append_head(cose, 6, 18);
  internal::cbor::append_head(cose, 4, 4);
  internal::cbor::append_bytes(cose, f.real.protected_header);
  cose.push_back(0xa0);
  internal::cbor::append_bytes(cose, payload);
  internal::cbor::append_bytes(cose, f.real.signature);
  return cose;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  fuzz::Input in(data, size);
  const std::size_t bundle_size = in.byte() % 5;
  std::vector<ByteView> certs;
  for (std::size_t i = 0; i < bundle_size; ++i) {
    const std::size_t len = static_cast<std::size_t>(in.byte()) << 8 | in.byte();
    certs.push_back(in.take(len));
  }
  certs.push_back(in.rest());
  const ByteView leaf = certs.back();
  certs.pop_back();

  const Bytes cose = document_with(f, leaf, certs);
  VerificationReport report;
  const auto at = std::chrono::sys_seconds(std::chrono::seconds(1770919200));
  auto verified = f.verifier.verify(cose, at, NitroPolicy{.max_future_skew = std::nullopt}, report);
  if (verified) {
    bool same = std::ranges::equal(leaf, f.real.attestation.certificate) &&
                certs.size() == f.real.attestation.cabundle.size();
    for (std::size_t i = 0; same && i < certs.size(); ++i) {
      same = std::ranges::equal(certs[i], f.real.attestation.cabundle[i]);
    }
    FUZZ_CHECK(same);
  } else {
    FUZZ_CHECK(!report.ok() || verified.error().code == ErrorCode::parse_error);
  }
  return 0;
}
