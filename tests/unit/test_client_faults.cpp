// Client against a gateway on 127.0.0.1 that takes the payment and then
// answers badly: an HTML page, a JSON body with another content type, an SSE
// stream cut in the middle of an event, an oversized event, a body past
// max_response_bytes, headers that never finish. Each ends in a specific
// error within the deadline, the error says a payment was sent, and the
// gateway saw exactly one paid request.
#include "test_support.hpp"

#include <chrono>

#include "loopback_gateway.hpp"

using namespace verinfer;
using namespace verinfer::test;
using namespace verinfer::test::loopback;

namespace {

// The loopback gateway with `on_paid` writing the answer to a paid POST.
TestHttpServer::Handler gateway(std::function<void(ServerConnection&)> on_paid) {
  return gateway_writing([on_paid](ServerConnection& c, const ReceivedRequest&) { on_paid(c); });
}

// The shared loopback client with a short deadline and a chosen body limit.
Client fault_client(const TestHttpServer& server, std::size_t max_response_bytes = 64u << 20) {
  ClientOptions o = loopback_options(server);
  o.http.timeout = 1500ms;
  o.http.max_response_bytes = max_response_bytes;
  return create_client(std::move(o));
}

// Two POSTs (unpaid, then paid once), and the error says a payment went out.
void check_paid_once(const TestHttpServer& server, const Error& e) {
  Seen seen = seen_by(server);
  CHECK(seen.posts == 2);
  CHECK(seen.paid.size() == 1);
  CHECK(e.payment != PaymentState::none);
}

std::string sse_headers() {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
}

}  // namespace

TEST_CASE("client faults: a 200 of another content type names both types, paid once") {
  for (bool stream : {false, true}) {
    INFO("stream " << stream);
    for (const auto& [type, body] : {std::pair{"text/html", "<html><body>502 Bad Gateway</body></html>"},
                                     std::pair{"text/plain", "{}"}}) {
      TestHttpServer server(gateway([type = std::string(type), body = std::string(body)](ServerConnection& c) {
        c.write(http_response(200, body, {{"Content-Type", type}}));
      }));
      Error e = call_error(fault_client(server), stream);
      INFO(e.to_string());
      CHECK(e.code == ErrorCode::parse_error);
      CHECK(e.message == "/v1/chat/completions answered 200 with another content type");
      CHECK(e.detail == std::string("expected ") + (stream ? "text/event-stream" : "application/json") + ", got " +
                            type);
      check_paid_once(server, e);
    }
  }
}

TEST_CASE("client faults: a 200 HTML page without a content type is a parse error, paid once") {
  TestHttpServer server(gateway([](ServerConnection& c) { c.write(http_response(200, "<html></html>")); }));
  Error e = call_error(fault_client(server), false);
  INFO(e.to_string());
  CHECK(e.code == ErrorCode::parse_error);
  check_paid_once(server, e);
}

TEST_CASE("client faults: an SSE stream cut in the middle of an event is an error, paid once") {
  TestHttpServer server(gateway([](ServerConnection& c) {
    c.write(sse_headers());
    c.write(http_chunk(R"(data: {"choices":[{"delta":{"content":"Hel"},"index":0}]})" "\n\n"));
    c.write(http_chunk(R"(data: {"choices":[{"delta":{"content":"lo)"));
    c.close();
  }));
  Error e = call_error(fault_client(server), true);
  INFO(e.to_string());
  CHECK(e.code == ErrorCode::unavailable);
  CHECK(e.message.find("response truncated") != std::string::npos);
  check_paid_once(server, e);
}

TEST_CASE("client faults: an SSE stream that ends cleanly before [DONE] is an error, paid once") {
  TestHttpServer server(gateway([](ServerConnection& c) {
    c.write(sse_headers());
    c.write(http_chunk(R"(data: {"choices":[{"delta":{"content":"Hel"},"index":0}]})" "\n\n"));
    c.write(http_chunk(""));
  }));
  Error e = call_error(fault_client(server), true);
  INFO(e.to_string());
  CHECK(e.code == ErrorCode::unavailable);
  CHECK(e.message.starts_with("stream truncated: no `data: [DONE]`"));
  check_paid_once(server, e);
}

TEST_CASE("client faults: an SSE event past the parser's limit is resource_exhausted, paid once") {
  TestHttpServer server(gateway([](ServerConnection& c) {
    c.write(sse_headers());
    const std::string piece(64u << 10, 'x');
    c.write(http_chunk("data: "));
    for (int i = 0; i < 40 && c.write(http_chunk(piece)); ++i) {
    }
    c.close();
  }));
  Error e = call_error(fault_client(server), true);
  INFO(e.to_string());
  CHECK(e.code == ErrorCode::resource_exhausted);
  check_paid_once(server, e);
}

TEST_CASE("client faults: a body past max_response_bytes is resource_exhausted, paid once") {
  for (bool stream : {false, true}) {
    INFO("stream " << stream);
    TestHttpServer server(gateway([](ServerConnection& c) {
      c.write(http_response(200, std::string(256u << 10, ' '), {{"Content-Type", "application/json"}}));
    }));
    Error e = call_error(fault_client(server, 64u << 10), stream);
    INFO(e.to_string());
    CHECK(e.code == ErrorCode::resource_exhausted);
    CHECK(e.message.find("response body too large") != std::string::npos);
    check_paid_once(server, e);
  }
}

TEST_CASE("client faults: headers that never finish (slow loris) end at the deadline, paid once") {
  for (bool stream : {false, true}) {
    INFO("stream " << stream);
    TestHttpServer server(gateway([](ServerConnection& c) {
      c.write("HTTP/1.1 200 OK\r\n");
      for (int i = 0; i < 100 && c.write("X-Trickle: " + std::to_string(i) + "\r\n"); ++i) {
        if (!c.pause(50ms)) break;
      }
    }));
    Error e = call_error(fault_client(server), stream);
    INFO(e.to_string());
    CHECK(e.code == ErrorCode::deadline_exceeded);
    check_paid_once(server, e);
  }
}
