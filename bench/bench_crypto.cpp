// Keccak-256 throughput and ecrecover rate: verinfer's recover_address next
// to raw libsecp256k1 (parse + recover + serialize + keccak), so the cost of
// verinfer's checks and address derivation is visible.
#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <array>
#include <string>
#include <vector>

#include "crypto/keccak_internal.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/secp256k1.hpp"

namespace {

using namespace verinfer;

void BM_Keccak256(benchmark::State& state) {
  Bytes data(static_cast<std::size_t>(state.range(0)), 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(keccak256(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Keccak256)->Arg(64)->Arg(1024)->Arg(1 << 20);

// Each Keccak-f implementation this CPU runs, absorbing 1 MiB; keccak256 above
// uses the first.
const int kKeccakImplementations = [] {
  for (const auto& impl : keccak_internal::implementations()) {
    benchmark::RegisterBenchmark(
        (std::string("BM_KeccakAbsorb/") + impl.name).c_str(), [impl](benchmark::State& state) {
          constexpr std::size_t kBlocks = (1 << 20) / Keccak256::kRate;
          const Bytes data(kBlocks * Keccak256::kRate, 0x5a);
          std::array<std::uint64_t, 25> lanes{};
          for (auto _ : state) {
            impl.absorb(lanes, data.data(), kBlocks);
            benchmark::DoNotOptimize(lanes);
          }
          state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
        });
  }
  return 0;
}();

struct Signed {
  Hash32 digest;
  FixedBytes<65> signature;
};

const std::vector<Signed>& samples() {
  static const std::vector<Signed> all = [] {
    std::vector<Signed> out;
    for (int i = 0; i < 64; ++i) {
      auto key = PrivateKey::from_bytes(keccak256(std::string_view("bench key " + std::to_string(i))));
      Hash32 digest = keccak256(std::string_view("bench message " + std::to_string(i)));
      out.push_back({digest, key->sign_digest(digest)->to_bytes()});
    }
    return out;
  }();
  return all;
}

void BM_RecoverVerinfer(benchmark::State& state) {
  const auto& s = samples();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& one = s[i++ % s.size()];
    benchmark::DoNotOptimize(recover_address(one.digest, one.signature));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RecoverVerinfer);

void BM_RecoverRawLibsecp256k1(benchmark::State& state) {
  const auto& s = samples();
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& one = s[i++ % s.size()];
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_pubkey key;
    unsigned char out[65];
    std::size_t len = sizeof out;
    int ok = secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, one.signature.data(),
                                                                 one.signature.bytes[64] - 27);
    ok &= secp256k1_ecdsa_recover(ctx, &key, &sig, one.digest.data());
    ok &= secp256k1_ec_pubkey_serialize(ctx, out, &len, &key, SECP256K1_EC_UNCOMPRESSED);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(keccak256(ByteView(out + 1, 64)));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  secp256k1_context_destroy(ctx);
}
BENCHMARK(BM_RecoverRawLibsecp256k1);

void BM_SignVerinfer(benchmark::State& state) {
  auto key = PrivateKey::from_bytes(keccak256(std::string_view("bench signer")));
  Hash32 digest = keccak256(std::string_view("bench digest"));
  for (auto _ : state) benchmark::DoNotOptimize(key->sign_digest(digest));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SignVerinfer);

}  // namespace

BENCHMARK_MAIN();
