// Ethereum JSON-RPC client: JSON-RPC 2.0 envelopes, the execution-apis
// encoding rules for QUANTITY and DATA, and the receipt/log/block shapes.
#include "verinfer/settle/rpc.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

template <class T>
std::unexpected<Error> pass(const Result<T>& r) {
  return std::unexpected(r.error());
}

std::string shown(const Json& value) {
  std::string text = value.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

Error bad(std::string_view what, std::string message, const Json& got) {
  return Error{ErrorCode::parse_error, std::string(what) + ": " + std::move(message), "got " + shown(got)};
}

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

const Json* member(const Json& object, std::string_view key) { return object.is_object() ? object.find(key) : nullptr; }

// A required member, with "<what>.<key>" in errors.
Result<const Json*> required(const Json& object, std::string_view key, std::string_view what) {
  const Json* v = member(object, key);
  if (v == nullptr) {
    return fail(ErrorCode::parse_error, std::string(what) + ": missing field \"" + std::string(key) + "\"");
  }
  return v;
}

std::string field_name(std::string_view what, std::string_view key) {
  return std::string(what) + "." + std::string(key);
}

template <class T, class Parse>
Result<T> field(const Json& object, std::string_view key, std::string_view what, Parse parse) {
  auto v = required(object, key, what);
  if (!v) return pass(v);
  return parse(**v, field_name(what, key));
}

// A member that may be missing or null.
template <class T, class Parse>
Result<std::optional<T>> optional_field(const Json& object, std::string_view key, std::string_view what, Parse parse) {
  const Json* v = member(object, key);
  if (v == nullptr || v->is_null()) return std::optional<T>();
  auto parsed = parse(*v, field_name(what, key));
  if (!parsed) return pass(parsed);
  return std::optional<T>(std::move(*parsed));
}

Json quantity(const U256& v) { return Json(v.to_hex()); }

Json call_object(const CallRequest& request) {
  Json out = Json::object();
  if (request.from) out.set("from", request.from->hex());
  if (request.to) out.set("to", request.to->hex());
  if (request.gas) out.set("gas", quantity(U256(*request.gas)));
  if (request.value) out.set("value", quantity(*request.value));
  out.set("input", to_hex(request.data));
  return out;
}

Error rpc_error(std::string_view method, const Json& error) {
  const Json* code = member(error, "code");
  const Json* message = member(error, "message");
  if (code == nullptr || !code->is_integer() || message == nullptr || !message->is_string()) {
    return Error{ErrorCode::parse_error, std::string(method) + ": malformed JSON-RPC error object",
                 "got " + shown(error)};
  }
  auto value = code->get_int64();
  std::int64_t c = value.value_or(0);
  // -32700..-32600 are protocol errors; -32603 and -32005 (limit exceeded)
  // may pass; anything else is the node refusing this request.
  ErrorCode mapped = (c == -32603 || c == -32005) ? ErrorCode::unavailable : ErrorCode::invalid_argument;
  std::string detail;
  if (const Json* data = member(error, "data")) detail = "data: " + shown(*data);
  return Error{mapped, std::string(method) + ": JSON-RPC error " + code->as_integer_text() + ": " + message->as_string(),
               detail};
}

// Validates one response envelope and returns result or the error.
Result<Json> unwrap(std::string_view method, const Json& answer) {
  if (!answer.is_object()) return std::unexpected(bad(method, "response is not a JSON object", answer));
  const Json* version = member(answer, "jsonrpc");
  if (version == nullptr || !version->is_string() || version->as_string() != "2.0") {
    return std::unexpected(bad(method, "response lacks \"jsonrpc\": \"2.0\"", answer));
  }
  const Json* result = member(answer, "result");
  const Json* error = member(answer, "error");
  if ((result == nullptr) == (error == nullptr)) {
    return std::unexpected(bad(method, "response must have exactly one of result and error", answer));
  }
  if (error != nullptr) return std::unexpected(rpc_error(method, *error));
  return *result;
}

Result<std::uint64_t> answer_id(std::string_view method, const Json& answer) {
  const Json* id = member(answer, "id");
  if (id == nullptr || !id->is_integer() || !id->get_uint64()) {
    return fail(ErrorCode::parse_error, std::string(method) + ": response id is missing or not our integer id",
                "got " + (id ? shown(*id) : std::string("no id")));
  }
  return *id->get_uint64();
}

}  // namespace

