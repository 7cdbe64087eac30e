// Testkit ops for the settlement layer: Merkle dumps and proofs, RLP and
// transaction signing, so Python/Node peers can check them in bulk.
#include "testkit.hpp"
#include "verinfer/crypto/abi.hpp"
#include "verinfer/settle/events.hpp"
#include "verinfer/settle/inference.hpp"
#include "verinfer/settle/settlement.hpp"
#include "verinfer/settle/merkle.hpp"
#include "verinfer/settle/rlp.hpp"
#include "verinfer/settle/rpc.hpp"
#include "verinfer/settle/transaction.hpp"

namespace verinfer::testkit {
namespace {

Result<std::vector<Hash32>> hash_list(const Json& r, std::string_view key) {
  auto list = get_field(r, key);
  if (!list) return pass_error(list);
  if (!(*list)->is_array()) return fail(ErrorCode::invalid_argument, "not an array", std::string(key));
  std::vector<Hash32> out;
  for (const auto& item : (*list)->as_array()) {
    if (!item.is_string()) return fail(ErrorCode::invalid_argument, "not a hex string", std::string(key));
    auto h = Hash32::from_hex(item.as_string());
    if (!h) return pass_error(h);
    out.push_back(*h);
  }
  return out;
}

Json hex_list(const std::vector<Hash32>& hashes) {
  Json out = Json::array();
  for (const auto& h : hashes) out.push_back(h.hex());
  return out;
}

// {dump} -> {root, leaves: [{leaf, tree_index, proof}]} in dump value order.
const OpRegistrar merkle_dump_op{"merkle_dump", [](const Json& r) -> Result<Json> {
  auto json = get_field(r, "dump");
  if (!json) return pass_error(json);
  auto dump = merkle_dump_from_json(**json);
  if (!dump) return pass_error(dump);
  Json leaves = Json::array();
  for (std::size_t i = 0; i < dump->values.size(); ++i) {
    auto proof = merkle_proof(*dump, i);
    if (!proof) return pass_error(proof);
    auto leaf = standard_leaf_hash(dump->leaf_encoding, dump->values[i].value);
    if (!leaf) return pass_error(leaf);
    if (auto ok = verify_merkle_proof(dump->root(), *leaf, *proof); !ok) return pass_error(ok);
    Json entry = Json::object();
    entry.set("leaf", leaf->hex());
    entry.set("tree_index", static_cast<std::uint64_t>(dump->values[i].tree_index));
    entry.set("proof", hex_list(*proof));
    leaves.push_back(std::move(entry));
  }
  Json out = Json::object();
  out.set("root", dump->root().hex());
  out.set("leaves", std::move(leaves));
  return out;
}};

// {encoding, value, proof, root} -> {valid, leaf}; a bad value is an error.
const OpRegistrar merkle_verify_op{"merkle_verify", [](const Json& r) -> Result<Json> {
  auto encoding = get_abi_types(r, "encoding");
  if (!encoding) return pass_error(encoding);
  auto value_json = get_field(r, "value");
  if (!value_json) return pass_error(value_json);
  auto value = merkle_value_from_json(*encoding, **value_json);
  if (!value) return pass_error(value);
  auto leaf = standard_leaf_hash(*encoding, *value);
  if (!leaf) return pass_error(leaf);
  auto proof = hash_list(r, "proof");
  if (!proof) return pass_error(proof);
  auto root = get_string(r, "root");
  if (!root) return pass_error(root);
  auto root_hash = Hash32::from_hex(*root);
  if (!root_hash) return pass_error(root_hash);
  Json out = Json::object();
  out.set("leaf", leaf->hex());
  out.set("valid", verify_merkle_proof(*root_hash, *leaf, *proof).has_value());
  return out;
}};

// {encoding, leaves (values), proof, proofFlags, root} -> {valid}.
const OpRegistrar merkle_multiproof_op{"merkle_multiproof", [](const Json& r) -> Result<Json> {
  auto encoding = get_abi_types(r, "encoding");
  if (!encoding) return pass_error(encoding);
  auto values = get_field(r, "leaves");
  if (!values) return pass_error(values);
  std::vector<Hash32> leaves;
  for (const auto& v : (*values)->as_array()) {
    auto value = merkle_value_from_json(*encoding, v);
    if (!value) return pass_error(value);
    auto leaf = standard_leaf_hash(*encoding, *value);
    if (!leaf) return pass_error(leaf);
    leaves.push_back(*leaf);
  }
  auto proof = hash_list(r, "proof");
  if (!proof) return pass_error(proof);
  auto flags_json = get_field(r, "proofFlags");
  if (!flags_json) return pass_error(flags_json);
  std::vector<bool> flags;
  for (const auto& f : (*flags_json)->as_array()) flags.push_back(f.is_bool() && f.as_bool());
  auto root = get_string(r, "root");
  if (!root) return pass_error(root);
  auto root_hash = Hash32::from_hex(*root);
  if (!root_hash) return pass_error(root_hash);
  Json out = Json::object();
  out.set("valid", verify_merkle_multiproof(*root_hash, leaves, *proof, flags).has_value());
  return out;
}};

// RLP items as JSON: a hex string is a byte string, an array is a list.
Result<RlpItem> rlp_from_json(const Json& j) {
  if (j.is_string()) {
    auto b = from_hex(j.as_string());
    if (!b) return pass_error(b);
    return RlpItem(std::move(*b));
  }
  if (!j.is_array()) return fail(ErrorCode::invalid_argument, "rlp item must be a hex string or an array");
  RlpItem out = RlpItem::list();
  for (const auto& child : j.as_array()) {
    auto c = rlp_from_json(child);
    if (!c) return c;
    out.push_back(std::move(*c));
  }
  return out;
}

Json rlp_to_json(const RlpItem& item) {
  if (item.is_bytes()) return Json(to_hex(item.as_bytes()));
  Json out = Json::array();
  for (const auto& child : item.as_list()) out.push_back(rlp_to_json(child));
  return out;
}

// {item} -> {hex}
const OpRegistrar rlp_encode_op{"rlp_encode", [](const Json& r) -> Result<Json> {
  auto item = get_field(r, "item");
  if (!item) return pass_error(item);
  auto parsed = rlp_from_json(**item);
  if (!parsed) return pass_error(parsed);
  return Json(to_hex(rlp_encode(*parsed)));
}};

// {hex} -> {item}
const OpRegistrar rlp_decode_op{"rlp_decode", [](const Json& r) -> Result<Json> {
  auto hex = get_string(r, "hex");
  if (!hex) return pass_error(hex);
  auto bytes = from_hex(*hex);
  if (!bytes) return pass_error(bytes);
  auto item = rlp_decode(*bytes);
  if (!item) return pass_error(item);
  return rlp_to_json(*item);
}};

Result<U256> u256_field(const Json& r, std::string_view key) {
  auto s = get_string(r, key);
  if (!s) return pass_error(s);
  return U256::parse(*s);
}

Result<std::uint64_t> u64_field(const Json& r, std::string_view key) {
  auto v = get_field(r, key);
  if (!v) return pass_error(v);
  auto n = (*v)->get_uint64();
  if (!n) return fail(ErrorCode::invalid_argument, "not a uint64", std::string(key));
  return *n;
}

Result<Transaction> tx_from_json(const Json& r) {
  auto type = u64_field(r, "type");
  auto nonce = u64_field(r, "nonce");
  auto gas = u64_field(r, "gas");
  auto value = u256_field(r, "value");
  auto data = get_string(r, "data");
  if (!type) return pass_error(type);
  if (!nonce) return pass_error(nonce);
  if (!gas) return pass_error(gas);
  if (!value) return pass_error(value);
  if (!data) return pass_error(data);
  auto data_bytes = from_hex(*data);
  if (!data_bytes) return pass_error(data_bytes);
  std::optional<Address> to;
  if (const Json* t = r.find("to"); t != nullptr && t->is_string()) {
    auto a = Address::from_hex(t->as_string());
    if (!a) return pass_error(a);
    to = *a;
  }
  if (*type == 0) {
    LegacyTransaction tx;
    if (const Json* c = r.find("chain_id"); c != nullptr && !c->is_null()) tx.chain_id = c->get_uint64();
    auto price = u256_field(r, "gas_price");
    if (!price) return pass_error(price);
    tx.nonce = *nonce;
    tx.gas_price = *price;
    tx.gas_limit = *gas;
    tx.to = to;
    tx.value = *value;
    tx.data = std::move(*data_bytes);
    return Transaction(std::move(tx));
  }
  Eip1559Transaction tx;
  auto chain = u64_field(r, "chain_id");
  auto tip = u256_field(r, "max_priority_fee");
  auto cap = u256_field(r, "max_fee");
  if (!chain) return pass_error(chain);
  if (!tip) return pass_error(tip);
  if (!cap) return pass_error(cap);
  tx.chain_id = *chain;
  tx.nonce = *nonce;
  tx.max_priority_fee_per_gas = *tip;
  tx.max_fee_per_gas = *cap;
  tx.gas_limit = *gas;
  tx.to = to;
  tx.value = *value;
  tx.data = std::move(*data_bytes);
  if (const Json* list = r.find("access_list"); list != nullptr && list->is_array()) {
    for (const auto& e : list->as_array()) {
      auto address = get_string(e, "address");
      if (!address) return pass_error(address);
      auto a = Address::from_hex(*address);
      if (!a) return pass_error(a);
      auto keys = hash_list(e, "storage_keys");
      if (!keys) return pass_error(keys);
      tx.access_list.push_back({*a, std::move(*keys)});
    }
  }
  return Transaction(std::move(tx));
}

// {key, tx fields...} -> {raw, hash, from, signing_hash}
const OpRegistrar tx_sign_op{"tx_sign", [](const Json& r) -> Result<Json> {
  auto key_hex = get_string(r, "key");
  if (!key_hex) return pass_error(key_hex);
  auto key = PrivateKey::from_hex(*key_hex);
  if (!key) return pass_error(key);
  auto tx = tx_from_json(r);
  if (!tx) return pass_error(tx);
  auto signed_tx = sign_transaction(*tx, *key);
  if (!signed_tx) return pass_error(signed_tx);
  auto back = decode_signed_transaction(signed_tx->raw);
  if (!back) return pass_error(back);
  if (back->from != signed_tx->from || back->hash != signed_tx->hash || back->tx != signed_tx->tx) {
    return fail(ErrorCode::internal, "decode(sign(tx)) differs from tx");
  }
  Json out = Json::object();
  out.set("raw", to_hex(signed_tx->raw));
  out.set("hash", signed_tx->hash.hex());
  out.set("from", to_hex(signed_tx->from));
  out.set("signing_hash", transaction_signing_hash(*tx).hex());
  return out;
}};

// {raw} -> {hash, from, type}
const OpRegistrar tx_decode_op{"tx_decode", [](const Json& r) -> Result<Json> {
  auto raw = get_string(r, "raw");
  if (!raw) return pass_error(raw);
  auto bytes = from_hex(*raw);
  if (!bytes) return pass_error(bytes);
  auto tx = decode_signed_transaction(*bytes);
  if (!tx) return pass_error(tx);
  Json out = Json::object();
  out.set("hash", tx->hash.hex());
  out.set("from", to_hex(tx->from));
  out.set("type", static_cast<std::uint64_t>(tx->tx.index() == 0 ? 0 : 2));
  return out;
}};

// {signature, topics, data} -> {topic0, signature, event: {event, signature, args}}
const OpRegistrar event_decode_op{"event_decode", [](const Json& r) -> Result<Json> {
  auto signature = get_string(r, "signature");
  if (!signature) return pass_error(signature);
  auto abi = EventAbi::parse(*signature);
  if (!abi) return pass_error(abi);
  auto topics = hash_list(r, "topics");
  if (!topics) return pass_error(topics);
  auto data = get_string(r, "data");
  if (!data) return pass_error(data);
  auto bytes = from_hex(*data);
  if (!bytes) return pass_error(bytes);
  LogEntry log;
  log.topics = std::move(*topics);
  log.data = std::move(*bytes);
  auto decoded = abi->decode(log);
  if (!decoded) return pass_error(decoded);
  Json out = Json::object();
  out.set("topic0", abi->topic0().hex());
  out.set("signature", abi->signature());
  out.set("event", decoded->to_json());
  return out;
}};

Json result_json(const Result<Json>& r) {
  Json out = Json::object();
  out.set("ok", r.has_value());
  if (r) {
    out.set("result", *r);
  } else {
    out.set("code", std::string(to_string(r.error().code)));
    out.set("error", r.error().to_string());
  }
  return out;
}

template <class T, class ToJson>
Result<Json> map_result(const Result<T>& r, ToJson to_json) {
  if (!r) return pass_error(r);
  return to_json(*r);
}

// {url, call, expected_chain_id?, ...}: one RpcClient method against a test
// server; the answer is what the method returned, as JSON.
const OpRegistrar rpc_op{"rpc", [](const Json& r) -> Result<Json> {
  auto url = get_string(r, "url");
  auto what = get_string(r, "call");
  if (!url) return pass_error(url);
  if (!what) return pass_error(what);
  RpcOptions options;
  if (const Json* c = r.find("expected_chain_id")) options.expected_chain_id = c->get_uint64();
  options.timeout = std::chrono::milliseconds(5000);
  HttpClientOptions http_options;
  http_options.retry.max_attempts = 1;
  auto http = HttpClient::create(http_options);
  if (!http) return pass_error(http);
  auto client = RpcClient::create(*url, options, *http);
  if (!client) return pass_error(client);
  auto hash_arg = [&](std::string_view key) -> Result<Hash32> {
    auto s = get_string(r, key);
    if (!s) return pass_error(s);
    return Hash32::from_hex(*s);
  };
  if (*what == "chain_id") return map_result(client->chain_id(), [](auto v) { return Json(v); });
  if (*what == "check_chain_id") {
    auto ok = client->check_chain_id();
    if (!ok) return pass_error(ok);
    return Json(true);
  }
  if (*what == "block_number") return map_result(client->block_number(), [](auto v) { return Json(v); });
  if (*what == "gas_price") return map_result(client->gas_price(), [](const U256& v) { return Json(v.to_decimal()); });
  if (*what == "receipt") {
    auto hash = hash_arg("hash");
    if (!hash) return pass_error(hash);
    return map_result(client->transaction_receipt(*hash), [](const std::optional<TransactionReceipt>& v) {
      return v ? receipt_to_json(*v) : Json(nullptr);
    });
  }
  if (*what == "wait_receipt") {
    auto hash = hash_arg("hash");
    if (!hash) return pass_error(hash);
    ReceiptWait wait;
    wait.confirmations = r.find("confirmations") ? *r.find("confirmations")->get_uint64() : 1;
    wait.deadline = std::chrono::milliseconds(r.find("deadline_ms") ? *r.find("deadline_ms")->get_uint64() : 2000);
    wait.poll_interval = std::chrono::milliseconds(20);
    return map_result(client->wait_for_receipt(*hash, wait), receipt_to_json);
  }
  if (*what == "logs") {
    LogFilter filter;
    filter.from_block = BlockTag(0);
    filter.to_block = BlockTag::latest();
    return map_result(client->logs(filter), [](const std::vector<LogEntry>& logs) {
      Json out = Json::array();
      for (const auto& l : logs) out.push_back(log_to_json(l));
      return out;
    });
  }
  if (*what == "block") {
    return map_result(client->block_by_number(BlockTag::latest()), [](const std::optional<BlockHeader>& b) {
      if (!b) return Json(nullptr);
      Json out = Json::object();
      out.set("number", b->number);
      out.set("hash", b->hash.hex());
      out.set("timestamp", b->timestamp);
      return out;
    });
  }
  if (*what == "send_raw") {
    auto raw = get_string(r, "raw");
    if (!raw) return pass_error(raw);
    auto bytes = from_hex(*raw);
    if (!bytes) return pass_error(bytes);
    return map_result(client->send_raw_transaction(*bytes), [](const Hash32& h) { return Json(h.hex()); });
  }
  if (*what == "eth_call") {
    CallRequest call;
    call.to = Address{};
    return map_result(client->eth_call(call), [](const Bytes& b) { return Json(to_hex(b)); });
  }
  if (*what == "batch") {
    auto calls_json = get_field(r, "calls");
    if (!calls_json) return pass_error(calls_json);
    std::vector<RpcCall> calls;
    for (const auto& c : (*calls_json)->as_array()) calls.push_back({c.find("method")->as_string(), *c.find("params")});
    return map_result(client->batch(calls), [](const std::vector<Result<Json>>& answers) {
      Json out = Json::array();
      for (const auto& a : answers) out.push_back(result_json(a));
      return out;
    });
  }
  return fail(ErrorCode::invalid_argument, "unknown rpc call", *what);
}};

Json report_json(const VerificationReport& report) {
  Json out = report.to_json();
  out.set("ok", true);
  return out;
}

Result<Address> address_field(const Json& r, std::string_view key) {
  auto s = get_string(r, key);
  if (!s) return pass_error(s);
  return Address::from_hex(*s);
}

// {url, registry, tee_id, tee_type} -> {entry, active, active_count}
const OpRegistrar registry_read_op{"registry_read", [](const Json& r) -> Result<Json> {
  auto url = get_string(r, "url");
  auto registry = address_field(r, "registry");
  auto tee_id_text = get_string(r, "tee_id");
  if (!url) return pass_error(url);
  if (!registry) return pass_error(registry);
  if (!tee_id_text) return pass_error(tee_id_text);
  auto tee_id = Hash32::from_hex(*tee_id_text);
  if (!tee_id) return pass_error(tee_id);
  auto rpc = RpcClient::create(*url);
  if (!rpc) return pass_error(rpc);
  auto entry = read_registry_tee(*rpc, *registry, *tee_id);
  if (!entry) return pass_error(entry);
  auto active = read_registry_tee_active(*rpc, *registry, *tee_id);
  if (!active) return pass_error(active);
  auto list = read_registry_active_tees(*rpc, *registry, entry->tee_type);
  if (!list) return pass_error(list);
  Json e = Json::object();
  e.set("tee_id", entry->tee_id->hex());
  e.set("owner", entry->owner.hex());
  e.set("payment_address", entry->payment_address.hex());
  e.set("endpoint", entry->endpoint);
  e.set("public_key", to_hex(entry->public_key));
  e.set("tls_certificate_bytes", static_cast<std::uint64_t>(entry->tls_certificate.size()));
  e.set("pcr_hash", entry->pcr_hash.hex());
  e.set("tee_type", static_cast<std::uint64_t>(entry->tee_type));
  e.set("enabled", entry->enabled);
  e.set("registered_at", entry->registered_at);
  Json out = Json::object();
  out.set("entry", std::move(e));
  out.set("active", *active);
  Json ids = Json::array();
  for (const auto& t : *list) ids.push_back(t.tee_id->hex());
  out.set("active_ids", std::move(ids));
  return out;
}};

// {url, key, contract, model, mode, numbers: [{name, values: [[v, d]], shape}], strings: [{name, values}]}
const OpRegistrar inference_run_op{"inference_run", [](const Json& r) -> Result<Json> {
  auto url = get_string(r, "url");
  auto key_hex = get_string(r, "key");
  auto contract = address_field(r, "contract");
  auto model = get_string(r, "model");
  if (!url) return pass_error(url);
  if (!key_hex) return pass_error(key_hex);
  if (!contract) return pass_error(contract);
  if (!model) return pass_error(model);
  auto key = PrivateKey::from_hex(*key_hex);
  if (!key) return pass_error(key);
  ModelInput input;
  for (const auto& t : r.find("numbers")->as_array()) {
    NumberTensor tensor{t.find("name")->as_string(), {}, {}};
    for (const auto& v : t.find("values")->as_array()) {
      tensor.values.push_back({*v.as_array()[0].get_int64(), *v.as_array()[1].get_int64()});
    }
    for (const auto& d : t.find("shape")->as_array()) tensor.shape.push_back(static_cast<std::uint32_t>(*d.get_uint64()));
    input.numbers.push_back(std::move(tensor));
  }
  for (const auto& t : r.find("strings")->as_array()) {
    StringTensor tensor{t.find("name")->as_string(), {}};
    for (const auto& v : t.find("values")->as_array()) tensor.values.push_back(v.as_string());
    input.strings.push_back(std::move(tensor));
  }
  auto rpc = RpcClient::create(*url);
  if (!rpc) return pass_error(rpc);
  auto mode = static_cast<InferenceMode>(*r.find("mode")->get_uint64());
  auto run = run_inference(*rpc, *key, *contract, *model, mode, input);
  if (!run) return pass_error(run);
  Json numbers = Json::array();
  for (const auto& t : run->output.numbers) {
    Json values = Json::array();
    for (const auto& v : t.values) {
      Json pair = Json::array();
      pair.push_back(v.value);
      pair.push_back(v.decimals);
      values.push_back(std::move(pair));
    }
    Json j = Json::object();
    j.set("name", t.name);
    j.set("values", std::move(values));
    numbers.push_back(std::move(j));
  }
  Json strings = Json::array();
  for (const auto& t : run->output.strings) {
    Json values = Json::array();
    for (const auto& v : t.values) values.push_back(v);
    Json j = Json::object();
    j.set("name", t.name);
    j.set("values", std::move(values));
    strings.push_back(std::move(j));
  }
  Json jsons = Json::object();
  for (const auto& [k, v] : run->output.jsons) jsons.set(k, v);
  Json out = Json::object();
  out.set("tx", run->receipt.transaction_hash.hex());
  out.set("numbers", std::move(numbers));
  out.set("strings", std::move(strings));
  out.set("jsons", std::move(jsons));
  return out;
}};

// {url, tx, token, payer, pay_to, max_amount, nonce?} -> report
const OpRegistrar x402_check_op{"x402_check", [](const Json& r) -> Result<Json> {
  auto url = get_string(r, "url");
  auto tx_text = get_string(r, "tx");
  auto token = address_field(r, "token");
  auto payer = address_field(r, "payer");
  auto pay_to = address_field(r, "pay_to");
  auto amount = u256_field(r, "max_amount");
  if (!url) return pass_error(url);
  if (!tx_text) return pass_error(tx_text);
  if (!token) return pass_error(token);
  if (!payer) return pass_error(payer);
  if (!pay_to) return pass_error(pay_to);
  if (!amount) return pass_error(amount);
  auto tx = Hash32::from_hex(*tx_text);
  if (!tx) return pass_error(tx);
  auto rpc = RpcClient::create(*url);
  if (!rpc) return pass_error(rpc);
  auto receipt = rpc->transaction_receipt(*tx);
  if (!receipt) return pass_error(receipt);
  if (!*receipt) return fail(ErrorCode::verification_failed, "no receipt", tx->hex());
  return report_json(check_x402_receipt(**receipt, X402Expectation{*token, *payer, *pay_to, *amount, std::nullopt}));
}};

}  // namespace
}  // namespace verinfer::testkit
