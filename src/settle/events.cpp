// Event decoding per the Solidity ABI specification, section "Events".
#include "verinfer/settle/events.hpp"

#include <algorithm>
#include <cctype>

#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  });
}

// Splits at commas outside parentheses; parse_error on unbalanced input.
Result<std::vector<std::string_view>> split_top_level(std::string_view list) {
  std::vector<std::string_view> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i] == '(') ++depth;
    if (list[i] == ')' && --depth < 0) return fail(ErrorCode::parse_error, "event signature: unbalanced ')'");
    if (list[i] == ',' && depth == 0) {
      out.push_back(list.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return fail(ErrorCode::parse_error, "event signature: unbalanced '('");
  if (!trim(list).empty()) out.push_back(list.substr(start));
  return out;
}

// Reference types are logged as the hash of their encoding, value types in place.
bool is_hashed_when_indexed(const AbiType& type) {
  using K = AbiType::Kind;
  return type.kind == K::bytes || type.kind == K::string || type.kind == K::array ||
         type.kind == K::fixed_array || type.kind == K::tuple;
}

Result<EventParam> parse_param(std::string_view text, std::size_t position) {
  text = trim(text);
  if (text.empty()) return fail(ErrorCode::parse_error, "event signature: empty parameter", std::to_string(position));
  // The type runs to the first blank outside parentheses.
  int depth = 0;
  std::size_t end = 0;
  for (; end < text.size(); ++end) {
    if (text[end] == '(') ++depth;
    if (text[end] == ')') --depth;
    if (depth == 0 && is_space(text[end])) break;
  }
  std::string type_text;
  for (char c : text.substr(0, end)) {
    if (!is_space(c)) type_text.push_back(c);
  }
  auto type = AbiType::parse(type_text);
  if (!type) {
    return fail(ErrorCode::parse_error, "event signature: bad type in parameter " + std::to_string(position),
                "\"" + type_text + "\": " + type.error().message);
  }
  EventParam param{"", std::move(*type), false};
  std::string_view rest = trim(text.substr(end));
  if (rest.starts_with("indexed") && (rest.size() == 7 || is_space(rest[7]))) {
    param.indexed = true;
    rest = trim(rest.substr(7));
  }
  if (!rest.empty() && !is_identifier(rest)) {
    return fail(ErrorCode::parse_error, "event signature: bad parameter name", "\"" + std::string(rest) + "\"");
  }
  param.name = rest.empty() ? "arg" + std::to_string(position) : std::string(rest);
  return param;
}

template <class T>
std::unexpected<Error> pass(const Result<T>& r) {
  return std::unexpected(r.error());
}

Hash32 word_hash(const AbiValue& v) {
  Hash32 out;
  std::copy(v.as_bytes().begin(), v.as_bytes().end(), out.bytes.begin());
  return out;
}

const AbiValue& value_at(const DecodedEvent& e, std::size_t i) { return e.fields[i].value; }

// The signatures are constants of the header: parsing them cannot fail.
EventAbi parse_known(std::string_view signature) {
  auto abi = EventAbi::parse(signature);
  return abi ? std::move(*abi) : EventAbi{};
}

template <class Event, class Build>
Result<Event> decode_typed(const EventAbi& abi, const LogEntry& log, Build build) {
  auto decoded = abi.decode(log);
  if (!decoded) return pass(decoded);
  return build(*decoded);
}

}  // namespace

const EventField* DecodedEvent::field(std::string_view field_name) const {
  for (const auto& f : fields) {
    if (f.name == field_name) return &f;
  }
  return nullptr;
}

Json DecodedEvent::to_json() const {
  Json args = Json::object();
  for (const auto& f : fields) {
    if (f.hashed) {
      Json hashed = Json::object();
      hashed.set("keccak256", to_hex(f.value.as_bytes()));
      args.set(f.name, std::move(hashed));
      continue;
    }
    auto j = abi_value_to_json(f.type, f.value);
    args.set(f.name, j ? std::move(*j) : Json(nullptr));
  }
  Json out = Json::object();
  out.set("event", name);
  out.set("signature", signature);
  out.set("args", std::move(args));
  return out;
}

Result<EventAbi> EventAbi::parse(std::string_view human_signature, bool anonymous) {
  std::string_view text = trim(human_signature);
  if (text.starts_with("event ")) text = trim(text.substr(6));
  auto open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')') {
    return fail(ErrorCode::parse_error, "event signature: expected Name(params)", "\"" + std::string(text) + "\"");
  }
  EventAbi abi;
  abi.name_ = std::string(trim(text.substr(0, open)));
  if (!is_identifier(abi.name_)) return fail(ErrorCode::parse_error, "event signature: bad event name", abi.name_);
  auto parts = split_top_level(text.substr(open + 1, text.size() - open - 2));
  if (!parts) return pass(parts);
  std::size_t indexed = 0;
  abi.signature_ = abi.name_ + "(";
  for (std::size_t i = 0; i < parts->size(); ++i) {
    auto param = parse_param((*parts)[i], i);
    if (!param) return pass(param);
    if (param->indexed) ++indexed;
    abi.signature_ += (i ? "," : "") + param->type.canonical();
    abi.params_.push_back(std::move(*param));
  }
  abi.signature_ += ")";
  const std::size_t max_indexed = anonymous ? 4 : 3;
  if (indexed > max_indexed) {
    return fail(ErrorCode::parse_error, "event signature: too many indexed parameters",
                "at most " + std::to_string(max_indexed) + ", got " + std::to_string(indexed));
  }
  abi.anonymous_ = anonymous;
  abi.topic0_ = keccak256(std::string_view(abi.signature_));
  return abi;
}

