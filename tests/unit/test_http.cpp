// HttpClient against scripted in-process servers on 127.0.0.1: reuse,
// retries, at-most-once delivery of paid requests, deadlines, cancellation,
// size limits, streaming, and TLS verification and pinning.
#include "test_support.hpp"

#include <chrono>
#include <thread>

#include "http_test_server.hpp"
#include "loopback_port.hpp"
#include "transport/http_internal.hpp"
#include "verinfer/transport/chat_stream.hpp"
#include "verinfer/transport/http.hpp"

using namespace verinfer;
using namespace std::chrono_literals;
using test::http_chunk;
using test::http_response;
using test::ReceivedRequest;
using test::ServerConnection;
using test::TestHttpServer;
using Clock = std::chrono::steady_clock;

namespace {

// Generous slack for "ends soon after the deadline": CI machines stall.
constexpr auto kSlack = 10s;

HttpClient make_client(HttpClientOptions options = {}) {
  options.retry.base_delay = 1ms;
  options.retry.max_delay = std::max(options.retry.max_delay, 1ms);
  auto client = HttpClient::create(std::move(options));
  REQUIRE(client);
  return *client;
}

HttpRequest get(std::string url) {
  HttpRequest r;
  r.url = std::move(url);
  return r;
}

HttpRequest paid_post(std::string url) {
  HttpRequest r;
  r.method = "POST";
  r.url = std::move(url);
  r.headers.add("Content-Type", "application/json");
  r.headers.add("PAYMENT-SIGNATURE", "eyJ4NDAyVmVyc2lvbiI6Mn0=");
  r.body = Bytes{'{', '}'};
  return r;
}

void ok_handler(ServerConnection& c, const ReceivedRequest&, int) { c.write(http_response(200, "ok")); }

}  // namespace

// ---- pure helpers ----

TEST_CASE("http: Retry-After parsing (RFC 9110 §10.2.3)") {
  using internal::parse_retry_after;
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(parse_retry_after("120", now) == 120s);
  CHECK(parse_retry_after(" 0 ", now) == 0ms);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) == 10s);   // IMF-fixdate
  CHECK(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now) == 60s);  // RFC 850
  CHECK(parse_retry_after("Sun Nov  6 08:49:37 1994", now) == 0ms);        // asctime
  CHECK(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now) == 0ms);   // past: now
  CHECK(parse_retry_after("99999999999", now) >= 24h);                     // huge: capped by the policy
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("-5", now));
  CHECK_FALSE(parse_retry_after("soon", now));
}

TEST_CASE("http: full-jitter backoff stays within [0, min(max, base * 2^(n-1))]") {
  RetryPolicy p{.max_attempts = 10, .base_delay = 100ms, .max_delay = 1000ms};
  CHECK(internal::backoff_delay(p, 1, 0.0) == 0ms);
  CHECK(internal::backoff_delay(p, 1, 1.0) == 100ms);
  CHECK(internal::backoff_delay(p, 2, 1.0) == 200ms);
  CHECK(internal::backoff_delay(p, 3, 0.5) == 200ms);
  CHECK(internal::backoff_delay(p, 5, 1.0) == 1000ms);
  CHECK(internal::backoff_delay(p, 60, 1.0) == 1000ms);
}

TEST_CASE("http: URLs in messages lose credentials and queries; request shape checks") {
  CHECK(internal::redact_url("https://user:pw@host:8443/v1/x?key=secret#f") == "https://host:8443/v1/x");
  CHECK(internal::redact_url("http://host/p") == "http://host/p");
  CHECK(internal::redact_url("http://host/p@q") == "http://host/p@q");

  HttpRequest r = get("http://127.0.0.1/");
  CHECK(internal::validate_request_shape(r));
  r.method = "GE T";
  CHECK_FALSE(internal::validate_request_shape(r));
  r.method = "GET";
  r.headers.add("X-Evil", "a\r\nInjected: yes");
  auto bad = internal::validate_request_shape(r);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::invalid_argument);

  HttpHeaders h;
  h.add("Content-Type", "a");
  h.add("x-tee-id", "b");
  h.set("CONTENT-TYPE", "c");
  REQUIRE(h.find("content-type") != nullptr);
  CHECK(*h.find("content-type") == "c");
  CHECK(*h.find("X-TEE-ID") == "b");
  CHECK(h.fields().size() == 2);
  CHECK(internal::carries_payment(paid_post("http://x/").headers));
}

