// Solidity ABI (docs.soliditylang.org, "Contract ABI Specification").
#include "verinfer/crypto/abi.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

constexpr std::size_t kWord = 32;
constexpr std::size_t kMaxTypeDepth = 64;
constexpr std::size_t kMaxStaticSize = std::size_t{1} << 30;

// ------------------------------------------------------------------ parsing

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  Result<AbiType> parse_all() {
    auto type = parse_type(0);
    if (!type) return type;
    if (pos_ != text_.size()) return error("unexpected character");
    return type;
  }

  Result<std::vector<AbiType>> parse_list_all() {
    std::vector<AbiType> out;
    if (text_.empty()) return out;
    while (true) {
      auto type = parse_type(0);
      if (!type) return std::unexpected(type.error());
      out.push_back(std::move(*type));
      if (pos_ == text_.size()) return out;
      if (text_[pos_] != ',') return error("expected ','");
      ++pos_;
    }
  }

 private:
  std::unexpected<Error> error(std::string_view what) const {
    std::string at = pos_ < text_.size() ? "'" + std::string(1, text_[pos_]) + "'" : "end of text";
    return fail(ErrorCode::parse_error, "invalid ABI type",
                std::string(what) + " at " + at + " (position " + std::to_string(pos_) + ") in \"" +
                    std::string(text_.substr(0, 200)) + "\"");
  }

  Result<AbiType> parse_type(std::size_t depth) {
    if (depth > kMaxTypeDepth) return error("type nested too deeply");
    AbiType type;
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      type.kind = AbiType::Kind::tuple;
      if (pos_ < text_.size() && text_[pos_] == ')') return error("empty tuple");
      while (true) {
        auto component = parse_type(depth + 1);
        if (!component) return component;
        type.components.push_back(std::move(*component));
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ')') {
          ++pos_;
          break;
        }
        return error("expected ',' or ')'");
      }
    } else {
      std::size_t start = pos_;
      while (pos_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      auto base = elementary(text_.substr(start, pos_ - start));
      if (!base) {
        pos_ = start;
        return error(base.error().message);
      }
      type = std::move(*base);
    }
    while (pos_ < text_.size() && text_[pos_] == '[') {
      if (++depth > kMaxTypeDepth) return error("type nested too deeply");
      ++pos_;
      std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      std::string_view digits = text_.substr(start, pos_ - start);
      if (pos_ >= text_.size() || text_[pos_] != ']') return error("expected ']'");
      ++pos_;
      AbiType array;
      array.components.push_back(std::move(type));
      if (digits.empty()) {
        array.kind = AbiType::Kind::array;
      } else {
        if (digits.size() > 1 && digits[0] == '0') return error("array length with leading zero");
        auto length = U256::from_decimal(digits);
        auto small = length ? length->to_uint64() : std::nullopt;
        if (!small || *small == 0 || *small > (1u << 20)) {
          return error("array length must be between 1 and 2^20");
        }
        array.kind = AbiType::Kind::fixed_array;
        array.size = static_cast<std::size_t>(*small);
        // Bounds static_size() so it cannot overflow however deep the nesting.
        if (!array.is_dynamic() && array.static_size() > kMaxStaticSize) {
          return error("static type larger than 2^30 bytes");
        }
      }
      type = std::move(array);
    }
    return type;
  }

  // uintN, intN, address, bool, bytesN, bytes, string.
  static Result<AbiType> elementary(std::string_view name) {
    AbiType t;
    auto number_after = [&](std::string_view prefix) -> std::optional<unsigned> {
      std::string_view digits = name.substr(prefix.size());
      if (digits.empty()) return 0;
      if (digits[0] == '0' || digits.size() > 3) return std::nullopt;
      unsigned n = 0;
      for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<unsigned>(c - '0');
      }
      return n;
    };
    if (name == "address") {
      t.kind = AbiType::Kind::address;
    } else if (name == "bool") {
      t.kind = AbiType::Kind::boolean;
    } else if (name == "string") {
      t.kind = AbiType::Kind::string;
    } else if (name == "bytes") {
      t.kind = AbiType::Kind::bytes;
    } else if (name.starts_with("bytes")) {
      auto n = number_after("bytes");
      if (!n || *n < 1 || *n > 32) return fail(ErrorCode::parse_error, "bytesN needs N in 1..32");
      t.kind = AbiType::Kind::fixed_bytes;
      t.size = *n;
    } else if (name.starts_with("uint") || name.starts_with("int")) {
      bool is_unsigned = name.starts_with("uint");
      auto n = number_after(is_unsigned ? "uint" : "int");
      if (n && *n == 0) n = 256;  // "uint" is an alias of uint256
      if (!n || *n % 8 != 0 || *n > 256) {
        return fail(ErrorCode::parse_error, "intN/uintN needs N in 8..256, a multiple of 8");
      }
      t.kind = is_unsigned ? AbiType::Kind::uint : AbiType::Kind::int_;
      t.bits = *n;
    } else if (name.empty()) {
      return fail(ErrorCode::parse_error, "expected a type name");
    } else {
      return fail(ErrorCode::parse_error, "unknown type \"" + std::string(name) + "\"");
    }
    return t;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// ----------------------------------------------------------------- encoding

