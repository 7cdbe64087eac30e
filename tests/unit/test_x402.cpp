#include "test_support.hpp"

#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip712.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/transport/x402.hpp"

using namespace verinfer;

namespace {

std::string vector_text(const std::string& rel) {
  auto s = test::read_file(test::vectors_dir() / "x402" / rel);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

PrivateKey test_payer() {
  // vectors/x402/README.md: test key keccak256("verinfer-x402-payer").
  return PrivateKey::from_bytes(keccak256(std::string_view("verinfer-x402-payer"))).value();
}

bool check_passed(const VerificationReport& r, std::string_view name) {
  for (const auto& c : r.checks()) {
    if (c.name == name) return c.passed;
  }
  FAIL("no check named " << name);
  return false;
}

}  // namespace

TEST_CASE("x402 spec headers decode to the spec's JSON") {
  for (auto name : {"payment_required", "payment_signature", "payment_response_success",
                    "payment_response_failure"}) {
    auto decoded = decode_x402_header(vector_text(std::string("spec_examples/") + name + ".b64"));
    REQUIRE(decoded);
    auto expected = test::load_json(test::vectors_dir() / "x402/spec_examples" /
                                    (std::string(name) + ".decoded.json"));
    CHECK(*decoded == expected);
  }
  auto required = parse_payment_required(vector_text("spec_examples/payment_required.b64"));
  REQUIRE(required);
  REQUIRE(required->accepts.size() == 1);
  const auto& r = required->accepts[0];
  CHECK(r.scheme == "exact");
  CHECK(r.chain_id == 84532);
  CHECK(r.amount == U256(10000));
  CHECK(to_checksum_address(r.asset) == "0x036CbD53842c5426634e7929541eC2318f3dCF7e");
  CHECK(r.max_timeout_seconds == 60);

  auto ok = parse_payment_response(vector_text("spec_examples/payment_response_success.b64"));
  REQUIRE(ok);
  CHECK(ok->success);
  CHECK(ok->payer == "0x857b06519E91e3A54538791bDbb0E22373e36b66");
  auto failed = parse_payment_response(vector_text("spec_examples/payment_response_failure.b64"));
  REQUIRE(failed);
  CHECK_FALSE(failed->success);
  CHECK_FALSE(failed->error_reason.empty());
}

TEST_CASE("x402 headers: base64 of JSON that is not an object is refused (fuzz_x402 regression)") {
  // Every x402 header is an object; fuzz_x402 found "MEUy" (the number 0E2).
  for (auto value : {"MEUy", "MQ==", "W10=", "bnVsbA==", "InMi"}) {
    CAPTURE(value);
    auto decoded = decode_x402_header(value);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().code == ErrorCode::parse_error);
    CHECK(decoded.error().message == "x402 header is not a JSON object");
  }
  CHECK(decode_x402_header("e30=").value() == Json::object());  // {}
}

TEST_CASE("x402 spec signature: accepted in its window, expired at its end and in 2026") {
  auto payload = decode_x402_header(vector_text("spec_examples/payment_signature.b64")).value();
  auto inside = verify_payment(payload, 1740672119);
  INFO(inside.to_string());
  CHECK(inside.ok());
  auto at_end = verify_payment(payload, 1740672154);
  CHECK_FALSE(at_end.ok());
  CHECK(check_passed(at_end, "x402.signature"));
  CHECK(at_end.first_failure()->name == "x402.window");
  CHECK(at_end.first_failure()->code == ErrorCode::expired);
  CHECK_FALSE(verify_payment(payload, 1770919200).ok());
}