// ---- strict value parsers ----

Result<U256> parse_rpc_quantity(const Json& value, std::string_view what) {
  if (!value.is_string()) return std::unexpected(bad(what, "quantity is not a string", value));
  const std::string& s = value.as_string();
  if (s.size() < 3 || s[0] != '0' || s[1] != 'x') {
    return std::unexpected(bad(what, "quantity must be \"0x\" followed by hex digits", value));
  }
  std::string_view digits(s.data() + 2, s.size() - 2);
  if (!std::all_of(digits.begin(), digits.end(), is_hex_digit)) {
    return std::unexpected(bad(what, "quantity has a non-hex character", value));
  }
  if (digits.size() > 1 && digits[0] == '0') return std::unexpected(bad(what, "quantity has a leading zero", value));
  if (digits.size() > 64) return std::unexpected(bad(what, "quantity exceeds 256 bits", value));
  return U256::from_hex(digits);
}

Result<std::uint64_t> parse_rpc_quantity64(const Json& value, std::string_view what) {
  auto v = parse_rpc_quantity(value, what);
  if (!v) return pass(v);
  auto small = v->to_uint64();
  if (!small) return std::unexpected(bad(what, "quantity exceeds 2^64-1", value));
  return *small;
}

Result<Bytes> parse_rpc_data(const Json& value, std::string_view what) {
  if (!value.is_string()) return std::unexpected(bad(what, "data is not a string", value));
  const std::string& s = value.as_string();
  if (s.size() < 2 || s[0] != '0' || s[1] != 'x') return std::unexpected(bad(what, "data must start with \"0x\"", value));
  if (s.size() % 2 != 0) return std::unexpected(bad(what, "data has an odd number of hex digits", value));
  auto bytes = from_hex(s);
  if (!bytes) return std::unexpected(bad(what, "data has a non-hex character", value));
  return bytes;
}

Result<Hash32> parse_rpc_hash(const Json& value, std::string_view what) {
  auto bytes = parse_rpc_data(value, what);
  if (!bytes) return pass(bytes);
  if (bytes->size() != 32) {
    return std::unexpected(bad(what, "expected 32 bytes, got " + std::to_string(bytes->size()), value));
  }
  return *Hash32::from_bytes(*bytes);
}

Result<Address> parse_rpc_address(const Json& value, std::string_view what) {
  auto bytes = parse_rpc_data(value, what);
  if (!bytes) return pass(bytes);
  if (bytes->size() != 20) {
    return std::unexpected(bad(what, "expected a 20-byte address, got " + std::to_string(bytes->size()) + " bytes", value));
  }
  return *Address::from_bytes(*bytes);
}

Result<LogEntry> parse_rpc_log(const Json& value) {
  constexpr std::string_view what = "log";
  if (!value.is_object()) return std::unexpected(bad(what, "not an object", value));
  LogEntry log;
  auto address = field<Address>(value, "address", what, parse_rpc_address);
  if (!address) return pass(address);
  log.address = *address;
  auto topics = required(value, "topics", what);
  if (!topics) return pass(topics);
  if (!(*topics)->is_array()) return std::unexpected(bad("log.topics", "not an array", **topics));
  if ((*topics)->as_array().size() > 4) return std::unexpected(bad("log.topics", "more than 4 topics", **topics));
  for (const auto& t : (*topics)->as_array()) {
    auto h = parse_rpc_hash(t, "log.topics[]");
    if (!h) return pass(h);
    log.topics.push_back(*h);
  }
  auto data = field<Bytes>(value, "data", what, parse_rpc_data);
  if (!data) return pass(data);
  log.data = std::move(*data);
  auto block_number = optional_field<std::uint64_t>(value, "blockNumber", what, parse_rpc_quantity64);
  auto block_hash = optional_field<Hash32>(value, "blockHash", what, parse_rpc_hash);
  auto tx_hash = optional_field<Hash32>(value, "transactionHash", what, parse_rpc_hash);
  auto tx_index = optional_field<std::uint64_t>(value, "transactionIndex", what, parse_rpc_quantity64);
  auto log_index = optional_field<std::uint64_t>(value, "logIndex", what, parse_rpc_quantity64);
  if (!block_number) return pass(block_number);
  if (!block_hash) return pass(block_hash);
  if (!tx_hash) return pass(tx_hash);
  if (!tx_index) return pass(tx_index);
  if (!log_index) return pass(log_index);
  log.block_number = *block_number;
  log.block_hash = *block_hash;
  log.transaction_hash = *tx_hash;
  log.transaction_index = *tx_index;
  log.log_index = *log_index;
  if (const Json* removed = member(value, "removed")) {
    if (!removed->is_bool()) return std::unexpected(bad("log.removed", "not a boolean", *removed));
    log.removed = removed->as_bool();
  }
  return log;
}

