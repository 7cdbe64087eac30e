// verinfer: on-chain ML inference (PROTOCOL.md section 6):
// run(string modelId, uint8 mode, ((string,(int128,int128)[],uint32[])[],(string,string[])[]) input)
// and the InferenceResult event that carries the output tensors back.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/error.hpp"
#include "verinfer/settle/rpc.hpp"

namespace verinfer {

/// value / 10^decimals. Both are int128 on chain; verinfer keeps int64 and
/// reports larger values as errors rather than rounding them.
struct FixedPoint {
  std::int64_t value = 0;
  std::int64_t decimals = 0;

  /// Rounds `x` to `decimals` places (invalid_argument when it does not fit).
  [[nodiscard]] static Result<FixedPoint> from_double(double x, std::int64_t decimals);
  /// value / 10^decimals as a double (rounded).
  [[nodiscard]] double to_double() const noexcept;
  friend bool operator==(const FixedPoint&, const FixedPoint&) = default;
};

/// A named tensor of fixed-point numbers; `shape` multiplies to the value count.
struct NumberTensor {
  std::string name;
  std::vector<FixedPoint> values;
  std::vector<std::uint32_t> shape;
  friend bool operator==(const NumberTensor&, const NumberTensor&) = default;
};

/// A named list of strings.
struct StringTensor {
  std::string name;
  std::vector<std::string> values;
  friend bool operator==(const StringTensor&, const StringTensor&) = default;
};

/// The input of run(): number and string tensors.
struct ModelInput {
  std::vector<NumberTensor> numbers;
  std::vector<StringTensor> strings;
};

/// What an InferenceResult carries back.
struct ModelOutput {
  std::vector<NumberTensor> numbers;
  std::vector<StringTensor> strings;
  std::vector<std::pair<std::string, std::string>> jsons;
  bool is_simulation_result = false;
};

/// How the chain should run the model: plainly, with a ZK proof, or in a TEE.
enum class InferenceMode : std::uint8_t { vanilla = 0, zkml = 1, tee = 2 };

/// Calldata of run(modelId, mode, input). Shapes must multiply to the value
/// count of each number tensor (invalid_argument otherwise).
[[nodiscard]] Result<Bytes> encode_inference_run(std::string_view model_id, InferenceMode mode,
                                                 const ModelInput& input);
/// The InferenceResult output tuple as tensors.
[[nodiscard]] Result<ModelOutput> model_output_from_abi(const AbiValue& output);
/// The InferenceResult of a receipt (from `contract`).
[[nodiscard]] Result<ModelOutput> model_output_from_receipt(const TransactionReceipt& receipt,
                                                            const Address& contract);

// ---- sending transactions ----

/// How send_transaction() sends and waits.
struct SendOptions {
  std::optional<std::uint64_t> gas_limit;  ///< default: eth_estimateGas + 20 %
  ReceiptWait wait;
};

/// Signs an EIP-1559 transaction (nonce from eth_getTransactionCount
/// "pending", max fee = 2 x base fee + tip), sends it and waits for its
/// receipt. A reverted transaction is an error (verification_failed) that
/// names the hash.
[[nodiscard]] Result<TransactionReceipt> send_transaction(const RpcClient& rpc, const PrivateKey& key,
                                                          const Address& to, const Bytes& data,
                                                          const SendOptions& options = {});

/// A run() transaction's receipt and the model's decoded output.
struct InferenceRun {
  TransactionReceipt receipt;
  ModelOutput output;
};

/// run() on the inference contract and the decoded InferenceResult.
[[nodiscard]] Result<InferenceRun> run_inference(const RpcClient& rpc, const PrivateKey& key,
                                                 const Address& contract, std::string_view model_id,
                                                 InferenceMode mode, const ModelInput& input,
                                                 const SendOptions& options = {});

}  // namespace verinfer
