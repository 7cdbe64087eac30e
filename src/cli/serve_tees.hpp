// verinfer serve: the TEEs the proxy calls. They are chosen from the on-chain
// registry (settle/tee_directory.hpp), each gets its own Client (the
// profile's gateway replaced by the TEE's endpoint, its registry TLS
// certificate pinned), the choice is refreshed in the background, and a call
// moves on to the next TEE after a failure that sent no payment.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "verinfer/client.hpp"
#include "verinfer/error.hpp"
#include "verinfer/settle/tee_directory.hpp"

namespace verinfer::cli {

/// Whether a failed call may move on to another TEE: no payment was sent
/// (Error::payment is none, so trying again cannot pay twice) and the failure
/// is this TEE's: unreachable, timed out, an unreadable answer, or evidence
/// that failed a check. Bad input or a refused payment would fail the same
/// way on every TEE, and a failure after a payment may have been sent is
/// never retried elsewhere.
[[nodiscard]] bool may_fail_over(const Error& error);

struct TeePoolOptions {
  /// What every per-TEE Client starts from (trust, payer, payment, http);
  /// the profile also names the registry and its chain.
  ClientOptions client;
  TeeSelection selection;
  /// How often the registry is read again; zero: only at start.
  std::chrono::seconds refresh_interval{60};
  /// How long a TEE that failed over is tried after the others.
  std::chrono::seconds cooldown{30};
};

/// One candidate as /health and /metrics show it.
struct TeeStatus {
  Hash32 tee_id;
  std::string endpoint;
  std::string state;           ///< "active", "standby" or "cooling_down"
  std::uint64_t failures = 0;  ///< calls that failed over away from it
};

struct TeePoolStatus {
  std::optional<Hash32> active;  ///< the TEE the next call tries first
  std::vector<TeeStatus> candidates;
  std::vector<ExcludedTee> excluded;
  std::uint64_t failovers = 0;
  std::uint64_t refreshes = 0;       ///< registry reads that succeeded
  std::uint64_t refresh_errors = 0;  ///< registry reads that failed (the last choice stays)
  std::int64_t refreshed_at = 0;     ///< Unix seconds of the last successful read
  std::string last_refresh_error;
};

/// What one call through the pool did besides its result.
struct PoolCall {
  std::optional<Hash32> tee_id;  ///< the TEE that gave the result
  std::size_t failovers = 0;     ///< TEEs left after a failure before payment
};

class TeePool {
 public:
  /// Reads the registry; fails (naming every excluded TEE and why) when
  /// no TEE is usable, or when the registry cannot be read.
  [[nodiscard]] static Result<std::unique_ptr<TeePool>> create(TeePoolOptions options);
  ~TeePool();
  TeePool(const TeePool&) = delete;
  TeePool& operator=(const TeePool&) = delete;

  /// Client::call / call_stream on the best TEE, then the next ones while a
  /// failure is may_fail_over (and, streaming, no delta was passed on).
  [[nodiscard]] Result<VerifiedResult> call(const BuiltRequest& request, PoolCall& trace);
  [[nodiscard]] Result<VerifiedResult> call_stream(
      const BuiltRequest& request, const std::function<void(std::string_view)>& on_delta,
      PoolCall& trace);

  /// Reads the registry again and adopts its answer (TEEs no longer active
  /// stop being used at once); on a read error the last choice stays.
  [[nodiscard]] Status refresh();
  /// Refreshes every refresh_interval on a background thread until destroyed.
  void start_refreshing();

  [[nodiscard]] TeePoolStatus status() const;

 private:
  struct Impl;
  explicit TeePool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace verinfer::cli
