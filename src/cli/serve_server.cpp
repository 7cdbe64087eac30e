// verinfer serve: routes, the three answer paths (buffered, verify-first
// stream, low-latency stream), draining shutdown and one-line logs.
#include "cli/serve_server.hpp"

#include <httplib.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "cli/cli.hpp"
#include "cli/serve_budget.hpp"
#include "cli/serve_log.hpp"
#include "cli/serve_metrics.hpp"
#include "cli/serve_openai.hpp"
#include "cli/serve_tees.hpp"

namespace verinfer::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The longest a shutdown waits for in-flight calls: the client's own call
// timeout (120 s by default) plus a margin.
constexpr auto kDrainTimeout = std::chrono::seconds(150);

// Set by the call handlers so the generic request logger skips their requests
// (they log richer lines themselves); handler and logger share a thread.
thread_local bool t_call_logged = false;

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, const ApiError& error) {
  send_json(res, error.status, error_body(error));
}

std::string_view outcome_name(CallOutcome o) {
  switch (o) {
    case CallOutcome::verified: return "verified";
    case CallOutcome::rejected: return "rejected";
    case CallOutcome::error: return "error";
  }
  return "error";
}

std::string_view policy_name(StreamPolicy p) {
  return p == StreamPolicy::verify_first ? "verify-first" : "low-latency";
}

// What a finished call is charged against the spend limit: a verified answer
// names the amount its payment authorised; a failure before any payment was
// sent paid nothing; a failure after it may have paid, up to the per-call cap.
U256 charge_of(const Result<VerifiedResult>& result, const U256& per_call_cap) {
  if (result) {
    const CallResult& r = result->value();
    if (r.authorized_amount) return *r.authorized_amount;
    return r.payment ? per_call_cap : U256();
  }
  return result.error().payment == PaymentState::none ? U256() : per_call_cap;
}

struct CallContext {
  std::uint64_t id = 0;
  std::string endpoint;  // "chat" or "completion"
  std::string path;
  std::string stream;    // "none", "verify-first" or "low-latency"
  std::string model;      // as the client named it
  std::string sent_model;  // as sent, without a provider prefix
  std::string prompt;      // only kept with --log-prompts
  SteadyClock::time_point start = SteadyClock::now();
  PoolCall trace;          // which TEE answered, after how many failovers
};

// A low-latency stream: the worker pushes SSE events, the response drains them.
struct LiveStream {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> events;   // SSE text not yet written
  std::vector<std::string> deltas;  // every delta, for an answer not yet committed
  bool committed = false;           // 200 and the SSE headers are promised
  bool done = false;
  std::optional<Result<VerifiedResult>> result;
  PoolCall trace;
};

}  // namespace

