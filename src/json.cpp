#include "verinfer/json.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace verinfer {
namespace {

namespace od = simdjson::ondemand;

bool is_integer_token(std::string_view t) {
  if (!t.empty() && t.front() == '-') t.remove_prefix(1);
  if (t.empty()) return false;
  if (t.size() > 1 && t.front() == '0') return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim_ws(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\n' || t.back() == '\r' ||
                        t.back() == '\t')) {
    t.remove_suffix(1);
  }
  return t;
}

Error parse_failure(simdjson::error_code code, std::string_view where) {
  return Error{ErrorCode::parse_error, "invalid JSON",
               std::string(simdjson::error_message(code)) + " at " + std::string(where)};
}

class Builder {
 public:
  explicit Builder(const JsonLimits& limits) : limits_(limits) {}

  Result<Json> number(od::value& v) {
    std::string_view token = trim_ws(v.raw_json_token());
    if (is_integer_token(token)) {
      if (token == "-0") return Json(0);
      return Json::integer(token);
    }
    double d = 0;
    if (auto err = v.get_double().get(d); err) return std::unexpected(parse_failure(err, token));
    if (!std::isfinite(d)) {
      return fail(ErrorCode::parse_error, "JSON number out of range", std::string(token));
    }
    return Json(d);
  }

  Result<Json> scalar(od::value& v, od::json_type type) {
    switch (type) {
      case od::json_type::null: {
        bool is_null = false;
        if (auto err = v.is_null().get(is_null); err || !is_null) {
          return std::unexpected(parse_failure(err ? err : simdjson::INCORRECT_TYPE, "null"));
        }
        return Json();
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto err = v.get_bool().get(b); err) return std::unexpected(parse_failure(err, "bool"));
        return Json(b);
      }
      case od::json_type::number: return number(v);
      case od::json_type::string: {
        std::string_view s;
        if (auto err = v.get_string().get(s); err) {
          return std::unexpected(parse_failure(err, "string"));
        }
        return Json(std::string(s));
      }
      default: return fail(ErrorCode::parse_error, "invalid JSON", "unexpected token");
    }
  }

  Result<Json> value(od::value v, std::size_t depth) {
    od::json_type type;
    if (auto err = v.type().get(type); err) return std::unexpected(parse_failure(err, "value"));
    if (type == od::json_type::array) {
      if (depth >= limits_.max_depth) return too_deep();
      od::array arr;
      if (auto err = v.get_array().get(arr); err) {
        return std::unexpected(parse_failure(err, "array"));
      }
      Json::Array out;
      for (auto element : arr) {
        od::value child;
        if (auto err = element.get(child); err) {
          return std::unexpected(parse_failure(err, "array element"));
        }
        auto parsed = value(child, depth + 1);
        if (!parsed) return parsed;
        out.push_back(std::move(*parsed));
      }
      return Json(std::move(out));
    }
    if (type == od::json_type::object) {
      if (depth >= limits_.max_depth) return too_deep();
      od::object obj;
      if (auto err = v.get_object().get(obj); err) {
        return std::unexpected(parse_failure(err, "object"));
      }
      Json::Object out;
      for (auto field : obj) {
        std::string_view key;
        if (auto err = field.unescaped_key().get(key); err) {
          return std::unexpected(parse_failure(err, "object key"));
        }
        std::string owned_key(key);
        od::value child;
        if (auto err = field.value().get(child); err) {
          return std::unexpected(parse_failure(err, "value of \"" + owned_key + "\""));
        }
        auto parsed = value(child, depth + 1);
        if (!parsed) return parsed;
        out.emplace_back(std::move(owned_key), std::move(*parsed));
      }
      if (auto dup = duplicate_key(out)) {
        return fail(ErrorCode::parse_error, "duplicate key in JSON object", "\"" + *dup + "\"");
      }
      return Json(std::move(out));
    }
    return scalar(v, type);
  }

 private:
  static std::optional<std::string> duplicate_key(const Json::Object& members) {
    std::vector<std::string_view> keys;
    keys.reserve(members.size());
    for (const auto& m : members) keys.push_back(m.first);
    std::sort(keys.begin(), keys.end());
    auto it = std::adjacent_find(keys.begin(), keys.end());
    if (it == keys.end()) return std::nullopt;
    return std::string(*it);
  }
  Result<Json> too_deep() const {
    return fail(ErrorCode::resource_exhausted, "JSON nesting too deep",
                "limit " + std::to_string(limits_.max_depth));
  }

  const JsonLimits& limits_;
};

