// verinfer: Ethereum transactions: legacy with EIP-155 replay protection and
// EIP-1559 (type 2, EIP-2718 envelope), signed with a PrivateKey (RFC 6979,
// so signatures are reproducible), plus a strict decoder that recovers the
// sender.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// One EIP-2930 access list entry.
struct AccessListEntry {
  Address address;
  std::vector<Hash32> storage_keys;
  friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

/// Type 0. With a chain id the signature commits to it (EIP-155); without,
/// it is a pre-EIP-155 transaction valid on every chain (avoid).
struct LegacyTransaction {
  std::optional<std::uint64_t> chain_id;
  std::uint64_t nonce = 0;
  U256 gas_price;
  std::uint64_t gas_limit = 0;
  std::optional<Address> to;  ///< none: contract creation
  U256 value;
  Bytes data;
  friend bool operator==(const LegacyTransaction&, const LegacyTransaction&) = default;
};

/// Type 2 (EIP-1559).
struct Eip1559Transaction {
  std::uint64_t chain_id = 0;
  std::uint64_t nonce = 0;
  U256 max_priority_fee_per_gas;
  U256 max_fee_per_gas;
  std::uint64_t gas_limit = 0;
  std::optional<Address> to;
  U256 value;
  Bytes data;
  std::vector<AccessListEntry> access_list;
  friend bool operator==(const Eip1559Transaction&, const Eip1559Transaction&) = default;
};

/// An unsigned transaction of a supported type.
using Transaction = std::variant<LegacyTransaction, Eip1559Transaction>;

/// The digest the sender signs.
[[nodiscard]] Hash32 transaction_signing_hash(const Transaction& tx);

/// A transaction with its signature, raw encoding, hash and sender.
struct SignedTransaction {
  Transaction tx;
  Signature signature;
  Bytes raw;     ///< what eth_sendRawTransaction takes
  Hash32 hash;   ///< keccak256(raw): the transaction hash
  Address from;  ///< the signer
};

/// Signs with `key` (RFC 6979, low-s); the raw bytes are ready to send.
[[nodiscard]] Result<SignedTransaction> sign_transaction(const Transaction& tx, const PrivateKey& key);

/// Strict decoding of a raw signed transaction (type 0 or 2): canonical RLP,
/// exact field counts, integers without leading zeros and in range, 20-byte
/// `to`, low-s signatures, legacy v either 27/28 or an EIP-155 value. The
/// sender is recovered.
[[nodiscard]] Result<SignedTransaction> decode_signed_transaction(ByteView raw);

}  // namespace verinfer
