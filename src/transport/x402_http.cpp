// x402 over HTTP: one request, at most one payment (coinbase/x402
// specs/transports-v2/http.md; v1: specs/transports-v1/http.md).
#include "verinfer/crypto/address.hpp"
#include "verinfer/transport/x402.hpp"

namespace verinfer {
namespace {

std::string header_or_empty(const HttpHeaders& h, std::string_view name) {
  const std::string* v = h.find(name);
  return v ? *v : std::string();
}

std::string settlement_header(const HttpResponse& answer) {
  std::string value = header_or_empty(answer.headers, kPaymentResponseHeader);
  return value.empty() ? header_or_empty(answer.headers, kPaymentResponseHeaderV1) : value;
}

std::string terms_of(const PaymentRequirement& r) {
  return r.scheme + " " + r.amount.to_decimal() + " of " + to_checksum_address(r.asset) + " on " +
         r.network + " to " + to_checksum_address(r.pay_to);
}

// Why a paid request came back 402, as precisely as the answer says: a
// settlement that failed (v2 sends PAYMENT-RESPONSE with errorReason),
// requirements that changed after we signed, or a stated refusal.
Error paid_refusal(const HttpResponse& answer, const PaymentRequirement& paid) {
  if (std::string settled = settlement_header(answer); !settled.empty()) {
    auto pr = parse_payment_response(settled);
    if (pr && !pr->success) {
      return Error{ErrorCode::payment_required, "the gateway did not settle the payment",
                   "errorReason: " + (pr->error_reason.empty() ? "none given" : pr->error_reason)};
    }
  }
  auto again = payment_required_of(answer);
  if (!again) {
    return Error{ErrorCode::payment_required, "the gateway refused the payment",
                 std::string(answer.text().substr(0, 300))};
  }
  std::string now_asked;
  for (const auto& r : again->accepts) {
    if (terms_of(r) == terms_of(paid)) {
      return Error{ErrorCode::payment_required, "the gateway refused the payment",
                   "its reason: " + (again->error.empty() ? "none given" : again->error)};
    }
    now_asked += (now_asked.empty() ? "" : "; ") + terms_of(r);
  }
  return Error{ErrorCode::payment_required,
               "the gateway changed its payment requirements after the payment was signed",
               "expected " + terms_of(paid) + ", got " + now_asked};
}

}  // namespace

Result<PaymentRequired> payment_required_of(const HttpResponse& answer) {
  if (const std::string* header = answer.headers.find(kPaymentRequiredHeader)) {
    return parse_payment_required(*header);
  }
  auto body = parse_json(answer.text());
  if (!body) {
    return fail(ErrorCode::payment_required, "a 402 without PAYMENT-REQUIRED or a JSON body",
                body.error().to_string());
  }
  return parse_payment_required_json(*body);
}

Result<PaidExchange> send_with_payment(const HttpClient& http, HttpRequest request,
                                       const PrivateKey* payer, const PaymentPolicy& policy,
                                       const PaymentOptions& options, const BodySink* sink) {
  auto send = [&]() { return sink ? http.send_streaming(request, *sink) : http.send(request); };
  auto answer = send();
  if (!answer) return std::unexpected(answer.error());
  PaidExchange out;
  if (answer->status != 402) {
    out.response = std::move(*answer);
    return out;
  }
  if (payer == nullptr) {
    return fail(ErrorCode::payment_required, "the server asks for payment and no payer key is set");
  }
  auto required = payment_required_of(*answer);
  if (!required) return std::unexpected(required.error());
  auto chosen = choose_requirement(*required, policy);
  if (!chosen) return std::unexpected(chosen.error());
  auto payment = sign_payment(*required, *chosen, *payer, options);
  if (!payment) return std::unexpected(payment.error());

  request.headers.set(payment->header_name, payment->header_value);
  request.delivery = Delivery::at_most_once;  // a paid request is never re-sent
  // From here on the payment may have reached the server, whatever fails.
  auto after_payment = [](Error e) {
    e.payment = PaymentState::may_have_been_sent;
    return std::unexpected(std::move(e));
  };
  auto second = send();
  if (!second) return after_payment(second.error());
  if (second->status == 402) return after_payment(paid_refusal(*second, *chosen));
  if (std::string settled = settlement_header(*second); !settled.empty()) {
    auto pr = parse_payment_response(settled);
    if (!pr) return after_payment(pr.error());
    out.settlement = std::move(*pr);
  }
  out.response = std::move(*second);
  out.requirement = std::move(*chosen);
  out.payment = std::move(*payment);
  return out;
}

}  // namespace verinfer