bool EventAbi::matches(const LogEntry& log) const noexcept {
  return !anonymous_ && !log.topics.empty() && log.topics.front() == topic0_;
}

Result<DecodedEvent> EventAbi::decode(const LogEntry& log) const {
  std::size_t first = anonymous_ ? 0 : 1;
  if (!anonymous_ && !matches(log)) {
    return fail(ErrorCode::invalid_argument, "log is not a " + name_ + " event",
                "expected topic0 " + topic0_.hex() + ", got " +
                    (log.topics.empty() ? std::string("no topics") : log.topics.front().hex()));
  }
  std::size_t indexed = std::count_if(params_.begin(), params_.end(), [](const EventParam& p) { return p.indexed; });
  if (log.topics.size() != first + indexed) {
    return fail(ErrorCode::parse_error, name_ + ": wrong number of topics",
                "expected " + std::to_string(first + indexed) + ", got " + std::to_string(log.topics.size()));
  }
  std::vector<AbiType> data_types;
  for (const auto& p : params_) {
    if (!p.indexed) data_types.push_back(p.type);
  }
  auto data_values = abi_decode(data_types, log.data);
  if (!data_values) {
    return fail(ErrorCode::parse_error, name_ + ": data does not decode", data_values.error().to_string());
  }
  auto reencoded = abi_encode(data_types, *data_values);
  if (!reencoded || *reencoded != log.data) {
    return fail(ErrorCode::parse_error, name_ + ": data is not the canonical encoding of its values",
                "got " + std::to_string(log.data.size()) + " bytes, canonical is " +
                    std::to_string(reencoded ? reencoded->size() : 0));
  }
  DecodedEvent out{name_, signature_, {}};
  std::size_t topic = first, data_index = 0;
  for (const auto& p : params_) {
    EventField f{p.name, p.type, p.indexed, false, {}};
    if (!p.indexed) {
      f.value = std::move((*data_values)[data_index++]);
    } else if (is_hashed_when_indexed(p.type)) {
      f.hashed = true;
      f.value = AbiValue(log.topics[topic++]);
    } else {
      auto v = abi_decode(p.type, log.topics[topic].view());
      if (!v) {
        return fail(ErrorCode::parse_error, name_ + ": indexed " + p.name + " is not a valid " + p.type.canonical(),
                    log.topics[topic].hex() + ": " + v.error().message);
      }
      ++topic;
      f.value = std::move(*v);
    }
    out.fields.push_back(std::move(f));
  }
  return out;
}

Result<LogEntry> EventAbi::encode(const Address& emitter, const std::vector<AbiValue>& values) const {
  if (values.size() != params_.size()) {
    return fail(ErrorCode::invalid_argument, name_ + ": wrong number of values",
                "expected " + std::to_string(params_.size()) + ", got " + std::to_string(values.size()));
  }
  LogEntry log;
  log.address = emitter;
  if (!anonymous_) log.topics.push_back(topic0_);
  std::vector<AbiType> data_types;
  std::vector<AbiValue> data_values;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& p = params_[i];
    if (!p.indexed) {
      data_types.push_back(p.type);
      data_values.push_back(values[i]);
      continue;
    }
    if (p.type.kind == AbiType::Kind::bytes || p.type.kind == AbiType::Kind::string) {
      if (values[i].is_bytes()) {
        log.topics.push_back(keccak256(values[i].as_bytes()));
      } else if (values[i].is_string()) {
        log.topics.push_back(keccak256(std::string_view(values[i].as_string())));
      } else {
        return fail(ErrorCode::invalid_argument, name_ + ": " + p.name + " is not bytes or a string");
      }
      continue;
    }
    if (is_hashed_when_indexed(p.type)) {
      return fail(ErrorCode::invalid_argument, name_ + ": encoding indexed arrays and tuples is not supported",
                  p.name);
    }
    auto word = abi_encode(p.type, values[i]);
    if (!word) return pass(word);
    log.topics.push_back(*Hash32::from_bytes(*word));
  }
  auto data = abi_encode(data_types, data_values);
  if (!data) return pass(data);
  log.data = std::move(*data);
  return log;
}

