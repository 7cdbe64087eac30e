// verinfer: a small JSON value that keeps what hashing needs: object key
// order as written, integers as exact decimal text (any size), and the
// integer/float distinction of the source ("1" vs "1.0"), as Python does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "verinfer/error.hpp"

namespace verinfer {

/// A JSON value: object members in source order, integers as exact decimal
/// text, floats kept apart from integers (see the file comment).
class Json {
 public:
  /// What a value is; the order of the alternatives held.
  enum class Kind { null, boolean, integer, floating, string, array, object };
  using Array = std::vector<Json>;               ///< elements in order
  using Member = std::pair<std::string, Json>;   ///< one key and its value
  using Object = std::vector<Member>;  ///< in source (insertion) order

  /// An integer as canonical decimal text: optional '-', no leading zeros.
  struct Integer {
    std::string digits;
    friend bool operator==(const Integer&, const Integer&) = default;
  };

  Json() = default;  ///< null
  /// From a C++ value: null, a boolean, an exact integer, a float, a string,
  /// an array or an object.
  /// @{
  Json(std::nullptr_t) {}
  Json(bool b) : value_(b) {}
  Json(int v) : value_(Integer{std::to_string(v)}) {}
  Json(std::int64_t v) : value_(Integer{std::to_string(v)}) {}
  Json(std::uint64_t v) : value_(Integer{std::to_string(v)}) {}
  Json(double v) : value_(v) {}
  Json(const char* s) : value_(std::string(s)) {}
  Json(std::string s) : value_(std::move(s)) {}
  Json(std::string_view s) : value_(std::string(s)) {}
  Json(Array a) : value_(std::move(a)) {}
  Json(Object o) : value_(std::move(o)) {}
  /// @}

  /// An integer given as decimal text; an error if the text is not one.
  [[nodiscard]] static Result<Json> integer(std::string_view decimal);
  /// An empty array (object), to fill with push_back() (set()).
  /// @{
  [[nodiscard]] static Json array() { return Json(Array{}); }
  [[nodiscard]] static Json object() { return Json(Object{}); }
  /// @}

  /// What the value is.
  [[nodiscard]] Kind kind() const noexcept { return static_cast<Kind>(value_.index()); }
  /// Kind tests (is_number: an integer or a float).
  /// @{
  [[nodiscard]] bool is_null() const noexcept { return kind() == Kind::null; }
  [[nodiscard]] bool is_bool() const noexcept { return kind() == Kind::boolean; }
  [[nodiscard]] bool is_integer() const noexcept { return kind() == Kind::integer; }
  [[nodiscard]] bool is_float() const noexcept { return kind() == Kind::floating; }
  [[nodiscard]] bool is_number() const noexcept { return is_integer() || is_float(); }
  [[nodiscard]] bool is_string() const noexcept { return kind() == Kind::string; }
  [[nodiscard]] bool is_array() const noexcept { return kind() == Kind::array; }
  [[nodiscard]] bool is_object() const noexcept { return kind() == Kind::object; }
  /// @}

  /// Checked accessors: the caller tests kind() first (assertion otherwise).
  /// as_integer_text() is the canonical decimal text of an integer.
  /// @{
  [[nodiscard]] bool as_bool() const { return std::get<bool>(value_); }
  [[nodiscard]] const std::string& as_integer_text() const {
    return std::get<Integer>(value_).digits;
  }
  [[nodiscard]] double as_float() const { return std::get<double>(value_); }
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(value_); }
  [[nodiscard]] const Array& as_array() const { return std::get<Array>(value_); }
  [[nodiscard]] Array& as_array() { return std::get<Array>(value_); }
  [[nodiscard]] const Object& as_object() const { return std::get<Object>(value_); }
  [[nodiscard]] Object& as_object() { return std::get<Object>(value_); }
  /// @}

  /// Integer values that fit; nullopt for other kinds or out of range.
  /// @{
  [[nodiscard]] std::optional<std::int64_t> get_int64() const;
  [[nodiscard]] std::optional<std::uint64_t> get_uint64() const;
  /// @}
  /// Any number as a double (integers converted).
  [[nodiscard]] std::optional<double> get_number() const;

  /// Object member by key, or nullptr (also for non-objects).
  [[nodiscard]] const Json* find(std::string_view key) const;
  /// Sets (replacing) or appends a member; *this must be an object.
  Json& set(std::string key, Json value);
  /// Appends to an array; *this must be an array.
  Json& push_back(Json value);

  /// Compact JSON ("," and ":" without spaces), UTF-8 output, keys in order.
  [[nodiscard]] std::string dump() const;

  friend bool operator==(const Json&, const Json&) = default;

 private:
  std::variant<std::monostate, bool, Integer, double, std::string, Array, Object> value_;
};

/// Bounds on what parse_json() accepts.
struct JsonLimits {
  std::size_t max_bytes = 64u << 20;  ///< whole document
  std::size_t max_depth = 128;        ///< nesting of arrays and objects
};

/// Strict RFC 8259 parsing (via simdjson): one value, valid UTF-8, no
/// duplicate keys, finite numbers, within the limits.
[[nodiscard]] Result<Json> parse_json(std::string_view text, JsonLimits limits = {});

/// Writes `text` as a JSON string literal (with quotes) onto `out`; UTF-8 kept.
void append_json_string(std::string& out, std::string_view text);

}  // namespace verinfer
