// verinfer: named network profiles. Chain ids, addresses and endpoints live
// here as configuration, never as scattered constants (they change between
// OpenGradient releases).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/transport/x402.hpp"

namespace verinfer {

/// One network: its gateway, chain, contracts, payment token and attestation root.
struct Profile {
  std::string name;
  std::string gateway_url;         ///< TEE gateway base URL (no trailing slash)
  std::string rpc_url;             ///< settlement chain JSON-RPC
  std::uint64_t chain_id = 0;      ///< settlement chain
  Address tee_registry;
  Address settlement_relay;
  std::string facilitator_url;     ///< settlement jobs, batch proofs
  std::string blob_url;            ///< tree dumps (Walrus or its stand-in)
  /// Payment token(s) the profile expects, for the default payment policy.
  std::vector<PaymentPolicy::Asset> payment_assets;
  U256 max_payment;                ///< default per-call cap
  std::string attestation_root_pem;  ///< empty: the pinned AWS Nitro root G1
  std::optional<Hash32> pcr_hash;    ///< expected keccak256(pcr0‖pcr1‖pcr2), if known
  std::string tls_ca_file;           ///< trust for the gateway's HTTPS, if self-signed
  std::string relay_url;             ///< OHTTP relay base URL (private_relay route), if known
  std::string relay_account_token;   ///< the relay's bearer token (devnet: new at every start)
};

/// The local devnet, from its profile.json. `path` defaults to the
/// VERINFER_DEVNET_PROFILE environment variable, then devnet/run/profile.json.
[[nodiscard]] Result<Profile> devnet_profile(std::optional<std::filesystem::path> path = {});

/// OpenGradient's public network values as last published (see PROTOCOL.md);
/// check them against OpenGradient's current documentation before relying on them.
[[nodiscard]] Profile opengradient_profile();

/// "devnet", "opengradient", or a path to a profile.json.
[[nodiscard]] Result<Profile> load_profile(std::string_view name_or_path);

}  // namespace verinfer