TEST_CASE("x402 generated exact and upto payments verify; tampered value is rejected") {
  auto exact = decode_x402_header(vector_text("generated/exact_payment_signature.b64")).value();
  auto upto = decode_x402_header(vector_text("generated/upto_payment_signature.b64")).value();
  auto tampered =
      decode_x402_header(vector_text("generated/exact_payment_signature_tampered_value.b64")).value();
  CHECK(eip712_hash(payment_typed_data(exact).value())->digest.hex() ==
        "0x71309294fbe634ab218b6c0e55564b65dd94ceb6fb95508c8f4e5307a34d17aa");
  CHECK(eip712_hash(payment_typed_data(upto).value())->digest.hex() ==
        "0x9f67297e2147b984a449d143d51ef7e9d42d66e7ef366f908d52b39cdc0ed6c5");
  CHECK(check_passed(verify_payment(exact, 0), "x402.signature"));
  CHECK(check_passed(verify_payment(upto, 0), "x402.signature"));
  auto bad = verify_payment(tampered, 0);
  CHECK_FALSE(check_passed(bad, "x402.signature"));
  CHECK(bad.first_failure()->actual == "0x80a06e0D4E49998fcf77bcF00fB5f79E4f3F91e5");
}

TEST_CASE("x402 signing reproduces the generated exact header's signature (RFC 6979)") {
  auto header = decode_x402_header(vector_text("generated/exact_payment_signature.b64")).value();
  auto required = parse_payment_required(vector_text("generated/exact_payment_required.b64")).value();
  const Json& auth = *header.find("payload")->find("authorization");
  auto valid_after = std::stoull(auth.find("validAfter")->as_string());
  auto valid_before = std::stoull(auth.find("validBefore")->as_string());
  PaymentOptions opts;
  opts.now = valid_after + 600;
  opts.nonce = Hash32::from_hex(auth.find("nonce")->as_string()).value();
  auto chosen = required.accepts.at(0);
  opts.valid_before_slack = valid_before - opts.now - chosen.max_timeout_seconds;
  auto signed_payment = sign_payment(required, chosen, test_payer(), opts);
  REQUIRE(signed_payment);
  CHECK(signed_payment->header_name == "PAYMENT-SIGNATURE");
  CHECK(to_checksum_address(signed_payment->payer) == "0xc03275654d712319bba3fAEEAaF5965c7b9cff93");
  CHECK(signed_payment->payload.find("payload")->find("signature")->as_string() ==
        header.find("payload")->find("signature")->as_string());
  auto report = verify_payment(signed_payment->payload, valid_after + 1);
  INFO(report.to_string());
  CHECK(report.ok());
}

TEST_CASE("x402 policy refuses over-cap, foreign networks and assets, with reasons") {
  auto required = parse_payment_required(vector_text("spec_examples/payment_required.b64")).value();
  const auto& r = required.accepts[0];
  PaymentPolicy policy;
  policy.max_amount = U256(10000);
  auto none_allowed = choose_requirement(required, policy);
  REQUIRE_FALSE(none_allowed);
  CHECK(none_allowed.error().code == ErrorCode::payment_required);
  CHECK(none_allowed.error().detail.find("not allowed") != std::string::npos);

  policy.allowed_assets.push_back({"eip155:84532", r.asset});
  CHECK(choose_requirement(required, policy));
  policy.max_amount = U256(9999);
  auto over = choose_requirement(required, policy);
  REQUIRE_FALSE(over);
  CHECK(over.error().detail == "amount 10000 above the cap 9999");

  policy.max_amount = U256(10000);
  policy.allowed_assets = {{"eip155:8453", r.asset}};
  CHECK(choose_requirement(required, policy).error().detail.find("eip155:84532 not allowed") !=
        std::string::npos);
  policy.allowed_assets = {{"eip155:84532", r.asset}};
  policy.schemes = {"upto"};
  CHECK(choose_requirement(required, policy).error().detail == "scheme exact not allowed");
}