std::string describe(const AbiType& type) { return type.canonical(); }

std::unexpected<Error> mismatch(const AbiType& type, std::string_view got) {
  return fail(ErrorCode::invalid_argument, "value does not match ABI type",
              "expected " + describe(type) + ", got " + std::string(got));
}

std::string kind_name(const AbiValue& v) {
  if (v.is_integer()) return "an integer";
  if (v.is_bool()) return "a bool";
  if (v.is_address()) return "an address";
  if (v.is_bytes()) return "bytes";
  if (v.is_string()) return "a string";
  return "a list";
}

void append_word(Bytes& out, const Hash32& word) { out.insert(out.end(), word.begin(), word.end()); }

void append_padded(Bytes& out, ByteView data) {
  append_word(out, U256(data.size()).to_word());
  out.insert(out.end(), data.begin(), data.end());
  out.resize(out.size() + (kWord - data.size() % kWord) % kWord, 0);
}

Status encode_into(Bytes& out, const AbiType& type, const AbiValue& value, std::size_t depth);

Status encode_sequence(Bytes& out, const std::vector<const AbiType*>& types,
                       const AbiValue::List& values, std::size_t depth) {
  std::size_t head_size = 0;
  for (const AbiType* t : types) head_size += t->is_dynamic() ? kWord : t->static_size();
  Bytes head;
  Bytes tail;
  head.reserve(head_size);
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (types[i]->is_dynamic()) {
      append_word(head, U256(head_size + tail.size()).to_word());
      auto ok = encode_into(tail, *types[i], values[i], depth + 1);
      if (!ok) return ok;
    } else {
      auto ok = encode_into(head, *types[i], values[i], depth + 1);
      if (!ok) return ok;
    }
  }
  out.insert(out.end(), head.begin(), head.end());
  out.insert(out.end(), tail.begin(), tail.end());
  return {};
}