TEST_CASE("http: create() rejects unusable options") {
  HttpClientOptions o;
  o.tls.pin_replaces_ca = true;
  CHECK(HttpClient::create(o).error().code == ErrorCode::invalid_argument);
  HttpClientOptions r;
  r.retry.max_attempts = 0;
  CHECK(HttpClient::create(r).error().code == ErrorCode::invalid_argument);
  HttpClientOptions t;
  t.timeout = 0ms;
  CHECK(HttpClient::create(t).error().code == ErrorCode::invalid_argument);
}

// ---- against a server ----

TEST_CASE("http: GET and POST with headers, body and case-insensitive response headers") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest& req, int) {
    c.write(http_response(req.method == "POST" ? 201 : 200, req.method + " " + req.target + " " + req.body,
                          {{"X-TEE-Signature", "c2ln"}, {"x-settlement-type", "batch"}}));
  });
  HttpClientOptions options;
  options.default_headers.add("X-Default", "d");
  options.default_headers.add("X-Overridden", "default");
  auto client = make_client(options);

  HttpRequest g = get(server.url("/health?probe=1"));
  g.headers.add("X-Overridden", "mine");
  g.headers.add("X-Empty", "");
  auto r = client.send(g);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->text() == "GET /health?probe=1 ");
  CHECK(r->http_version == 11);
  CHECK(r->attempts == 1);
  REQUIRE(r->headers.find("x-tee-signature") != nullptr);
  CHECK(*r->headers.find("X-TEE-SIGNATURE") == "c2ln");
  CHECK(*r->headers.find("X-Settlement-Type") == "batch");

  HttpRequest p;
  p.method = "POST";
  p.url = server.url("/v1/chat/completions");
  p.headers.add("Content-Type", "application/json");
  p.headers.add("X-SETTLEMENT-TYPE", "private");
  std::string json = R"({"model":"gpt-5","messages":[]})";
  p.body.assign(json.begin(), json.end());
  auto pr = client.send(p);
  REQUIRE(pr);
  CHECK(pr->status == 201);
  CHECK(pr->text() == "POST /v1/chat/completions " + json);

  auto seen = server.received();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].header("X-Default") == "d");
  CHECK(seen[0].header("X-Overridden") == "mine");
  CHECK(seen[0].has_header("X-Empty"));
  CHECK(seen[0].header("User-Agent").starts_with("verinfer/"));
  CHECK(seen[1].header("Content-Type") == "application/json");
  CHECK(seen[1].header("X-SETTLEMENT-TYPE") == "private");
  CHECK(seen[1].header("Content-Length") == std::to_string(json.size()));
  CHECK_FALSE(seen[1].has_header("Expect"));

  // Other methods, with and without a body.
  HttpRequest d = get(server.url("/thing"));
  d.method = "DELETE";
  auto dr = client.send(d);
  REQUIRE(dr);
  CHECK(dr->text() == "DELETE /thing ");
}

TEST_CASE("http: one connection serves consecutive requests") {
  TestHttpServer server(ok_handler);
  auto client = make_client();
  for (int i = 0; i < 5; ++i) {
    auto r = client.send(get(server.url("/n")));
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  CHECK(server.requests() == 5);
  CHECK(server.connections() == 1);
  // A copy shares the pool.
  HttpClient copy = client;
  REQUIRE(copy.send(get(server.url("/n"))));
  CHECK(server.connections() == 1);
}

TEST_CASE("http: one client shared by threads") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest& req, int) {
    c.write(http_response(200, req.target));
  });
  auto client = make_client();
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto r = client.send(get(server.url(path)));
        if (r && r->text() == path) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good == 40);
  CHECK(server.requests() == 40);
  CHECK(server.connections() <= 4);
}

TEST_CASE("http: 503 twice, then 200: retried, and the server saw three requests") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int i) {
    c.write(i < 2 ? http_response(503, "busy") : http_response(200, "fine"));
  });
  auto client = make_client();
  auto r = client.send(get(server.url("/")));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->text() == "fine");
  CHECK(r->attempts == 3);
  CHECK(server.requests() == 3);
}