void append_escaped_char(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u00";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

void dump_to(std::string& out, const Json& v) {
  switch (v.kind()) {
    case Json::Kind::null: out += "null"; break;
    case Json::Kind::boolean: out += v.as_bool() ? "true" : "false"; break;
    case Json::Kind::integer: out += v.as_integer_text(); break;
    case Json::Kind::floating: {
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, v.as_float());
      std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
      out += text;
      // Keep float-ness visible so a reader does not take it for an integer.
      if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
      break;
    }
    case Json::Kind::string: append_json_string(out, v.as_string()); break;
    case Json::Kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        dump_to(out, e);
      }
      out += ']';
      break;
    }
    case Json::Kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.as_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
        dump_to(out, e);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

Result<Json> Json::integer(std::string_view decimal) {
  if (!is_integer_token(decimal)) {
    return fail(ErrorCode::invalid_argument, "not a decimal integer", std::string(decimal));
  }
  Json out;
  out.value_ = Integer{decimal == "-0" ? std::string("0") : std::string(decimal)};
  return out;
}

std::optional<std::int64_t> Json::get_int64() const {
  if (!is_integer()) return std::nullopt;
  const auto& t = as_integer_text();
  std::int64_t v = 0;
  auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (res.ec != std::errc() || res.ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> Json::get_uint64() const {
  if (!is_integer()) return std::nullopt;
  const auto& t = as_integer_text();
  std::uint64_t v = 0;
  auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (res.ec != std::errc() || res.ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

std::optional<double> Json::get_number() const {
  if (is_float()) return as_float();
  if (!is_integer()) return std::nullopt;
  const auto& t = as_integer_text();
  double v = 0;
  auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (res.ec != std::errc()) return std::nullopt;
  return v;
}

const Json* Json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : as_object()) {
    if (k == key) return &v;
  }
  return nullptr;
}

Json& Json::set(std::string key, Json value) {
  auto& obj = as_object();
  for (auto& [k, v] : obj) {
    if (k == key) {
      v = std::move(value);
      return v;
    }
  }
  obj.emplace_back(std::move(key), std::move(value));
  return obj.back().second;
}

Json& Json::push_back(Json value) {
  auto& arr = as_array();
  arr.push_back(std::move(value));
  return arr.back();
}

std::string Json::dump() const {
  std::string out;
  dump_to(out, *this);
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          append_escaped_char(out, c);
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

Result<Json> parse_json(std::string_view text, JsonLimits limits) {
  if (text.size() > limits.max_bytes) {
    return fail(ErrorCode::resource_exhausted, "JSON document too large",
                std::to_string(text.size()) + " bytes, limit " + std::to_string(limits.max_bytes));
  }
  // A scalar document is parsed as the only element of an array, so that one
  // code path (and one trailing-content check) serves every document.
  std::size_t first = text.find_first_not_of(" \t\r\n");
  bool scalar = first == std::string_view::npos || (text[first] != '[' && text[first] != '{');
  simdjson::padded_string padded =
      scalar ? simdjson::padded_string("[" + std::string(text) + "]") : simdjson::padded_string(text);
  od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(padded).get(doc); err) {
    return std::unexpected(parse_failure(err, "document"));
  }
  od::value root;
  if (auto err = doc.get_value().get(root); err) {
    return std::unexpected(parse_failure(err, "document"));
  }
  Builder builder(limits);
  auto out = builder.value(root, 0);
  if (!out) return out;
  // After a complete value, any location left means trailing content.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return fail(ErrorCode::parse_error, "invalid JSON", "trailing content");
  }
  if (scalar) {
    if (out->as_array().size() != 1) {
      return fail(ErrorCode::parse_error, "invalid JSON", "expected exactly one value");
    }
    return std::move(out->as_array().front());
  }
  return out;
}

}  // namespace verinfer
