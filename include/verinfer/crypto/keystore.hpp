// verinfer: Ethereum V3 keystore files (Web3 Secret Storage Definition,
// https://ethereum.org/en/developers/docs/data-structures-and-encoding/web3-secret-storage/):
// a secp256k1 key encrypted with AES-128-CTR under a key derived from a
// passphrase by scrypt or PBKDF2-HMAC-SHA256, authenticated by
// MAC = keccak256(derivedKey[16..32] ++ ciphertext). The files geth, eth-account,
// ethers and MetaMask exports write.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// The key derivation function of a keystore.
enum class KeystoreKdf {
  scrypt,  ///< scrypt (RFC 7914), geth's default
  pbkdf2,  ///< PBKDF2-HMAC-SHA256 (RFC 8018)
};

/// How encrypt_keystore() derives its key. The defaults are geth's standard
/// (scrypt n=2^18 r=8 p=1, about 256 MiB and a second of work); tests use
/// small values. encrypt_keystore() refuses parameters beyond the default
/// KeystoreLimits below, decrypt_keystore() beyond the caller's.
struct KeystoreParams {
  KeystoreKdf kdf = KeystoreKdf::scrypt;  ///< which KDF derives the key
  std::uint64_t scrypt_n = 262144;  ///< CPU/memory cost, a power of two > 1
  std::uint64_t scrypt_r = 8;       ///< block size
  std::uint64_t scrypt_p = 1;       ///< parallelism
  std::uint64_t pbkdf2_iterations = 262144;  ///< PBKDF2 c
};

/// Default limits that keep a hostile keystore from costing unbounded memory
/// or time: scrypt memory 128*n*r and work 128*n*r*p, PBKDF2 iterations.
/// @{
inline constexpr std::uint64_t kKeystoreMaxScryptMemory = std::uint64_t{1} << 30;
inline constexpr std::uint64_t kKeystoreMaxScryptWork = std::uint64_t{1} << 32;
inline constexpr std::uint64_t kKeystoreMaxPbkdf2Iterations = 10'000'000;
/// @}

/// The most KDF work decrypt_keystore() accepts from a file. The defaults take
/// every real keystore; a caller reading files it does not trust (a server
/// taking uploads, a fuzzer) can lower them. Limits only refuse: a file within
/// them decrypts the same under any limits.
struct KeystoreLimits {
  std::uint64_t max_scrypt_memory = kKeystoreMaxScryptMemory;  ///< bytes, 128*n*r
  std::uint64_t max_scrypt_work = kKeystoreMaxScryptWork;      ///< 128*n*r*p
  std::uint64_t max_pbkdf2_iterations = kKeystoreMaxPbkdf2Iterations;  ///< PBKDF2 c
};

/// Decrypts a V3 keystore JSON. Errors name what is wrong: an unsupported
/// version, kdf, prf or cipher (with the value seen), malformed hex or a wrong
/// length, KDF parameters over `limits` (resource_exhausted, refused before
/// any work), a MAC mismatch (verification_failed: wrong passphrase or a
/// corrupted file), a plaintext that is not a valid secp256k1 key, or an
/// `address` field that is not the key's address (expected vs got).
/// `passphrase` is used as its UTF-8 bytes, as geth and eth-account do.
[[nodiscard]] Result<PrivateKey> decrypt_keystore(std::string_view json, std::string_view passphrase,
                                                  const KeystoreLimits& limits = {});

/// Encrypts `key` into a V3 keystore JSON with a fresh random 32-byte salt,
/// 16-byte IV and UUID v4 id, and geth's `address` field (lower-case hex
/// without 0x). `params` must be within the default KeystoreLimits.
[[nodiscard]] Result<std::string> encrypt_keystore(const PrivateKey& key,
                                                   std::string_view passphrase,
                                                   const KeystoreParams& params = {});

/// The `address` a keystore declares, without decrypting it (no passphrase);
/// an error if the file has none.
[[nodiscard]] Result<Address> keystore_address(std::string_view json);

}  // namespace verinfer