namespace {

// A log of a receipt states where it was emitted; a node that answers with
// another transaction's, another block's or a repeated log is inconsistent.
Status check_log_in_receipt(const LogEntry& log, const TransactionReceipt& r) {
  auto differs = [](std::string_view field, const std::string& expected, const std::string& got) {
    return fail(ErrorCode::parse_error, "receipt: a log's " + std::string(field) + " differs from the receipt's",
                "expected " + expected + ", got " + got);
  };
  if (log.transaction_hash && *log.transaction_hash != r.transaction_hash) {
    return fail(ErrorCode::parse_error, "receipt: a log belongs to another transaction",
                "expected " + r.transaction_hash.hex() + ", got " + log.transaction_hash->hex());
  }
  if (log.block_hash && *log.block_hash != r.block_hash) {
    return differs("blockHash", r.block_hash.hex(), log.block_hash->hex());
  }
  if (log.block_number && *log.block_number != r.block_number) {
    return differs("blockNumber", std::to_string(r.block_number), std::to_string(*log.block_number));
  }
  if (log.transaction_index && *log.transaction_index != r.transaction_index) {
    return differs("transactionIndex", std::to_string(r.transaction_index), std::to_string(*log.transaction_index));
  }
  if (log.log_index && !r.logs.empty() && r.logs.back().log_index && *log.log_index <= *r.logs.back().log_index) {
    return fail(ErrorCode::parse_error, "receipt: log indices do not rise (a log repeated or reordered)",
                "expected more than " + std::to_string(*r.logs.back().log_index) + ", got " +
                    std::to_string(*log.log_index));
  }
  return {};
}

}  // namespace

Result<TransactionReceipt> parse_rpc_receipt(const Json& value) {
  constexpr std::string_view what = "receipt";
  if (!value.is_object()) return std::unexpected(bad(what, "not an object", value));
  TransactionReceipt r;
  auto tx_hash = field<Hash32>(value, "transactionHash", what, parse_rpc_hash);
  auto tx_index = field<std::uint64_t>(value, "transactionIndex", what, parse_rpc_quantity64);
  auto block_hash = field<Hash32>(value, "blockHash", what, parse_rpc_hash);
  auto block_number = field<std::uint64_t>(value, "blockNumber", what, parse_rpc_quantity64);
  auto from = field<Address>(value, "from", what, parse_rpc_address);
  auto to = optional_field<Address>(value, "to", what, parse_rpc_address);
  auto created = optional_field<Address>(value, "contractAddress", what, parse_rpc_address);
  auto status = field<std::uint64_t>(value, "status", what, parse_rpc_quantity64);
  auto gas_used = field<U256>(value, "gasUsed", what, parse_rpc_quantity);
  auto cumulative = field<U256>(value, "cumulativeGasUsed", what, parse_rpc_quantity);
  auto price = field<U256>(value, "effectiveGasPrice", what, parse_rpc_quantity);
  auto type = optional_field<std::uint64_t>(value, "type", what, parse_rpc_quantity64);
  if (!tx_hash) return pass(tx_hash);
  if (!tx_index) return pass(tx_index);
  if (!block_hash) return pass(block_hash);
  if (!block_number) return pass(block_number);
  if (!from) return pass(from);
  if (!to) return pass(to);
  if (!created) return pass(created);
  if (!status) return pass(status);
  if (!gas_used) return pass(gas_used);
  if (!cumulative) return pass(cumulative);
  if (!price) return pass(price);
  if (!type) return pass(type);
  if (*status > 1) return std::unexpected(bad("receipt.status", "must be 0x0 or 0x1", *member(value, "status")));
  r.transaction_hash = *tx_hash;
  r.transaction_index = *tx_index;
  r.block_hash = *block_hash;
  r.block_number = *block_number;
  r.from = *from;
  r.to = *to;
  r.contract_address = *created;
  r.status = *status;
  r.gas_used = *gas_used;
  r.cumulative_gas_used = *cumulative;
  r.effective_gas_price = *price;
  r.type = type->value_or(0);
  auto logs = required(value, "logs", what);
  if (!logs) return pass(logs);
  if (!(*logs)->is_array()) return std::unexpected(bad("receipt.logs", "not an array", **logs));
  for (const auto& l : (*logs)->as_array()) {
    auto log = parse_rpc_log(l);
    if (!log) return pass(log);
    if (auto ok = check_log_in_receipt(*log, r); !ok) return pass(ok);
    r.logs.push_back(std::move(*log));
  }
  return r;
}