const EventAbi& batch_settlement_event() {
  static const EventAbi e = parse_known(event_signatures::kBatchSettlement);
  return e;
}
const EventAbi& individual_settlement_event() {
  static const EventAbi e = parse_known(event_signatures::kIndividualSettlement);
  return e;
}
const EventAbi& transfer_event() {
  static const EventAbi e = parse_known(event_signatures::kTransfer);
  return e;
}
const EventAbi& authorization_used_event() {
  static const EventAbi e = parse_known(event_signatures::kAuthorizationUsed);
  return e;
}
const EventAbi& tee_registered_event() {
  static const EventAbi e = parse_known(event_signatures::kTeeRegistered);
  return e;
}
const EventAbi& inference_result_event() {
  static const EventAbi e = parse_known(event_signatures::kInferenceResult);
  return e;
}

const std::vector<const EventAbi*>& known_events() {
  static const std::vector<const EventAbi*> all = {
      &batch_settlement_event(),   &individual_settlement_event(), &transfer_event(),
      &authorization_used_event(), &tee_registered_event(),        &inference_result_event()};
  return all;
}

Result<BatchSettlementEvent> decode_batch_settlement(const LogEntry& log) {
  return decode_typed<BatchSettlementEvent>(batch_settlement_event(), log, [](const DecodedEvent& e) {
    return BatchSettlementEvent{word_hash(value_at(e, 0)), value_at(e, 1).as_integer(), value_at(e, 2).as_bytes()};
  });
}

Result<IndividualSettlementEvent> decode_individual_settlement(const LogEntry& log) {
  return decode_typed<IndividualSettlementEvent>(individual_settlement_event(), log, [](const DecodedEvent& e) {
    return IndividualSettlementEvent{word_hash(value_at(e, 0)),      value_at(e, 1).as_address(),
                                     word_hash(value_at(e, 2)),      word_hash(value_at(e, 3)),
                                     value_at(e, 4).as_integer(),    value_at(e, 5).as_bytes(),
                                     value_at(e, 6).as_bytes()};
  });
}

Result<TransferEvent> decode_transfer(const LogEntry& log) {
  return decode_typed<TransferEvent>(transfer_event(), log, [](const DecodedEvent& e) {
    return TransferEvent{value_at(e, 0).as_address(), value_at(e, 1).as_address(), value_at(e, 2).as_integer()};
  });
}

Result<AuthorizationUsedEvent> decode_authorization_used(const LogEntry& log) {
  return decode_typed<AuthorizationUsedEvent>(authorization_used_event(), log, [](const DecodedEvent& e) {
    return AuthorizationUsedEvent{value_at(e, 0).as_address(), word_hash(value_at(e, 1))};
  });
}

Result<TeeRegisteredEvent> decode_tee_registered(const LogEntry& log) {
  return decode_typed<TeeRegisteredEvent>(tee_registered_event(), log, [](const DecodedEvent& e) {
    return TeeRegisteredEvent{word_hash(value_at(e, 0)), value_at(e, 1).as_address(),
                              static_cast<std::uint8_t>(*value_at(e, 2).as_integer().to_uint64()),
                              value_at(e, 3).as_string(), word_hash(value_at(e, 4))};
  });
}

Result<InferenceResultEvent> decode_inference_result(const LogEntry& log) {
  return decode_typed<InferenceResultEvent>(inference_result_event(), log, [](const DecodedEvent& e) {
    return InferenceResultEvent{value_at(e, 0)};
  });
}

KnownEvent decode_known_event(const LogEntry& log) {
  auto raw_on_error = [](const auto& r) -> KnownEvent {
    if (r) return *r;
    return RawLogEvent{r.error()};
  };
  if (batch_settlement_event().matches(log)) return raw_on_error(decode_batch_settlement(log));
  if (individual_settlement_event().matches(log)) return raw_on_error(decode_individual_settlement(log));
  if (transfer_event().matches(log)) return raw_on_error(decode_transfer(log));
  if (authorization_used_event().matches(log)) return raw_on_error(decode_authorization_used(log));
  if (tee_registered_event().matches(log)) return raw_on_error(decode_tee_registered(log));
  if (inference_result_event().matches(log)) return raw_on_error(decode_inference_result(log));
  return RawLogEvent{};
}

std::optional<Result<DecodedEvent>> decode_event(const LogEntry& log, const std::vector<const EventAbi*>& candidates) {
  for (const EventAbi* abi : candidates) {
    if (abi->matches(log)) return abi->decode(log);
  }
  return std::nullopt;
}

Json log_to_json(const LogEntry& log) {
  auto quantity = [](std::uint64_t v) { return U256(v).to_hex(); };
  Json out = Json::object();
  out.set("address", to_checksum_address(log.address));
  Json topics = Json::array();
  for (const auto& t : log.topics) topics.push_back(t.hex());
  out.set("topics", std::move(topics));
  out.set("data", to_hex(log.data));
  if (log.block_number) out.set("blockNumber", quantity(*log.block_number));
  if (log.block_hash) out.set("blockHash", log.block_hash->hex());
  if (log.transaction_hash) out.set("transactionHash", log.transaction_hash->hex());
  if (log.transaction_index) out.set("transactionIndex", quantity(*log.transaction_index));
  if (log.log_index) out.set("logIndex", quantity(*log.log_index));
  out.set("removed", log.removed);
  return out;
}

}  // namespace verinfer
