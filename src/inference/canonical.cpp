// Canonical request bytes as OpenGradient's gateway hashes them. Rules from
// PROTOCOL.md section 2.1, the gateway's `_chat_request_to_dict` and the
// SDK's `build_inner_request` / `canonical_user_content` (read, not copied);
// tests/vectors/tee_response pins every rule with a case.
#include "verinfer/inference/canonical.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void append_u_escape(std::string& out, std::uint32_t unit) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHexDigits[(unit >> shift) & 0xF];
}

// Decodes one UTF-8 sequence at text[i]; returns its length, or 0 if it is
// not well-formed (overlong, surrogate, beyond U+10FFFF, truncated).
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  if (len == 1) {
    cp = b0;
    return 1;
  }
  cp = b0 & (0x7Fu >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  static constexpr std::uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// The first position from `i` of an 8-byte word holding a byte Python would
// not write as it is (< 0x20, >= 0x7F, '"' or '\\'), tested a word at a time
// with the classic "has a zero / a smaller byte" bit tricks; the caller scans
// that word byte by byte.
std::size_t plain_run_end(std::string_view text, std::size_t i) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    const std::uint64_t special = ((w - kOnes * 0x20) & ~w & kHighs)  // < 0x20
                                  | (w & kHighs)                     // >= 0x80
                                  | has_zero(w ^ (kOnes * 0x7F)) | has_zero(w ^ (kOnes * '"')) |
                                  has_zero(w ^ (kOnes * '\\'));
    if (special != 0) break;
  }
  return i;
}

// Python's json string encoder with ensure_ascii=True (json.encoder's
// ESCAPE_ASCII: everything outside ' '..'~' plus '"' and '\\' is escaped).
Status append_python_string(std::string& out, std::string_view text) {
  // Bytes Python writes as they are: printable ASCII but '"' and '\\'.
  auto plain = [](char c) { return c >= ' ' && c <= '~' && c != '"' && c != '\\'; };
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    // Copy a run of plain bytes at once: most text is one long run.
    std::size_t run = plain_run_end(text, i);
    while (run < text.size() && plain(text[run])) ++run;
    out.append(text, i, run - i);
    i = run;
    if (i == text.size()) break;
    std::uint32_t cp = 0;
    std::size_t len = decode_utf8(text, i, cp);
    if (len == 0) {
      return fail(ErrorCode::invalid_argument, "string is not valid UTF-8",
                  "bad sequence at byte " + std::to_string(i));
    }
    i += len;
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp >= 0x20 && cp <= 0x7E) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      append_u_escape(out, cp);
    } else {
      std::uint32_t v = cp - 0x10000;
      append_u_escape(out, 0xD800 + (v >> 10));
      append_u_escape(out, 0xDC00 + (v & 0x3FF));
    }
  }
  out += '"';
  return {};
}

bool utf8_code_point_less(const Json::Member* a, const Json::Member* b) {
  // Byte order of UTF-8 equals code-point order, which is Python's str order.
  return std::lexicographical_compare(
      a->first.begin(), a->first.end(), b->first.begin(), b->first.end(),
      [](char x, char y) { return static_cast<unsigned char>(x) < static_cast<unsigned char>(y); });
}

Status dump_python(std::string& out, const Json& v) {
  switch (v.kind()) {
    case Json::Kind::null: out += "null"; return {};
    case Json::Kind::boolean: out += v.as_bool() ? "true" : "false"; return {};
    case Json::Kind::integer: out += v.as_integer_text(); return {};
    case Json::Kind::floating: out += python_float_repr(v.as_float()); return {};
    case Json::Kind::string: return append_python_string(out, v.as_string());
    case Json::Kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        if (auto s = dump_python(out, element); !s) return s;
      }
      out += ']';
      return {};
    }
    case Json::Kind::object: {
      std::vector<const Json::Member*> members;
      members.reserve(v.as_object().size());
      for (const auto& m : v.as_object()) members.push_back(&m);
      std::stable_sort(members.begin(), members.end(), utf8_code_point_less);
      out += '{';
      bool first = true;
      for (const auto* m : members) {
        if (!first) out += ", ";
        first = false;
        if (auto s = append_python_string(out, m->first); !s) return s;
        out += ": ";
        if (auto s = dump_python(out, m->second); !s) return s;
      }
      out += '}';
      return {};
    }
  }
  return fail(ErrorCode::internal, "unknown JSON kind");
}

