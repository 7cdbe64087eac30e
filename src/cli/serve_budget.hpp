// verinfer serve: the cumulative spend cap across calls. Each paid call
// reserves the per-call cap before it starts, so concurrent calls can never
// overshoot the limit together.
#pragma once

#include <mutex>
#include <optional>

#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"

namespace verinfer::cli {

class SpendBudget {
 public:
  /// `limit`: total across calls (nullopt: no cumulative cap); `per_call`:
  /// the most one call may authorise (the client's payment policy cap).
  SpendBudget(std::optional<U256> limit, U256 per_call);

  /// Reserves `per_call`; payment_required when the rest of the limit
  /// cannot cover one more call.
  [[nodiscard]] Status reserve();
  /// Ends a reservation and adds `charge` to the spent total: what the call's
  /// signed payment authorised, the per-call cap when it may have paid but
  /// no answer says how much, zero when it certainly did not pay.
  void settle(const U256& charge);

  [[nodiscard]] U256 spent() const;
  [[nodiscard]] const std::optional<U256>& limit() const noexcept { return limit_; }
  [[nodiscard]] const U256& per_call() const noexcept { return per_call_; }

 private:
  mutable std::mutex mu_;
  std::optional<U256> limit_;
  U256 per_call_;
  U256 spent_;
  U256 reserved_;
};

}  // namespace verinfer::cli
