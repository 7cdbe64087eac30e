// Re-encoding of a decoded CBOR item (minimal heads, as the strict decoder
// requires; indefinite containers as they were): decode(x) then encode must
// give x back, and the certificate target rebuilds documents with it.
#pragma once

#include "verify/internal/cbor.hpp"

namespace verinfer::fuzz {

inline void encode_cbor(const internal::cbor::Item& item, Bytes& out) {
  using internal::cbor::Type;
  switch (item.type) {
    case Type::unsigned_int: internal::cbor::append_head(out, 0, item.value); return;
    case Type::negative_int: internal::cbor::append_head(out, 1, item.value); return;
    case Type::bytes: internal::cbor::append_bytes(out, item.data); return;
    case Type::text: internal::cbor::append_text(out, item.text()); return;
    case Type::boolean: out.push_back(item.value ? 0xf5 : 0xf4); return;
    case Type::null: out.push_back(0xf6); return;
    case Type::tag:
      internal::cbor::append_head(out, 6, item.value);
      for (const auto& child : item.items) encode_cbor(child, out);
      return;
    case Type::array:
    case Type::map: {
      const std::uint8_t major = item.type == Type::array ? 4 : 5;
      if (item.indefinite) {
        out.push_back(static_cast<std::uint8_t>(major << 5 | 31));
      } else {
        internal::cbor::append_head(out, major, item.size());
      }
      for (const auto& child : item.items) encode_cbor(child, out);
      if (item.indefinite) out.push_back(0xff);
      return;
    }
  }
}

inline Bytes encode_cbor(const internal::cbor::Item& item) {
  Bytes out;
  encode_cbor(item, out);
  return out;
}

}  // namespace verinfer::fuzz
