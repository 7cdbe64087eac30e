// TEE response verification (canonicalise + hash + RSA-PSS verify) for small,
// 16 KiB and 256 KiB conversations, next to the raw cost of the same work
// done directly with our Keccak and one OpenSSL RSA-PSS verification.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "verinfer/verinfer.hpp"

namespace {

using namespace verinfer;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string kKeys = VERINFER_SOURCE_DIR "/tests/vectors/tee_response/keys/";

// A signed conversation of about `bytes` of message text, as the gateway
// would return it (the test-only vector key signs it).
struct Fixture {
  Json request;
  Json response;
  std::string canonical;
  std::string output;
  Bytes signature;
  Hash32 msg_hash;
  RsaPublicKey key;
  EVP_PKEY* openssl_key = nullptr;

  explicit Fixture(std::size_t bytes) : key(RsaPublicKey::from_pem(read(kKeys + "tee_public_key.pem")).value()) {
    request = Json::object();
    request.set("model", "gpt-5");
    Json messages = Json::array();
    std::size_t made = 0;
    for (int i = 0; made < bytes || i < 2; ++i) {
      std::string text(std::min<std::size_t>(4096, bytes > made ? bytes - made : 16), 'a' + static_cast<char>(i % 26));
      made += text.size();
      Json m = Json::object();
      m.set("role", i % 2 == 0 ? "user" : "assistant");
      m.set("content", text);
      messages.push_back(std::move(m));
    }
    request.set("messages", std::move(messages));
    request.set("temperature", 0.7);
    canonical = canonical_request_bytes(request).value();
    output = "The answer is forty-two.";
    const std::uint64_t ts = 1770919200;
    msg_hash = tee_msg_hash(keccak256(std::string_view(canonical)), keccak256(std::string_view(output)), ts);

    std::string pem = read(kKeys + "tee_TEST_ONLY_private_key.pem");
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* priv = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(priv, nullptr);
    EVP_PKEY_sign_init(ctx);
    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32);
    Hash32 digest = sha256(msg_hash.view());
    std::size_t len = 0;
    EVP_PKEY_sign(ctx, nullptr, &len, digest.data(), digest.size());
    signature.resize(len);
    EVP_PKEY_sign(ctx, signature.data(), &len, digest.data(), digest.size());
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(priv);

    std::string pub = read(kKeys + "tee_public_key.pem");
    bio = BIO_new_mem_buf(pub.data(), static_cast<int>(pub.size()));
    openssl_key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);

    Json message = Json::object();
    message.set("role", "assistant");
    message.set("content", output);
    Json choice = Json::object();
    choice.set("index", 0);
    choice.set("message", std::move(message));
    choice.set("finish_reason", "stop");
    Json choices = Json::array();
    choices.push_back(std::move(choice));
    response = Json::object();
    response.set("choices", std::move(choices));
    response.set("tee_signature", to_base64(signature));
    response.set("tee_request_hash", keccak256(std::string_view(canonical)).hex(false));
    response.set("tee_output_hash", keccak256(std::string_view(output)).hex(false));
    response.set("tee_timestamp", ts);
    response.set("tee_id", tee_id_of(key).hex());
  }
  ~Fixture() { EVP_PKEY_free(openssl_key); }
};

Fixture& fixture(std::size_t bytes) {
  static Fixture small(200), medium(16 << 10), large(256 << 10);
  return bytes <= 200 ? small : bytes <= (16 << 10) ? medium : large;
}

// One raw OpenSSL RSA-PSS (SHA-256, 32-byte salt) verification of `digest`.
bool openssl_pss_verify(const Fixture& f, const Hash32& digest) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(f.openssl_key, nullptr);
  EVP_PKEY_verify_init(ctx);
  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING);
  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
  EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32);
  int ok = EVP_PKEY_verify(ctx, f.signature.data(), f.signature.size(), digest.data(), digest.size());
  EVP_PKEY_CTX_free(ctx);
  return ok == 1;
}

void BM_VerifyTeeResponse(benchmark::State& state) {
  Fixture& f = fixture(static_cast<std::size_t>(state.range(0)));
  TeeResponsePolicy policy;
  policy.now = 1770919201;
  for (auto _ : state) {
    auto verified = verify_tee_response(f.request, f.response, f.key, policy);
    if (!verified) state.SkipWithError(verified.error().to_string().c_str());
    benchmark::DoNotOptimize(verified);
  }
  state.SetLabel(std::to_string(f.canonical.size()) + " canonical bytes");
}
BENCHMARK(BM_VerifyTeeResponse)->Arg(200)->Arg(16 << 10)->Arg(256 << 10);

// The floor: hash the canonical bytes and the output, one RSA-PSS verify.
void BM_RawHashesPlusOpenSslVerify(benchmark::State& state) {
  Fixture& f = fixture(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    Hash32 m = tee_msg_hash(keccak256(std::string_view(f.canonical)), keccak256(std::string_view(f.output)),
                            1770919200);
    Hash32 digest = sha256(m.view());
    if (!openssl_pss_verify(f, digest)) state.SkipWithError("raw verify failed");
  }
  state.SetLabel(std::to_string(f.canonical.size()) + " canonical bytes");
}
BENCHMARK(BM_RawHashesPlusOpenSslVerify)->Arg(200)->Arg(16 << 10)->Arg(256 << 10);

// One RSA-PSS verification of the 32-byte msg_hash: through verinfer's
// rsa_pss API, and raw OpenSSL on the same key and signature.
void BM_RsaPssVerifyVerinfer(benchmark::State& state) {
  Fixture& f = fixture(200);
  for (auto _ : state) {
    auto ok = verify_rsa_pss_sha256(f.key, f.msg_hash.view(), f.signature);
    if (!ok) state.SkipWithError(ok.error().to_string().c_str());
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RsaPssVerifyVerinfer);

void BM_RsaPssVerifyRawOpenSsl(benchmark::State& state) {
  Fixture& f = fixture(200);
  const Hash32 digest = sha256(f.msg_hash.view());
  for (auto _ : state) {
    if (!openssl_pss_verify(f, digest)) state.SkipWithError("raw verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RsaPssVerifyRawOpenSsl);

}  // namespace

BENCHMARK_MAIN();