Status encode_into(Bytes& out, const AbiType& type, const AbiValue& value, std::size_t depth) {
  if (depth > kMaxTypeDepth) return fail(ErrorCode::resource_exhausted, "ABI value nested too deeply");
  using K = AbiType::Kind;
  switch (type.kind) {
    case K::uint:
      if (!value.is_integer()) return mismatch(type, kind_name(value));
      if (!fits_unsigned(value.as_integer(), type.bits)) {
        return mismatch(type, value.as_integer().to_decimal() + " (out of range)");
      }
      append_word(out, value.as_integer().to_word());
      return {};
    case K::int_:
      if (!value.is_integer()) return mismatch(type, kind_name(value));
      if (!fits_signed(value.as_integer(), type.bits)) {
        return mismatch(type, signed_to_decimal(value.as_integer()) + " (out of range)");
      }
      append_word(out, value.as_integer().to_word());
      return {};
    case K::address: {
      if (!value.is_address()) return mismatch(type, kind_name(value));
      Hash32 word;
      std::copy(value.as_address().begin(), value.as_address().end(), word.bytes.begin() + 12);
      append_word(out, word);
      return {};
    }
    case K::boolean:
      if (!value.is_bool()) return mismatch(type, kind_name(value));
      append_word(out, U256(value.as_bool() ? 1 : 0).to_word());
      return {};
    case K::fixed_bytes: {
      if (!value.is_bytes()) return mismatch(type, kind_name(value));
      if (value.as_bytes().size() != type.size) {
        return mismatch(type, std::to_string(value.as_bytes().size()) + " bytes");
      }
      Hash32 word;
      std::copy(value.as_bytes().begin(), value.as_bytes().end(), word.bytes.begin());
      append_word(out, word);
      return {};
    }
    case K::bytes:
      if (!value.is_bytes()) return mismatch(type, kind_name(value));
      append_padded(out, value.as_bytes());
      return {};
    case K::string:
      if (!value.is_string()) return mismatch(type, kind_name(value));
      append_padded(out, as_bytes(value.as_string()));
      return {};
    case K::array:
    case K::fixed_array:
    case K::tuple: {
      if (!value.is_list()) return mismatch(type, kind_name(value));
      const auto& items = value.as_list();
      std::vector<const AbiType*> types;
      if (type.kind == K::tuple) {
        if (items.size() != type.components.size()) {
          return mismatch(type, "a list of " + std::to_string(items.size()));
        }
        for (const auto& c : type.components) types.push_back(&c);
      } else {
        if (type.kind == K::fixed_array && items.size() != type.size) {
          return mismatch(type, "a list of " + std::to_string(items.size()));
        }
        types.assign(items.size(), &type.components[0]);
        if (type.kind == K::array) append_word(out, U256(items.size()).to_word());
      }
      return encode_sequence(out, types, items, depth);
    }
  }
  return fail(ErrorCode::internal, "unhandled ABI type");
}

// ----------------------------------------------------------------- decoding

class Decoder {
 public:
  Decoder(ByteView data, AbiLimits limits) : data_(data), limits_(limits) {}