TEST_CASE("x402 upto signing round trip and parse errors") {
  auto required = parse_payment_required_json(parse_json(R"({"x402Version":2,"accepts":[
    {"scheme":"upto","network":"eip155:8453","amount":"100000000000000000",
     "asset":"0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
     "maxTimeoutSeconds":300,"extra":{"facilitatorAddress":"0x7777777777777777777777777777777777777777"}}]})").value());
  REQUIRE(required);
  PaymentOptions opts;
  opts.now = 1770919200;
  auto p = sign_payment(*required, required->accepts[0], test_payer(), opts);
  REQUIRE(p);
  auto report = verify_payment(p->payload, opts.now);
  INFO(report.to_string());
  CHECK(report.ok());
  CHECK_FALSE(verify_payment(p->payload, opts.now + 301).ok());

  CHECK_FALSE(decode_x402_header("not base64!"));
  CHECK_FALSE(decode_x402_header(to_base64(as_bytes("[1,2]"))));
  CHECK_FALSE(parse_payment_required_json(parse_json(R"({"x402Version":3,"accepts":[]})").value()));
  auto no_amount = parse_payment_required_json(parse_json(R"({"x402Version":2,"accepts":[
    {"scheme":"exact","network":"eip155:1","asset":"0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB",
     "payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C"}]})").value());
  REQUIRE_FALSE(no_amount);
  CHECK(no_amount.error().message == "accepts[0].amount is missing");
  CHECK(chain_id_of("eip155:8453").value() == 8453);
  CHECK_FALSE(chain_id_of("solana:mainnet"));
  CHECK_FALSE(chain_id_of("eip155:08453"));
  // x402 v1 network names.
  CHECK(chain_id_of("base-sepolia").value() == 84532);
  CHECK(chain_id_of("base").value() == 8453);
  CHECK_FALSE(chain_id_of("base-mainnet"));
  CHECK_FALSE(parse_payment_response_json(parse_json(R"({"success":true,"transaction":"0x12"})").value()));
}

TEST_CASE("x402 v1: a named network is paid under the CAIP-2 allowance of its chain, with X-PAYMENT") {
  auto required = parse_payment_required_json(parse_json(R"({"x402Version":1,"error":"X-PAYMENT header is required",
    "accepts":[{"scheme":"exact","network":"base-sepolia","maxAmountRequired":"2500",
      "resource":"http://127.0.0.1/paid","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
      "maxTimeoutSeconds":60,"asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e",
      "extra":{"name":"USDC","version":"2"}}]})").value());
  REQUIRE(required);
  CHECK(required->accepts[0].chain_id == 84532);
  CHECK(required->resource.as_string() == "http://127.0.0.1/paid");
  PaymentPolicy policy;
  policy.allowed_assets = {{"eip155:84532", required->accepts[0].asset}};
  policy.max_amount = U256(2500);
  auto chosen = choose_requirement(*required, policy);
  REQUIRE_MESSAGE(chosen, (chosen ? "" : chosen.error().to_string()));
  policy.allowed_assets = {{"eip155:8453", required->accepts[0].asset}};  // Base, not Base Sepolia
  auto refused = choose_requirement(*required, policy);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().detail.find("on base-sepolia not allowed") != std::string::npos);

  PaymentOptions opts;
  opts.now = 1'800'000'000;
  auto signed_payment = sign_payment(*required, *chosen, test_payer(), opts);
  REQUIRE(signed_payment);
  CHECK(signed_payment->header_name == "X-PAYMENT");
  auto sent = decode_x402_header(signed_payment->header_value).value();
  CHECK(sent.find("x402Version")->get_int64() == 1);
  CHECK(sent.find("network")->as_string() == "base-sepolia");
  CHECK(sent.find("payload")->find("authorization")->find("value")->as_string() == "2500");
  // The EIP-712 domain is chain 84532: the digest equals the v2 form of the same payment.
  Json v2 = Json::object();
  v2.set("x402Version", 2);
  Json accepted = required->accepts[0].raw;
  accepted.set("network", "eip155:84532");
  accepted.set("amount", "2500");
  v2.set("accepted", accepted);
  v2.set("payload", *sent.find("payload"));
  auto report = verify_payment(v2, opts.now);
  INFO(report.to_string());
  CHECK(report.ok());
  CHECK(eip712_hash(payment_typed_data(v2).value())->digest == signed_payment->digest);
}