Result<StreamPolicy> parse_stream_policy(std::string_view text) {
  if (text == "verify-first") return StreamPolicy::verify_first;
  if (text == "low-latency") return StreamPolicy::low_latency;
  return fail(ErrorCode::invalid_argument, "unknown stream policy",
              "expected verify-first or low-latency, got \"" + std::string(text) + "\"");
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

struct ProxyServer::Impl {
  Impl(std::unique_ptr<TeePool> p, ServeConfig cfg)
      : pool(std::move(p)),
        config(std::move(cfg)),
        budget(config.max_spend, config.per_call_cap) {}

  std::unique_ptr<TeePool> pool;
  ServeConfig config;
  SpendBudget budget;
  Metrics metrics;
  httplib::Server server;
  std::atomic<std::uint64_t> next_id{1};

  // Draining: stop() refuses new calls and waits for these to end.
  mutable std::mutex drain_mu;
  std::condition_variable drain_cv;
  std::size_t active = 0;
  bool draining = false;
  bool running = false;

  struct ActiveCall {
    Impl& impl;
    ~ActiveCall() {
      std::lock_guard lock(impl.drain_mu);
      --impl.active;
      impl.drain_cv.notify_all();
    }
  };

  std::shared_ptr<ActiveCall> enter() {
    std::lock_guard lock(drain_mu);
    if (draining) return nullptr;
    ++active;
    return std::shared_ptr<ActiveCall>(new ActiveCall{*this});
  }

  void record(const CallContext& ctx, int status, CallOutcome outcome, std::string_view reason,
              const VerifiedResult* verified, std::string_view error_text = {},
              bool payment_may_have_been_made = false) {
    double seconds = std::chrono::duration<double>(SteadyClock::now() - ctx.start).count();
    metrics.call_finished(ctx.endpoint, outcome, reason, seconds);
    LogLine line(outcome == CallOutcome::verified ? "info" : "warn", "call");
    line.kv("id", static_cast<std::int64_t>(ctx.id))
        .kv("path", ctx.path)
        .kv("status", status)
        .kv("stream", ctx.stream)
        .kv("outcome", outcome_name(outcome))
        .kv("verified", verified ? "true" : "false");
    if (!ctx.model.empty()) line.kv("model", ctx.model);
    if (verified) {
      line.kv("tee_id", verified->value().tee_id.hex())
          .kv("request_hash", verified->value().request_hash.hex())
          .kv("checks", static_cast<std::int64_t>(verified->report().checks().size()));
    } else {
      line.kv("reason", reason);
      if (!error_text.empty()) line.kv("error", error_text);
      if (payment_may_have_been_made) line.kv("payment", "may_have_been_made");
      if (ctx.trace.tee_id) line.kv("tee_id", ctx.trace.tee_id->hex());
    }
    if (ctx.trace.failovers > 0) line.kv("failovers", static_cast<std::int64_t>(ctx.trace.failovers));
    if (config.log_prompts && !ctx.prompt.empty()) line.kv("prompt", ctx.prompt);
    line.kv("latency_ms", static_cast<std::int64_t>(seconds * 1000.0)).emit();
  }

  void record_error(const CallContext& ctx, const ApiError& e) {
    CallOutcome outcome = e.report ? CallOutcome::rejected : CallOutcome::error;
    if (e.payment_may_have_been_made) metrics.failed_after_payment();
    record(ctx, e.status, outcome, reason_of(e), nullptr, e.summary, e.payment_may_have_been_made);
  }

  // Answers a finished call: the verified body, or the error (502 without
  // content when a check failed).
  void answer(const CallContext& ctx, httplib::Response& res,
              const Result<VerifiedResult>& result,
              const std::function<void(const VerifiedResult&)>& write_verified) {
    if (!result) {
      ApiError e = classify(result.error());
      send_error(res, e);
      record_error(ctx, e);
      return;
    }
    res.set_header("X-Verinfer-Verified", "true");
    res.set_header("X-Verinfer-TEE-Id", result->value().tee_id.hex());
    write_verified(*result);
    record(ctx, res.status, CallOutcome::verified, "", &*result);
  }

  void answer_buffered(const CallContext& ctx, httplib::Response& res,
                       const Result<VerifiedResult>& result) {
    answer(ctx, res, result, [&](const VerifiedResult& v) {
      Json body = v.value().response;
      body.set("verinfer_verification", verification_json(v));
      send_json(res, 200, body);
    });
  }

  void answer_replayed(const CallContext& ctx, httplib::Response& res, const ChunkMeta& meta,
                       const std::vector<std::string>& deltas,
                       const Result<VerifiedResult>& result) {
    answer(ctx, res, result, [&](const VerifiedResult& v) {
      res.status = 200;
      res.set_header("Cache-Control", "no-cache");
      res.set_content(replay_stream(meta, deltas, v), "text/event-stream");
    });
  }

  // Checks and reads the body an OpenAI client sent.
  std::expected<BuiltRequest, ApiError> read_request(const httplib::Request& req,
                                                     RequestKind kind, CallContext& ctx) const {
    std::string type = req.get_header_value("Content-Type");
    std::string lower;
    for (char c : type) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!lower.starts_with("application/json")) {
      return std::unexpected(api_error(415, "invalid_request_error",
                                       "Content-Type must be application/json, got \"" + type +
                                           "\""));
    }
    auto body = parse_json(req.body);
    if (!body) {
      return std::unexpected(api_error(400, "invalid_request_error",
                                       "the body is not valid JSON: " + body.error().message));
    }
    if (const Json* m = body->find("model"); m && m->is_string()) ctx.model = m->as_string();
    if (config.log_prompts) {
      const Json* p = body->find(kind == RequestKind::chat ? "messages" : "prompt");
      if (p) ctx.prompt = p->dump();
    }
    strip_provider_prefix(*body);
    auto built = request_from_body(kind, std::move(*body), config.settlement);
    if (!built) return std::unexpected(classify(built.error()));
    ctx.sent_model = built->body.find("model")->as_string();
    return std::move(*built);
  }

  ChunkMeta chunk_meta(const CallContext& ctx, RequestKind kind) const {
    ChunkMeta meta;
    meta.kind = kind;
    meta.id = (kind == RequestKind::chat ? "chatcmpl-verinfer-" : "cmpl-verinfer-") + std::to_string(ctx.id);
    meta.model = ctx.sent_model;
    meta.created = unix_now();
    return meta;
  }

  void handle_call(const httplib::Request& req, httplib::Response& res, RequestKind kind) {
    t_call_logged = true;
    CallContext ctx;
    ctx.id = next_id.fetch_add(1);
    ctx.endpoint = kind == RequestKind::chat ? "chat" : "completion";
    ctx.path = req.path;
    ctx.stream = "none";
    auto token = enter();
    metrics.call_started();
    if (!token) {
      res.set_header("Connection", "close");
      ApiError e = api_error(503, "unavailable", "the proxy is shutting down");
      send_error(res, e);
      record_error(ctx, e);
      return;
    }
    auto built = read_request(req, kind, ctx);
    if (!built) {
      send_error(res, built.error());
      record_error(ctx, built.error());
      return;
    }
    if (auto reserved = budget.reserve(); !reserved) {
      ApiError e = classify(reserved.error());
      e.code = "spend_limit_reached";
      send_error(res, e);
      record_error(ctx, e);
      return;
    }
    if (!built->stream) {
      auto result = pool->call(*built, ctx.trace);
      budget.settle(charge_of(result, budget.per_call()));
      answer_buffered(ctx, res, result);
      return;
    }
    ctx.stream = policy_name(config.stream_policy);
    if (config.stream_policy == StreamPolicy::verify_first) {
      std::vector<std::string> deltas;
      auto result = pool->call_stream(*built, [&](std::string_view d) { deltas.emplace_back(d); },
                                      ctx.trace);
      budget.settle(charge_of(result, budget.per_call()));
      answer_replayed(ctx, res, chunk_meta(ctx, built->kind), deltas, result);
      return;
    }
    stream_low_latency(ctx, res, std::move(*built), std::move(token));
  }

  // Deltas go out as they arrive; the verdict is the last event. Until the
  // first delta the answer is not committed, so an early failure still gets
  // its proper HTTP status.
  void stream_low_latency(CallContext& ctx, httplib::Response& res, BuiltRequest built,
                          std::shared_ptr<ActiveCall> token) {
    auto live = std::make_shared<LiveStream>();
    ChunkMeta meta = chunk_meta(ctx, built.kind);
    // The worker holds only `live`; the job (and so the join) belongs to the response.
    struct Job {
      std::shared_ptr<ActiveCall> token;
      std::jthread worker;
    };
    auto job = std::make_shared<Job>();
    job->token = std::move(token);
    job->worker = std::jthread([this, live, meta, ctx, built = std::move(built)]() mutable {
      bool first = true;
      auto result = pool->call_stream(built, [&](std::string_view d) {
        std::lock_guard lock(live->mu);
        live->deltas.emplace_back(d);
        live->events.push_back(sse_event(content_chunk(meta, d, first)));
        first = false;
        live->cv.notify_all();
      }, ctx.trace);
      budget.settle(charge_of(result, budget.per_call()));
      std::lock_guard lock(live->mu);
      if (live->committed) {
        if (result) {
          live->events.push_back(verified_stream_tail(meta, *result, !first));
          live->events.emplace_back(kSseDone);
          record(ctx, 200, CallOutcome::verified, "", &*result);
        } else {
          // No [DONE]: the stream ends with the error, so clients see it failed.
          ApiError e = classify(result.error());
          live->events.push_back(sse_event(error_body(e)));
          record_error(ctx, e);
        }
      }
      live->result = std::move(result);
      live->trace = ctx.trace;
      live->done = true;
      live->cv.notify_all();
    });

    bool committed = false;
    {
      std::unique_lock lock(live->mu);
      live->cv.wait(lock, [&] { return live->done || !live->events.empty(); });
      committed = live->committed = !live->done;
    }
    if (!committed) {
      job->worker.join();
      ctx.trace = live->trace;
      answer_replayed(ctx, res, meta, live->deltas, *live->result);
      return;
    }
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Verinfer-Stream-Policy", "low-latency");
    res.set_chunked_content_provider(
        "text/event-stream", [job, live](std::size_t, httplib::DataSink& sink) {
          std::deque<std::string> batch;
          bool finished = false;
          {
            std::unique_lock lock(live->mu);
            live->cv.wait(lock, [&] { return live->done || !live->events.empty(); });
            batch.swap(live->events);
            finished = live->done;
          }
          for (const auto& event : batch) {
            if (!sink.write(event.data(), event.size())) return false;
          }
          if (finished) sink.done();
          return true;
        });
  }

  Json health() const {
    Json h = Json::object();
    {
      std::lock_guard lock(drain_mu);
      h.set("status", draining ? "draining" : "ok");
    }
    h.set("profile", config.profile_name);
    TeePoolStatus tees = pool->status();
    std::string gateway;
    Json candidates = Json::array();
    for (const TeeStatus& t : tees.candidates) {
      if (tees.active == t.tee_id) gateway = t.endpoint;
      Json c = Json::object();
      c.set("tee_id", t.tee_id.hex());
      c.set("endpoint", t.endpoint);
      c.set("state", t.state);
      c.set("failures", t.failures);
      candidates.push_back(std::move(c));
    }
    Json excluded = Json::array();
    for (const ExcludedTee& e : tees.excluded) {
      Json x = Json::object();
      x.set("tee_id", e.tee_id.hex());
      x.set("endpoint", e.endpoint.empty() ? Json(nullptr) : Json(e.endpoint));
      x.set("reason", e.reason);
      excluded.push_back(std::move(x));
    }
    h.set("gateway", gateway.empty() ? Json(nullptr) : Json(gateway));
    h.set("tee_id", tees.active ? Json(tees.active->hex()) : Json(nullptr));
    h.set("candidates", std::move(candidates));
    h.set("excluded", std::move(excluded));
    h.set("failovers", tees.failovers);
    Json registry = Json::object();
    registry.set("reads", tees.refreshes);
    registry.set("errors", tees.refresh_errors);
    registry.set("refreshed_at", tees.refreshed_at);
    registry.set("last_error", tees.last_refresh_error.empty() ? Json(nullptr) : Json(tees.last_refresh_error));
    h.set("registry", std::move(registry));
    h.set("stream_policy", policy_name(config.stream_policy));
    h.set("settlement", to_string(config.settlement));
    h.set("settlement_check", config.settlement_check);
    h.set("spent", budget.spent().to_decimal());
    h.set("max_spend", budget.limit() ? Json(budget.limit()->to_decimal()) : Json(nullptr));
    return h;
  }

  static Json models() {
    // A small list in OpenGradient's provider/model form (PROTOCOL.md §2);
    // any model the gateway serves may be asked for.
    Json data = Json::array();
    for (std::string_view id : {"openai/gpt-5", "anthropic/claude-haiku-4-5",
                                "google/gemini-2.5-flash", "x-ai/grok-4"}) {
      Json m = Json::object();
      m.set("id", id);
      m.set("object", "model");
      m.set("created", 0);
      m.set("owned_by", id.substr(0, id.find('/')));
      data.push_back(std::move(m));
    }
    Json out = Json::object();
    out.set("object", "list");
    out.set("data", std::move(data));
    return out;
  }

  void install_routes() {
    server.new_task_queue = [n = config.threads] { return new httplib::ThreadPool(n); };
    server.set_payload_max_length(config.max_body_bytes);
    server.set_keep_alive_max_count(100);
    // An idle client connection holds a worker until this runs out, and a
    // shutdown waits for it (httplib's default is 5 s).
    server.set_keep_alive_timeout(2);
    server.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      handle_call(req, res, RequestKind::chat);
    });
    server.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) {
      handle_call(req, res, RequestKind::completion);
    });
    server.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, models());
    });
    server.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, health());
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics.render(budget, pool->status()), "text/plain; version=0.0.4");
    });
    // Statuses httplib sets itself (404, 413, 400) get an OpenAI-style body too.
    server.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          std::string message = "HTTP " + std::to_string(res.status);
          if (res.status == 404) message = "no such endpoint: " + req.method + " " + req.path;
          if (res.status == 413) {
            message = "the request body is larger than " +
                      std::to_string(config.max_body_bytes) + " bytes";
          }
          send_json(res, res.status, error_body(api_error(res.status, "invalid_request_error",
                                                          message)));
          return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          send_json(res, 500, error_body(api_error(500, "internal_error", "internal error")));
        });
    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      if (t_call_logged) {
        t_call_logged = false;
        return;
      }
      LogLine("info", "request")
          .kv("method", req.method)
          .kv("path", req.path)
          .kv("status", res.status)
          .emit();
    });
  }
};