  // Decodes `type` whose encoding starts at absolute position `at`.
  Result<AbiValue> value(const AbiType& type, std::size_t at, std::size_t depth) {
    if (depth > limits_.max_depth) {
      return fail(ErrorCode::resource_exhausted, "ABI data nested too deeply",
                  "limit " + std::to_string(limits_.max_depth));
    }
    if (values_ >= limits_.max_values) {
      return fail(ErrorCode::resource_exhausted, "ABI data has too many values",
                  "limit " + std::to_string(limits_.max_values));
    }
    ++values_;
    using K = AbiType::Kind;
    switch (type.kind) {
      case K::uint:
      case K::int_: {
        auto w = word(at, type);
        if (!w) return std::unexpected(w.error());
        U256 v = U256::from_word(*w);
        bool fits = type.kind == K::uint ? fits_unsigned(v, type.bits) : fits_signed(v, type.bits);
        if (!fits) return bad(at, describe(type) + " out of range: " + w->hex());
        return AbiValue(v);
      }
      case K::address: {
        auto w = word(at, type);
        if (!w) return std::unexpected(w.error());
        if (!std::all_of(w->begin(), w->begin() + 12, [](std::uint8_t b) { return b == 0; })) {
          return bad(at, "address has non-zero high bytes: " + w->hex());
        }
        Address a;
        std::copy(w->begin() + 12, w->end(), a.bytes.begin());
        return AbiValue(a);
      }
      case K::boolean: {
        auto w = word(at, type);
        if (!w) return std::unexpected(w.error());
        U256 v = U256::from_word(*w);
        if (v > U256(1)) return bad(at, "bool must be 0 or 1, got " + w->hex());
        return AbiValue(v == U256(1));
      }
      case K::fixed_bytes: {
        auto w = word(at, type);
        if (!w) return std::unexpected(w.error());
        if (!std::all_of(w->begin() + static_cast<std::ptrdiff_t>(type.size), w->end(),
                         [](std::uint8_t b) { return b == 0; })) {
          return bad(at, describe(type) + " has non-zero padding: " + w->hex());
        }
        return AbiValue(Bytes(w->begin(), w->begin() + static_cast<std::ptrdiff_t>(type.size)));
      }
      case K::bytes:
      case K::string: {
        auto content = dynamic_bytes(at, type);
        if (!content) return std::unexpected(content.error());
        if (type.kind == K::bytes) return AbiValue(std::move(*content));
        std::string text(content->begin(), content->end());
        if (!simdjson::validate_utf8(text.data(), text.size())) {
          return bad(at, "string is not valid UTF-8");
        }
        return AbiValue(std::move(text));
      }
      case K::tuple: {
        std::vector<const AbiType*> types;
        for (const auto& c : type.components) types.push_back(&c);
        return sequence(types, at, depth);
      }
      case K::fixed_array:
        return sequence(std::vector<const AbiType*>(type.size, &type.components[0]), at, depth);
      case K::array: {
        auto length = length_at(at, type);
        if (!length) return std::unexpected(length.error());
        const AbiType& element = type.components[0];
        std::size_t per = element.is_dynamic() ? kWord : element.static_size();
        std::size_t room = data_.size() - (at + kWord);
        if (*length > room / per) {
          return bad(at, describe(type) + " length " + std::to_string(*length) + " needs " +
                             std::to_string(per) + " bytes each, only " + std::to_string(room) +
                             " remain");
        }
        return sequence(std::vector<const AbiType*>(*length, &element), at + kWord, depth);
      }
    }
    return fail(ErrorCode::internal, "unhandled ABI type");
  }

  // Head/tail layout starting at `base`; offsets are relative to `base`.
  Result<AbiValue> sequence(const std::vector<const AbiType*>& types, std::size_t base,
                            std::size_t depth) {
    AbiValue::List out;
    out.reserve(types.size());
    std::size_t head = base;
    for (const AbiType* t : types) {
      if (t->is_dynamic()) {
        auto w = word(head, *t);
        if (!w) return std::unexpected(w.error());
        auto offset = U256::from_word(*w).to_uint64();
        if (!offset || *offset > data_.size() - base) {
          return bad(head, "offset " + U256::from_word(*w).to_decimal() + " points past the end (" +
                               std::to_string(data_.size() - base) + " bytes from the start of " +
                               "its tuple)");
        }
        auto v = value(*t, base + static_cast<std::size_t>(*offset), depth + 1);
        if (!v) return v;
        out.push_back(std::move(*v));
        head += kWord;
      } else {
        auto v = value(*t, head, depth + 1);
        if (!v) return v;
        out.push_back(std::move(*v));
        head += t->static_size();
      }
    }
    return AbiValue(std::move(out));
  }

 private:
  std::unexpected<Error> bad(std::size_t at, std::string what) const {
    return fail(ErrorCode::parse_error, "malformed ABI data",
                what + " (at byte " + std::to_string(at) + ")");
  }

  Result<Hash32> word(std::size_t at, const AbiType& type) const {
    if (at > data_.size() || data_.size() - at < kWord) {
      return bad(at, "truncated: " + describe(type) + " needs 32 bytes, " +
                         std::to_string(at > data_.size() ? 0 : data_.size() - at) + " remain");
    }
    Hash32 w;
    std::copy(data_.begin() + static_cast<std::ptrdiff_t>(at),
              data_.begin() + static_cast<std::ptrdiff_t>(at + kWord), w.bytes.begin());
    return w;
  }

