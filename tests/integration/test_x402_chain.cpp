// x402 on a real chain with the real x402 servers (tests/interop/x402_chain.mjs:
// anvil, canonical Permit2, the @x402/evm facilitator): verinfer pays an
// x402 v1 resource (x402-express 1.x, X-PAYMENT / X-PAYMENT-RESPONSE) and an
// `upto` resource (@x402/express, Permit2 witness transfer through the upto
// proxy), and the transfers are checked in the chain's receipts.
#include <doctest/doctest.h>

#include <ctime>
#include <memory>

#include "child_process.hpp"
#include "verinfer/verinfer.hpp"

using namespace verinfer;

namespace {

struct X402Chain {
  std::unique_ptr<test::ChildProcess> process;
  Json info;

  std::string text(std::string_view key) const { return info.find(key)->as_string(); }
  std::string url(std::string_view key) const { return info.find("urls")->find(key)->as_string(); }
  Address address(std::string_view key) const { return parse_address(text(key)).value(); }
  PrivateKey payer() const {
    return PrivateKey::from_hex(info.find("payer")->find("privateKey")->as_string()).value();
  }
};

// Started once for the test cases below (about 3 s: anvil, solc, deployments).
X402Chain& x402_chain() {
  static X402Chain chain = [] {
    X402Chain c;
    c.process = std::make_unique<test::ChildProcess>(
        std::vector<std::string>{"node", "tests/interop/x402_chain.mjs"});
    auto parsed = parse_json(c.process->read_line(std::chrono::seconds(120)));
    REQUIRE(parsed);
    c.info = std::move(*parsed);
    return c;
  }();
  return chain;
}

HttpRequest post(std::string url) {
  HttpRequest r;
  r.method = "POST";
  r.url = std::move(url);
  r.headers.add("Content-Type", "application/json");
  r.body = Bytes{'{', '}'};
  return r;
}

PaymentPolicy policy_for(const X402Chain& chain, U256 cap) {
  PaymentPolicy p;
  p.allowed_assets = {{chain.text("network"), chain.address("token")}};
  p.max_amount = cap;
  return p;
}

PaymentOptions now_options() {
  PaymentOptions o;
  o.now = static_cast<std::uint64_t>(std::time(nullptr));
  return o;
}

TransactionReceipt receipt_of(const X402Chain& chain, const std::string& tx) {
  RpcOptions o;
  o.expected_chain_id = 84532;
  auto rpc = RpcClient::create(chain.text("rpcUrl"), o).value();
  auto r = rpc.transaction_receipt(Hash32::from_hex(tx).value());
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  REQUIRE(r->has_value());
  return **r;
}

// The token's Transfer logs in a receipt.
std::vector<TransferEvent> transfers(const TransactionReceipt& r, const Address& token) {
  std::vector<TransferEvent> out;
  for (const auto& log : r.logs) {
    if (log.address != token) continue;
    if (auto t = decode_transfer(log)) out.push_back(*t);
  }
  return out;
}

}  // namespace

TEST_CASE("x402 v1 on chain: x402-express 1.x is paid with X-PAYMENT and its X-PAYMENT-RESPONSE settles") {
  auto& chain = x402_chain();
  auto http = HttpClient::create().value();
  const PrivateKey payer = chain.payer();
  auto exchange = send_with_payment(http, post(chain.url("v1")), &payer,
                                    policy_for(chain, U256(10000)), now_options());
  REQUIRE_MESSAGE(exchange, (exchange ? "" : exchange.error().to_string()));
  CHECK(exchange->response.status == 200);
  CHECK(exchange->response.text() == R"({"paid":true,"version":1})");
  REQUIRE(exchange->payment);
  CHECK(exchange->payment->header_name == "X-PAYMENT");
  CHECK(exchange->requirement->network == "base-sepolia");  // v1's name for chain 84532
  REQUIRE(exchange->settlement);
  CHECK(exchange->settlement->success);
  CHECK(exchange->settlement->network == "base-sepolia");
  CHECK(parse_address(exchange->settlement->payer).value() == payer.address());

  auto receipt = receipt_of(chain, exchange->settlement->transaction);
  auto report = check_x402_receipt(receipt, {chain.address("token"), payer.address(), chain.address("payTo"),
                                             U256(10000), std::nullopt});
  INFO(report.to_string());
  CHECK(report.ok());
  auto moved = transfers(receipt, chain.address("token"));
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].value == U256(10000));

  // Over the cap: refused before signing, and the server saw no payment.
  auto capped = send_with_payment(http, post(chain.url("v1")), &payer, policy_for(chain, U256(9999)),
                                  now_options());
  REQUIRE_FALSE(capped);
  CHECK(capped.error().code == ErrorCode::payment_required);
  CHECK(capped.error().detail == "amount 10000 above the cap 9999");
}

TEST_CASE("x402 upto on chain: a Permit2 witness payment, charged 30% after the work, through the upto proxy") {
  auto& chain = x402_chain();
  auto http = HttpClient::create().value();
  const PrivateKey payer = chain.payer();
  PaymentOptions options = now_options();
  // The spender is the proxy @x402/evm names; the test places its code there.
  CHECK(parse_address(options.upto_spender).value() == chain.address("uptoProxy"));
  auto exchange = send_with_payment(http, post(chain.url("upto")), &payer, policy_for(chain, U256(10000)),
                                    options);
  REQUIRE_MESSAGE(exchange, (exchange ? "" : exchange.error().to_string()));
  CHECK(exchange->response.status == 200);
  REQUIRE(exchange->payment);
  CHECK(exchange->payment->header_name == "PAYMENT-SIGNATURE");
  CHECK(exchange->requirement->scheme == "upto");
  CHECK(exchange->payment->max_amount == U256(10000));
  const Json& permit = *exchange->payment->payload.find("payload")->find("permit2Authorization");
  CHECK(parse_address(permit.find("witness")->find("facilitator")->as_string()).value() ==
        chain.address("facilitator"));
  auto offline = verify_payment(exchange->payment->payload, options.now);
  INFO(offline.to_string());
  CHECK(offline.ok());
  REQUIRE(exchange->settlement);
  CHECK(exchange->settlement->success);

  // On chain: the facilitator called the proxy, Permit2 moved 3000 (30%) of
  // the 10000 permitted from the payer to payTo.
  auto receipt = receipt_of(chain, exchange->settlement->transaction);
  CHECK(receipt.succeeded());
  CHECK(receipt.to == chain.address("uptoProxy"));
  CHECK(receipt.from == chain.address("facilitator"));
  auto moved = transfers(receipt, chain.address("token"));
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].from == payer.address());
  CHECK(moved[0].to == chain.address("payTo"));
  CHECK(moved[0].value == U256(3000));
  auto report = check_x402_receipt(receipt, {chain.address("token"), payer.address(), chain.address("payTo"),
                                             exchange->payment->max_amount, std::nullopt});
  INFO(report.to_string());
  CHECK(report.ok());

  // The same signature again: Permit2 has spent its nonce, so the server's
  // facilitator refuses it and nothing more moves.
  HttpRequest replay = post(chain.url("upto"));
  replay.headers.add(exchange->payment->header_name, exchange->payment->header_value);
  auto again = http.send(replay);
  REQUIRE(again);
  CHECK(again->status == 402);
}
