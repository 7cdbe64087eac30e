// Nitro attestation verification rate: decoding only, the whole verification
// with and without the chain cache, and one raw OpenSSL ES384 verification of
// the same Sig_structure (the floor: the signature is checked every time).
#include <benchmark/benchmark.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "verinfer/verify/nitro.hpp"

namespace {

using namespace verinfer;

const Bytes& document() {
  static const Bytes doc = [] {
    auto path = std::filesystem::path(VERINFER_SOURCE_DIR) / "tests/vectors/nitro/attestation_doc.b64";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto bytes = decode_nitro_base64(text.str());
    if (!bytes) throw std::runtime_error(bytes.error().to_string());
    return *bytes;
  }();
  return doc;
}

const auto kAt = std::chrono::sys_seconds(std::chrono::seconds(1770919200));  // 2026-02-12T18:00:00Z

void BM_NitroParse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parse_nitro_document(document()));
}
BENCHMARK(BM_NitroParse);

void BM_NitroVerify(benchmark::State& state) {
  NitroVerifier verifier(NitroVerifierOptions{.chain_cache = state.range(0) == 1});
  for (auto _ : state) {
    auto r = verifier.verify(document(), kAt);
    if (!r) state.SkipWithError(r.error().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(state.range(0) == 1 ? "chain cache on" : "chain cache off");
}
BENCHMARK(BM_NitroVerify)->Arg(0)->Arg(1);

// RFC 9052 section 4.4 Sig_structure, encoded by hand for this document.
Bytes sig_structure(const NitroDocument& doc) {
  Bytes out = {0x84, 0x6a};
  for (char c : std::string_view("Signature1")) out.push_back(static_cast<std::uint8_t>(c));
  out.push_back(static_cast<std::uint8_t>(0x40 | doc.protected_header.size()));
  out.insert(out.end(), doc.protected_header.begin(), doc.protected_header.end());
  out.push_back(0x40);
  out.push_back(0x59);
  out.push_back(static_cast<std::uint8_t>(doc.payload.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(doc.payload.size()));
  out.insert(out.end(), doc.payload.begin(), doc.payload.end());
  return out;
}

void BM_OpenSslEs384Verify(benchmark::State& state) {
  auto doc = parse_nitro_document(document()).value();
  Bytes message = sig_structure(doc);
  const unsigned char* p = doc.attestation.certificate.data();
  X509* leaf = d2i_X509(nullptr, &p, static_cast<long>(doc.attestation.certificate.size()));
  EVP_PKEY* key = X509_get_pubkey(leaf);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(doc.signature.data(), 48, nullptr),
                 BN_bin2bn(doc.signature.data() + 48, 48, nullptr));
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  for (auto _ : state) {
    EVP_DigestVerifyInit(md, nullptr, EVP_sha384(), nullptr, key);
    int ok = EVP_DigestVerify(md, der, static_cast<std::size_t>(der_len), message.data(), message.size());
    if (ok != 1) state.SkipWithError("signature did not verify");
  }
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  EVP_PKEY_free(key);
  X509_free(leaf);
}
BENCHMARK(BM_OpenSslEs384Verify);

}  // namespace

BENCHMARK_MAIN();