  Result<std::size_t> length_at(std::size_t at, const AbiType& type) const {
    auto w = word(at, type);
    if (!w) return std::unexpected(w.error());
    auto length = U256::from_word(*w).to_uint64();
    if (!length || *length > data_.size()) {
      return bad(at, describe(type) + " length " + U256::from_word(*w).to_decimal() +
                         " exceeds the data (" + std::to_string(data_.size()) + " bytes)");
    }
    return static_cast<std::size_t>(*length);
  }

  Result<Bytes> dynamic_bytes(std::size_t at, const AbiType& type) const {
    auto length = length_at(at, type);
    if (!length) return std::unexpected(length.error());
    std::size_t start = at + kWord;
    std::size_t padded = (*length + kWord - 1) / kWord * kWord;
    if (data_.size() - start < padded) {
      return bad(at, "truncated: " + describe(type) + " of length " + std::to_string(*length) +
                         " needs " + std::to_string(padded) + " bytes, " +
                         std::to_string(data_.size() - start) + " remain");
    }
    auto first = data_.begin() + static_cast<std::ptrdiff_t>(start);
    auto last = first + static_cast<std::ptrdiff_t>(*length);
    auto pad_end = first + static_cast<std::ptrdiff_t>(padded);
    if (!std::all_of(last, pad_end, [](std::uint8_t b) { return b == 0; })) {
      return bad(start + *length, describe(type) + " has non-zero padding");
    }
    return Bytes(first, last);
  }

  ByteView data_;
  AbiLimits limits_;
  std::size_t values_ = 0;
};

// ---------------------------------------------------------------------- JSON

std::unexpected<Error> json_mismatch(const AbiType& type, const Json& json) {
  return fail(ErrorCode::invalid_argument, "JSON value does not match ABI type",
              "expected " + describe(type) + ", got " + json.dump().substr(0, 120));
}

Result<U256> integer_from_json(const AbiType& type, const Json& json) {
  std::string text;
  if (json.is_integer()) {
    text = json.as_integer_text();
  } else if (json.is_string()) {
    text = json.as_string();
  } else {
    return json_mismatch(type, json);
  }
  bool is_signed = type.kind == AbiType::Kind::int_;
  if (!is_signed && text.starts_with('-')) {
    return fail(ErrorCode::invalid_argument, "negative value for an unsigned type",
                describe(type) + " got " + text);
  }
  auto v = is_signed ? signed_from_text(text) : U256::parse(text);
  if (!v) return v;
  bool fits = is_signed ? fits_signed(*v, type.bits) : fits_unsigned(*v, type.bits);
  if (!fits) {
    return fail(ErrorCode::invalid_argument, "integer out of range",
                "expected a " + describe(type) + ", got " + text);
  }
  return v;
}

}  // namespace

// ------------------------------------------------------------------- AbiType

Result<AbiType> AbiType::parse(std::string_view text) { return TypeParser(text).parse_all(); }

Result<std::vector<AbiType>> parse_abi_types(std::string_view list) {
  return TypeParser(list).parse_list_all();
}

AbiType AbiType::tuple(std::vector<AbiType> components) {
  AbiType t;
  t.kind = Kind::tuple;
  t.components = std::move(components);
  return t;
}

std::string AbiType::canonical() const {
  switch (kind) {
    case Kind::uint: return "uint" + std::to_string(bits);
    case Kind::int_: return "int" + std::to_string(bits);
    case Kind::address: return "address";
    case Kind::boolean: return "bool";
    case Kind::fixed_bytes: return "bytes" + std::to_string(size);
    case Kind::bytes: return "bytes";
    case Kind::string: return "string";
    case Kind::array: return components[0].canonical() + "[]";
    case Kind::fixed_array: return components[0].canonical() + "[" + std::to_string(size) + "]";
    case Kind::tuple: {
      std::string out = "(";
      for (std::size_t i = 0; i < components.size(); ++i) {
        if (i) out += ",";
        out += components[i].canonical();
      }
      return out + ")";
    }
  }
  return "?";
}