// ---- Python semantics the reduction relies on ------------------------------

// Python's bool(x) for a JSON value (None, False, 0, 0.0, "", [], {} are false).
bool python_truthy(const Json& v) {
  switch (v.kind()) {
    case Json::Kind::null: return false;
    case Json::Kind::boolean: return v.as_bool();
    case Json::Kind::integer: return v.as_integer_text() != "0";
    case Json::Kind::floating: return v.as_float() != 0.0;
    case Json::Kind::string: return !v.as_string().empty();
    case Json::Kind::array: return !v.as_array().empty();
    case Json::Kind::object: return !v.as_object().empty();
  }
  return false;
}

// Python's str(x) for scalars; containers would need Python's repr of dicts
// and lists, which we do not reproduce (the SDK's own docs call it unreliable).
Result<std::string> python_str(const Json& v, std::string_view where) {
  switch (v.kind()) {
    case Json::Kind::null: return std::string("None");
    case Json::Kind::boolean: return std::string(v.as_bool() ? "True" : "False");
    case Json::Kind::integer: return v.as_integer_text();
    case Json::Kind::floating: return python_float_repr(v.as_float());
    case Json::Kind::string: return v.as_string();
    default:
      return fail(ErrorCode::invalid_argument, "value cannot be canonicalised",
                  std::string(where) + ": the gateway hashes Python's str() of this " +
                      (v.is_array() ? "list" : "object") + ", which is not reproduced");
  }
}

// Python's float(x) for the temperature field.
Result<double> python_float(const Json& v) {
  if (v.is_float()) return v.as_float();
  if (v.is_bool()) return v.as_bool() ? 1.0 : 0.0;
  if (v.is_integer()) {
    const std::string& text = v.as_integer_text();
    double d = 0;
    auto res = std::from_chars(text.data(), text.data() + text.size(), d);
    if (res.ec != std::errc() || !std::isfinite(d)) {
      return fail(ErrorCode::invalid_argument, "temperature out of range",
                  "integer too large for a float: " + text);
    }
    return d;
  }
  return fail(ErrorCode::invalid_argument, "temperature is not a number",
              "expected a number or null, got " + v.dump());
}

const Json kNull;

// dict.get(key) / dict.get(key, default) on a JSON object.
const Json& get_or(const Json& object, std::string_view key, const Json& fallback = kNull) {
  const Json* v = object.find(key);
  return v != nullptr ? *v : fallback;
}

std::string at(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

Json make_object(std::initializer_list<std::pair<const char*, Json>> members) {
  Json out = Json::object();
  for (const auto& [k, v] : members) out.set(k, v);
  return out;
}

// ---- per-role message reduction --------------------------------------------

Result<Json> canonical_user_content(const Json& content, std::string_view where) {
  if (content.is_string()) return content;
  if (!content.is_array()) {
    auto text = python_str(content, where);
    if (!text) return std::unexpected(text.error());
    return Json(*text);
  }
  Json parts = Json::array();
  const auto& items = content.as_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Json& part = items[i];
    if (!part.is_object()) {
      auto text = python_str(part, at(where, i));
      if (!text) return std::unexpected(text.error());
      parts.push_back(make_object({{"type", "text"}, {"text", *text}}));
      continue;
    }
    const Json& type = get_or(part, "type");
    if (type == Json("text")) {
      const Json& text = get_or(part, "text");
      parts.push_back(make_object({{"type", "text"}, {"text", python_truthy(text) ? text : Json("")}}));
      continue;
    }
    // Attachments keep only their kind and file name: the bytes are not hashed.
    Json entry = make_object({{"type", type}});
    const Json& file = get_or(part, "file");
    const Json& from_file = file.is_object() ? get_or(file, "filename") : kNull;
    const Json& filename = python_truthy(from_file) ? from_file : get_or(part, "filename");
    if (python_truthy(filename)) entry.set("filename", filename);
    parts.push_back(std::move(entry));
  }
  return parts;
}

