// A scripted x402 gateway on 127.0.0.1 and a client of it, shared by the
// Client payment and fault tests: /signing-key serves the vectors' TEE key,
// an unpaid POST gets a 402, a paid one what the test scripts.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_test_server.hpp"
#include "test_support.hpp"
#include "verinfer/client.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/keccak.hpp"

namespace verinfer::test::loopback {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::string_view kNetwork = "eip155:31337";
constexpr std::string_view kAsset = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
constexpr std::string_view kPayTo = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
constexpr auto kDeadline = 5s;

// The PAYMENT-REQUIRED object of a 402 asking for `amount` (v2), or the v1 body.
inline std::string required_json(std::string_view amount, int version = 2, std::string_view error = "") {
  std::string entry = std::string(R"({"scheme":"exact","network":")") + std::string(kNetwork) +
                      R"(","asset":")" + std::string(kAsset) + R"(","payTo":")" + std::string(kPayTo) +
                      (version == 1 ? R"(","maxAmountRequired":")" : R"(","amount":")") +
                      std::string(amount) +
                      R"(","maxTimeoutSeconds":60,"extra":{"name":"Devnet USD Coin","version":"2"})" +
                      (version == 1 ? R"(,"resource":"http://127.0.0.1/v1/chat/completions"})" : "}");
  return R"({"x402Version":)" + std::to_string(version) + R"(,"error":")" + std::string(error) +
         R"(","accepts":[)" + entry + "]}";
}

inline std::string b64(std::string_view text) { return to_base64(as_bytes(text)); }

inline std::string payment_required_402(std::string_view amount, std::string_view error = "",
                                 std::vector<std::pair<std::string, std::string>> extra_headers = {}) {
  extra_headers.emplace_back("PAYMENT-REQUIRED", b64(required_json(amount, 2, error)));
  return http_response(402, "{}", extra_headers);
}

inline bool paid(const ReceivedRequest& r) {
  return r.has_header("PAYMENT-SIGNATURE") || r.has_header("X-PAYMENT");
}

// The gateway: /signing-key answers with the vectors' TEE key; a chat POST
// without payment gets `on_unpaid` (a 402 for 10000); a paid one is answered
// by `on_paid`, which writes to the connection itself.
inline TestHttpServer::Handler gateway_writing(
    std::function<void(ServerConnection&, const ReceivedRequest&)> on_paid,
    std::function<std::string()> on_unpaid = [] { return payment_required_402("10000"); }) {
  std::string pem = read_file(vectors_dir() / "tee_response/keys/tee_public_key.pem");
  return [pem, on_paid, on_unpaid](ServerConnection& c, const ReceivedRequest& req, int) {
    if (req.target == "/signing-key") {
      Json key = Json::object();
      key.set("public_key", pem);
      c.write(http_response(200, key.dump(), {{"Content-Type", "application/json"}}));
    } else if (paid(req)) {
      on_paid(c, req);
    } else {
      c.write(on_unpaid());
    }
  };
}

// The same, with `on_paid` giving the whole answer to write.
inline TestHttpServer::Handler gateway(
    std::function<std::string(const ReceivedRequest&)> on_paid,
    std::function<std::string()> on_unpaid = [] { return payment_required_402("10000"); }) {
  return gateway_writing(
      [on_paid](ServerConnection& c, const ReceivedRequest& req) { c.write(on_paid(req)); }, std::move(on_unpaid));
}

// A client of `server` that pays up to `cap` of the token, checks only the
// TEE signature (no attestation, registry or settlement) and runs at kNow.
inline ClientOptions loopback_options(const TestHttpServer& server, U256 cap = U256(50000), bool with_payer = true) {
  ClientOptions o;
  o.profile.name = "loopback";
  o.profile.gateway_url = server.url("");
  o.trust.attestation = false;
  o.trust.registry = false;
  o.trust.settlement = false;
  if (with_payer) o.payer = PrivateKey::from_bytes(keccak256(std::string_view("verinfer-x402-payer"))).value();
  PaymentPolicy policy;
  policy.allowed_assets = {{std::string(kNetwork), parse_address(kAsset).value()}};
  policy.max_amount = cap;
  o.payment = policy;
  o.http.timeout = kDeadline;
  o.clock = [] { return kNow; };
  return o;
}

inline Client create_client(ClientOptions options) {
  auto client = Client::create(std::move(options));
  REQUIRE_MESSAGE(client, (client ? "" : client.error().to_string()));
  return std::move(*client);
}

inline Client make_client(const TestHttpServer& server, U256 cap = U256(50000), bool with_payer = true) {
  return create_client(loopback_options(server, cap, with_payer));
}

inline ChatRequest hello() { return ChatRequest("openai/gpt-5").user("hello").max_tokens(8); }

struct Seen {
  int posts = 0;
  std::vector<ReceivedRequest> paid;
};

inline Seen seen_by(const TestHttpServer& server) {
  Seen s;
  for (const auto& r : server.received()) {
    if (r.method != "POST") continue;
    ++s.posts;
    if (paid(r)) s.paid.push_back(r);
  }
  return s;
}

// Runs a chat (buffered or streamed) and returns its error, checking it came
// back within the HTTP deadline.
inline Error call_error(const Client& client, bool stream) {
  auto start = Clock::now();
  auto r = stream ? client.chat_stream(hello(), [](std::string_view) {}) : client.chat(hello());
  CHECK(Clock::now() - start < kDeadline);
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace verinfer::test::loopback
