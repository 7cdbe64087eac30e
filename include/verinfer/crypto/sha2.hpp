// verinfer: SHA-256 / SHA-384 (OpenSSL underneath), and HMAC-SHA256.
#pragma once

#include <memory>
#include <string_view>

#include "verinfer/bytes.hpp"

namespace verinfer {

/// SHA-256 (FIPS 180-4) of bytes or of a string's bytes.
/// @{
[[nodiscard]] Hash32 sha256(ByteView data);
[[nodiscard]] inline Hash32 sha256(std::string_view text) { return sha256(as_bytes(text)); }
/// @}
/// SHA-384 (FIPS 180-4).
[[nodiscard]] Hash48 sha384(ByteView data);

/// Incremental SHA-256 (for streams whose whole body is hashed).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  /// Hashes more bytes.
  Sha256& update(ByteView data);
  /// The digest of everything given; the object then starts afresh.
  [[nodiscard]] Hash32 finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// HMAC-SHA256 (RFC 2104).
[[nodiscard]] Hash32 hmac_sha256(ByteView key, ByteView data);

}  // namespace verinfer