TEST_CASE("http: retryable statuses left after the policy are unavailable; others are responses") {
  int status = 429;
  TestHttpServer server([&](ServerConnection& c, const ReceivedRequest&, int) {
    c.write(http_response(status, "{\"error\":\"slow down\"}"));
  });
  HttpClientOptions options;
  options.retry.max_attempts = 2;
  auto client = make_client(options);
  auto r = client.send(get(server.url("/x?secret=1")));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::unavailable);
  CHECK(r.error().message == "GET " + server.url("/x") + ": HTTP 429");
  CHECK(r.error().detail.find("slow down") != std::string::npos);
  CHECK(r.error().detail.find("gave up after 2 attempts") != std::string::npos);
  CHECK(server.requests() == 2);

  status = 500;  // not retryable: the caller gets the response
  auto r500 = client.send(get(server.url("/")));
  REQUIRE(r500);
  CHECK(r500->status == 500);
  CHECK(server.requests() == 3);
}

TEST_CASE("http: Retry-After is honoured, and skipped when it would pass the deadline") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest& req, int i) {
    if (req.target == "/late") {
      c.write(http_response(503, "", {{"Retry-After", "3600"}}));
    } else {
      c.write(i == 0 ? http_response(503, "", {{"Retry-After", "1"}}) : http_response(200, "ok"));
    }
  });
  auto client = make_client();
  auto start = Clock::now();
  auto r = client.send(get(server.url("/")));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(Clock::now() - start >= 1s);
  CHECK(server.requests() == 2);

  HttpRequest late = get(server.url("/late"));
  late.timeout = 5s;
  start = Clock::now();
  auto l = client.send(late);
  REQUIRE_FALSE(l);
  CHECK(l.error().code == ErrorCode::unavailable);
  CHECK(l.error().detail.find("would pass the deadline") != std::string::npos);
  CHECK(Clock::now() - start < 5s);  // it did not sleep towards the hour
  CHECK(server.requests() == 3);
}

TEST_CASE("http: a paid request is never sent twice") {
  // The server saw the paid request once and the caller got a clear refusal.
  auto sent_once = [](TestHttpServer& server, const HttpClient& client) {
    auto r = client.send(paid_post(server.url("/v1/chat/completions")));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::unavailable);
    CHECK(r.error().detail.find("not retried") != std::string::npos);
    CHECK(server.requests() == 1);
  };
  SUBCASE("503 after the request arrived") {
    TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) { c.write(http_response(503)); });
    sent_once(server, make_client());
  }
  SUBCASE("connection reset after the request arrived") {
    TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) { c.reset(); });
    auto client = make_client();
    sent_once(server, client);
    // The same at_most_once without a payment header.
    HttpRequest once = get(server.url("/"));
    once.delivery = Delivery::at_most_once;
    REQUIRE_FALSE(client.send(once));
    CHECK(server.requests() == 2);
  }
  SUBCASE("a reused connection that died is not silently resent") {
    // The free request leaves a kept-alive connection. The paid one must not
    // ride on it (libcurl would resend on a reused connection that dies).
    TestHttpServer server([](ServerConnection& c, const ReceivedRequest& req, int) {
      if (req.has_header("PAYMENT-SIGNATURE")) {
        c.close();  // read it, answer nothing: what libcurl takes for a stale connection
      } else {
        c.write(http_response(200, "free"));
      }
    });
    auto client = make_client();
    REQUIRE(client.send(get(server.url("/free"))));
    REQUIRE_FALSE(client.send(paid_post(server.url("/paid"))));
    CHECK(server.requests() == 2);
    CHECK(server.connections() == 2);  // the paid request opened a fresh connection
  }
  SUBCASE("retried while the connection was never made") {
    auto client = make_client();
    auto r = client.send(paid_post("http://127.0.0.1:" + std::to_string(test::free_port()) + "/"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::unavailable);
    CHECK(r.error().message.find("connection failed") != std::string::npos);
    CHECK(r.error().detail.find("gave up after 3 attempts") != std::string::npos);
  }
}

