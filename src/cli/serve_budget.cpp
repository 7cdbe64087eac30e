#include "cli/serve_budget.hpp"

namespace verinfer::cli {

SpendBudget::SpendBudget(std::optional<U256> limit, U256 per_call)
    : limit_(std::move(limit)), per_call_(per_call) {}

Status SpendBudget::reserve() {
  std::lock_guard lock(mu_);
  if (limit_) {
    // spent + reserved + per_call <= limit, without overflow: all three are
    // bounded by the limit once admitted.
    U256 committed = spent_.wrapping_add(reserved_);
    U256 room = *limit_ >= committed ? limit_->wrapping_sub(committed) : U256();
    if (room < per_call_) {
      return fail(ErrorCode::payment_required, "spend limit reached",
                  "limit " + limit_->to_decimal() + ", spent " + spent_.to_decimal() +
                      ", in flight " + reserved_.to_decimal() + ", a call may cost up to " +
                      per_call_.to_decimal() + " (base units)");
    }
  }
  reserved_ = reserved_.wrapping_add(per_call_);
  return {};
}

void SpendBudget::settle(const U256& charge) {
  std::lock_guard lock(mu_);
  reserved_ = reserved_.wrapping_sub(per_call_);
  spent_ = spent_.wrapping_add(charge);
}

U256 SpendBudget::spent() const {
  std::lock_guard lock(mu_);
  return spent_;
}

}  // namespace verinfer::cli
