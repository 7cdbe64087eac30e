#include "verify/internal/cbor.hpp"

#include <algorithm>
#include <string>

namespace verinfer::internal::cbor {
namespace {

std::string at(std::size_t offset) { return "at byte " + std::to_string(offset); }

// Well-formed UTF-8 per RFC 3629: no overlong forms, no surrogates, <= U+10FFFF.
bool valid_utf8(ByteView s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::uint8_t b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    if (s[i + 1] < lo || s[i + 1] > hi) return false;
    for (std::size_t k = 2; k <= n; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    }
    i += n + 1;
  }
  return true;
}

class Decoder {
 public:
  Decoder(ByteView input, const Limits& limits) : in_(input), limits_(limits) {}

  Result<Item> item(std::size_t depth) {
    if (depth > limits_.max_depth) {
      return fail(ErrorCode::resource_exhausted, "cbor: nesting too deep",
                  at(pos_) + ": more than " + std::to_string(limits_.max_depth) + " levels");
    }
    if (++total_ > limits_.max_total_items) {
      return fail(ErrorCode::resource_exhausted, "cbor: too many items",
                  at(pos_) + ": more than " + std::to_string(limits_.max_total_items));
    }
    Item out;
    out.offset = pos_;
    if (pos_ >= in_.size()) return truncated("an item head", 1);
    std::uint8_t initial = in_[pos_++];
    auto major = static_cast<std::uint8_t>(initial >> 5);
    auto info = static_cast<std::uint8_t>(initial & 0x1F);
    if (info == kIndefinite) {
      // Real Nitro payloads are indefinite-length maps (serde_cbor); arrays
      // likewise. Strings in chunks and a stray break are not accepted.
      if (major == 4 || major == 5) return indefinite_container(std::move(out), major, depth);
      if (major == 7) return fail(ErrorCode::parse_error, "cbor: unexpected break", at(out.offset));
      return fail(ErrorCode::parse_error, "cbor: indefinite length not allowed",
                  at(out.offset) + ": only arrays and maps may be indefinite");
    }
    auto arg = argument(info, out.offset);
    if (!arg) return std::unexpected(arg.error());

    switch (major) {
      case 0:
      case 1:
        out.type = major == 0 ? Type::unsigned_int : Type::negative_int;
        out.value = *arg;
        break;
      case 2:
      case 3: {
        out.type = major == 2 ? Type::bytes : Type::text;
        if (*arg > limits_.max_string) {
          return fail(ErrorCode::resource_exhausted, "cbor: string too long",
                      at(out.offset) + ": " + std::to_string(*arg) + " bytes, limit " +
                          std::to_string(limits_.max_string));
        }
        auto length = static_cast<std::size_t>(*arg);
        if (in_.size() - pos_ < length) return truncated("string content", length);
        out.data = in_.subspan(pos_, length);
        pos_ += length;
        if (out.type == Type::text && !valid_utf8(out.data)) {
          return fail(ErrorCode::parse_error, "cbor: text string is not valid UTF-8",
                      at(out.offset));
        }
        break;
      }
      case 4:
      case 5: {
        out.type = major == 4 ? Type::array : Type::map;
        if (*arg > limits_.max_container) {
          return fail(ErrorCode::resource_exhausted, "cbor: container too large",
                      at(out.offset) + ": " + std::to_string(*arg) + " entries, limit " +
                          std::to_string(limits_.max_container));
        }
        std::size_t count = static_cast<std::size_t>(*arg) * (major == 5 ? 2 : 1);
        // Each item takes at least one byte: a count beyond the rest is a lie.
        if (in_.size() - pos_ < count) return truncated("container items", count);
        out.items.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
          auto child = item(depth + 1);
          if (!child) return child;
          out.items.push_back(std::move(*child));
        }
        if (major == 5) {
          if (auto dup = duplicate_key(out); !dup) return std::unexpected(dup.error());
        }
        break;
      }
      case 6: {
        out.type = Type::tag;
        out.value = *arg;
        auto content = item(depth + 1);
        if (!content) return content;
        out.items.push_back(std::move(*content));
        break;
      }
      default:  // major 7: simple values and floats
        if (info == 20 || info == 21) {
          out.type = Type::boolean;
          out.value = info == 21 ? 1 : 0;
        } else if (info == 22) {
          out.type = Type::null;
        } else {
          return fail(ErrorCode::parse_error, "cbor: unsupported simple value or float",
                      at(out.offset) + ": initial byte 0x" + to_hex(ByteView(&initial, 1), false));
        }
        break;
    }
    out.encoded = in_.subspan(out.offset, pos_ - out.offset);
    return out;
  }

  [[nodiscard]] std::size_t position() const noexcept { return pos_; }

 private:
  static constexpr std::uint8_t kIndefinite = 31;
  static constexpr std::uint8_t kBreak = 0xFF;