ProxyServer::ProxyServer(std::unique_ptr<TeePool> pool, ServeConfig config)
    : impl_(std::make_unique<Impl>(std::move(pool), std::move(config))) {
  impl_->install_routes();
}

ProxyServer::~ProxyServer() = default;

Result<int> ProxyServer::bind() {
  const ServeConfig& c = impl_->config;
  std::string host = c.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = c.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(host);
    if (port < 0) return fail(ErrorCode::unavailable, "cannot listen", host + ":0");
  } else if (!impl_->server.bind_to_port(host, port)) {
    return fail(ErrorCode::unavailable, "cannot listen (address in use or not local?)",
                host + ":" + std::to_string(port));
  }
  return port;
}

Status ProxyServer::run() {
  {
    std::lock_guard lock(impl_->drain_mu);
    if (impl_->draining) return {};
    impl_->running = true;
  }
  bool ok = impl_->server.listen_after_bind();
  std::lock_guard lock(impl_->drain_mu);
  impl_->running = false;
  impl_->drain_cv.notify_all();
  if (!ok && !impl_->draining) return fail(ErrorCode::unavailable, "the server stopped listening");
  return {};
}

void ProxyServer::stop() {
  std::unique_lock lock(impl_->drain_mu);
  impl_->draining = true;
  impl_->drain_cv.wait_for(lock, kDrainTimeout, [&] { return impl_->active == 0; });
  // listen_after_bind may not have started its loop yet: repeat until run() returns.
  while (impl_->running) {
    lock.unlock();
    impl_->server.stop();
    lock.lock();
    impl_->drain_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return !impl_->running; });
  }
}

}  // namespace verinfer::cli