Result<Json> canonical_tool_calls(const Json& calls, std::string_view where) {
  if (!calls.is_array()) {
    return fail(ErrorCode::invalid_argument, "tool_calls is not a list",
                std::string(where) + ": got " + calls.dump());
  }
  static const Json kEmptyText("");
  static const Json kFunction("function");
  static const Json kEmptyObject = Json::object();
  Json out = Json::array();
  const auto& items = calls.as_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Json& call = items[i];
    const Json& function = call.is_object() ? get_or(call, "function", kEmptyObject) : kNull;
    if (!call.is_object() || !function.is_object()) {
      return fail(ErrorCode::invalid_argument, "malformed tool call",
                  at(where, i) + ": expected {id, type, function: {name, arguments}}, got " +
                      call.dump());
    }
    out.push_back(make_object({{"id", get_or(call, "id", kEmptyText)},
                               {"type", get_or(call, "type", kFunction)},
                               {"function", make_object({{"name", get_or(function, "name", kEmptyText)},
                                                         {"arguments", get_or(function, "arguments", kEmptyText)}})}}));
  }
  return out;
}

Result<Json> canonical_message(const Json& message, std::string_view where) {
  if (!message.is_object()) {
    return fail(ErrorCode::invalid_argument, "message is not an object",
                std::string(where) + ": got " + message.dump());
  }
  const Json& role = get_or(message, "role");
  const std::string role_text = role.is_string() ? role.as_string() : std::string();
  const Json& content = get_or(message, "content");
  if (role_text == "system" || role_text == "developer") {
    // The SDK sends developer messages as system ones; both hash as system.
    return make_object({{"role", "system"}, {"content", content}});
  }
  if (role_text == "user") {
    auto reduced = canonical_user_content(content, std::string(where) + ".content");
    if (!reduced) return reduced;
    return make_object({{"role", "user"}, {"content", std::move(*reduced)}});
  }
  if (role_text == "assistant") {
    Json out = make_object({{"role", "assistant"}, {"content", python_truthy(content) ? content : Json("")}});
    const Json& calls = get_or(message, "tool_calls");
    if (python_truthy(calls)) {
      auto reduced = canonical_tool_calls(calls, std::string(where) + ".tool_calls");
      if (!reduced) return reduced;
      out.set("tool_calls", std::move(*reduced));
    }
    return out;
  }
  if (role_text == "tool") {
    return make_object({{"role", "tool"}, {"content", content}, {"tool_call_id", get_or(message, "tool_call_id")}});
  }
  if (role_text == "function") {
    return make_object({{"role", "function"}, {"content", content}, {"name", get_or(message, "name")}});
  }
  return fail(ErrorCode::invalid_argument, "unknown message role",
              std::string(where) + ".role: expected system, developer, user, assistant, tool or "
                                   "function, got " + role.dump());
}

// The fields both request kinds share: model, temperature, max_tokens, stop.
Result<Json> canonical_common(const Json& body, std::string_view kind) {
  if (!body.is_object()) {
    return fail(ErrorCode::invalid_argument, std::string(kind) + " request is not a JSON object",
                "got " + body.dump());
  }
  const Json& model = get_or(body, "model");
  if (!model.is_string() || model.as_string().empty()) {
    return fail(ErrorCode::invalid_argument, std::string(kind) + " request has no model",
                "expected a non-empty string, got " + model.dump());
  }
  const Json& temperature = get_or(body, "temperature");
  double t = 0.0;
  if (!temperature.is_null()) {
    auto converted = python_float(temperature);
    if (!converted) return std::unexpected(converted.error());
    t = *converted;
  }
  Json out = make_object({{"model", model}, {"temperature", Json(t)}});
  if (const Json& max_tokens = get_or(body, "max_tokens"); !max_tokens.is_null()) {
    out.set("max_tokens", max_tokens);
  }
  if (const Json& stop = get_or(body, "stop"); python_truthy(stop)) out.set("stop", stop);
  return out;
}

}  // namespace