TEST_CASE("http: an idempotent request is retried after a reset") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int i) {
    if (i == 0) {
      c.reset();
    } else {
      c.write(http_response(200, "second time"));
    }
  });
  auto client = make_client();
  auto r = client.send(get(server.url("/")));
  REQUIRE(r);
  CHECK(r->text() == "second time");
  CHECK(server.requests() == 2);
}

TEST_CASE("http: a server that never answers ends in deadline_exceeded") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) { c.hold(60s); });
  auto client = make_client();
  HttpRequest r = get(server.url("/"));
  r.timeout = 300ms;
  auto start = Clock::now();
  auto res = client.send(r);
  auto took = Clock::now() - start;
  REQUIRE_FALSE(res);
  CHECK(res.error().code == ErrorCode::deadline_exceeded);
  CHECK(res.error().message.find("deadline of 300 ms exceeded") != std::string::npos);
  CHECK(took >= 200ms);  // it waited for the deadline (libcurl's clock may differ by a hair)
  CHECK(took < 300ms + kSlack);
  CHECK(server.requests() == 1);
}

TEST_CASE("http: a slow trickle past the deadline ends in deadline_exceeded") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) {
    c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
    for (int i = 0; i < 1000 && c.write("x"); ++i) {
      if (!c.pause(20ms)) break;
    }
  });
  auto client = make_client();
  HttpRequest r = get(server.url("/"));
  r.timeout = 400ms;
  auto start = Clock::now();
  auto res = client.send(r);
  REQUIRE_FALSE(res);
  CHECK(res.error().code == ErrorCode::deadline_exceeded);
  CHECK(Clock::now() - start < 400ms + kSlack);
  CHECK(server.requests() == 1);  // a transfer cut by the deadline is not retried
}

TEST_CASE("http: cancellation from another thread") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) { c.hold(60s); });
  auto client = make_client();
  CancelToken token;
  HttpRequest r = get(server.url("/"));
  r.cancel = token;
  std::thread canceller([&] {
    while (server.requests() == 0) std::this_thread::sleep_for(5ms);
    token.cancel();
  });
  auto start = Clock::now();
  auto res = client.send(r);
  canceller.join();
  REQUIRE_FALSE(res);
  CHECK(res.error().code == ErrorCode::cancelled);
  CHECK(Clock::now() - start < kSlack);

  // Already cancelled: nothing is sent.
  auto again = client.send(r);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::cancelled);
}

TEST_CASE("http: bodies over the limit end in resource_exhausted without reading them whole") {
  SUBCASE("announced by Content-Length") {
    TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) {
      c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n");
      c.hold(30s);
    });
    HttpClientOptions o;
    o.max_response_bytes = 1 << 20;
    auto client = make_client(o);
    auto r = client.send(get(server.url("/")));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::resource_exhausted);
  }
  SUBCASE("chunked, no length given") {
    const std::size_t total = 64u << 20;
    TestHttpServer* self = nullptr;
    TestHttpServer server([&](ServerConnection& c, const ReceivedRequest&, int) {
      c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      std::string block(64 << 10, 'z');
      for (std::size_t sent = 0; sent < total; sent += block.size()) {
        if (!c.write(http_chunk(block))) return;
        self->add_written(block.size());
      }
      c.write(http_chunk(""));
    });
    self = &server;
    HttpRequest req = get(server.url("/"));
    req.max_response_bytes = 1 << 20;
    auto client = make_client();
    auto r = client.send(req);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::resource_exhausted);
    CHECK(r.error().detail.find("limit 1048576 bytes") != std::string::npos);
    CHECK(server.requests() == 1);
  }
}

