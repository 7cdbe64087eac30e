// An on-chain ML inference: send run(model, mode, input) to the inference
// contract in a signed transaction and read the InferenceResult event back
// from its receipt. The answer is whatever the contract emitted on chain.
// The devnet's model is y = sum(w_k * x_k) + 0.5 with w_k = (k mod 3) + 1.
//
//   devnet/start.sh && build/examples/example_devnet_ml_inference
#include <verinfer/verinfer.hpp>

#include <cstdio>
#include <string>

#include "devnet.hpp"

int main() {
  using namespace verinfer;
  using example::checked;
  const Profile profile = checked(load_profile("devnet"));
  const PrivateKey key = example::devnet_payer();
  const Address contract = checked(parse_address(example::devnet_field("contracts", "inference")));
  RpcOptions rpc_options;
  rpc_options.expected_chain_id = profile.chain_id;
  const RpcClient rpc = checked(RpcClient::create(profile.rpc_url, rpc_options));

  // Fixed-point inputs: 1.5 and -2.25, two decimals, shape [2].
  ModelInput input;
  input.numbers.push_back(NumberTensor{"x", {checked(FixedPoint::from_double(1.5, 2)),
                                             checked(FixedPoint::from_double(-2.25, 2))}, {2}});
  input.strings.push_back(StringTensor{"label", {"devnet"}});
  InferenceRun run = checked(run_inference(rpc, key, contract, "devnet/linear-v1", InferenceMode::vanilla, input));

  std::printf("transaction %s in block %llu\n", run.receipt.transaction_hash.hex().c_str(),
              static_cast<unsigned long long>(run.receipt.block_number));
  for (const NumberTensor& t : run.output.numbers) {
    for (const FixedPoint& v : t.values) std::printf("%s = %g\n", t.name.c_str(), v.to_double());
  }
  for (const StringTensor& t : run.output.strings) {
    for (const std::string& v : t.values) std::printf("%s = %s\n", t.name.c_str(), v.c_str());
  }
  // 1 * 1.5 + 2 * (-2.25) + 0.5 = -2.5
  const bool expected = !run.output.numbers.empty() && run.output.numbers[0].values.size() == 1 &&
                        run.output.numbers[0].values[0].to_double() == -2.5;
  return expected ? 0 : 1;
}
