#include "cli/serve_metrics.hpp"

#include <fmt/format.h>

#include "cli/serve_budget.hpp"
#include "cli/serve_tees.hpp"

namespace verinfer::cli {
namespace {

// Label values escape backslash, quote and newline (exposition format 0.0.4).
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void family(std::string& out, std::string_view name, std::string_view type,
            std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void labelled(std::string& out, std::string_view name, std::string_view label,
              const std::map<std::string, std::uint64_t, std::less<>>& values) {
  for (const auto& [key, count] : values) {
    out += fmt::format("{}{{{}=\"{}\"}} {}\n", name, label, label_value(key), count);
  }
}

}  // namespace

void Metrics::call_started() {
  std::lock_guard lock(mu_);
  ++in_flight_;
}

void Metrics::call_finished(std::string_view endpoint, CallOutcome outcome,
                            std::string_view reason, double seconds) {
  std::lock_guard lock(mu_);
  --in_flight_;
  auto bump = [](auto& map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), 0).first;
    ++it->second;
  };
  bump(calls_, endpoint);
  switch (outcome) {
    case CallOutcome::verified: ++verified_; break;
    case CallOutcome::rejected: bump(rejected_, reason); break;
    case CallOutcome::error: bump(errors_, reason); break;
  }
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++bucket_counts_[i];
      break;
    }
  }
  ++duration_count_;
  duration_sum_ += seconds;
}

void Metrics::failed_after_payment() {
  std::lock_guard lock(mu_);
  ++failed_after_payment_;
}

std::string Metrics::render(const SpendBudget& budget, const TeePoolStatus& tees) const {
  std::lock_guard lock(mu_);
  std::string out;
  family(out, "verinfer_serve_calls_total", "counter", "Inference calls received, by endpoint.");
  labelled(out, "verinfer_serve_calls_total", "endpoint", calls_);
  family(out, "verinfer_serve_verified_total", "counter", "Calls answered with a verified result.");
  out += fmt::format("verinfer_serve_verified_total {}\n", verified_);
  family(out, "verinfer_serve_rejected_total", "counter",
         "Calls whose answer failed verification, by the first failed check.");
  labelled(out, "verinfer_serve_rejected_total", "reason", rejected_);
  family(out, "verinfer_serve_errors_total", "counter",
         "Calls refused or failed before verification, by error type.");
  labelled(out, "verinfer_serve_errors_total", "type", errors_);
  family(out, "verinfer_serve_call_duration_seconds", "histogram",
         "Time from request to verdict.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += bucket_counts_[i];
    out += fmt::format("verinfer_serve_call_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       kBuckets[i], cumulative);
  }
  out += fmt::format("verinfer_serve_call_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
                     duration_count_);
  out += fmt::format("verinfer_serve_call_duration_seconds_sum {}\n", duration_sum_);
  out += fmt::format("verinfer_serve_call_duration_seconds_count {}\n", duration_count_);
  family(out, "verinfer_serve_in_flight", "gauge", "Calls in progress.");
  out += fmt::format("verinfer_serve_in_flight {}\n", in_flight_);
  family(out, "verinfer_serve_active_tee", "gauge", "The TEE the next call tries first (value 1).");
  if (tees.active) out += fmt::format("verinfer_serve_active_tee{{tee_id=\"{}\"}} 1\n", tees.active->hex());
  family(out, "verinfer_serve_tee_candidate", "gauge",
         "Registry TEEs in use, by state: active, standby or cooling_down (value 1).");
  for (const TeeStatus& t : tees.candidates) {
    out += fmt::format("verinfer_serve_tee_candidate{{tee_id=\"{}\",endpoint=\"{}\",state=\"{}\"}} 1\n",
                       t.tee_id.hex(), label_value(t.endpoint), t.state);
  }
  family(out, "verinfer_serve_tee_excluded", "gauge", "Registry TEEs left out (see /health for why).");
  out += fmt::format("verinfer_serve_tee_excluded {}\n", tees.excluded.size());
  family(out, "verinfer_serve_failovers_total", "counter",
         "Calls moved to another TEE after a failure before any payment was sent.");
  out += fmt::format("verinfer_serve_failovers_total {}\n", tees.failovers);
  family(out, "verinfer_serve_failed_after_payment_total", "counter",
         "Calls that failed after their payment was sent (it may have been made; never retried).");
  out += fmt::format("verinfer_serve_failed_after_payment_total {}\n", failed_after_payment_);
  family(out, "verinfer_serve_registry_reads_total", "counter", "Registry reads, by result.");
  out += fmt::format("verinfer_serve_registry_reads_total{{result=\"ok\"}} {}\n", tees.refreshes);
  out += fmt::format("verinfer_serve_registry_reads_total{{result=\"error\"}} {}\n", tees.refresh_errors);
  family(out, "verinfer_serve_spent_base_units", "counter",
         "Payments charged against the spend limit (the authorised amount of each paid call).");
  out += fmt::format("verinfer_serve_spent_base_units {}\n", budget.spent().to_decimal());
  if (budget.limit()) {
    family(out, "verinfer_serve_spend_limit_base_units", "gauge", "The cumulative spend limit.");
    out += fmt::format("verinfer_serve_spend_limit_base_units {}\n", budget.limit()->to_decimal());
  }
  return out;
}

}  // namespace verinfer::cli