Json receipt_to_json(const TransactionReceipt& r) {
  Json out = Json::object();
  out.set("transactionHash", r.transaction_hash.hex());
  out.set("transactionIndex", quantity(U256(r.transaction_index)));
  out.set("blockHash", r.block_hash.hex());
  out.set("blockNumber", quantity(U256(r.block_number)));
  out.set("from", r.from.hex());
  out.set("to", r.to ? Json(r.to->hex()) : Json(nullptr));
  out.set("contractAddress", r.contract_address ? Json(r.contract_address->hex()) : Json(nullptr));
  out.set("status", quantity(U256(r.status)));
  out.set("gasUsed", quantity(r.gas_used));
  out.set("cumulativeGasUsed", quantity(r.cumulative_gas_used));
  out.set("effectiveGasPrice", quantity(r.effective_gas_price));
  out.set("type", quantity(U256(r.type)));
  Json logs = Json::array();
  for (const auto& l : r.logs) logs.push_back(log_to_json(l));
  out.set("logs", std::move(logs));
  return out;
}

Result<BlockHeader> parse_rpc_block(const Json& value) {
  constexpr std::string_view what = "block";
  if (!value.is_object()) return std::unexpected(bad(what, "not an object", value));
  auto number = field<std::uint64_t>(value, "number", what, parse_rpc_quantity64);
  auto hash = field<Hash32>(value, "hash", what, parse_rpc_hash);
  auto parent = field<Hash32>(value, "parentHash", what, parse_rpc_hash);
  auto timestamp = field<std::uint64_t>(value, "timestamp", what, parse_rpc_quantity64);
  auto gas_limit = field<U256>(value, "gasLimit", what, parse_rpc_quantity);
  auto gas_used = field<U256>(value, "gasUsed", what, parse_rpc_quantity);
  auto base_fee = optional_field<U256>(value, "baseFeePerGas", what, parse_rpc_quantity);
  if (!number) return pass(number);
  if (!hash) return pass(hash);
  if (!parent) return pass(parent);
  if (!timestamp) return pass(timestamp);
  if (!gas_limit) return pass(gas_limit);
  if (!gas_used) return pass(gas_used);
  if (!base_fee) return pass(base_fee);
  BlockHeader header{*number, *hash, *parent, *timestamp, *gas_limit, *gas_used, *base_fee, {}};
  if (const Json* txs = member(value, "transactions")) {
    if (!txs->is_array()) return std::unexpected(bad("block.transactions", "not an array", *txs));
    for (const auto& tx : txs->as_array()) {
      // Hashes, or full transaction objects (eth_getBlockByNumber(..., true)).
      auto h = tx.is_object() ? field<Hash32>(tx, "hash", "block.transactions[]", parse_rpc_hash)
                              : parse_rpc_hash(tx, "block.transactions[]");
      if (!h) return pass(h);
      header.transactions.push_back(*h);
    }
  }
  return header;
}

// ---- the client ----

struct RpcClient::Impl {
  std::string url;
  RpcOptions options;
  HttpClient http;
  mutable std::atomic<std::uint64_t> next_id{1};
  mutable std::mutex chain_mutex;
  mutable bool chain_checked = false;

  Impl(std::string u, RpcOptions o, HttpClient h) : url(std::move(u)), options(o), http(std::move(h)) {}

