// Client against a gateway on 127.0.0.1 that takes the payment and then
// answers badly: an HTML page, a JSON body with another content type, an SSE
// stream cut in the middle of an event, an oversized event, a body past
// max_response_bytes, headers that never finish. Each ends in a specific
// error within the deadline, the error says a payment was sent, and the
// gateway saw exactly one paid request.
#include "test_support.hpp"

#include <chrono>

#include "http_test_server.hpp"
#include "verinfer/client.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/keccak.hpp"

using namespace verinfer;
using namespace std::chrono_literals;
using test::http_chunk;
using test::http_response;
using test::ReceivedRequest;
using test::ServerConnection;
using test::TestHttpServer;

namespace {

constexpr std::string_view kNetwork = "eip155:31337";
constexpr std::string_view kAsset = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
constexpr std::string_view kPayTo = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

// A v2 402 asking 10000 of the devnet token.
std::string ask_for_payment() {
  std::string required = std::string(R"({"x402Version":2,"error":"","accepts":[{"scheme":"exact","network":")") +
                         std::string(kNetwork) + R"(","asset":")" + std::string(kAsset) + R"(","payTo":")" +
                         std::string(kPayTo) +
                         R"(","amount":"10000","maxTimeoutSeconds":60,)"
                         R"("extra":{"name":"Devnet USD Coin","version":"2"}}]})";
  return http_response(402, "{}", {{"PAYMENT-REQUIRED", to_base64(as_bytes(required))}});
}

bool is_paid(const ReceivedRequest& r) { return r.has_header("PAYMENT-SIGNATURE") || r.has_header("X-PAYMENT"); }

// /signing-key answers with the vectors' TEE key, an unpaid POST gets a 402,
// a paid one gets `on_paid`.
TestHttpServer::Handler gateway(std::function<void(ServerConnection&)> on_paid) {
  std::string pem = test::read_file(test::vectors_dir() / "tee_response/keys/tee_public_key.pem");
  return [pem, on_paid](ServerConnection& c, const ReceivedRequest& req, int) {
    if (req.target == "/signing-key") {
      Json key = Json::object();
      key.set("public_key", pem);
      c.write(http_response(200, key.dump(), {{"Content-Type", "application/json"}}));
    } else if (!is_paid(req)) {
      c.write(ask_for_payment());
    } else {
      on_paid(c);
    }
  };
}

Client make_client(const TestHttpServer& server, std::size_t max_response_bytes = 64u << 20) {
  ClientOptions o;
  o.profile.name = "loopback";
  o.profile.gateway_url = server.url("");
  o.trust.attestation = false;
  o.trust.registry = false;
  o.payer = PrivateKey::from_bytes(keccak256(std::string_view("verinfer-fault-payer"))).value();
  PaymentPolicy policy;
  policy.allowed_assets = {{std::string(kNetwork), parse_address(kAsset).value()}};
  policy.max_amount = U256(50000);
  o.payment = policy;
  o.http.timeout = 1500ms;
  o.http.max_response_bytes = max_response_bytes;
  o.clock = [] { return std::int64_t{1'800'000'000}; };
  auto client = Client::create(std::move(o));
  REQUIRE_MESSAGE(client, (client ? "" : client.error().to_string()));
  return std::move(*client);
}

Error call_error(const Client& client, bool stream) {
  ChatRequest hello = ChatRequest("openai/gpt-5").user("hello").max_tokens(8);
  auto r = stream ? client.chat_stream(hello, [](std::string_view) {}) : client.chat(hello);
  REQUIRE_FALSE(r);
  return r.error();
}

// Two POSTs (unpaid, then paid once), and the error says a payment went out.
void check_paid_once(const TestHttpServer& server, const Error& e) {
  int posts = 0;
  int paid = 0;
  for (const auto& r : server.received()) {
    if (r.method != "POST") continue;
    ++posts;
    paid += is_paid(r) ? 1 : 0;
  }
  CHECK(posts == 2);
  CHECK(paid == 1);
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
      Error e = call_error(make_client(server), stream);
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
  Error e = call_error(make_client(server), false);
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
  Error e = call_error(make_client(server), true);
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
  Error e = call_error(make_client(server), true);
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
  Error e = call_error(make_client(server), true);
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
    Error e = call_error(make_client(server, 64u << 10), stream);
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
    Error e = call_error(make_client(server), stream);
    INFO(e.to_string());
    CHECK(e.code == ErrorCode::deadline_exceeded);
    check_paid_once(server, e);
  }
}
