// verinfer: an Ethereum JSON-RPC client (execution-apis specification) over
// HttpClient. Answers are parsed strictly: quantities are "0x" + hex without
// leading zeros, data is "0x" + an even number of hex digits of the right
// size, and every field has the type the spec says, or the call fails with a
// specific error. A JSON-RPC error object becomes an Error whose message
// names the method, the code and the server's message.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"
#include "verinfer/settle/events.hpp"
#include "verinfer/transport/http.hpp"

namespace verinfer {

// ---- Strict parsing of JSON-RPC values (exposed for tests and tools) ----

/// QUANTITY: "0x0" or "0x" + hex digits without a leading zero, at most 64
/// digits.
[[nodiscard]] Result<U256> parse_rpc_quantity(const Json& value, std::string_view what);
/// The same, at most 2^64-1.
[[nodiscard]] Result<std::uint64_t> parse_rpc_quantity64(const Json& value, std::string_view what);
/// DATA: "0x" + an even number of hex digits.
[[nodiscard]] Result<Bytes> parse_rpc_data(const Json& value, std::string_view what);
/// DATA of exactly 32 bytes.
[[nodiscard]] Result<Hash32> parse_rpc_hash(const Json& value, std::string_view what);
/// DATA of exactly 20 bytes.
[[nodiscard]] Result<Address> parse_rpc_address(const Json& value, std::string_view what);
/// One log object (eth_getLogs / receipts).
[[nodiscard]] Result<LogEntry> parse_rpc_log(const Json& value);

/// A block selector: a number or one of the tags.
class BlockTag {
 public:
  /// A block number (implicit, so a number can be passed where a tag is asked).
  BlockTag(std::uint64_t number) : text_(U256(number).to_hex()) {}  // NOLINT: intended
  /// The named tags of the JSON-RPC specification.
  /// @{
  [[nodiscard]] static BlockTag latest() { return BlockTag("latest"); }
  [[nodiscard]] static BlockTag pending() { return BlockTag("pending"); }
  [[nodiscard]] static BlockTag earliest() { return BlockTag("earliest"); }
  [[nodiscard]] static BlockTag safe() { return BlockTag("safe"); }
  [[nodiscard]] static BlockTag finalized() { return BlockTag("finalized"); }
  /// @}
  /// As sent: a QUANTITY ("0x1b4") or the tag's name.
  [[nodiscard]] const std::string& text() const noexcept { return text_; }

