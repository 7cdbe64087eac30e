// A small strict CBOR decoder (RFC 8949) for attestation documents, and the
// few encoder heads the COSE Sig_structure needs.
//
// Why our own and not libcbor 0.8: cbor_load() accepts duplicate map keys,
// non-minimal heads, chunked strings and invalid UTF-8, pre-allocates from
// declared counts, and offers no depth or size limits, so every rule would
// have to be re-checked on its tree afterwards. This decoder enforces the rules while it
// reads, never allocates more than the input justifies, and returns views
// into the input (no copies). libcbor stays the independent encoder in tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer::internal::cbor {

enum class Type : std::uint8_t {
  unsigned_int,  ///< major 0: value
  negative_int,  ///< major 1: -1 - value
  bytes,         ///< major 2: data
  text,          ///< major 3: data (valid UTF-8)
  array,         ///< major 4: items
  map,           ///< major 5: items = key, value, key, value, ...
  tag,           ///< major 6: value = tag number, items = {content}
  boolean,       ///< simple 20/21: value = 0/1
  null,          ///< simple 22
};

[[nodiscard]] std::string_view to_string(Type type) noexcept;

/// One decoded item. Views point into the decoder's input, which must outlive it.
struct Item {
  Type type = Type::null;
  std::uint64_t value = 0;  ///< integer argument, tag number or boolean
  ByteView data;            ///< byte/text string content
  ByteView encoded;         ///< the item's whole encoding (head and content)
  std::size_t offset = 0;   ///< where the item starts in the input
  bool indefinite = false;  ///< array or map written with an indefinite length
  std::vector<Item> items;  ///< array items, map key/value pairs, tag content

  [[nodiscard]] std::size_t size() const noexcept {
    return type == Type::map ? items.size() / 2 : items.size();
  }
  [[nodiscard]] std::string_view text() const noexcept {
    return {reinterpret_cast<const char*>(data.data()), data.size()};
  }
  /// Map value for a text key, or nullptr (also for non-maps).
  [[nodiscard]] const Item* find(std::string_view key) const noexcept;
};

struct Limits {
  std::size_t max_input = 64 * 1024;      ///< whole document
  std::size_t max_depth = 16;             ///< nesting of arrays, maps and tags
  std::size_t max_container = 64;         ///< items of one array / entries of one map
  std::size_t max_string = 32 * 1024;     ///< one byte or text string
  std::size_t max_total_items = 2048;     ///< items in the whole document
};

/// Decodes exactly one item filling all of `input`. Indefinite-length arrays
/// and maps are accepted (real Nitro payloads use one). Rejected with
/// parse_error (offset in the detail): truncation, trailing bytes,
/// indefinite-length strings, reserved or non-minimal heads (RFC 8949 4.2.1),
/// floats and simple values other than false/true/null, invalid UTF-8 in
/// text, duplicate map keys; resource_exhausted when a limit is exceeded.
[[nodiscard]] Result<Item> decode(ByteView input, const Limits& limits = {});

/// Appends a minimal head (RFC 8949 3.1) of major type `major` and argument `arg`.
void append_head(Bytes& out, std::uint8_t major, std::uint64_t arg);
void append_bytes(Bytes& out, ByteView data);
void append_text(Bytes& out, std::string_view text);

}  // namespace verinfer::internal::cbor
