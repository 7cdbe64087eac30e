// Transaction encoding: legacy (Yellow Paper 4.2 + EIP-155) and EIP-1559
// inside the EIP-2718 envelope.
#include "verinfer/settle/transaction.hpp"

#include <string>

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/settle/rlp.hpp"

namespace verinfer {
namespace {

constexpr std::uint8_t kEip1559Type = 0x02;

RlpItem to_item(const std::optional<Address>& to) {
  return to ? RlpItem(Bytes(to->begin(), to->end())) : RlpItem();
}

RlpItem access_list_item(const std::vector<AccessListEntry>& list) {
  RlpItem out = RlpItem::list();
  for (const auto& entry : list) {
    RlpItem keys = RlpItem::list();
    for (const auto& key : entry.storage_keys) keys.push_back(RlpItem(Bytes(key.begin(), key.end())));
    out.push_back(RlpItem(RlpItem::List{RlpItem(Bytes(entry.address.begin(), entry.address.end())), std::move(keys)}));
  }
  return out;
}

RlpItem legacy_fields(const LegacyTransaction& tx) {
  return RlpItem(RlpItem::List{RlpItem::uint(tx.nonce), RlpItem::uint(tx.gas_price), RlpItem::uint(tx.gas_limit),
                               to_item(tx.to), RlpItem::uint(tx.value), RlpItem(tx.data)});
}

RlpItem eip1559_fields(const Eip1559Transaction& tx) {
  return RlpItem(RlpItem::List{RlpItem::uint(tx.chain_id), RlpItem::uint(tx.nonce),
                               RlpItem::uint(tx.max_priority_fee_per_gas), RlpItem::uint(tx.max_fee_per_gas),
                               RlpItem::uint(tx.gas_limit), to_item(tx.to), RlpItem::uint(tx.value), RlpItem(tx.data),
                               access_list_item(tx.access_list)});
}

Bytes typed(std::uint8_t type, const RlpItem& fields) {
  Bytes out{type};
  Bytes body = rlp_encode(fields);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// EIP-155: v = chain_id * 2 + 35 + recovery id.
U256 eip155_v(std::uint64_t chain_id, std::uint8_t recovery_id) {
  return U256(chain_id).shl(1).wrapping_add(U256(35u + recovery_id));
}

Result<std::optional<Address>> decode_to(const RlpItem& item) {
  if (!item.is_bytes()) return fail(ErrorCode::parse_error, "transaction: `to` is a list");
  const Bytes& b = item.as_bytes();
  if (b.empty()) return std::optional<Address>();
  if (b.size() != 20) {
    return fail(ErrorCode::parse_error, "transaction: `to` is not 20 bytes", "got " + std::to_string(b.size()));
  }
  return std::optional<Address>(*Address::from_bytes(b));
}

Result<Bytes> decode_data(const RlpItem& item) {
  if (!item.is_bytes()) return fail(ErrorCode::parse_error, "transaction: `data` is a list");
  return item.as_bytes();
}

Result<std::vector<AccessListEntry>> decode_access_list(const RlpItem& item) {
  if (!item.is_list()) return fail(ErrorCode::parse_error, "transaction: access list is not a list");
  std::vector<AccessListEntry> out;
  for (const auto& entry : item.as_list()) {
    if (!entry.is_list() || entry.as_list().size() != 2 || !entry.as_list()[0].is_bytes() ||
        !entry.as_list()[1].is_list()) {
      return fail(ErrorCode::parse_error, "transaction: access list entry is not [address, [keys]]");
    }
    auto address = Address::from_bytes(entry.as_list()[0].as_bytes());
    if (!address) return fail(ErrorCode::parse_error, "transaction: access list address", address.error().detail);
    AccessListEntry e{*address, {}};
    for (const auto& key : entry.as_list()[1].as_list()) {
      if (!key.is_bytes()) return fail(ErrorCode::parse_error, "transaction: access list key is a list");
      auto k = Hash32::from_bytes(key.as_bytes());
      if (!k) return fail(ErrorCode::parse_error, "transaction: access list key", k.error().detail);
      e.storage_keys.push_back(*k);
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<Hash32> scalar_word(const RlpItem& item, std::string_view what) {
  auto v = rlp_to_uint(item, what);
  if (!v) return std::unexpected(v.error());
  return v->to_word();
}

// r, s and a recovery id -> the signer, with the low-s rule enforced.
Result<SignedTransaction> finish_decoded(Transaction tx, const RlpItem& r_item, const RlpItem& s_item,
                                         std::uint8_t recovery_id, ByteView raw) {
  auto r = scalar_word(r_item, "r");
  if (!r) return std::unexpected(r.error());
  auto s = scalar_word(s_item, "s");
  if (!s) return std::unexpected(s.error());
  Signature sig{*r, *s, recovery_id};
  if (auto ok = check_signature(sig); !ok) return std::unexpected(ok.error());
  auto key = recover_public_key(transaction_signing_hash(tx), sig);
  if (!key) return std::unexpected(key.error());
  return SignedTransaction{std::move(tx), sig, Bytes(raw.begin(), raw.end()), keccak256(raw), key->address()};
}

Result<SignedTransaction> decode_legacy(const RlpItem& item, ByteView raw) {
  const auto& f = item.as_list();
  if (f.size() != 9) {
    return fail(ErrorCode::parse_error, "legacy transaction: wrong number of fields",
                "expected 9, got " + std::to_string(f.size()));
  }
  LegacyTransaction tx;
  auto nonce = rlp_to_uint64(f[0], "nonce");
  auto gas_price = rlp_to_uint(f[1], "gasPrice");
  auto gas = rlp_to_uint64(f[2], "gasLimit");
  auto to = decode_to(f[3]);
  auto value = rlp_to_uint(f[4], "value");
  auto data = decode_data(f[5]);
  auto v = rlp_to_uint(f[6], "v");
  if (!nonce) return std::unexpected(nonce.error());
  if (!gas_price) return std::unexpected(gas_price.error());
  if (!gas) return std::unexpected(gas.error());
  if (!to) return std::unexpected(to.error());
  if (!value) return std::unexpected(value.error());
  if (!data) return std::unexpected(data.error());
  if (!v) return std::unexpected(v.error());
  tx.nonce = *nonce;
  tx.gas_price = *gas_price;
  tx.gas_limit = *gas;
  tx.to = *to;
  tx.value = *value;
  tx.data = std::move(*data);
  std::uint8_t recovery_id = 0;
  if (*v == U256(27) || *v == U256(28)) {
    recovery_id = static_cast<std::uint8_t>(*v->to_uint64() - 27);
  } else if (*v >= U256(35)) {
    U256 rest = v->wrapping_sub(U256(35));
    recovery_id = rest.bit(0) ? 1 : 0;
    // chain_id = (v - 35) / 2 must fit 64 bits: v below 2^65 + 35.
    if (rest.bit_length() > 65) return fail(ErrorCode::parse_error, "legacy transaction: v too large", v->to_decimal());
    std::uint64_t chain = 0;
    for (unsigned i = 1; i < 65; ++i) {
      if (rest.bit(i)) chain |= std::uint64_t{1} << (i - 1);
    }
    tx.chain_id = chain;
  } else {
    return fail(ErrorCode::parse_error, "legacy transaction: v is neither 27/28 nor an EIP-155 value",
                "got " + v->to_decimal());
  }
  return finish_decoded(std::move(tx), f[7], f[8], recovery_id, raw);
}

Result<SignedTransaction> decode_eip1559(const RlpItem& item, ByteView raw) {
  if (!item.is_list()) return fail(ErrorCode::parse_error, "EIP-1559 transaction: payload is not a list");
  const auto& f = item.as_list();
  if (f.size() != 12) {
    return fail(ErrorCode::parse_error, "EIP-1559 transaction: wrong number of fields",
                "expected 12, got " + std::to_string(f.size()));
  }
  Eip1559Transaction tx;
  auto chain = rlp_to_uint64(f[0], "chainId");
  auto nonce = rlp_to_uint64(f[1], "nonce");
  auto tip = rlp_to_uint(f[2], "maxPriorityFeePerGas");
  auto cap = rlp_to_uint(f[3], "maxFeePerGas");
  auto gas = rlp_to_uint64(f[4], "gasLimit");
  auto to = decode_to(f[5]);
  auto value = rlp_to_uint(f[6], "value");
  auto data = decode_data(f[7]);
  auto access = decode_access_list(f[8]);
  auto parity = rlp_to_uint(f[9], "yParity");
  if (!chain) return std::unexpected(chain.error());
  if (!nonce) return std::unexpected(nonce.error());
  if (!tip) return std::unexpected(tip.error());
  if (!cap) return std::unexpected(cap.error());
  if (!gas) return std::unexpected(gas.error());
  if (!to) return std::unexpected(to.error());
  if (!value) return std::unexpected(value.error());
  if (!data) return std::unexpected(data.error());
  if (!access) return std::unexpected(access.error());
  if (!parity) return std::unexpected(parity.error());
  if (*parity > U256(1)) {
    return fail(ErrorCode::parse_error, "EIP-1559 transaction: yParity is not 0 or 1", parity->to_decimal());
  }
  tx.chain_id = *chain;
  tx.nonce = *nonce;
  tx.max_priority_fee_per_gas = *tip;
  tx.max_fee_per_gas = *cap;
  tx.gas_limit = *gas;
  tx.to = *to;
  tx.value = *value;
  tx.data = std::move(*data);
  tx.access_list = std::move(*access);
  return finish_decoded(std::move(tx), f[10], f[11], static_cast<std::uint8_t>(*parity->to_uint64()), raw);
}

}  // namespace

Hash32 transaction_signing_hash(const Transaction& tx) {
  if (const auto* legacy = std::get_if<LegacyTransaction>(&tx)) {
    RlpItem fields = legacy_fields(*legacy);
    if (legacy->chain_id) {
      fields.push_back(RlpItem::uint(*legacy->chain_id)).push_back(RlpItem()).push_back(RlpItem());
    }
    return keccak256(rlp_encode(fields));
  }
  return keccak256(typed(kEip1559Type, eip1559_fields(std::get<Eip1559Transaction>(tx))));
}

Result<SignedTransaction> sign_transaction(const Transaction& tx, const PrivateKey& key) {
  auto sig = key.sign_digest(transaction_signing_hash(tx));
  if (!sig) return std::unexpected(sig.error());
  RlpItem r = RlpItem::uint(U256::from_word(sig->r));
  RlpItem s = RlpItem::uint(U256::from_word(sig->s));
  Bytes raw;
  if (const auto* legacy = std::get_if<LegacyTransaction>(&tx)) {
    RlpItem fields = legacy_fields(*legacy);
    U256 v = legacy->chain_id ? eip155_v(*legacy->chain_id, sig->recovery_id) : U256(sig->v());
    fields.push_back(RlpItem::uint(v)).push_back(std::move(r)).push_back(std::move(s));
    raw = rlp_encode(fields);
  } else {
    RlpItem fields = eip1559_fields(std::get<Eip1559Transaction>(tx));
    fields.push_back(RlpItem::uint(sig->recovery_id)).push_back(std::move(r)).push_back(std::move(s));
    raw = typed(kEip1559Type, fields);
  }
  Hash32 hash = keccak256(raw);
  return SignedTransaction{tx, *sig, std::move(raw), hash, key.address()};
}

Result<SignedTransaction> decode_signed_transaction(ByteView raw) {
  if (raw.empty()) return fail(ErrorCode::parse_error, "transaction: empty input");
  if (raw[0] >= 0xc0) {
    auto item = rlp_decode(raw);
    if (!item) return std::unexpected(item.error());
    return decode_legacy(*item, raw);
  }
  if (raw[0] == kEip1559Type) {
    auto item = rlp_decode(raw.subspan(1));
    if (!item) return std::unexpected(item.error());
    return decode_eip1559(*item, raw);
  }
  return fail(ErrorCode::parse_error, "transaction: unsupported type",
              "expected 0x02 or a legacy RLP list, got type byte " + to_hex(raw.first(1)));
}

}  // namespace verinfer
