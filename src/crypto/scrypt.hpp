// Keystore KDFs: PBKDF2 from OpenSSL, scrypt (RFC 7914) from libsodium.
// OpenSSL's scrypt refuses N >= 2^(16r) (RFC 7914 section 2's bound), which
// excludes the n=2^18, r=1 that eth-account writes by default; real keystores
// need it, and libsodium's low-level scrypt takes it.
#pragma once

#include <cstdint>
#include <span>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// PBKDF2-HMAC-SHA256 (RFC 8018) into `out`.
[[nodiscard]] Status pbkdf2_hmac_sha256(ByteView password, ByteView salt, std::uint64_t iterations,
                                        std::span<std::uint8_t> out);

/// scrypt(password, salt, N=n, r, p) into `out`. The caller bounds n, r and p
/// (memory 128*n*r bytes, work 128*n*r*p); n must be a power of two > 1.
/// A refused parameter set or a failed allocation is resource_exhausted.
[[nodiscard]] Status scrypt(ByteView password, ByteView salt, std::uint64_t n, std::uint64_t r,
                            std::uint64_t p, std::span<std::uint8_t> out);

}  // namespace verinfer
