// verinfer: EVM logs and their decoding by event signature (Solidity ABI
// specification, "Events"): topic 0 = keccak256(canonical signature),
// indexed parameters in topics 1..3 (dynamic ones only as their hash), the
// rest abi-encoded in the data. Typed decoders for the events verinfer
// checks; anything else stays a raw log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/abi.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer {

/// One log of a receipt or of eth_getLogs.
struct LogEntry {
  Address address;
  std::vector<Hash32> topics;
  Bytes data;
  std::optional<std::uint64_t> block_number;  ///< absent for pending logs
  std::optional<Hash32> block_hash;
  std::optional<Hash32> transaction_hash;
  std::optional<std::uint64_t> transaction_index;
  std::optional<std::uint64_t> log_index;
  bool removed = false;  ///< dropped by a reorg
  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

/// One parameter of an event description.
struct EventParam {
  std::string name;
  AbiType type;
  bool indexed = false;
};

/// One decoded parameter. An indexed dynamic parameter (bytes, string,
/// arrays, tuples) is only present as the keccak256 of its encoding: then
/// `hashed` is set and `value` holds those 32 bytes.
struct EventField {
  std::string name;
  AbiType type;
  bool indexed = false;
  bool hashed = false;
  AbiValue value;
};

/// A log decoded by its EventAbi: the event's name and every parameter.
struct DecodedEvent {
  std::string name;
  std::string signature;  ///< canonical, e.g. "Transfer(address,address,uint256)"
  std::vector<EventField> fields;

  /// The field of that name, or nullptr.
  [[nodiscard]] const EventField* field(std::string_view name) const;
  /// {"event", "signature", "args": {name: JSON value}} (ABI JSON forms).
  [[nodiscard]] Json to_json() const;
};

/// An event description, e.g. parsed from
/// "Transfer(address indexed from, address indexed to, uint256 value)".
class EventAbi {
 public:
  /// Parameters are "type [indexed] [name]"; types as AbiType::parse reads
  /// them (tuples in parentheses). At most 3 indexed (4 when anonymous is
  /// false counts topic 0). Unnamed parameters are called "arg<i>".
  [[nodiscard]] static Result<EventAbi> parse(std::string_view human_signature, bool anonymous = false);

  /// The name, the parameters, the canonical signature
  /// ("Transfer(address,address,uint256)"), its keccak256 (topic 0) and
  /// whether the event is anonymous.
  /// @{
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::vector<EventParam>& params() const noexcept { return params_; }
  [[nodiscard]] const std::string& signature() const noexcept { return signature_; }
  [[nodiscard]] const Hash32& topic0() const noexcept { return topic0_; }
  [[nodiscard]] bool anonymous() const noexcept { return anonymous_; }
  /// @}

  /// Whether the log's topic 0 is this event's (always false when anonymous).
  [[nodiscard]] bool matches(const LogEntry& log) const noexcept;

  /// Strict: topic 0 must match, the topic count must be 1 + indexed, each
  /// indexed static value must be a valid word of its type, and the data
  /// must be exactly the canonical abi.encode of the non-indexed values
  /// (truncated, padded-with-garbage or trailing data is a parse_error).
  [[nodiscard]] Result<DecodedEvent> decode(const LogEntry& log) const;

  /// The topics and data a contract would emit for these values (one per
  /// parameter, in order); for tests and for matching filters.
  [[nodiscard]] Result<LogEntry> encode(const Address& emitter, const std::vector<AbiValue>& values) const;