  Result<Json> post(std::string_view what, const Json& body, Delivery delivery) const {
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.headers.set("Content-Type", "application/json");
    std::string text = body.dump();
    request.body.assign(text.begin(), text.end());
    request.delivery = delivery;
    request.timeout = options.timeout;
    request.max_response_bytes = options.max_response_bytes;
    auto response = http.send(request);
    if (!response) {
      Error e = response.error();
      e.message = std::string(what) + ": " + e.message;
      return std::unexpected(e);
    }
    auto parsed = parse_json(response->text(), JsonLimits{options.max_response_bytes, 64});
    if (response->status != 200) {
      // Some nodes send a JSON-RPC error with a 4xx/5xx status: surface it.
      if (parsed && parsed->is_object() && member(*parsed, "error") != nullptr) {
        return std::unexpected(rpc_error(what, *member(*parsed, "error")));
      }
      return fail(response->status >= 500 ? ErrorCode::unavailable : ErrorCode::invalid_argument,
                  std::string(what) + ": HTTP " + std::to_string(response->status) + " from " + url,
                  std::string(response->text().substr(0, 200)));
    }
    if (!parsed) {
      return fail(ErrorCode::parse_error, std::string(what) + ": response is not JSON", parsed.error().to_string());
    }
    return std::move(*parsed);
  }

  Result<Json> raw_call(std::string_view method, Json params, Delivery delivery = Delivery::retry_safe) const {
    std::uint64_t id = next_id.fetch_add(1);
    Json body = Json::object();
    body.set("jsonrpc", "2.0");
    body.set("id", id);
    body.set("method", std::string(method));
    body.set("params", std::move(params));
    auto answer = post(method, body, delivery);
    if (!answer) return answer;
    if (answer->is_object() && member(*answer, "id") != nullptr && member(*answer, "id")->is_null() &&
        member(*answer, "error") != nullptr) {
      return std::unexpected(rpc_error(method, *member(*answer, "error")));  // request-level error, id null
    }
    auto got = answer_id(method, *answer);
    if (!got) return pass(got);
    if (*got != id) {
      return fail(ErrorCode::parse_error, std::string(method) + ": response id does not match the request",
                  "expected " + std::to_string(id) + ", got " + std::to_string(*got));
    }
    return unwrap(method, *answer);
  }

  Status ensure_chain() const {
    if (!options.expected_chain_id) return {};
    std::lock_guard lock(chain_mutex);
    if (chain_checked) return {};
    auto id = raw_call("eth_chainId", Json::array());
    if (!id) return pass(id);
    auto chain = parse_rpc_quantity64(*id, "eth_chainId");
    if (!chain) return pass(chain);
    if (*chain != *options.expected_chain_id) {
      return fail(ErrorCode::verification_failed, "RPC endpoint serves another chain",
                  "expected chain id " + std::to_string(*options.expected_chain_id) + ", got " + std::to_string(*chain));
    }
    chain_checked = true;
    return {};
  }

  Result<Json> checked_call(std::string_view method, Json params, Delivery delivery = Delivery::retry_safe) const {
    if (auto ok = ensure_chain(); !ok) return pass(ok);
    return raw_call(method, std::move(params), delivery);
  }
};

Result<RpcClient> RpcClient::create(std::string url, RpcOptions options, std::optional<HttpClient> http) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return fail(ErrorCode::invalid_argument, "RPC URL must be http:// or https://", url);
  }
  if (options.max_batch == 0) return fail(ErrorCode::invalid_argument, "max_batch must be at least 1");
  if (!http) {
    auto client = HttpClient::create();
    if (!client) return pass(client);
    http = std::move(*client);
  }
  return RpcClient(std::make_shared<Impl>(std::move(url), options, std::move(*http)));
}

const std::string& RpcClient::url() const noexcept { return impl_->url; }

Result<Json> RpcClient::call(std::string_view method, Json params) const {
  return impl_->checked_call(method, std::move(params));
}

