// verinfer serve: a local OpenAI-compatible server whose every answer went
// through a Client of a registry TEE (paid, verified) before it is returned. httplib stays in
// serve_server.cpp; this header is all the CLI verb sees.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "verinfer/client.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/error.hpp"
#include "verinfer/inference/request.hpp"

namespace verinfer::cli {

enum class StreamPolicy {
  verify_first,  ///< collect the whole stream, verify, then replay it
  low_latency,   ///< forward deltas as they arrive; the last event holds the verdict
};

[[nodiscard]] Result<StreamPolicy> parse_stream_policy(std::string_view text);

struct ServeConfig {
  std::string host = "127.0.0.1";
  int port = 11434;  ///< 0: any free port (the bound one is logged)
  StreamPolicy stream_policy = StreamPolicy::verify_first;
  SettlementMode settlement = SettlementMode::batch;
  bool log_prompts = false;
  std::size_t max_body_bytes = 1u << 20;
  std::size_t threads = 32;
  std::optional<U256> max_spend;  ///< cumulative, base units of the payment asset
  U256 per_call_cap;              ///< the client's per-call payment cap
  bool settlement_check = false;  ///< payment and settlement checked on chain
  std::string profile_name;
};

class TeePool;

class ProxyServer {
 public:
  ProxyServer(std::unique_ptr<TeePool> pool, ServeConfig config);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  /// Binds the listening socket; returns the bound port.
  [[nodiscard]] Result<int> bind();
  /// Serves until stop(); in-flight calls finish before it returns.
  [[nodiscard]] Status run();
  /// Stops accepting connections (safe from any thread).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
[[nodiscard]] bool is_loopback_host(std::string_view host);

}  // namespace verinfer::cli