 private:
  std::string name_;
  std::vector<EventParam> params_;
  std::string signature_;
  Hash32 topic0_;
  bool anonymous_ = false;
};

// ---- The events verinfer checks (as in devnet/contracts and PROTOCOL.md) ----

namespace event_signatures {
inline constexpr std::string_view kBatchSettlement =
    "BatchSettlement(bytes32 indexed merkleRoot, uint256 batchSize, bytes walrusBlobId)";
inline constexpr std::string_view kIndividualSettlement =
    "IndividualSettlement(bytes32 indexed teeId, address indexed ethAddress, bytes32 inputHash, "
    "bytes32 outputHash, uint256 timestamp, bytes walrusBlobId, bytes signature)";
inline constexpr std::string_view kTransfer =
    "Transfer(address indexed from, address indexed to, uint256 value)";
inline constexpr std::string_view kAuthorizationUsed =
    "AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)";
inline constexpr std::string_view kTeeRegistered =
    "TEERegistered(bytes32 indexed teeId, address indexed owner, uint8 indexed teeType, string endpoint, "
    "bytes32 pcrHash)";
inline constexpr std::string_view kInferenceResult =
    "InferenceResult(((string,(int128,int128)[],uint32[])[],(string,string[])[],(string,string)[],bool) output)";
}  // namespace event_signatures

/// A Merkle root of settled calls posted by the settlement relay (batch mode).
struct BatchSettlementEvent {
  Hash32 merkle_root;
  U256 batch_size;
  Bytes walrus_blob_id;  ///< UTF-8 blob id
};

/// One call settled on chain (individual mode): the leaf fields and the TEE operator's address.
struct IndividualSettlementEvent {
  Hash32 tee_id;
  Address eth_address;
  Hash32 input_hash;
  Hash32 output_hash;
  U256 timestamp;
  Bytes walrus_blob_id;
  Bytes signature;
};

/// An ERC-20 Transfer.
struct TransferEvent {
  Address from;
  Address to;
  U256 value;
};

/// An EIP-3009 authorisation consumed by the token.
struct AuthorizationUsedEvent {
  Address authorizer;
  Hash32 nonce;
};

/// A TEE registered in the TEERegistry.
struct TeeRegisteredEvent {
  Hash32 tee_id;
  Address owner;
  std::uint8_t tee_type = 0;
  std::string endpoint;
  Hash32 pcr_hash;
};

/// The raw InferenceResult output tuple; settle/inference.hpp turns it into tensors.
struct InferenceResultEvent {
  AbiValue output;
};

/// A log none of the known decoders claimed (or that failed to decode: then
/// `error` says why).
struct RawLogEvent {
  std::optional<Error> error;
};

/// What decode_known_event() makes of a log.
using KnownEvent = std::variant<BatchSettlementEvent, IndividualSettlementEvent, TransferEvent,
                                AuthorizationUsedEvent, TeeRegisteredEvent, InferenceResultEvent, RawLogEvent>;

/// The EventAbi of each known signature, parsed once.
/// @{
[[nodiscard]] const EventAbi& batch_settlement_event();
[[nodiscard]] const EventAbi& individual_settlement_event();
[[nodiscard]] const EventAbi& transfer_event();
[[nodiscard]] const EventAbi& authorization_used_event();
[[nodiscard]] const EventAbi& tee_registered_event();
[[nodiscard]] const EventAbi& inference_result_event();
/// @}
/// All of the above.
[[nodiscard]] const std::vector<const EventAbi*>& known_events();

/// Typed decoders, strict as EventAbi::decode (parse_error naming the field).
/// @{
[[nodiscard]] Result<BatchSettlementEvent> decode_batch_settlement(const LogEntry& log);
[[nodiscard]] Result<IndividualSettlementEvent> decode_individual_settlement(const LogEntry& log);
[[nodiscard]] Result<TransferEvent> decode_transfer(const LogEntry& log);
[[nodiscard]] Result<AuthorizationUsedEvent> decode_authorization_used(const LogEntry& log);
[[nodiscard]] Result<TeeRegisteredEvent> decode_tee_registered(const LogEntry& log);
[[nodiscard]] Result<InferenceResultEvent> decode_inference_result(const LogEntry& log);
/// @}

/// Picks the decoder by topic 0; unknown events (and known ones that fail
/// to decode, with the error) come back as RawLogEvent.
[[nodiscard]] KnownEvent decode_known_event(const LogEntry& log);

/// Decodes with the first EventAbi of `candidates` whose topic 0 matches;
/// nullopt when none matches.
[[nodiscard]] std::optional<Result<DecodedEvent>> decode_event(const LogEntry& log,
                                                               const std::vector<const EventAbi*>& candidates);

/// {address, topics, data, blockNumber?, ..., removed} in JSON-RPC form.
[[nodiscard]] Json log_to_json(const LogEntry& log);

}  // namespace verinfer
