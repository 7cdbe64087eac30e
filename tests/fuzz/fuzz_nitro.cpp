// CBOR, COSE_Sign1 and Nitro attestation documents: the strict CBOR decoder
// re-encodes to its input and keeps every item inside its parent; document
// parsing and full verification (chain via OpenSSL, ES384) against the real
// AWS root at the vector's time never accept a document that differs from
// the real one in its signed bytes.
#include "fuzz_cbor.hpp"
#include "fuzz_support.hpp"

#include <verinfer/verify/nitro.hpp>

#include <algorithm>
#include <chrono>

#include "verify/internal/nitro_cose.hpp"

using namespace verinfer;

namespace {

void check_nesting(const internal::cbor::Item& item, ByteView input) {
  FUZZ_CHECK(item.encoded.data() >= input.data());
  FUZZ_CHECK(item.encoded.data() + item.encoded.size() <= input.data() + input.size());
  FUZZ_CHECK(item.offset == static_cast<std::size_t>(item.encoded.data() - input.data()));
  if (!item.data.empty()) {
    FUZZ_CHECK(item.data.data() >= item.encoded.data());
    FUZZ_CHECK(item.data.data() + item.data.size() <= item.encoded.data() + item.encoded.size());
  }
  for (const auto& child : item.items) {
    FUZZ_CHECK(child.encoded.data() >= item.encoded.data());
    FUZZ_CHECK(child.encoded.data() + child.encoded.size() <=
               item.encoded.data() + item.encoded.size());
    check_nesting(child, input);
  }
}

struct Fixture {
  NitroVerifier verifier;
  Bytes real;
};

const Fixture& fixture() {
  static const Fixture f{
      fuzz::must(NitroVerifier::with_root_pem(fuzz::read_vector("nitro/aws_nitro_root_g1.pem"),
                                              NitroVerifierOptions{.chain_cache = false}),
                 "nitro root"),
      fuzz::must(decode_nitro_base64(fuzz::read_vector("nitro/attestation_doc.b64")), "nitro doc")};
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  const ByteView input{data, size};

  auto item = internal::cbor::decode(input);
  if (item) {
    FUZZ_CHECK(item->encoded.size() == size);  // no trailing bytes accepted
    check_nesting(*item, input);
    FUZZ_CHECK(std::ranges::equal(fuzz::encode_cbor(*item), input));
  }

  auto cose = internal::parse_cose_sign1(input);
  auto doc = parse_nitro_document(input);
  if (doc) {
    FUZZ_CHECK(item.has_value() && cose.has_value());
    FUZZ_CHECK(doc->signature.size() == internal::kEs384SignatureSize);
    FUZZ_CHECK(std::ranges::equal(doc->payload, cose->payload));
    FUZZ_CHECK(!doc->attestation.certificate.empty() && !doc->attestation.cabundle.empty());
  } else {
    FUZZ_CHECK(!doc.error().message.empty());
  }

  VerificationReport report;
  const auto at = std::chrono::sys_seconds(std::chrono::seconds(1770919200));
  auto verified = f.verifier.verify(input, at, NitroPolicy{.max_future_skew = std::nullopt}, report);
  if (verified) {
    FUZZ_CHECK(doc.has_value() && report.ok());
    // Only the real document's signed bytes verify (COSE framing may differ).
    auto real = parse_nitro_document(f.real);
    FUZZ_CHECK(real && real->payload == doc->payload && real->signature == doc->signature &&
               real->protected_header == doc->protected_header);
  } else {
    FUZZ_CHECK(!report.ok() || !doc);
  }
  return 0;
}
