// verinfer serve: counters for GET /metrics (Prometheus text format 0.0.4).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>


namespace verinfer::cli {

class SpendBudget;
struct TeePoolStatus;

/// How a call through the proxy ended.
enum class CallOutcome {
  verified,  ///< answered with a verified result
  rejected,  ///< the answer failed a check: 502, no content
  error,     ///< refused or failed before there was an answer to check
};

class Metrics {
 public:
  void call_started();
  /// `reason`: the failed check's name (rejected) or the error type (error).
  void call_finished(std::string_view endpoint, CallOutcome outcome, std::string_view reason,
                     double seconds);
  /// A call that failed after its payment may have been made (never retried elsewhere).
  void failed_after_payment();
  [[nodiscard]] std::string render(const SpendBudget& budget, const TeePoolStatus& tees) const;

  static constexpr std::array<double, 11> kBuckets = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                      1.0,  2.5,   5.0,  10.0, 30.0};

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t, std::less<>> calls_;     // by endpoint
  std::uint64_t verified_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> rejected_;  // by failed check
  std::map<std::string, std::uint64_t, std::less<>> errors_;    // by error type
  std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};  // non-cumulative
  std::uint64_t duration_count_ = 0;
  double duration_sum_ = 0;
  std::int64_t in_flight_ = 0;
  std::uint64_t failed_after_payment_ = 0;
};

}  // namespace verinfer::cli
