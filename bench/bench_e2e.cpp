// End to end against a running devnet: what verification adds to a chat
// call. The same Client makes the same paid chat call verified (chat()) and
// UNVERIFIED (chat_unverified(), nothing checked), interleaved call by call
// so machine load hits both alike; then calls/s at 1, 8 and 64 concurrent
// callers for each. The attestation and registry checks are cached after the
// warm-up call (the steady state). Both paths pay x402 alike. Prints markdown.
// Figures for notes, never a test.
//
//   DEVNET_PORT_BASE=9600 devnet/start.sh
//   VERINFER_DEVNET_PROFILE=devnet/run-9600/profile.json build/bench/bench_e2e [pairs] [seconds]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "../examples/cpp/devnet.hpp"

namespace {

using namespace verinfer;
using Clock = std::chrono::steady_clock;

const ChatRequest& request() {
  static const ChatRequest r = ChatRequest("openai/gpt-5").user("benchmark").max_tokens(16);
  return r;
}

// One call; exits on failure (a failed call would skew both columns).
double timed_call(const Client& client, bool verified) {
  const auto start = Clock::now();
  if (verified) {
    example::checked(client.chat(request()));
  } else {
    example::checked(client.chat_unverified(request()));
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto at = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[at];
}

// `callers` threads calling back to back for `seconds`: completed calls/s.
double throughput(const Client& client, bool verified, int callers, double seconds) {
  std::atomic<long> done{0};
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i) {
    threads.emplace_back([&] {
      while (Clock::now() < until) {
        timed_call(client, verified);
        done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(done.load()) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const int pairs = argc > 1 ? std::atoi(argv[1]) : 200;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 10.0;
  if (pairs < 2 || seconds <= 0) {
    std::fprintf(stderr, "usage: bench_e2e [pairs >= 2] [seconds per throughput run > 0]\n");
    return 2;
  }
  const Client client = example::devnet_client();
  // Warm-up: attestation, registry check and connections, then cached.
  timed_call(client, true);
  timed_call(client, false);

  std::vector<double> verified, unverified, overhead;
  for (int i = 0; i < pairs; ++i) {
    // Alternate which path goes first so neither always follows the other.
    const bool verified_first = i % 2 == 0;
    const double a = timed_call(client, verified_first);
    const double b = timed_call(client, !verified_first);
    verified.push_back(verified_first ? a : b);
    unverified.push_back(verified_first ? b : a);
    overhead.push_back(verified.back() - unverified.back());
  }
  std::printf("%d interleaved pairs, one caller:\n\n", pairs);
  std::printf("| chat call | p50 ms | p90 ms | p99 ms |\n| --- | ---: | ---: | ---: |\n");
  auto row = [](const char* name, const std::vector<double>& v) {
    std::printf("| %s | %.1f | %.1f | %.1f |\n", name, percentile(v, 0.5), percentile(v, 0.9), percentile(v, 0.99));
  };
  row("unverified (`chat_unverified`)", unverified);
  row("verified (`chat`)", verified);
  row("verified minus unverified (paired)", overhead);
  const double p50_u = percentile(unverified, 0.5);
  std::printf("\nverification overhead (target < 5 %% of the unverified p50): p50 verified - p50 unverified = "
              "%.1f %%; median paired difference = %.1f %%\n\n",
              100.0 * (percentile(verified, 0.5) - p50_u) / p50_u, 100.0 * percentile(overhead, 0.5) / p50_u);

  std::printf("| concurrent callers | unverified calls/s | verified calls/s |\n| ---: | ---: | ---: |\n");
  for (int callers : {1, 8, 64}) {
    const double u = throughput(client, false, callers, seconds);
    const double v = throughput(client, true, callers, seconds);
    std::printf("| %d | %.1f | %.1f |\n", callers, u, v);
    std::fflush(stdout);
  }
  return 0;
}