bool AbiType::is_dynamic() const {
  switch (kind) {
    case Kind::bytes:
    case Kind::string:
    case Kind::array: return true;
    case Kind::fixed_array: return components[0].is_dynamic();
    case Kind::tuple:
      return std::any_of(components.begin(), components.end(),
                         [](const AbiType& c) { return c.is_dynamic(); });
    default: return false;
  }
}

std::size_t AbiType::static_size() const {
  if (kind == Kind::fixed_array) return size * components[0].static_size();
  if (kind == Kind::tuple) {
    std::size_t total = 0;
    for (const auto& c : components) total += c.is_dynamic() ? kWord : c.static_size();
    return total;
  }
  return kWord;
}

// ------------------------------------------------------------- encode/decode

Result<Bytes> abi_encode(const AbiType& type, const AbiValue& value) {
  Bytes out;
  auto ok = encode_into(out, type, value, 0);
  if (!ok) return std::unexpected(ok.error());
  return out;
}

Result<Bytes> abi_encode(const std::vector<AbiType>& types, const std::vector<AbiValue>& values) {
  if (types.size() != values.size()) {
    return fail(ErrorCode::invalid_argument, "wrong number of ABI values",
                "expected " + std::to_string(types.size()) + ", got " + std::to_string(values.size()));
  }
  std::vector<const AbiType*> pointers;
  for (const auto& t : types) pointers.push_back(&t);
  Bytes out;
  auto ok = encode_sequence(out, pointers, values, 0);
  if (!ok) return std::unexpected(ok.error());
  return out;
}

Result<AbiValue> abi_decode(const AbiType& type, ByteView data, AbiLimits limits) {
  return Decoder(data, limits).value(type, 0, 0);
}

Result<std::vector<AbiValue>> abi_decode(const std::vector<AbiType>& types, ByteView data,
                                         AbiLimits limits) {
  std::vector<const AbiType*> pointers;
  for (const auto& t : types) pointers.push_back(&t);
  auto list = Decoder(data, limits).sequence(pointers, 0, 0);
  if (!list) return std::unexpected(list.error());
  return list->as_list();
}

// ---------------------------------------------------------------------- JSON

Result<AbiValue> abi_value_from_json(const AbiType& type, const Json& json) {
  using K = AbiType::Kind;
  switch (type.kind) {
    case K::uint:
    case K::int_: {
      auto v = integer_from_json(type, json);
      if (!v) return std::unexpected(v.error());
      return AbiValue(*v);
    }
    case K::address: {
      if (!json.is_string()) return json_mismatch(type, json);
      auto a = parse_address(json.as_string());
      if (!a) return std::unexpected(a.error());
      return AbiValue(*a);
    }
    case K::boolean:
      if (!json.is_bool()) return json_mismatch(type, json);
      return AbiValue(json.as_bool());
    case K::fixed_bytes:
    case K::bytes: {
      if (!json.is_string()) return json_mismatch(type, json);
      if (!json.as_string().starts_with("0x")) {
        return fail(ErrorCode::parse_error, "bytes must be 0x-prefixed hex",
                    describe(type) + " got \"" + json.as_string().substr(0, 80) + "\"");
      }
      auto b = from_hex(json.as_string());
      if (!b) return std::unexpected(b.error());
      if (type.kind == K::fixed_bytes && b->size() != type.size) {
        return fail(ErrorCode::invalid_argument, "wrong length for " + describe(type),
                    "expected " + std::to_string(type.size) + " bytes, got " +
                        std::to_string(b->size()));
      }
      return AbiValue(std::move(*b));
    }
    case K::string:
      if (!json.is_string()) return json_mismatch(type, json);
      return AbiValue(json.as_string());
    case K::array:
    case K::fixed_array:
    case K::tuple: {
      if (!json.is_array()) return json_mismatch(type, json);
      const auto& items = json.as_array();
      std::size_t want = type.kind == K::tuple ? type.components.size() : type.size;
      if (type.kind != K::array && items.size() != want) {
        return fail(ErrorCode::invalid_argument, "wrong number of elements for " + describe(type),
                    "expected " + std::to_string(want) + ", got " + std::to_string(items.size()));
      }
      AbiValue::List out;
      for (std::size_t i = 0; i < items.size(); ++i) {
        const AbiType& t = type.kind == K::tuple ? type.components[i] : type.components[0];
        auto v = abi_value_from_json(t, items[i]);
        if (!v) return v;
        out.push_back(std::move(*v));
      }
      return AbiValue(std::move(out));
    }
  }
  return fail(ErrorCode::internal, "unhandled ABI type");
}

