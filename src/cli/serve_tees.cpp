#include "cli/serve_tees.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "cli/cli.hpp"
#include "cli/serve_log.hpp"
#include "verinfer/crypto/sha2.hpp"

namespace verinfer::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// One usable TEE. Shared so a refresh can drop it while a call still uses it.
struct Member {
  TeeRegistryEntry entry;
  Client client;
  SteadyClock::time_point cooling_until{};
  std::uint64_t failures = 0;

  const Hash32& id() const { return *entry.tee_id; }
  // A changed endpoint, certificate or PCR hash needs a new Client.
  bool same_gateway(const TeeRegistryEntry& e) const {
    return e.endpoint == entry.endpoint && e.tls_certificate == entry.tls_certificate &&
           e.pcr_hash == entry.pcr_hash;
  }
};

std::string describe(const std::vector<ExcludedTee>& excluded) {
  std::string out;
  for (const ExcludedTee& e : excluded) {
    out += (out.empty() ? "" : "; ") + e.tee_id.hex();
    if (!e.endpoint.empty()) out += " (" + e.endpoint + ")";
    out += ": " + e.reason;
  }
  return out.empty() ? "the registry lists no active TEE of this type" : out;
}

}  // namespace

bool may_fail_over(const Error& error) {
  if (error.payment != PaymentState::none) return false;
  switch (error.code) {
    case ErrorCode::unavailable:
    case ErrorCode::deadline_exceeded:
    case ErrorCode::parse_error:
    case ErrorCode::verification_failed:
    case ErrorCode::untrusted:
    case ErrorCode::expired: return true;
    default: return false;  // the caller's request, a refused payment, a cancel, a bug
  }
}

struct TeePool::Impl {
  Impl(TeePoolOptions o, RpcClient r) : options(std::move(o)), rpc(std::move(r)) {}

  TeePoolOptions options;
  RpcClient rpc;

  mutable std::mutex mu;
  std::vector<std::shared_ptr<Member>> members;  // the directory's order
  std::vector<ExcludedTee> excluded;
  std::vector<Hash32> seen;  // every TEE ever a candidate, so a dropped one is explained
  std::uint64_t failovers = 0;
  std::uint64_t refreshes = 0;
  std::uint64_t refresh_errors = 0;
  std::int64_t refreshed_at = 0;
  std::string last_refresh_error;

  std::mutex wake_mu;
  std::condition_variable_any wake;
  std::jthread refresher;  // last member: stopped and joined first

  // The per-TEE client: the TEE's own endpoint and id, its registered TLS
  // certificate pinned (TEE gateways serve self-signed certificates), and,
  // when PCR hashes are pinned, the registered one expected in the attestation.
  Result<Client> client_for(const TeeRegistryEntry& e) const {
    ClientOptions o = options.client;
    std::string url = e.endpoint;
    while (url.ends_with('/')) url.pop_back();
    o.profile.gateway_url = url;
    o.trust.pinned_tee_id = *e.tee_id;
    if (!options.selection.pcr_hashes.empty()) o.trust.pcr_hash = e.pcr_hash;
    if (url.starts_with("https://") && !e.tls_certificate.empty()) {
      o.http.tls.pinned_cert_sha256 = {sha256(e.tls_certificate)};
      o.http.tls.pin_replaces_ca = true;
    }
    return Client::create(std::move(o));
  }

  void adopt(const TeeDirectory& directory) {
    std::vector<std::shared_ptr<Member>> next;
    std::vector<ExcludedTee> left_out = directory.excluded;
    std::vector<std::shared_ptr<Member>> current;
    {
      std::lock_guard lock(mu);
      current = members;
    }
    for (const TeeRegistryEntry& e : directory.candidates) {
      auto same = std::find_if(current.begin(), current.end(), [&](const auto& m) {
        return m->id() == *e.tee_id && m->same_gateway(e);
      });
      if (same != current.end()) {
        next.push_back(*same);  // keeps its client (and its checked attestation)
        continue;
      }
      auto client = client_for(e);
      if (!client) {
        left_out.push_back(ExcludedTee{*e.tee_id, e.endpoint,
                                       "no client for its endpoint: " + client.error().to_string()});
        continue;
      }
      next.push_back(std::make_shared<Member>(Member{e, std::move(*client), {}, 0}));
    }
    std::lock_guard lock(mu);
    for (const auto& m : next) {
      if (std::find(seen.begin(), seen.end(), m->id()) == seen.end()) seen.push_back(m->id());
    }
    members = std::move(next);
    excluded = std::move(left_out);
    ++refreshes;
    refreshed_at = unix_now();
  }

  Status refresh() {
    std::vector<Hash32> known;
    {
      std::lock_guard lock(mu);
      known = seen;
    }
    auto directory = read_tee_directory(rpc, options.client.profile.tee_registry, options.selection, known);
    if (!directory) {
      std::lock_guard lock(mu);
      ++refresh_errors;
      last_refresh_error = directory.error().to_string();
      return std::unexpected(directory.error());
    }
    adopt(*directory);
    return {};
  }

  // The order a call tries the TEEs: the directory's, those cooling down last.
  std::vector<std::shared_ptr<Member>> plan() const {
    std::lock_guard lock(mu);
    auto order = members;
    auto now = SteadyClock::now();
    std::stable_partition(order.begin(), order.end(),
                          [&](const auto& m) { return m->cooling_until <= now; });
    return order;
  }

