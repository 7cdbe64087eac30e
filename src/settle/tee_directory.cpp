// Choosing TEEs from the registry: filter by pins, order, explain exclusions.
#include "verinfer/settle/tee_directory.hpp"

#include <algorithm>

#include "verinfer/settle/settlement.hpp"

namespace verinfer {
namespace {

bool contains(const std::vector<Hash32>& list, const Hash32& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string hex_list(const std::vector<Hash32>& list) {
  std::string out;
  for (const Hash32& h : list) out += (out.empty() ? "" : ", ") + h.hex();
  return out;
}

bool is_http_url(std::string_view endpoint) {
  return endpoint.starts_with("https://") || endpoint.starts_with("http://");
}

// Why an entry that getActiveTEEs did not list is not active, read from
// getTEE and isTEEActive (the registry's own definition of active).
std::string why_not_active(const RpcClient& rpc, const Address& registry, const Hash32& tee_id,
                           std::uint8_t tee_type, std::string& endpoint) {
  auto entry = read_registry_tee(rpc, registry, tee_id);
  if (!entry) {
    return entry.error().code == ErrorCode::untrusted  // registeredAt 0
               ? "not registered in the TEE registry"
               : "not active (its registry entry could not be read: " + entry.error().to_string() + ")";
  }
  endpoint = entry->endpoint;
  if (entry->tee_type != tee_type) {
    return "registered as TEE type " + std::to_string(entry->tee_type) + ", not type " +
           std::to_string(tee_type);
  }
  if (!entry->enabled) return "disabled in the registry";
  auto active = read_registry_tee_active(rpc, registry, tee_id);
  if (!active) return "not active (isTEEActive failed: " + active.error().to_string() + ")";
  if (!*active) {
    return "enabled but not active: its PCR hash " + entry->pcr_hash.hex() + " is no longer approved";
  }
  return "became active after the list was read (used from the next refresh)";
}

constexpr std::string_view kNotActive = "not among the registry's active TEEs";

}  // namespace

TeeDirectory select_tees(std::vector<TeeRegistryEntry> active, const TeeSelection& selection) {
  TeeDirectory out;
  std::vector<Hash32> listed;
  for (TeeRegistryEntry& entry : active) {
    Hash32 id = entry.tee_id ? *entry.tee_id : tee_id_of(entry.public_key);
    entry.tee_id = id;
    listed.push_back(id);
    auto exclude = [&](std::string reason) {
      out.excluded.push_back(ExcludedTee{id, entry.endpoint, std::move(reason)});
    };
    bool duplicate = std::any_of(out.candidates.begin(), out.candidates.end(),
                                 [&](const TeeRegistryEntry& c) { return *c.tee_id == id; });
    if (duplicate) {
      exclude("listed twice by the registry (the first entry is used)");
    } else if (!selection.tee_ids.empty() && !contains(selection.tee_ids, id)) {
      exclude("tee_id is not pinned (pinned: " + hex_list(selection.tee_ids) + ")");
    } else if (!selection.pcr_hashes.empty() && !contains(selection.pcr_hashes, entry.pcr_hash)) {
      exclude("PCR hash " + entry.pcr_hash.hex() + " is not pinned (pinned: " +
              hex_list(selection.pcr_hashes) + ")");
    } else if (!is_http_url(entry.endpoint)) {
      exclude("endpoint \"" + entry.endpoint + "\" is not an http(s) URL");
    } else {
      out.candidates.push_back(std::move(entry));
    }
  }
  if (!selection.tee_ids.empty()) {
    auto rank = [&](const TeeRegistryEntry& e) {
      return std::find(selection.tee_ids.begin(), selection.tee_ids.end(), *e.tee_id) -
             selection.tee_ids.begin();
    };
    std::stable_sort(out.candidates.begin(), out.candidates.end(),
                     [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    for (const Hash32& pinned : selection.tee_ids) {
      if (!contains(listed, pinned)) out.excluded.push_back(ExcludedTee{pinned, "", std::string(kNotActive)});
    }
  } else {
    std::sort(out.candidates.begin(), out.candidates.end(), [](const auto& a, const auto& b) {
      if (a.last_heartbeat_at != b.last_heartbeat_at) return a.last_heartbeat_at > b.last_heartbeat_at;
      if (a.registered_at != b.registered_at) return a.registered_at > b.registered_at;
      return *a.tee_id < *b.tee_id;
    });
  }
  return out;
}

Result<TeeDirectory> read_tee_directory(const RpcClient& rpc, const Address& registry,
                                        const TeeSelection& selection,
                                        std::span<const Hash32> previously_seen) {
  auto active = read_registry_active_tees(rpc, registry, selection.tee_type);
  if (!active) return std::unexpected(active.error());
  TeeDirectory out = select_tees(std::move(*active), selection);
  auto known = [&](const Hash32& id) {
    auto same = [&](const auto& e) { return e.tee_id == id; };
    return std::any_of(out.candidates.begin(), out.candidates.end(), same) ||
           std::any_of(out.excluded.begin(), out.excluded.end(), same);
  };
  for (const Hash32& id : previously_seen) {
    if (!known(id)) out.excluded.push_back(ExcludedTee{id, "", std::string(kNotActive)});
  }
  for (ExcludedTee& e : out.excluded) {
    if (e.reason == kNotActive) e.reason = why_not_active(rpc, registry, e.tee_id, selection.tee_type, e.endpoint);
  }
  return out;
}

}  // namespace verinfer