Result<std::vector<Result<Json>>> RpcClient::batch(const std::vector<RpcCall>& calls) const {
  if (calls.empty()) return std::vector<Result<Json>>{};
  if (calls.size() > impl_->options.max_batch) {
    return fail(ErrorCode::invalid_argument, "batch too large",
                "at most " + std::to_string(impl_->options.max_batch) + ", got " + std::to_string(calls.size()));
  }
  if (auto ok = impl_->ensure_chain(); !ok) return pass(ok);
  Json body = Json::array();
  std::map<std::uint64_t, std::size_t> index_of;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    std::uint64_t id = impl_->next_id.fetch_add(1);
    index_of[id] = i;
    Json request = Json::object();
    request.set("jsonrpc", "2.0");
    request.set("id", id);
    request.set("method", calls[i].method);
    request.set("params", calls[i].params);
    body.push_back(std::move(request));
  }
  auto answer = impl_->post("batch", body, Delivery::retry_safe);
  if (!answer) return pass(answer);
  if (answer->is_object() && member(*answer, "error") != nullptr) {
    return std::unexpected(rpc_error("batch", *member(*answer, "error")));
  }
  if (!answer->is_array()) return std::unexpected(bad("batch", "response is not an array", *answer));
  std::vector<std::optional<Result<Json>>> slots(calls.size());
  for (const auto& item : answer->as_array()) {
    auto id = answer_id("batch", item);
    if (!id) return pass(id);
    auto it = index_of.find(*id);
    if (it == index_of.end()) {
      return fail(ErrorCode::parse_error, "batch: response has an id that was not asked", "id " + std::to_string(*id));
    }
    if (slots[it->second]) {
      return fail(ErrorCode::parse_error, "batch: two responses with the same id", "id " + std::to_string(*id));
    }
    slots[it->second] = unwrap(calls[it->second].method, item);
  }
  std::vector<Result<Json>> out;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (!slots[i]) {
      return fail(ErrorCode::parse_error, "batch: no response for a request",
                  calls[i].method + " (request " + std::to_string(i) + ")");
    }
    out.push_back(std::move(*slots[i]));
  }
  return out;
}

Result<std::uint64_t> RpcClient::chain_id() const {
  auto v = impl_->raw_call("eth_chainId", Json::array());
  if (!v) return pass(v);
  return parse_rpc_quantity64(*v, "eth_chainId");
}

Status RpcClient::check_chain_id() const { return impl_->ensure_chain(); }

Result<std::uint64_t> RpcClient::block_number() const {
  auto v = call("eth_blockNumber");
  if (!v) return pass(v);
  return parse_rpc_quantity64(*v, "eth_blockNumber");
}

Result<std::optional<TransactionReceipt>> RpcClient::transaction_receipt(const Hash32& tx_hash) const {
  Json params = Json::array();
  params.push_back(tx_hash.hex());
  auto v = call("eth_getTransactionReceipt", std::move(params));
  if (!v) return pass(v);
  if (v->is_null()) return std::optional<TransactionReceipt>();
  auto receipt = parse_rpc_receipt(*v);
  if (!receipt) return pass(receipt);
  if (receipt->transaction_hash != tx_hash) {
    return fail(ErrorCode::parse_error, "eth_getTransactionReceipt: receipt is for another transaction",
                "expected " + tx_hash.hex() + ", got " + receipt->transaction_hash.hex());
  }
  return std::optional<TransactionReceipt>(std::move(*receipt));
}

Result<std::vector<LogEntry>> RpcClient::logs(const LogFilter& filter) const {
  Json f = Json::object();
  if (filter.block_hash) {
    f.set("blockHash", filter.block_hash->hex());
  } else {
    if (filter.from_block) f.set("fromBlock", filter.from_block->text());
    if (filter.to_block) f.set("toBlock", filter.to_block->text());
  }
  if (filter.addresses.size() == 1) {
    f.set("address", filter.addresses.front().hex());
  } else if (!filter.addresses.empty()) {
    Json list = Json::array();
    for (const auto& a : filter.addresses) list.push_back(a.hex());
    f.set("address", std::move(list));
  }
  if (!filter.topics.empty()) {
    Json topics = Json::array();
    for (const auto& position : filter.topics) {
      if (position.empty()) {
        topics.push_back(nullptr);
      } else if (position.size() == 1) {
        topics.push_back(position.front().hex());
      } else {
        Json any = Json::array();
        for (const auto& t : position) any.push_back(t.hex());
        topics.push_back(std::move(any));
      }
    }
    f.set("topics", std::move(topics));
  }
  Json params = Json::array();
  params.push_back(std::move(f));
  auto v = call("eth_getLogs", std::move(params));
  if (!v) return pass(v);
  if (!v->is_array()) return std::unexpected(bad("eth_getLogs", "result is not an array", *v));
  std::vector<LogEntry> out;
  for (const auto& item : v->as_array()) {
    auto log = parse_rpc_log(item);
    if (!log) return pass(log);
    out.push_back(std::move(*log));
  }
  return out;
}

