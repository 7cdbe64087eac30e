// verinfer: tying on-chain evidence to one call. A verified TEE response is
// matched field by field against its IndividualSettlement event, or proven
// to be a leaf under a BatchSettlement root; an x402 payment receipt is
// checked on chain (Transfer / AuthorizationUsed); registry entries are read
// with eth_call. Every check lands in a VerificationReport.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"
#include "verinfer/settle/events.hpp"
#include "verinfer/settle/merkle.hpp"
#include "verinfer/settle/rpc.hpp"
#include "verinfer/verify/ohttp_config.hpp"
#include "verinfer/verify/registry_trust.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer {

struct TeeResponse;  // verinfer/verify/tee_response.hpp

/// The leaf a facilitator settles for this response (PROTOCOL.md section 5).
[[nodiscard]] SettlementLeaf settlement_leaf(const TeeResponse& response);

/// Check names, stable.
namespace settlement_checks {
/// One check name; docs/guide/report.md says what it means.
/// @{
inline constexpr std::string_view kReceiptStatus = "settlement.receipt_status";
inline constexpr std::string_view kEvent = "settlement.event";
inline constexpr std::string_view kContract = "settlement.contract";
inline constexpr std::string_view kTeeId = "settlement.tee_id";
inline constexpr std::string_view kInputHash = "settlement.input_hash";
inline constexpr std::string_view kOutputHash = "settlement.output_hash";
inline constexpr std::string_view kTimestamp = "settlement.timestamp";
inline constexpr std::string_view kSignature = "settlement.signature";
inline constexpr std::string_view kBatchRoot = "settlement.batch_root";
inline constexpr std::string_view kBatchLeaf = "settlement.batch_leaf";
inline constexpr std::string_view kBatchProof = "settlement.batch_proof";
inline constexpr std::string_view kBatchSize = "settlement.batch_size";
inline constexpr std::string_view kBlock = "settlement.block";
inline constexpr std::string_view kConfirmations = "settlement.confirmations";
inline constexpr std::string_view kLogs = "settlement.logs";
/// @}
}  // namespace settlement_checks

/// Field by field: teeId, inputHash (= tee_request_hash), outputHash,
/// timestamp, signature. Adds one check per field to `report`.
void check_individual_settlement(const IndividualSettlementEvent& event, const SettlementLeaf& expected,
                                 VerificationReport& report);

/// A receipt that should hold the IndividualSettlement of `expected`:
/// status 1, an IndividualSettlement log (from `contract` when given) whose
/// teeId matches, then the field checks.
[[nodiscard]] VerificationReport check_individual_settlement_receipt(const TransactionReceipt& receipt,
                                                                     const SettlementLeaf& expected,
                                                                     const std::optional<Address>& contract = {});

/// The names under which check_receipt_on_chain() reports.
struct ReceiptChainCheckNames {
  std::string_view block;          ///< e.g. settlement_checks::kBlock
  std::string_view confirmations;  ///< e.g. settlement_checks::kConfirmations
  std::string_view logs;           ///< e.g. settlement_checks::kLogs
};
/// The names for a settlement transaction's receipt.
inline constexpr ReceiptChainCheckNames kSettlementReceiptChecks{
    settlement_checks::kBlock, settlement_checks::kConfirmations, settlement_checks::kLogs};

/// The receipt is part of the chain the node calls canonical now: the block
/// at its number exists, has its block hash and lists its transaction at its
/// index (a reorg, a vanished block or a receipt from elsewhere fails
/// `names.block`), the receipt's logs are exactly the block's logs of that
/// transaction by eth_getLogs (address, topics, data, log index; a log
/// altered, dropped or added fails `names.logs`), and the head is at least `confirmations` - 1 blocks past
/// it (`names.confirmations`; a head behind the receipt's block fails even
/// at 1). RPC failures fail the check they stopped. One endpoint that lies
/// consistently is not caught: these catch a node whose answers disagree.
[[nodiscard]] VerificationReport check_receipt_on_chain(const RpcClient& rpc, const TransactionReceipt& receipt,
                                                        ReceiptChainCheckNames names,
                                                        std::uint64_t confirmations = 1);

/// Batch inclusion: the dump's root is the event's root (and its leaf count
/// the batch size), the response's leaf is in the dump, and its proof leads
/// to the root.
[[nodiscard]] VerificationReport check_batch_inclusion(const BatchSettlementEvent& event, const MerkleDump& dump,
                                                       const SettlementLeaf& expected);

/// What an x402 "exact" payment should have done on chain.
struct X402Expectation {
  Address token;    ///< the asset (the Transfer log's emitter)
  Address payer;    ///< PAYMENT-RESPONSE "payer" / the authorisation's from
  Address pay_to;   ///< the requirement's payTo
  U256 max_amount;  ///< the authorised amount; the transfer may not exceed it
  std::optional<Hash32> nonce;  ///< the EIP-3009 nonce, when known
};

/// Checks x402.receipt_status (status 1), x402.transfer (a Transfer from the
/// token with from = payer and to = payTo), x402.amount (<= max_amount) and,
/// when the token emitted one, x402.authorization_used (authorizer = payer,
/// nonce as expected when given).
[[nodiscard]] VerificationReport check_x402_receipt(const TransactionReceipt& receipt,
                                                    const X402Expectation& expected);

// ---- TEERegistry reads (devnet/contracts/TEERegistry.sol) ----

/// The ABI type of TEEInfo: (address,address,string,bytes,bytes,bytes32,uint8,bool,uint256,uint256).
[[nodiscard]] const AbiType& tee_info_type();
/// Decodes one TEEInfo tuple value.
[[nodiscard]] Result<TeeRegistryEntry> tee_info_from_abi(const AbiValue& value);

/// getTEE(bytes32). An entry with registeredAt 0 is an `untrusted` error
/// "TEE not registered"; a node or decoding failure keeps its own code, so a
/// caller can tell "the registry says no" from "the registry could not be read".
[[nodiscard]] Result<TeeRegistryEntry> read_registry_tee(const RpcClient& rpc, const Address& registry,
                                                         const Hash32& tee_id);
/// isTEEActive(bytes32): registered, enabled and its PCR hash still approved.
[[nodiscard]] Result<bool> read_registry_tee_active(const RpcClient& rpc, const Address& registry,
                                                    const Hash32& tee_id);
/// getActiveTEEs(uint8); each entry's tee_id is keccak256(publicKey).
[[nodiscard]] Result<std::vector<TeeRegistryEntry>> read_registry_active_tees(const RpcClient& rpc,
                                                                              const Address& registry,
                                                                              std::uint8_t tee_type);

/// getOHTTPConfig(bytes32) of the devnet registry: the TEE's ohttpConfig and
/// the enclave's RSA-PSS signature over its configHash (which the devnet
/// registry stores but, unlike OpenGradient's, does not verify: check it with
/// verify_ohttp_config). No config registered is untrusted.
[[nodiscard]] Result<SignedOhttpConfig> read_registry_ohttp_config(const RpcClient& rpc,
                                                                   const Address& registry,
                                                                   const Hash32& tee_id);

}  // namespace verinfer