TEST_CASE("http: streaming delivers chunks as they come; the sink may stop") {
  const std::vector<std::string> events = {
      "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n",
      "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}\n\n",
      "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],\"tee_signature\":\"c2ln\"}\n\ndata: [DONE]\n\n"};
  TestHttpServer server([&](ServerConnection& c, const ReceivedRequest&, int) {
    c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (const auto& e : events) {
      // Split each event in two writes with a pause, so chunk edges fall mid-line.
      c.write(http_chunk(e.substr(0, e.size() / 2)));
      c.pause(10ms);
      c.write(http_chunk(e.substr(e.size() / 2)));
    }
    c.write(http_chunk(""));
  });
  auto client = make_client();
  ChatStreamReader reader;
  std::size_t chunks = 0;
  Status feed_status;
  auto r = client.send_streaming(get(server.url("/v1/chat/completions")), [&](ByteView chunk) {
    ++chunks;
    feed_status = reader.feed(chunk);
    return feed_status.has_value();
  });
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.empty());
  CHECK(*r->headers.find("content-type") == "text/event-stream");
  CHECK(chunks >= 2);
  REQUIRE(feed_status);
  auto result = reader.finish();
  REQUIRE(result);
  CHECK(result->content == "Hello");
  CHECK(test::str(result->final_event, "tee_signature") == "c2ln");

  // A sink that stops after the first chunk: not an error.
  std::size_t seen = 0;
  auto stopped = client.send_streaming(get(server.url("/")), [&](ByteView) { return ++seen < 1; });
  REQUIRE(stopped);
  CHECK(seen == 1);
}

TEST_CASE("http: streaming a non-2xx answer reads it into the body, not the sink") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) {
    c.write(http_response(402, "{\"x402Version\":2}", {{"PAYMENT-REQUIRED", "eyJ9"}}));
  });
  auto client = make_client();
  bool called = false;
  auto r = client.send_streaming(get(server.url("/")), [&](ByteView) { return called = true; });
  REQUIRE(r);
  CHECK(r->status == 402);
  CHECK(r->text() == "{\"x402Version\":2}");
  CHECK(*r->headers.find("payment-required") == "eyJ9");
  CHECK_FALSE(called);
}

TEST_CASE("http: a reset in the middle of a stream is a truncation, not retried") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) {
    c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    c.write(http_chunk("data: {\"choices\":[{\"delta\":{\"content\":\"partial\"}}]}\n\n"));
    c.pause(50ms);
    c.reset();
  });
  auto client = make_client();
  ChatStreamReader reader;
  auto r = client.send_streaming(get(server.url("/")), [&](ByteView chunk) { return reader.feed(chunk).has_value(); });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::unavailable);
  CHECK(r.error().message.find("response truncated") != std::string::npos);
  CHECK(server.requests() == 1);
  auto end = reader.finish();
  REQUIRE_FALSE(end);
  CHECK(end.error().message.starts_with("stream truncated"));
}

TEST_CASE("http: bad URLs and requests are invalid_argument before any I/O") {
  auto client = make_client();
  for (std::string url : {"", "not a url", "ftp://127.0.0.1/x", "file:///etc/passwd", "http://"}) {
    INFO(url);
    auto r = client.send(get(url));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
  }
  HttpRequest bad = get("http://127.0.0.1:1/");
  bad.headers.add("X-Bad", "a\nb");
  CHECK(client.send(bad).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("http: an explicit proxy is used; proxy variables in the environment are not") {
  TestHttpServer proxy([](ServerConnection& c, const ReceivedRequest& req, int) {
    c.write(http_response(200, "via proxy: " + req.target));
  });
  HttpClientOptions o;
  o.proxy = proxy.url("");
  auto r = make_client(o).send(get("http://gateway.invalid/health"));
  REQUIRE(r);
  CHECK(r->text() == "via proxy: http://gateway.invalid/health");

  TestHttpServer direct(ok_handler);
  std::string dead = "http://127.0.0.1:" + std::to_string(test::free_port());
  ::setenv("http_proxy", dead.c_str(), 1);
  ::setenv("HTTPS_PROXY", dead.c_str(), 1);
  auto d = make_client().send(get(direct.url("/")));
  ::unsetenv("http_proxy");
  ::unsetenv("HTTPS_PROXY");
  REQUIRE(d);
  CHECK(d->text() == "ok");
  CHECK(proxy.requests() == 1);
}

TEST_CASE("http: oversized response headers end in resource_exhausted") {
  TestHttpServer server([](ServerConnection& c, const ReceivedRequest&, int) {
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 400 && head.size() < (400u << 10); ++i) {
      head += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'h') + "\r\n";
    }
    c.write(head + "Content-Length: 0\r\n\r\n");
  });
  auto r = make_client().send(get(server.url("/")));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::resource_exhausted);
  CHECK(r.error().message.find("headers too large") != std::string::npos);
}

