// Client x402 loops against a scripted gateway on 127.0.0.1: a paid request
// that is answered 402 again, a settlement that fails, requirements that
// change between the first and the paid attempt, and a price above the cap.
// Each ends in a specific payment_required error, and no call pays twice.
#include "loopback_gateway.hpp"

using namespace verinfer;
using namespace verinfer::test;
using namespace verinfer::test::loopback;

namespace {

// The one paid request carried a valid payment for exactly what was first asked.
void check_single_payment(const Seen& seen, std::string_view header = "PAYMENT-SIGNATURE") {
  CHECK(seen.posts == 2);
  REQUIRE(seen.paid.size() == 1);
  auto payload = decode_x402_header(seen.paid[0].header(header));
  REQUIRE(payload);
  const Json* auth = payload->find("payload")->find("authorization");
  REQUIRE(auth != nullptr);
  CHECK(auth->find("value")->as_string() == "10000");
  CHECK(parse_address(auth->find("to")->as_string()).value() == parse_address(kPayTo).value());
  if (header == "PAYMENT-SIGNATURE") {
    auto report = verify_payment(*payload, static_cast<std::uint64_t>(kNow));
    INFO(report.to_string());
    CHECK(report.ok());
  }
}

}  // namespace

TEST_CASE("client x402: a paid request answered 402 again is refused once, with the gateway's reason") {
  for (bool stream : {false, true}) {
    INFO("stream " << stream);
    TestHttpServer server(gateway([](const ReceivedRequest&) {
      return payment_required_402("10000", "invalid_exact_evm_payload_signature");
    }));
    Error e = call_error(make_client(server), stream);
    CHECK(e.code == ErrorCode::payment_required);
    CHECK(e.message == "the gateway refused the payment");
    CHECK(e.detail == "its reason: invalid_exact_evm_payload_signature");
    check_single_payment(seen_by(server));
  }
}

TEST_CASE("client x402: a payment that did not settle names the facilitator's errorReason") {
  TestHttpServer server(gateway([](const ReceivedRequest&) {
    return payment_required_402(
        "10000", "", {{"PAYMENT-RESPONSE", b64(R"({"success":false,"errorReason":"insufficient_funds",)"
                                              R"("transaction":"","network":"eip155:31337"})")}});
  }));
  Error e = call_error(make_client(server), false);
  CHECK(e.code == ErrorCode::payment_required);
  CHECK(e.message == "the gateway did not settle the payment");
  CHECK(e.detail == "errorReason: insufficient_funds");
  check_single_payment(seen_by(server));
}

TEST_CASE("client x402: requirements that change after the payment was signed are not paid again") {
  for (bool stream : {false, true}) {
    INFO("stream " << stream);
    // Even a new price within the cap is not paid: one payment per call.
    TestHttpServer server(gateway([](const ReceivedRequest&) { return payment_required_402("20000"); }));
    Error e = call_error(make_client(server), stream);
    CHECK(e.code == ErrorCode::payment_required);
    CHECK(e.message == "the gateway changed its payment requirements after the payment was signed");
    std::string terms = std::string(" of ") + to_checksum_address(parse_address(kAsset).value()) + " on " +
                        std::string(kNetwork) + " to " + to_checksum_address(parse_address(kPayTo).value());
    CHECK(e.detail == "expected exact 10000" + terms + ", got exact 20000" + terms);
    check_single_payment(seen_by(server));
  }
}

// Error::payment: whether money may have moved when a call failed. Once the
// paid request was handed to the transport, every failure says it may have.
TEST_CASE("client x402: a failure after the paid request was sent says the payment may have been made") {
  // The gateway, except that a paid POST is answered by `on_paid`.
  auto paid_then = [](std::function<void(ServerConnection&)> on_paid) {
    auto rest = gateway([](const ReceivedRequest&) { return std::string(); });
    return [rest, on_paid](ServerConnection& c, const ReceivedRequest& req, int index) {
      if (req.method == "POST" && paid(req)) return on_paid(c);
      rest(c, req, index);
    };
  };
  struct Case {
    const char* what;
    std::function<void(ServerConnection&)> on_paid;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"reset after reading the paid request", [](ServerConnection& c) { c.reset(); },
       ErrorCode::unavailable},
      {"402 again after paying", [](ServerConnection& c) { c.write(payment_required_402("10000")); },
       ErrorCode::payment_required},
      {"503 after paying", [](ServerConnection& c) { c.write(http_response(503, "busy")); },
       ErrorCode::unavailable},
      {"an answer that fails verification",
       [](ServerConnection& c) {
         c.write(http_response(200, R"({"choices":[],"tee_signature":"AAAA"})",
                               {{"Content-Type", "application/json"}}));
       },
       ErrorCode::verification_failed},
      {"a stream cut in the middle",
       [](ServerConnection& c) {
         c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 4096\r\n\r\n"
                 "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n");
         c.reset();
       },
       ErrorCode::unavailable},
  };
  for (const Case& k : cases) {
    for (bool stream : {false, true}) {
      CAPTURE(k.what);
      CAPTURE(stream);
      TestHttpServer server(paid_then(k.on_paid));
      Error e = call_error(make_client(server), stream);
      INFO(e.to_string());
      if (k.code != ErrorCode::verification_failed) CHECK(e.code == k.code);
      CHECK(e.payment == PaymentState::may_have_been_sent);
      check_single_payment(seen_by(server));
    }
  }
}

