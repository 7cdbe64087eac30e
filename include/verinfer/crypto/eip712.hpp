// verinfer: EIP-712 typed structured data hashing and signing, from the
// eth_signTypedData_v4 JSON form:
//   {"types": {...}, "primaryType": "...", "domain": {...}, "message": {...}}
// Structs, nested structs, arrays (dynamic, fixed, nested, of structs) and
// every atomic type (address, bool, bytesN, intN, uintN, bytes, string).
#pragma once

#include <string>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer {

/// Every intermediate value of an EIP-712 hash, for checking against other tools.
struct Eip712Hashes {
  std::string encode_type;  ///< encodeType(primaryType)
  Hash32 type_hash;         ///< keccak256(encode_type)
  Hash32 domain_separator;  ///< hashStruct(EIP712Domain, domain)
  Hash32 struct_hash;       ///< hashStruct(primaryType, message)
  Hash32 digest;            ///< keccak256(0x19 0x01 || domain_separator || struct_hash)
};

/// Hashes typed data. The domain is hashed with the declared EIP712Domain
/// fields (or, if that type is absent, the standard fields the domain has,
/// in the order name, version, chainId, verifyingContract, salt).
/// Integers may be JSON integers or decimal / 0x-hex strings; bytes are
/// 0x-hex; mixed-case addresses must carry a valid EIP-55 checksum.
/// Unknown or cyclic types, missing or unexpected fields, out-of-range
/// values and wrong lengths are errors that name the field path.
[[nodiscard]] Result<Eip712Hashes> eip712_hash(const Json& typed_data);
/// The same from JSON text.
[[nodiscard]] Result<Eip712Hashes> eip712_hash(std::string_view typed_data_json);

/// encodeType: "Name(type field,...)" followed by the referenced struct
/// types in alphabetical order. `types` is the "types" object.
[[nodiscard]] Result<std::string> eip712_encode_type(const Json& types, std::string_view type_name);
/// encodeData: typeHash || the 32-byte encoding of each field.
[[nodiscard]] Result<Bytes> eip712_encode_data(const Json& types, std::string_view type_name,
                                               const Json& value);
/// hashStruct = keccak256(encodeData).
[[nodiscard]] Result<Hash32> eip712_hash_struct(const Json& types, std::string_view type_name,
                                                const Json& value);

/// Signs the typed data's digest (RFC 6979, low-s).
[[nodiscard]] Result<Signature> eip712_sign(const Json& typed_data, const PrivateKey& key);
/// Succeeds only if `signature` (65 bytes r||s||v) over the typed data's
/// digest recovers to `expected`.
[[nodiscard]] Status eip712_verify(const Json& typed_data, ByteView signature,
                                   const Address& expected, SignatureOptions options = {});

}  // namespace verinfer
