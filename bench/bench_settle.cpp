// Settlement and streaming rates: Merkle inclusion proofs of batch depth,
// a settlement transaction's receipt parsed from JSON-RPC text, the
// IndividualSettlement check on it, and the SSE / chat-stream readers over a
// ~1 MiB gateway stream fed in network-sized chunks.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "verinfer/verinfer.hpp"

namespace {

using namespace verinfer;

Hash32 filled(std::uint8_t b) {
  Hash32 h;
  h.bytes.fill(b);
  return h;
}

// A full StandardMerkleTree-shaped tree (sorted pairs) of `leaves` leaves,
// kept level by level so every leaf's proof is its siblings bottom-up.
struct MerkleFixture {
  std::vector<std::vector<Hash32>> levels;  // levels[0]: the leaves

  explicit MerkleFixture(std::size_t leaves) {
    std::vector<Hash32> level(leaves);
    for (std::size_t i = 0; i < leaves; ++i) {
      std::string seed = "leaf " + std::to_string(i);
      level[i] = keccak256(keccak256(std::string_view(seed)).view());
    }
    levels.push_back(std::move(level));
    while (levels.back().size() > 1) {
      const auto& below = levels.back();
      std::vector<Hash32> up(below.size() / 2);
      for (std::size_t i = 0; i < up.size(); ++i) up[i] = merkle_hash_pair(below[2 * i], below[2 * i + 1]);
      levels.push_back(std::move(up));
    }
  }
  const Hash32& root() const { return levels.back().front(); }
  std::vector<Hash32> proof(std::size_t leaf) const {
    std::vector<Hash32> out;
    for (std::size_t l = 0; l + 1 < levels.size(); ++l, leaf /= 2) out.push_back(levels[l][leaf ^ 1]);
    return out;
  }
};

void BM_MerkleVerifyProof(benchmark::State& state) {
  const MerkleFixture tree(static_cast<std::size_t>(state.range(0)));
  // Proofs of 256 spread-out leaves, verified in turn.
  std::vector<std::pair<Hash32, std::vector<Hash32>>> proofs;
  const std::size_t step = tree.levels[0].size() / 256;
  for (std::size_t i = 0; i < 256; ++i) proofs.emplace_back(tree.levels[0][i * step], tree.proof(i * step));
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& [leaf, proof] = proofs[next++ % proofs.size()];
    auto ok = verify_merkle_proof(tree.root(), leaf, proof);
    if (!ok) state.SkipWithError(ok.error().to_string().c_str());
    benchmark::DoNotOptimize(ok);
  }
  state.SetLabel("depth " + std::to_string(tree.levels.size() - 1));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MerkleVerifyProof)->Arg(1 << 10)->Arg(1 << 16);

