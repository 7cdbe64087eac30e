// RLP per the Yellow Paper, appendix B.
#include "verinfer/settle/rlp.hpp"

#include <algorithm>
#include <string>

namespace verinfer {
namespace {

void append_length(Bytes& out, std::size_t length, std::uint8_t short_base, std::uint8_t long_base) {
  if (length <= 55) {
    out.push_back(static_cast<std::uint8_t>(short_base + length));
    return;
  }
  Bytes be;
  for (std::size_t n = length; n > 0; n >>= 8) be.insert(be.begin(), static_cast<std::uint8_t>(n & 0xff));
  out.push_back(static_cast<std::uint8_t>(long_base + be.size()));
  out.insert(out.end(), be.begin(), be.end());
}

void encode_into(Bytes& out, const RlpItem& item) {
  if (item.is_bytes()) {
    const Bytes& b = item.as_bytes();
    if (b.size() == 1 && b[0] < 0x80) {
      out.push_back(b[0]);
      return;
    }
    append_length(out, b.size(), 0x80, 0xb7);
    out.insert(out.end(), b.begin(), b.end());
    return;
  }
  Bytes payload;
  for (const RlpItem& child : item.as_list()) encode_into(payload, child);
  append_length(out, payload.size(), 0xc0, 0xf7);
  out.insert(out.end(), payload.begin(), payload.end());
}

struct Decoder {
  ByteView data;
  RlpLimits limits;
  std::size_t items = 0;

  Error error(std::string message, std::size_t at) const {
    return Error{ErrorCode::parse_error, "rlp: " + std::move(message), "at byte " + std::to_string(at)};
  }

  // Decodes the item starting at `pos`, which must end at or before `end`.
  Result<RlpItem> item(std::size_t& pos, std::size_t end, std::size_t depth) {
    if (pos >= end) return std::unexpected(error("truncated: expected an item", pos));
    if (++items > limits.max_items) {
      return fail(ErrorCode::resource_exhausted, "rlp: too many items", "limit " + std::to_string(limits.max_items));
    }
    const std::size_t start = pos;
    const std::uint8_t prefix = data[pos++];
    if (prefix < 0x80) return RlpItem(Bytes{prefix});
    const bool is_list = prefix >= 0xc0;
    const std::uint8_t base = is_list ? 0xc0 : 0x80;
    std::size_t length = 0;
    if (prefix - base <= 55) {
      length = prefix - base;
    } else {
      const std::size_t size_bytes = prefix - base - 55;
      if (size_bytes > end - pos) return std::unexpected(error("truncated length", start));
      if (data[pos] == 0) return std::unexpected(error("length with a leading zero byte", start));
      if (size_bytes > sizeof(std::size_t)) return std::unexpected(error("length too large", start));
      for (std::size_t i = 0; i < size_bytes; ++i) length = (length << 8) | data[pos++];
      if (length <= 55) return std::unexpected(error("long form used for a length of at most 55", start));
    }
    if (length > end - pos) {
      return std::unexpected(error("truncated: payload of " + std::to_string(length) + " bytes, " +
                                       std::to_string(end - pos) + " left",
                                   start));
    }
    const std::size_t stop = pos + length;
    if (!is_list) {
      if (length == 1 && data[pos] < 0x80) {
        return std::unexpected(error("single byte below 0x80 must encode itself", start));
      }
      RlpItem out(Bytes(data.begin() + static_cast<std::ptrdiff_t>(pos), data.begin() + static_cast<std::ptrdiff_t>(stop)));
      pos = stop;
      return out;
    }
    if (depth >= limits.max_depth) {
      return fail(ErrorCode::resource_exhausted, "rlp: nesting too deep", "limit " + std::to_string(limits.max_depth));
    }
    RlpItem out = RlpItem::list();
    while (pos < stop) {
      auto child = item(pos, stop, depth + 1);
      if (!child) return child;
      out.push_back(std::move(*child));
    }
    return out;
  }
};

}  // namespace

RlpItem RlpItem::uint(const U256& value) {
  Hash32 word = value.to_word();
  auto first = std::find_if(word.begin(), word.end(), [](std::uint8_t b) { return b != 0; });
  return RlpItem(Bytes(first, word.end()));
}

RlpItem& RlpItem::push_back(RlpItem item) {
  as_list().push_back(std::move(item));
  return *this;
}

Bytes rlp_encode(const RlpItem& item) {
  Bytes out;
  encode_into(out, item);
  return out;
}

Result<RlpItem> rlp_decode(ByteView data, RlpLimits limits) {
  Decoder decoder{data, limits};
  std::size_t pos = 0;
  auto item = decoder.item(pos, data.size(), 0);
  if (!item) return item;
  if (pos != data.size()) {
    return fail(ErrorCode::parse_error, "rlp: trailing bytes after the item",
                std::to_string(data.size() - pos) + " bytes at byte " + std::to_string(pos));
  }
  return item;
}

Result<U256> rlp_to_uint(const RlpItem& item, std::string_view what) {
  if (!item.is_bytes()) return fail(ErrorCode::parse_error, "rlp: " + std::string(what) + " is a list, expected an integer");
  const Bytes& b = item.as_bytes();
  if (b.size() > 32) {
    return fail(ErrorCode::parse_error, "rlp: " + std::string(what) + " is wider than 256 bits",
                std::to_string(b.size()) + " bytes");
  }
  if (!b.empty() && b[0] == 0) {
    return fail(ErrorCode::parse_error, "rlp: " + std::string(what) + " has a leading zero byte", to_hex(b));
  }
  return U256::from_be_bytes(b);
}

Result<std::uint64_t> rlp_to_uint64(const RlpItem& item, std::string_view what) {
  auto v = rlp_to_uint(item, what);
  if (!v) return std::unexpected(v.error());
  auto small = v->to_uint64();
  if (!small) return fail(ErrorCode::parse_error, "rlp: " + std::string(what) + " exceeds 2^64-1", v->to_decimal());
  return *small;
}

}  // namespace verinfer