Result<Bytes> RpcClient::eth_call(const CallRequest& request, const BlockTag& block) const {
  Json params = Json::array();
  params.push_back(call_object(request));
  params.push_back(block.text());
  auto v = call("eth_call", std::move(params));
  if (!v) return pass(v);
  return parse_rpc_data(*v, "eth_call");
}

Result<std::optional<BlockHeader>> RpcClient::block_by_number(const BlockTag& block) const {
  Json params = Json::array();
  params.push_back(block.text());
  params.push_back(false);
  auto v = call("eth_getBlockByNumber", std::move(params));
  if (!v) return pass(v);
  if (v->is_null()) return std::optional<BlockHeader>();
  auto header = parse_rpc_block(*v);
  if (!header) return pass(header);
  return std::optional<BlockHeader>(*header);
}

Result<std::uint64_t> RpcClient::transaction_count(const Address& account, const BlockTag& block) const {
  Json params = Json::array();
  params.push_back(account.hex());
  params.push_back(block.text());
  auto v = call("eth_getTransactionCount", std::move(params));
  if (!v) return pass(v);
  return parse_rpc_quantity64(*v, "eth_getTransactionCount");
}

Result<std::uint64_t> RpcClient::estimate_gas(const CallRequest& request) const {
  Json params = Json::array();
  params.push_back(call_object(request));
  auto v = call("eth_estimateGas", std::move(params));
  if (!v) return pass(v);
  return parse_rpc_quantity64(*v, "eth_estimateGas");
}

Result<U256> RpcClient::gas_price() const {
  auto v = call("eth_gasPrice");
  if (!v) return pass(v);
  return parse_rpc_quantity(*v, "eth_gasPrice");
}

Result<U256> RpcClient::max_priority_fee_per_gas() const {
  auto v = call("eth_maxPriorityFeePerGas");
  if (!v) return pass(v);
  return parse_rpc_quantity(*v, "eth_maxPriorityFeePerGas");
}

Result<Hash32> RpcClient::send_raw_transaction(ByteView raw) const {
  Json params = Json::array();
  params.push_back(to_hex(raw));
  // At most once: a blind resend could turn success into "already known".
  if (auto ok = impl_->ensure_chain(); !ok) return pass(ok);
  auto v = impl_->raw_call("eth_sendRawTransaction", std::move(params), Delivery::at_most_once);
  if (!v) return pass(v);
  auto hash = parse_rpc_hash(*v, "eth_sendRawTransaction");
  if (!hash) return pass(hash);
  Hash32 expected = keccak256(raw);
  if (*hash != expected) {
    return fail(ErrorCode::verification_failed, "eth_sendRawTransaction: node reports another transaction hash",
                "expected " + expected.hex() + ", got " + hash->hex());
  }
  return *hash;
}

Result<TransactionReceipt> RpcClient::wait_for_receipt(const Hash32& tx_hash, ReceiptWait wait) const {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + wait.deadline;
  const std::uint64_t depth = std::max<std::uint64_t>(wait.confirmations, 1);
  std::string last_state = "not yet mined";
  for (;;) {
    auto receipt = transaction_receipt(tx_hash);
    if (!receipt) return pass(receipt);
    if (*receipt) {
      auto head = block_number();
      if (!head) return pass(head);
      const auto& r = **receipt;
      if (*head + 1 >= r.block_number + depth) {
        // The block must still hold the transaction (no reorg in between).
        auto block = block_by_number(BlockTag(r.block_number));
        if (!block) return pass(block);
        if (*block && (*block)->hash == r.block_hash) return r;
        last_state = "block " + std::to_string(r.block_number) + " was replaced";
      } else {
        last_state = "mined in block " + std::to_string(r.block_number) + ", head " + std::to_string(*head) +
                     ", need " + std::to_string(depth) + " confirmations";
      }
    }
    auto now = Clock::now();
    if (now >= deadline) {
      return fail(ErrorCode::deadline_exceeded, "no receipt with enough confirmations before the deadline",
                  tx_hash.hex() + ": " + last_state);
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(wait.poll_interval, deadline - now));
  }
}

}  // namespace verinfer
