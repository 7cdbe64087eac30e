// On-chain ML inference: the run() calldata, InferenceResult decoding and a
// small EIP-1559 sender.
#include "verinfer/settle/inference.hpp"

#include <cmath>
#include <string>

#include "settle/call_data.hpp"
#include "verinfer/settle/events.hpp"
#include "verinfer/settle/transaction.hpp"

namespace verinfer {
namespace {

template <class T>
std::unexpected<Error> pass_error(const Result<T>& r) {
  return std::unexpected(r.error());
}

constexpr std::string_view kRunSignature =
    "run(string,uint8,((string,(int128,int128)[],uint32[])[],(string,string[])[]))";
constexpr std::string_view kRunParams =
    "string,uint8,((string,(int128,int128)[],uint32[])[],(string,string[])[])";

AbiValue signed_word(std::int64_t v) {
  auto word = signed_from_text(std::to_string(v));
  return AbiValue(word ? *word : U256());
}

Result<std::int64_t> int64_of(const AbiValue& v, std::string_view what) {
  const U256& word = v.as_integer();
  if (!fits_signed(word, 64)) {
    return fail(ErrorCode::resource_exhausted, std::string(what) + " does not fit in 64 bits", signed_to_decimal(word));
  }
  return std::stoll(signed_to_decimal(word));
}

Result<std::vector<NumberTensor>> number_tensors(const AbiValue& list) {
  std::vector<NumberTensor> out;
  for (const auto& t : list.as_list()) {
    const auto& f = t.as_list();
    NumberTensor tensor{f[0].as_string(), {}, {}};
    for (const auto& n : f[1].as_list()) {
      auto value = int64_of(n.as_list()[0], tensor.name + " value");
      auto decimals = int64_of(n.as_list()[1], tensor.name + " decimals");
      if (!value) return pass_error(value);
      if (!decimals) return pass_error(decimals);
      tensor.values.push_back({*value, *decimals});
    }
    for (const auto& d : f[2].as_list()) tensor.shape.push_back(static_cast<std::uint32_t>(*d.as_integer().to_uint64()));
    out.push_back(std::move(tensor));
  }
  return out;
}

std::vector<StringTensor> string_tensors(const AbiValue& list) {
  std::vector<StringTensor> out;
  for (const auto& t : list.as_list()) {
    StringTensor tensor{t.as_list()[0].as_string(), {}};
    for (const auto& s : t.as_list()[1].as_list()) tensor.values.push_back(s.as_string());
    out.push_back(std::move(tensor));
  }
  return out;
}

}  // namespace

Result<FixedPoint> FixedPoint::from_double(double x, std::int64_t decimals) {
  if (!std::isfinite(x) || decimals < 0 || decimals > 18) {
    return fail(ErrorCode::invalid_argument, "fixed point: need a finite value and 0..18 decimals",
                std::to_string(x) + " with " + std::to_string(decimals) + " decimals");
  }
  double scaled = std::round(x * std::pow(10.0, static_cast<double>(decimals)));
  if (std::fabs(scaled) >= 9.2e18) {
    return fail(ErrorCode::invalid_argument, "fixed point: value too large for 64 bits", std::to_string(x));
  }
  return FixedPoint{static_cast<std::int64_t>(scaled), decimals};
}

double FixedPoint::to_double() const noexcept {
  return static_cast<double>(value) / std::pow(10.0, static_cast<double>(decimals));
}

Result<Bytes> encode_inference_run(std::string_view model_id, InferenceMode mode, const ModelInput& input) {
  AbiValue::List numbers;
  for (const auto& t : input.numbers) {
    std::uint64_t count = 1;
    AbiValue::List shape;
    for (auto d : t.shape) {
      count *= d;
      shape.push_back(AbiValue(U256(d)));
    }
    if (!t.shape.empty() && count != t.values.size()) {
      return fail(ErrorCode::invalid_argument, "tensor \"" + t.name + "\": shape does not match its values",
                  "shape holds " + std::to_string(count) + ", got " + std::to_string(t.values.size()) + " values");
    }
    AbiValue::List values;
    for (const auto& v : t.values) values.push_back(AbiValue::List{signed_word(v.value), signed_word(v.decimals)});
    numbers.push_back(AbiValue::List{t.name, std::move(values), std::move(shape)});
  }
  AbiValue::List strings;
  for (const auto& t : input.strings) {
    AbiValue::List values(t.values.begin(), t.values.end());
    strings.push_back(AbiValue::List{t.name, std::move(values)});
  }
  auto types = parse_abi_types(kRunParams);
  if (!types) return pass_error(types);
  return settle_internal::encode_call(kRunSignature, *types,
                                     {std::string(model_id), AbiValue(U256(static_cast<std::uint64_t>(mode))),
                                      AbiValue::List{std::move(numbers), std::move(strings)}});
}

Result<ModelOutput> model_output_from_abi(const AbiValue& output) {
  if (!output.is_list() || output.as_list().size() != 4) {
    return fail(ErrorCode::parse_error, "InferenceResult: output is not a 4-field tuple");
  }
  const auto& f = output.as_list();
  ModelOutput out;
  auto numbers = number_tensors(f[0]);
  if (!numbers) return pass_error(numbers);
  out.numbers = std::move(*numbers);
  out.strings = string_tensors(f[1]);
  for (const auto& j : f[2].as_list()) out.jsons.emplace_back(j.as_list()[0].as_string(), j.as_list()[1].as_string());
  out.is_simulation_result = f[3].as_bool();
  return out;
}

Result<ModelOutput> model_output_from_receipt(const TransactionReceipt& receipt, const Address& contract) {
  for (const auto& log : receipt.logs) {
    if (log.address != contract || !inference_result_event().matches(log)) continue;
    auto event = decode_inference_result(log);
    if (!event) return pass_error(event);
    return model_output_from_abi(event->output);
  }
  return fail(ErrorCode::verification_failed, "no InferenceResult event from the inference contract",
              contract.hex() + " in " + receipt.transaction_hash.hex());
}

Result<TransactionReceipt> send_transaction(const RpcClient& rpc, const PrivateKey& key, const Address& to,
                                            const Bytes& data, const SendOptions& options) {
  auto chain = rpc.chain_id();
  if (!chain) return pass_error(chain);
  auto nonce = rpc.transaction_count(key.address(), BlockTag::pending());
  if (!nonce) return pass_error(nonce);
  auto block = rpc.block_by_number(BlockTag::latest());
  if (!block) return pass_error(block);
  if (!*block) return fail(ErrorCode::unavailable, "no latest block");
  auto tip = rpc.max_priority_fee_per_gas();
  if (!tip) return pass_error(tip);
  U256 base = (*block)->base_fee_per_gas.value_or(U256());
  Eip1559Transaction tx;
  tx.chain_id = *chain;
  tx.nonce = *nonce;
  tx.max_priority_fee_per_gas = *tip;
  tx.max_fee_per_gas = base.wrapping_add(base).wrapping_add(*tip);
  tx.to = to;
  tx.data = data;
  if (options.gas_limit) {
    tx.gas_limit = *options.gas_limit;
  } else {
    CallRequest call{key.address(), to, data, std::nullopt, std::nullopt};
    auto gas = rpc.estimate_gas(call);
    if (!gas) return pass_error(gas);
    tx.gas_limit = *gas + *gas / 5;
  }
  auto signed_tx = sign_transaction(tx, key);
  if (!signed_tx) return pass_error(signed_tx);
  auto hash = rpc.send_raw_transaction(signed_tx->raw);
  if (!hash) return pass_error(hash);
  auto receipt = rpc.wait_for_receipt(*hash, options.wait);
  if (!receipt) return receipt;
  if (!receipt->succeeded()) {
    return fail(ErrorCode::verification_failed, "transaction reverted", hash->hex());
  }
  return receipt;
}

Result<InferenceRun> run_inference(const RpcClient& rpc, const PrivateKey& key, const Address& contract,
                                   std::string_view model_id, InferenceMode mode, const ModelInput& input,
                                   const SendOptions& options) {
  auto data = encode_inference_run(model_id, mode, input);
  if (!data) return pass_error(data);
  auto receipt = send_transaction(rpc, key, contract, *data, options);
  if (!receipt) return pass_error(receipt);
  auto output = model_output_from_receipt(*receipt, contract);
  if (!output) return pass_error(output);
  return InferenceRun{std::move(*receipt), std::move(*output)};
}

}  // namespace verinfer