  void failed_over(Member& m, const Error& error, const Member* next) {
    {
      std::lock_guard lock(mu);
      m.cooling_until = SteadyClock::now() + options.cooldown;
      ++m.failures;
      ++failovers;
    }
    LogLine("warn", "failover")
        .kv("from_tee", m.id().hex())
        .kv("endpoint", m.entry.endpoint)
        .kv("error", error.message)  // the message names the URL only, never content
        .kv("to_tee", next ? next->id().hex() : "none")
        .emit();
  }

  template <class CallFn>
  Result<VerifiedResult> call(PoolCall& trace, const CallFn& call_one,
                              const std::function<bool()>& may_retry) {
    auto order = plan();
    if (order.empty()) {
      std::lock_guard lock(mu);
      return fail(ErrorCode::unavailable, "no usable TEE", describe(excluded));
    }
    for (std::size_t i = 0;; ++i) {
      Member& m = *order[i];
      trace.tee_id = m.id();
      auto result = call_one(m.client);
      bool last = i + 1 == order.size();
      if (result || last || !may_fail_over(result.error()) || !may_retry()) return result;
      failed_over(m, result.error(), order[i + 1].get());
      ++trace.failovers;
    }
  }

  TeePoolStatus status() const {
    std::lock_guard lock(mu);
    TeePoolStatus s;
    auto now = SteadyClock::now();
    bool active_set = false;
    for (const auto& m : members) {
      bool cooling = m->cooling_until > now;
      std::string state = cooling ? "cooling_down" : "standby";
      if (!cooling && !active_set) {
        state = "active";
        s.active = m->id();
        active_set = true;
      }
      s.candidates.push_back(TeeStatus{m->id(), m->entry.endpoint, std::move(state), m->failures});
    }
    if (!active_set && !members.empty()) {  // all cooling down: the first is still tried first
      s.active = members.front()->id();
      s.candidates.front().state = "active";
    }
    s.excluded = excluded;
    s.failovers = failovers;
    s.refreshes = refreshes;
    s.refresh_errors = refresh_errors;
    s.refreshed_at = refreshed_at;
    s.last_refresh_error = last_refresh_error;
    return s;
  }
};

Result<std::unique_ptr<TeePool>> TeePool::create(TeePoolOptions options) {
  const Profile& profile = options.client.profile;
  if (profile.rpc_url.empty()) {
    return fail(ErrorCode::invalid_argument, "choosing a TEE from the registry needs the profile's rpc_url",
                profile.name);
  }
  RpcOptions rpc_options;
  rpc_options.expected_chain_id = profile.chain_id;
  auto rpc = RpcClient::create(profile.rpc_url, rpc_options);
  if (!rpc) return std::unexpected(rpc.error());
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*rpc));
  if (auto read = impl->refresh(); !read) {
    return fail(read.error().code, "cannot read the TEE registry " +
                                       impl->options.client.profile.tee_registry.hex() + " at " +
                                       impl->options.client.profile.rpc_url,
                read.error().to_string());
  }
  if (impl->members.empty()) {
    return fail(ErrorCode::unavailable, "no usable TEE in the registry", describe(impl->excluded));
  }
  return std::unique_ptr<TeePool>(new TeePool(std::move(impl)));
}

TeePool::TeePool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TeePool::~TeePool() = default;

Result<VerifiedResult> TeePool::call(const BuiltRequest& request, PoolCall& trace) {
  return impl_->call(trace, [&](const Client& c) { return c.call(request); }, [] { return true; });
}

Result<VerifiedResult> TeePool::call_stream(const BuiltRequest& request,
                                            const std::function<void(std::string_view)>& on_delta,
                                            PoolCall& trace) {
  bool passed_on = false;  // once a delta reached the caller, the answer is this TEE's
  return impl_->call(
      trace,
      [&](const Client& c) {
        return c.call_stream(request, [&](std::string_view d) {
          passed_on = true;
          if (on_delta) on_delta(d);
        });
      },
      [&] { return !passed_on; });
}

Status TeePool::refresh() { return impl_->refresh(); }

void TeePool::start_refreshing() {
  if (impl_->options.refresh_interval.count() <= 0 || impl_->refresher.joinable()) return;
  impl_->refresher = std::jthread([impl = impl_.get()](std::stop_token stop) {
    while (true) {
      {
        std::unique_lock lock(impl->wake_mu);
        impl->wake.wait_for(lock, stop, impl->options.refresh_interval, [] { return false; });
      }
      if (stop.stop_requested()) break;
      auto before = impl->status();
      if (auto r = impl->refresh(); !r) {
        LogLine("warn", "registry_refresh").kv("outcome", "error").kv("error", r.error().message).emit();
        continue;
      }
      auto after = impl->status();
      if (before.active != after.active || before.candidates.size() != after.candidates.size()) {
        LogLine("info", "registry_refresh")
            .kv("outcome", "changed")
            .kv("active_tee", after.active ? after.active->hex() : "none")
            .kv("candidates", static_cast<std::int64_t>(after.candidates.size()))
            .kv("excluded", static_cast<std::int64_t>(after.excluded.size()))
            .emit();
      }
    }
  });
}

TeePoolStatus TeePool::status() const { return impl_->status(); }

}  // namespace verinfer::cli
