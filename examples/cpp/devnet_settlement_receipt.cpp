// Checking receipts: after a paid call settled in individual mode, fetch the
// payment and settlement transactions from the chain and check what they did.
//   payment:    a successful Transfer of the token from us to the TEE's
//               registered payment address, at most what we authorised;
//   settlement: an IndividualSettlement event that records exactly this
//               call (tee_id, request hash, output hash, timestamp, signature).
// (ClientOptions::trust.settlement = true makes every call do this itself.)
//
//   devnet/start.sh && build/examples/example_devnet_settlement_receipt
#include <verinfer/verinfer.hpp>

#include <cstdio>

#include "devnet.hpp"

int main() {
  using namespace verinfer;
  using example::checked;
  const Client client = example::devnet_client();
  const Profile& profile = client.options().profile;
  auto call = checked(client.chat(
      ChatRequest("openai/gpt-5").user("Settle this one.").settlement(SettlementMode::individual)));
  const CallResult& answer = call.value();
  if (!answer.payment || answer.settlement.tx_hash.empty()) {
    std::fprintf(stderr, "the call was not paid or not settled individually\n");
    return 1;
  }

  RpcOptions rpc_options;
  rpc_options.expected_chain_id = profile.chain_id;  // refuse another chain
  const RpcClient rpc = checked(RpcClient::create(profile.rpc_url, rpc_options));

  // The payment: where did the money go, and how much?
  auto payment_tx = checked(Hash32::from_hex(answer.payment->transaction));
  auto tee = checked(read_registry_tee(rpc, profile.tee_registry, answer.tee_id));
  X402Expectation paid{profile.payment_assets.at(0).asset, client.options().payer->address(),
                       tee.payment_address, answer.authorized_amount.value_or(U256()), {}};
  VerificationReport payment = check_x402_receipt(checked(rpc.wait_for_receipt(payment_tx)), paid);

  // The settlement: does the chain record this exact call?
  auto settlement_tx = checked(Hash32::from_hex(answer.settlement.tx_hash));
  const Json* signature = answer.response.find("tee_signature");
  SettlementLeaf leaf{answer.tee_id, answer.request_hash, answer.output_hash,
                      checked(from_base64(signature ? signature->as_string() : "")),
                      U256(answer.tee_timestamp)};
  VerificationReport settlement = check_individual_settlement_receipt(
      checked(rpc.wait_for_receipt(settlement_tx)), leaf, profile.settlement_relay);

  std::printf("payment %s:\n%s\n", answer.payment->transaction.c_str(), payment.to_string().c_str());
  std::printf("settlement %s:\n%s\n", answer.settlement.tx_hash.c_str(), settlement.to_string().c_str());
  return payment.ok() && settlement.ok() ? 0 : 1;
}
