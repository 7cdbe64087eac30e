// verinfer: choosing TEEs from the on-chain registry. The registry's active
// TEEs are filtered by the caller's pins (tee_id, PCR hash), ordered by
// preference, and every TEE left out is listed with the reason, so a proxy
// or client can say why it uses the gateway it uses (PROTOCOL.md §5, §9).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/settle/rpc.hpp"
#include "verinfer/verify/registry_trust.hpp"

namespace verinfer {

/// Which of the registry's TEEs a caller is willing to use.
struct TeeSelection {
  std::uint8_t tee_type = 0;        ///< asked for with getActiveTEEs(tee_type)
  /// Only these TEEs, in this order of preference; empty: any active TEE.
  std::vector<Hash32> tee_ids;
  /// Only TEEs whose registered PCR hash is one of these; empty: any.
  std::vector<Hash32> pcr_hashes;
};

/// A TEE the selection left out.
struct ExcludedTee {
  Hash32 tee_id;
  std::string endpoint;  ///< empty when the registry has none for it
  std::string reason;    ///< one readable sentence, e.g. "PCR hash 0x… is not pinned"
};

/// The TEEs to use, best first, and the ones left out with their reasons.
struct TeeDirectory {
  std::vector<TeeRegistryEntry> candidates;  ///< each has tee_id set
  std::vector<ExcludedTee> excluded;
};

/// Filters and orders `active` (entries as getActiveTEEs returns them; pure,
/// no I/O). Excluded: a tee_id or PCR hash that is not pinned (when pins are
/// given), an endpoint that is not an http(s) URL, a second entry for one id.
/// Order: the pinned tee_ids' order when tee_ids are pinned, otherwise the
/// most recent heartbeat first, then the latest registration, then the lowest
/// tee_id (so equal entries always come out in the same order). A pinned id
/// missing from `active` is excluded as "not active".
[[nodiscard]] TeeDirectory select_tees(std::vector<TeeRegistryEntry> active,
                                       const TeeSelection& selection);

/// Reads getActiveTEEs(selection.tee_type) and selects from it. Each pinned id
/// that is not active, and each of `previously_seen` that no longer is, is
/// looked up (getTEE, isTEEActive) so its exclusion says why: not registered,
/// another TEE type, disabled, or its PCR hash no longer approved.
/// Errors: the registry could not be read (unavailable, parse_error).
[[nodiscard]] Result<TeeDirectory> read_tee_directory(const RpcClient& rpc, const Address& registry,
                                                      const TeeSelection& selection,
                                                      std::span<const Hash32> previously_seen = {});

}  // namespace verinfer