// ---- TLS ----

TEST_CASE("http: TLS verification is on by default; a CA file or a pin lets a server in") {
  test::TlsIdentity identity;
  test::TlsIdentity stranger;
  TestHttpServer server(ok_handler, &identity);
  auto ca = identity.write_pem("verinfer-test-ca");
  auto stranger_ca = stranger.write_pem("verinfer-test-stranger");

  SUBCASE("self-signed certificate rejected by default") {
    auto r = make_client().send(get(server.url("/")));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::untrusted);
    CHECK(r.error().message.find("TLS verification failed") != std::string::npos);
    CHECK(server.requests() == 0);
  }
  SUBCASE("accepted with its certificate as the CA file") {
    HttpClientOptions o;
    o.tls.ca_file = ca.string();
    auto client = make_client(o);
    auto r = client.send(get(server.url("/")));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->text() == "ok");
    // Another certificate as the CA: rejected.
    HttpClientOptions w;
    w.tls.ca_file = stranger_ca.string();
    auto wrong = make_client(w).send(get(server.url("/")));
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == ErrorCode::untrusted);
  }
  SUBCASE("pins on top of CA verification") {
    HttpClientOptions o;
    o.tls.ca_file = ca.string();
    o.tls.pinned_cert_sha256 = {stranger.cert_sha256(), identity.cert_sha256()};
    o.tls.pinned_spki_sha256 = {identity.spki_sha256()};
    REQUIRE(make_client(o).send(get(server.url("/"))));

    o.tls.pinned_cert_sha256 = {stranger.cert_sha256()};
    auto r = make_client(o).send(get(server.url("/")));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::untrusted);
    CHECK(r.error().detail.find(identity.cert_sha256().hex(false)) != std::string::npos);
    CHECK(server.requests() == 1);  // the refused server never saw a request

    o.tls.pinned_cert_sha256 = {};
    o.tls.pinned_spki_sha256 = {stranger.spki_sha256()};
    auto s = make_client(o).send(get(server.url("/")));
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::untrusted);
    CHECK(server.requests() == 1);
  }
  SUBCASE("the pin alone, for self-signed gateways (pin_replaces_ca)") {
    HttpClientOptions o;
    o.tls.pin_replaces_ca = true;
    o.tls.pinned_cert_sha256 = {identity.cert_sha256()};
    auto client = make_client(o);
    auto r = client.send(get(server.url("/")));
    REQUIRE(r);
    CHECK(r->text() == "ok");
    // A second request on the reused connection is checked again and passes.
    REQUIRE(client.send(get(server.url("/"))));
    CHECK(server.connections() == 1);
    // Plain http would bypass the pin: refused.
    auto plain = client.send(get("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
    REQUIRE_FALSE(plain);
    CHECK(plain.error().code == ErrorCode::invalid_argument);

    o.tls.pinned_cert_sha256 = {stranger.cert_sha256()};
    auto wrong = make_client(o).send(paid_post(server.url("/")));
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == ErrorCode::untrusted);
    CHECK(server.requests() == 2);

    o.tls.pinned_cert_sha256 = {};
    o.tls.pinned_spki_sha256 = {identity.spki_sha256()};
    REQUIRE(make_client(o).send(get(server.url("/"))));
  }
  SUBCASE("HTTP/2 is offered in ALPN; HTTP/1.1 is used when the server picks it") {
    HttpClientOptions o;
    o.tls.ca_file = ca.string();
    auto r = make_client(o).send(get(server.url("/")));
    REQUIRE(r);
    CHECK(r->http_version == 11);
    auto offered = server.alpn_offered();
    CHECK(std::find(offered.begin(), offered.end(), "h2") != offered.end());
    CHECK(std::find(offered.begin(), offered.end(), "http/1.1") != offered.end());
  }
  SUBCASE("insecure_skip_tls_verify accepts anything (and says so on stderr)") {
    HttpClientOptions o;
    o.tls.insecure_skip_tls_verify = true;
    auto r = make_client(o).send(get(server.url("/")));
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  std::filesystem::remove(ca);
  std::filesystem::remove(stranger_ca);
}