Result<Json> abi_value_to_json(const AbiType& type, const AbiValue& value) {
  using K = AbiType::Kind;
  auto wrong = [&]() { return mismatch(type, kind_name(value)); };
  switch (type.kind) {
    case K::uint:
      if (!value.is_integer()) return wrong();
      return Json(value.as_integer().to_decimal());
    case K::int_:
      if (!value.is_integer()) return wrong();
      return Json(signed_to_decimal(value.as_integer()));
    case K::address:
      if (!value.is_address()) return wrong();
      return Json(to_checksum_address(value.as_address()));
    case K::boolean:
      if (!value.is_bool()) return wrong();
      return Json(value.as_bool());
    case K::fixed_bytes:
    case K::bytes:
      if (!value.is_bytes()) return wrong();
      return Json(to_hex(value.as_bytes()));
    case K::string:
      if (!value.is_string()) return wrong();
      return Json(value.as_string());
    case K::array:
    case K::fixed_array:
    case K::tuple: {
      if (!value.is_list()) return wrong();
      const auto& items = value.as_list();
      if (type.kind == K::tuple && items.size() != type.components.size()) return wrong();
      Json out = Json::array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        const AbiType& t = type.kind == K::tuple ? type.components[i] : type.components[0];
        auto j = abi_value_to_json(t, items[i]);
        if (!j) return j;
        out.push_back(std::move(*j));
      }
      return out;
    }
  }
  return fail(ErrorCode::internal, "unhandled ABI type");
}

// --------------------------------------------------------------- signatures

Result<std::string> canonical_signature(std::string_view signature) {
  std::size_t open = signature.find('(');
  if (open == std::string_view::npos || !signature.ends_with(')')) {
    return fail(ErrorCode::parse_error, "signature must look like name(T1,...,Tn)",
                "got \"" + std::string(signature.substr(0, 200)) + "\"");
  }
  std::string_view name = signature.substr(0, open);
  bool valid_name = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
                    });
  if (!valid_name) {
    return fail(ErrorCode::parse_error, "invalid function or event name",
                "got \"" + std::string(name.substr(0, 100)) + "\"");
  }
  auto params = parse_abi_types(signature.substr(open + 1, signature.size() - open - 2));
  if (!params) return std::unexpected(params.error());
  std::string out = std::string(name) + "(";
  for (std::size_t i = 0; i < params->size(); ++i) {
    if (i) out += ",";
    out += (*params)[i].canonical();
  }
  return out + ")";
}

Result<Hash32> event_topic(std::string_view signature) {
  auto canonical = canonical_signature(signature);
  if (!canonical) return std::unexpected(canonical.error());
  return keccak256(std::string_view(*canonical));
}

Result<FixedBytes<4>> function_selector(std::string_view signature) {
  auto hash = event_topic(signature);  // the same hash; a selector keeps 4 bytes
  if (!hash) return std::unexpected(hash.error());
  FixedBytes<4> out;
  std::copy(hash->begin(), hash->begin() + 4, out.bytes.begin());
  return out;
}

}  // namespace verinfer
