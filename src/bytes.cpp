#include "verinfer/bytes.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <string>

namespace verinfer {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string describe_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  std::string out = "byte 0x";
  out += kHexDigits[u >> 4];
  out += kHexDigits[u & 15];
  return out;
}

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string to_hex(ByteView bytes, bool prefix) {
  std::string out;
  out.reserve(bytes.size() * 2 + 2);
  if (prefix) out += "0x";
  for (auto b : bytes) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
  return out;
}

Result<Bytes> from_hex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  if (text.size() % 2 != 0) {
    return fail(ErrorCode::parse_error, "hex has an odd number of digits",
                "got " + std::to_string(text.size()) + " digits");
  }
  Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]);
    int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) {
      std::size_t bad = hi < 0 ? i : i + 1;
      return fail(ErrorCode::parse_error, "invalid hex character",
                  describe_char(text[bad]) + " at digit " + std::to_string(bad));
    }
    out[i / 2] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::string to_base64(ByteView bytes, Base64Alphabet alphabet) {
  const char* table = alphabet == Base64Alphabet::url ? kUrl : kStd;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t v = bytes[i] << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<Bytes> from_base64(std::string_view text, Base64Alphabet alphabet) {
  const char* table = alphabet == Base64Alphabet::url ? kUrl : kStd;
  std::array<int, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(table[i])] = i;

  std::size_t pad = 0;
  while (pad < text.size() && pad < 3 && text[text.size() - 1 - pad] == '=') ++pad;
  std::string_view body = text.substr(0, text.size() - pad);
  if (pad > 2) {
    return fail(ErrorCode::parse_error, "base64 has too much padding",
                std::to_string(pad) + " '=' characters");
  }
  std::size_t rem = body.size() % 4;
  if (rem == 1) {
    return fail(ErrorCode::parse_error, "base64 length is impossible",
                std::to_string(body.size()) + " characters before padding");
  }
  std::size_t want_pad = rem == 0 ? 0 : 4 - rem;
  if (alphabet == Base64Alphabet::standard || pad != 0) {
    if (pad != want_pad) {
      return fail(ErrorCode::parse_error, "base64 padding is wrong",
                  "expected " + std::to_string(want_pad) + " '=', got " + std::to_string(pad));
    }
  }
  Bytes out;
  out.reserve(body.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    int v = value[static_cast<unsigned char>(body[i])];
    if (v < 0) {
      return fail(ErrorCode::parse_error, "invalid base64 character",
                  describe_char(body[i]) + " at position " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return fail(ErrorCode::parse_error, "base64 is not canonical",
                "unused bits in the last character are not zero");
  }
  return out;
}

Result<Bytes> random_bytes(std::size_t n) {
  Bytes out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return fail(ErrorCode::internal, "the random generator failed",
                std::to_string(n) + " bytes requested");
  }
  return out;
}

bool constant_time_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void secure_wipe(void* data, std::size_t size) noexcept { OPENSSL_cleanse(data, size); }

}  // namespace verinfer