// An individually settled call's transaction as a node returns it: the
// token's AuthorizationUsed and Transfer, the relay's IndividualSettlement,
// and a second Transfer (the facilitator's fee).
struct ReceiptFixture {
  const Address relay = *Address::from_hex("0x00000000000000000000000000000000000000aa");
  const Address token = *Address::from_hex("0x5FbDB2315678afecb367f032d93F642f64180aa3");
  const Address payer = *Address::from_hex("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
  const Address pay_to = *Address::from_hex("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
  SettlementLeaf leaf;
  std::string text;  // the eth_getTransactionReceipt result, as sent

  ReceiptFixture() {
    leaf.tee_id = filled(0x11);
    leaf.input_hash = filled(0x22);
    leaf.output_hash = filled(0x33);
    leaf.signature = Bytes(256, 0x5a);  // an RSA-2048 signature's size
    leaf.timestamp = U256(1770919200);
    std::vector<LogEntry> logs = {
        *authorization_used_event().encode(token, {payer, filled(7)}),
        *transfer_event().encode(token, {payer, pay_to, U256(1000)}),
        *individual_settlement_event().encode(relay, {leaf.tee_id, pay_to, leaf.input_hash, leaf.output_hash,
                                                      leaf.timestamp, Bytes(59, 'b'), leaf.signature}),
        *transfer_event().encode(token, {pay_to, relay, U256(10)}),
    };
    TransactionReceipt r;
    r.transaction_hash = filled(0xab);
    r.transaction_index = 3;
    r.block_hash = filled(0xcd);
    r.block_number = 123456;
    r.from = relay;
    r.to = relay;
    r.status = 1;
    r.gas_used = U256(187000);
    r.cumulative_gas_used = U256(412000);
    r.effective_gas_price = U256(1000000007);
    r.type = 2;
    for (std::size_t i = 0; i < logs.size(); ++i) {
      logs[i].block_number = r.block_number;
      logs[i].block_hash = r.block_hash;
      logs[i].transaction_hash = r.transaction_hash;
      logs[i].transaction_index = r.transaction_index;
      logs[i].log_index = 17 + i;
    }
    r.logs = std::move(logs);
    text = receipt_to_json(r).dump();
  }
};

const ReceiptFixture& receipt_fixture() {
  static const ReceiptFixture f;
  return f;
}

// What RpcClient::transaction_receipt does with the answer's result: JSON text
// to a strictly checked TransactionReceipt.
void BM_ReceiptParse(benchmark::State& state) {
  const auto& f = receipt_fixture();
  for (auto _ : state) {
    auto json = parse_json(f.text);
    auto receipt = json ? parse_rpc_receipt(*json) : Result<TransactionReceipt>(std::unexpected(json.error()));
    if (!receipt) state.SkipWithError(receipt.error().to_string().c_str());
    benchmark::DoNotOptimize(receipt);
  }
  state.SetLabel(std::to_string(f.text.size()) + " bytes, 4 logs");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReceiptParse);

// The IndividualSettlement check on a parsed receipt (status, event, emitter, five fields).
void BM_IndividualSettlementCheck(benchmark::State& state) {
  const auto& f = receipt_fixture();
  const auto receipt = parse_rpc_receipt(*parse_json(f.text)).value();
  for (auto _ : state) {
    auto report = check_individual_settlement_receipt(receipt, f.leaf, f.relay);
    if (!report.ok()) state.SkipWithError("settlement check failed");
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IndividualSettlementCheck);

// A ~1 MiB gateway chat stream: one short token per event, as models stream,
// then the signed final event, the settlement frame and [DONE].
const std::string& chat_transcript() {
  static const std::string text = [] {
    std::string out =
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-5\",\"choices\":"
        "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n";
    for (int i = 0; out.size() < (1u << 20); ++i) {
      out += "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-5\",\"choices\":"
             "[{\"index\":0,\"delta\":{\"content\":\" token";
      out += std::to_string(i % 1000);
      out += "\"},\"finish_reason\":null}]}\n\n";
    }
    out += "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
           "\"model\":\"gpt-5\",\"usage\":{\"total_tokens\":9000},\"tee_signature\":\"" +
           std::string(344, 'A') + "\",\"tee_request_hash\":\"" + std::string(64, 'a') +
           "\",\"tee_output_hash\":\"" + std::string(64, 'b') +
           "\",\"tee_timestamp\":1770919200,\"tee_id\":\"0x" + std::string(64, 'c') + "\"}\n\n"
           "event: x402-settlement\ndata: {\"success\":true,\"paymentResponse\":\"eyJ9\"}\n\n"
           "data: [DONE]\n\n";
    return out;
  }();
  return text;
}

// Feeds `text` to `feed` in `chunk`-byte pieces (a TCP segment, a TLS record).
template <typename Feed>
Status feed_in_chunks(std::string_view text, std::size_t chunk, Feed&& feed) {
  for (std::size_t pos = 0; pos < text.size(); pos += chunk) {
    if (auto st = feed(text.substr(pos, chunk)); !st) return st;
  }
  return {};
}

void BM_SseParse(benchmark::State& state) {
  const std::string& text = chat_transcript();
  const auto chunk = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::size_t events = 0;
    SseParser parser([&](const SseEvent&) -> Status {
      ++events;
      return {};
    });
    auto st = feed_in_chunks(text, chunk, [&](std::string_view piece) { return parser.feed(piece); });
    if (st) st = parser.finish();
    if (!st) state.SkipWithError(st.error().to_string().c_str());
    benchmark::DoNotOptimize(events);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.SetLabel(std::to_string(chunk) + "-byte chunks");
}
BENCHMARK(BM_SseParse)->Arg(1460)->Arg(16 << 10);

// The same stream through the chat reader: SSE plus each delta's JSON,
// the content accumulated, the final event kept.
void BM_ChatStreamRead(benchmark::State& state) {
  const std::string& text = chat_transcript();
  const auto chunk = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    ChatStreamReader reader;
    auto st = feed_in_chunks(text, chunk, [&](std::string_view piece) { return reader.feed(piece); });
    if (!st) state.SkipWithError(st.error().to_string().c_str());
    auto result = reader.finish();
    if (!result) state.SkipWithError(result.error().to_string().c_str());
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.SetLabel(std::to_string(chunk) + "-byte chunks");
}
BENCHMARK(BM_ChatStreamRead)->Arg(1460)->Arg(16 << 10);

}  // namespace

BENCHMARK_MAIN();