TEST_CASE("client x402: a failure before any payment was sent says none was made") {
  SUBCASE("the gateway refuses connections") {
    ClientOptions o;
    {
      TestHttpServer server(gateway([](const ReceivedRequest&) { return http_response(500); }));
      o = make_client(server).options();
    }  // stopped: its port now refuses
    auto client = Client::create(std::move(o));
    REQUIRE(client);
    for (bool stream : {false, true}) {
      Error e = call_error(*client, stream);
      CHECK(e.code == ErrorCode::unavailable);
      CHECK(e.payment == PaymentState::none);
    }
  }
  SUBCASE("the unpaid request is reset, so no 402 was ever read") {
    auto rest = gateway([](const ReceivedRequest&) { return http_response(500); });
    TestHttpServer server([rest](ServerConnection& c, const ReceivedRequest& req, int index) {
      if (req.method == "POST") return c.reset();
      rest(c, req, index);
    });
    Error e = call_error(make_client(server), false);
    CHECK(e.code == ErrorCode::unavailable);
    CHECK(e.payment == PaymentState::none);
    CHECK(seen_by(server).paid.empty());
  }
  SUBCASE("a price above the cap") {
    TestHttpServer server(gateway([](const ReceivedRequest&) { return http_response(500); },
                                  [] { return payment_required_402("50001"); }));
    Error e = call_error(make_client(server, U256(50000)), true);
    CHECK(e.code == ErrorCode::payment_required);
    CHECK(e.payment == PaymentState::none);
  }
  SUBCASE("the server answers an unpaid request with an error") {
    TestHttpServer server(gateway([](const ReceivedRequest&) { return http_response(500); },
                                  [] { return http_response(503, "overloaded"); }));
    Error e = call_error(make_client(server), false);
    CHECK(e.code == ErrorCode::unavailable);
    CHECK(e.payment == PaymentState::none);
  }
}

TEST_CASE("client x402: a price above the cap is refused before anything is signed") {
  int paid_calls = 0;
  TestHttpServer server(gateway(
      [&](const ReceivedRequest&) {
        ++paid_calls;
        return http_response(500);
      },
      [] { return payment_required_402("50001"); }));
  Error e = call_error(make_client(server, U256(50000)), false);
  CHECK(e.code == ErrorCode::payment_required);
  CHECK(e.message == "no acceptable payment requirement");
  CHECK(e.detail == "amount 50001 above the cap 50000");
  Seen seen = seen_by(server);
  CHECK(seen.posts == 1);
  CHECK(seen.paid.empty());
  CHECK(paid_calls == 0);
}

TEST_CASE("client x402: v1 (requirements in the body, X-PAYMENT) loops end the same way") {
  TestHttpServer server(gateway(
      [](const ReceivedRequest&) {
        return http_response(402, required_json("10000", 1, "payment verification failed"),
                             {{"Content-Type", "application/json"}});
      },
      [] { return http_response(402, required_json("10000", 1), {{"Content-Type", "application/json"}}); }));
  Error e = call_error(make_client(server), false);
  CHECK(e.code == ErrorCode::payment_required);
  CHECK(e.message == "the gateway refused the payment");
  CHECK(e.detail == "its reason: payment verification failed");
  Seen seen = seen_by(server);
  check_single_payment(seen, "X-PAYMENT");
  CHECK_FALSE(seen.paid[0].has_header("PAYMENT-SIGNATURE"));
  auto payload = decode_x402_header(seen.paid[0].header("X-PAYMENT")).value();
  CHECK(payload.find("x402Version")->get_int64() == 1);
  CHECK(payload.find("scheme")->as_string() == "exact");
  CHECK(payload.find("network")->as_string() == kNetwork);
}

TEST_CASE("client x402: without a payer key a 402 is a payment error, and nothing is signed") {
  TestHttpServer server(gateway([](const ReceivedRequest&) { return http_response(500); }));
  Error e = call_error(make_client(server, U256(50000), false), false);
  CHECK(e.code == ErrorCode::payment_required);
  CHECK(e.message == "the server asks for payment and no payer key is set");
  Seen seen = seen_by(server);
  CHECK(seen.posts == 1);
  CHECK(seen.paid.empty());
}

TEST_CASE("client x402: a TEE that fails a pre-check (pinned tee_id) gets no request and no payment") {
  for (bool stream : {false, true}) {
    CAPTURE(stream);
    TestHttpServer server(gateway([](const ReceivedRequest&) { return http_response(500); }));
    ClientOptions o = make_client(server).options();
    const Hash32 other = keccak256(std::string_view("another-tee"));
    o.trust.pinned_tee_id = other;
    auto client = Client::create(std::move(o));
    REQUIRE(client);
    Error e = call_error(*client, stream);
    CHECK(e.code == ErrorCode::untrusted);
    REQUIRE(e.report != nullptr);
    const Check* pin = e.report->first_failure();
    REQUIRE(pin != nullptr);
    CHECK(pin->name == "client.pinned_tee_id");
    CHECK(pin->expected == other.hex());
    CHECK(seen_by(server).posts == 0);
  }
}