std::string python_float_repr(double value) {
  // Shortest round-trip digits in scientific form, then Python's layout.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  std::string_view exp_text = sci.substr(e + 1);
  if (exp_text.front() == '+') exp_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

  if (exponent < -4 || exponent >= 16) {
    out += digits.front();
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += exponent < 0 ? "e-" : "e+";
    int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
  } else if (exponent >= 0) {
    auto int_len = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= int_len) {
      out += digits;
      out.append(int_len - digits.size(), '0');
      out += ".0";
    } else {
      out.append(digits, 0, int_len);
      out += '.';
      out.append(digits, int_len);
    }
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    out += digits;
  }
  return out;
}

// The dumped size when nothing needs escaping (a lower bound otherwise), so
// the output is allocated once: growing a large string by doubling makes
// glibc grow and trim its heap around it on every call.
std::size_t plain_dump_size(const Json& v) {
  switch (v.kind()) {
    case Json::Kind::string: return v.as_string().size() + 2;
    case Json::Kind::array: {
      std::size_t n = 2;
      for (const auto& element : v.as_array()) n += plain_dump_size(element) + 2;
      return n;
    }
    case Json::Kind::object: {
      std::size_t n = 2;
      for (const auto& m : v.as_object()) n += m.first.size() + 6 + plain_dump_size(m.second);
      return n;
    }
    default: return 8;
  }
}

Result<std::string> python_json_dumps(const Json& value) {
  std::string out;
  out.reserve(plain_dump_size(value));
  if (auto s = dump_python(out, value); !s) return std::unexpected(s.error());
  return out;
}

Result<Json> canonical_chat_request(const Json& body, const CanonicalRequestOptions& options) {
  auto out = canonical_common(body, "chat");
  if (!out) return out;
  const Json& messages = get_or(body, "messages");
  if (!messages.is_array() || messages.as_array().empty()) {
    return fail(ErrorCode::invalid_argument, "chat request has no messages",
                "expected a non-empty list, got " + messages.dump());
  }
  Json reduced = Json::array();
  const auto& items = messages.as_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto message = canonical_message(items[i], at("messages", i));
    if (!message) return message;
    reduced.push_back(std::move(*message));
  }
  out->set("messages", std::move(reduced));
  if (const Json& tools = get_or(body, "tools"); python_truthy(tools)) {
    // Hashed as sent; anything but a list could never match the gateway's hash.
    if (!tools.is_array()) {
      return fail(ErrorCode::invalid_argument, "tools is not a list", "got " + tools.dump());
    }
    out->set("tools", tools);
  }
  if (const Json& format = get_or(body, "response_format");
      options.hash_response_format && python_truthy(format)) {
    out->set("response_format", format);
  }
  if (options.hash_web_search && python_truthy(get_or(body, "web_search"))) {
    out->set("web_search", true);
  }
  return out;
}

Result<Json> canonical_completion_request(const Json& body) {
  auto out = canonical_common(body, "completion");
  if (!out) return out;
  const Json* prompt = body.find("prompt");
  if (prompt == nullptr) {
    return fail(ErrorCode::invalid_argument, "completion request has no prompt");
  }
  out->set("prompt", *prompt);
  return out;
}

Result<std::string> canonical_request_bytes(const Json& body, const CanonicalRequestOptions& options) {
  Result<Json> reduced = body.find("messages") != nullptr ? canonical_chat_request(body, options)
                         : body.find("prompt") != nullptr
                             ? canonical_completion_request(body)
                             : fail(ErrorCode::invalid_argument, "request is neither chat nor completion",
                                    "expected a \"messages\" or a \"prompt\" field");
  if (!reduced) return std::unexpected(reduced.error());
  return python_json_dumps(*reduced);
}

Result<Hash32> tee_request_hash(const Json& body, const CanonicalRequestOptions& options) {
  auto bytes = canonical_request_bytes(body, options);
  if (!bytes) return std::unexpected(bytes.error());
  return keccak256(std::string_view(*bytes));
}

}  // namespace verinfer