 private:
  explicit BlockTag(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

/// eth_getTransactionReceipt's answer, parsed strictly.
struct TransactionReceipt {
  Hash32 transaction_hash;
  std::uint64_t transaction_index = 0;
  Hash32 block_hash;
  std::uint64_t block_number = 0;
  Address from;
  std::optional<Address> to;                ///< none for contract creation
  std::optional<Address> contract_address;  ///< set for contract creation
  std::uint64_t status = 0;                 ///< 1 success, 0 reverted
  U256 gas_used;
  U256 cumulative_gas_used;
  U256 effective_gas_price;
  std::uint64_t type = 0;
  std::vector<LogEntry> logs;

  /// Status 1: the transaction did not revert.
  [[nodiscard]] bool succeeded() const noexcept { return status == 1; }
};
/// A receipt object of the JSON-RPC answer (strict, see the file comment).
/// Its logs must agree with it: same transaction, block hash, block number
/// and transaction index where they state them, log indices strictly rising
/// (a duplicated or reordered log is a parse_error naming both values).
[[nodiscard]] Result<TransactionReceipt> parse_rpc_receipt(const Json& value);
/// The receipt back in JSON-RPC form (logs included).
[[nodiscard]] Json receipt_to_json(const TransactionReceipt& receipt);

/// The fields of a block verinfer reads (eth_getBlockByNumber without transactions).
struct BlockHeader {
  std::uint64_t number = 0;
  Hash32 hash;
  Hash32 parent_hash;
  std::uint64_t timestamp = 0;
  U256 gas_limit;
  U256 gas_used;
  std::optional<U256> base_fee_per_gas;  ///< absent before London
  /// The block's transaction hashes, in order (from hashes or full objects).
  std::vector<Hash32> transactions;
};
/// A block object of the JSON-RPC answer (strict).
[[nodiscard]] Result<BlockHeader> parse_rpc_block(const Json& value);

/// eth_call / eth_estimateGas parameters.
struct CallRequest {
  std::optional<Address> from;
  std::optional<Address> to;
  Bytes data;
  std::optional<U256> value;
  std::optional<std::uint64_t> gas;
};

/// eth_getLogs filter. Each topic position is "any" (empty) or one of a set.
struct LogFilter {
  std::optional<BlockTag> from_block;
  std::optional<BlockTag> to_block;
  std::optional<Hash32> block_hash;  ///< instead of a range
  std::vector<Address> addresses;
  std::vector<std::vector<Hash32>> topics;
};

/// How an RpcClient talks to its node.
struct RpcOptions {
  /// When set, the first call checks eth_chainId and refuses a different chain
  /// (verification_failed naming both ids).
  std::optional<std::uint64_t> expected_chain_id;
  std::chrono::milliseconds timeout{30'000};  ///< per HTTP call
  std::size_t max_response_bytes = 32u << 20;
  std::size_t max_batch = 100;
};

/// How RpcClient::wait_for_receipt() waits.
struct ReceiptWait {
  std::uint64_t confirmations = 1;  ///< 1: mined; n: n-1 blocks on top
  std::chrono::milliseconds deadline{60'000};
  std::chrono::milliseconds poll_interval{250};
};

/// One call of a batch.
struct RpcCall {
  std::string method;
  Json params = Json::array();
};

/// An Ethereum JSON-RPC client over HTTP(S); copies share one connection pool.
/// Each typed call is the JSON-RPC method of the same name (eth_chainId,
/// eth_blockNumber, eth_getLogs, eth_call, eth_getTransactionCount,
/// eth_estimateGas, eth_gasPrice, eth_maxPriorityFeePerGas), answers parsed strictly.
class RpcClient {
 public:
  /// `url` must be http(s). The HttpClient is shared (connection reuse).
  [[nodiscard]] static Result<RpcClient> create(std::string url, RpcOptions options = {},
                                                std::optional<HttpClient> http = std::nullopt);

  /// A raw call: the "result" member, or the JSON-RPC error as an Error.
  [[nodiscard]] Result<Json> call(std::string_view method, Json params = Json::array()) const;
  /// A batch in one HTTP request: one Result per call, in order. Answers are
  /// matched by id; a missing, duplicated or unknown id fails the whole
  /// batch (parse_error naming the id).
  [[nodiscard]] Result<std::vector<Result<Json>>> batch(const std::vector<RpcCall>& calls) const;

  /// eth_chainId.
  [[nodiscard]] Result<std::uint64_t> chain_id() const;
  /// Checks eth_chainId against options.expected_chain_id (no-op when unset).
  [[nodiscard]] Status check_chain_id() const;
  /// eth_blockNumber.
  [[nodiscard]] Result<std::uint64_t> block_number() const;
  /// nullopt while the transaction is unknown or pending.
  [[nodiscard]] Result<std::optional<TransactionReceipt>> transaction_receipt(const Hash32& tx_hash) const;
  /// eth_getLogs.
  [[nodiscard]] Result<std::vector<LogEntry>> logs(const LogFilter& filter) const;
  /// eth_call: the returned data.
  [[nodiscard]] Result<Bytes> eth_call(const CallRequest& request, const BlockTag& block = BlockTag::latest()) const;
  /// nullopt when the block does not exist (yet).
  [[nodiscard]] Result<std::optional<BlockHeader>> block_by_number(const BlockTag& block) const;
  /// eth_getTransactionCount: the account's next nonce at `block`.
  [[nodiscard]] Result<std::uint64_t> transaction_count(const Address& account,
                                                        const BlockTag& block = BlockTag::pending()) const;
  /// eth_estimateGas.
  [[nodiscard]] Result<std::uint64_t> estimate_gas(const CallRequest& request) const;
  /// eth_gasPrice and eth_maxPriorityFeePerGas, in wei.
  /// @{
  [[nodiscard]] Result<U256> gas_price() const;
  [[nodiscard]] Result<U256> max_priority_fee_per_gas() const;
  /// @}
  /// Returns the transaction hash the node reports, which must equal
  /// keccak256(raw) (verification_failed otherwise).
  [[nodiscard]] Result<Hash32> send_raw_transaction(ByteView raw) const;

  /// Polls until the receipt exists with `confirmations` blocks and the block
  /// still holds it; deadline_exceeded otherwise. A receipt that moves
  /// (reorg) restarts the count.
  [[nodiscard]] Result<TransactionReceipt> wait_for_receipt(const Hash32& tx_hash, ReceiptWait wait = {}) const;

  /// The node's URL.
  [[nodiscard]] const std::string& url() const noexcept;

 private:
  struct Impl;
  explicit RpcClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace verinfer