  // Items up to the break byte, under the same count limit as definite ones.
  Result<Item> indefinite_container(Item out, std::uint8_t major, std::size_t depth) {
    out.type = major == 4 ? Type::array : Type::map;
    out.indefinite = true;
    const std::size_t per_entry = major == 5 ? 2 : 1;
    while (true) {
      if (pos_ >= in_.size()) return truncated("an item or break", 1);
      if (in_[pos_] == kBreak) {
        if (out.items.size() % per_entry != 0) {
          return fail(ErrorCode::parse_error, "cbor: break between a map key and its value", at(pos_));
        }
        ++pos_;
        break;
      }
      if (out.items.size() / per_entry >= limits_.max_container) {
        return fail(ErrorCode::resource_exhausted, "cbor: container too large",
                    at(out.offset) + ": more than " + std::to_string(limits_.max_container) +
                        " entries");
      }
      auto child = item(depth + 1);
      if (!child) return child;
      out.items.push_back(std::move(*child));
    }
    if (major == 5) {
      if (auto dup = duplicate_key(out); !dup) return std::unexpected(dup.error());
    }
    out.encoded = in_.subspan(out.offset, pos_ - out.offset);
    return out;
  }

  std::unexpected<Error> truncated(const char* what, std::size_t need) const {
    return fail(ErrorCode::parse_error, "cbor: truncated",
                at(pos_) + ": " + what + " needs " + std::to_string(need) + " bytes, " +
                    std::to_string(in_.size() - pos_) + " left");
  }

  // The head's argument; major 7 keeps its raw info (checked by the caller).
  Result<std::uint64_t> argument(std::uint8_t info, std::size_t start) {
    if (info < 24) return info;
    if (info > 27) {
      return fail(ErrorCode::parse_error, "cbor: reserved additional information",
                  at(start) + ": value " + std::to_string(info));
    }
    std::size_t width = std::size_t{1} << (info - 24);
    if (in_.size() - pos_ < width) return truncated("a head argument", width);
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | in_[pos_ + i];
    pos_ += width;
    bool is_major7 = (in_[start] >> 5) == 7;
    if (is_major7) {
      return fail(ErrorCode::parse_error, "cbor: unsupported simple value or float",
                  at(start) + ": initial byte 0x" + to_hex(in_.subspan(start, 1), false));
    }
    // Minimal encoding: the shortest width that holds the value.
    std::uint64_t floor = width == 1 ? 24 : (std::uint64_t{1} << (4 * width));
    if (value < floor) {
      return fail(ErrorCode::parse_error, "cbor: non-minimal head encoding",
                  at(start) + ": value " + std::to_string(value) + " in " +
                      std::to_string(width) + " bytes");
    }
    return value;
  }

  static Status duplicate_key(const Item& map) {
    for (std::size_t i = 0; i < map.items.size(); i += 2) {
      for (std::size_t j = i + 2; j < map.items.size(); j += 2) {
        if (std::ranges::equal(map.items[i].encoded, map.items[j].encoded)) {
          return fail(ErrorCode::parse_error, "cbor: duplicate map key",
                      at(map.items[j].offset) + ": same key as at byte " +
                          std::to_string(map.items[i].offset));
        }
      }
    }
    return {};
  }

  ByteView in_;
  const Limits& limits_;
  std::size_t pos_ = 0;
  std::size_t total_ = 0;
};

}  // namespace

std::string_view to_string(Type type) noexcept {
  switch (type) {
    case Type::unsigned_int: return "unsigned integer";
    case Type::negative_int: return "negative integer";
    case Type::bytes: return "byte string";
    case Type::text: return "text string";
    case Type::array: return "array";
    case Type::map: return "map";
    case Type::tag: return "tag";
    case Type::boolean: return "boolean";
    case Type::null: return "null";
  }
  return "?";
}

const Item* Item::find(std::string_view key) const noexcept {
  if (type != Type::map) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].type == Type::text && items[i].text() == key) return &items[i + 1];
  }
  return nullptr;
}

Result<Item> decode(ByteView input, const Limits& limits) {
  if (input.size() > limits.max_input) {
    return fail(ErrorCode::resource_exhausted, "cbor: input too large",
                std::to_string(input.size()) + " bytes, limit " +
                    std::to_string(limits.max_input));
  }
  Decoder decoder(input, limits);
  auto out = decoder.item(0);
  if (!out) return out;
  if (decoder.position() != input.size()) {
    return fail(ErrorCode::parse_error, "cbor: trailing bytes after the item",
                at(decoder.position()) + ": " +
                    std::to_string(input.size() - decoder.position()) + " bytes left");
  }
  return out;
}

void append_head(Bytes& out, std::uint8_t major, std::uint64_t arg) {
  auto initial = static_cast<std::uint8_t>(major << 5);
  std::size_t width = 0;
  if (arg < 24) {
    out.push_back(static_cast<std::uint8_t>(initial | arg));
    return;
  }
  if (arg <= 0xFF) {
    out.push_back(initial | 24);
    width = 1;
  } else if (arg <= 0xFFFF) {
    out.push_back(initial | 25);
    width = 2;
  } else if (arg <= 0xFFFFFFFF) {
    out.push_back(initial | 26);
    width = 4;
  } else {
    out.push_back(initial | 27);
    width = 8;
  }
  for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<std::uint8_t>(arg >> (8 * i)));
}

void append_bytes(Bytes& out, ByteView data) {
  append_head(out, 2, data.size());
  out.insert(out.end(), data.begin(), data.end());
}

void append_text(Bytes& out, std::string_view text) {
  append_head(out, 3, text.size());
  auto b = as_bytes(text);
  out.insert(out.end(), b.begin(), b.end());
}

}  // namespace verinfer::internal::cbor
