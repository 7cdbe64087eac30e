// The quickstart: a paid, verified, settled chat call against the local
// devnet. Prints the answer, every verification check with its outcome, the
// payment and the settlement; exits 0 only when every required check passed.
//
//   devnet/start.sh && build/examples/example_devnet_chat
#include <verinfer/verinfer.hpp>

#include <cstdio>

#include "devnet.hpp"

int main() {
  using namespace verinfer;
  TrustPolicy trust;
  trust.settlement = true;  // check the payment and the settlement on chain
  const Client client = example::devnet_client(trust);

  auto request = ChatRequest("openai/gpt-5")
                     .system("You are a concise assistant.")
                     .user("What does a TEE attestation prove?")
                     .max_tokens(64)
                     .temperature(0.0)
                     .settlement(SettlementMode::individual);
  auto result = client.chat(request);
  if (!result) {
    std::fprintf(stderr, "REJECTED: %s\n", result.error().to_string().c_str());
    if (result.error().report) std::fprintf(stderr, "%s", result.error().report->to_string().c_str());
    return 1;
  }
  const CallResult& call = result->value();
  std::printf("answer: %s\n\n", call.content.c_str());
  std::printf("verification (%zu checks):\n%s\n", result->report().checks().size(),
              result->report().to_string().c_str());
  std::printf("tee_id:       %s\n", call.tee_id.hex().c_str());
  std::printf("request_hash: %s\n", call.request_hash.hex().c_str());
  std::printf("output_hash:  %s\n", call.output_hash.hex().c_str());
  if (call.payment) {
    std::printf("payment:      %s by %s (tx %s)\n", call.payment->success ? "settled" : "FAILED",
                call.payment->payer.c_str(), call.payment->transaction.c_str());
  }
  std::printf("settlement:   %s tx %s blob %s\n", call.settlement.type.c_str(),
              call.settlement.tx_hash.empty() ? "(pending)" : call.settlement.tx_hash.c_str(),
              call.settlement.blob_id.c_str());
  return 0;
}
