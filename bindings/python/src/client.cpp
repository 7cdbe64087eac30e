// The front door for Python: verinfer.LLM (bindings/python/verinfer/llm.py)
// drives this class; calls release the GIL while they wait on the network.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <chrono>

#include "module.hpp"
#include "verinfer/client.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/transport/x402.hpp"

namespace verinfer::python {

namespace {

// A PAYMENT-RESPONSE as a dict (None when the server sent none).
py::object payment_response_to_python(const std::optional<PaymentResponse>& response) {
  if (!response) return py::none();
  py::dict d;
  d["success"] = response->success;
  d["transaction"] = response->transaction;
  d["network"] = response->network;
  d["payer"] = response->payer;
  d["error_reason"] = response->error_reason;
  return std::move(d);
}

py::dict result_to_python(const VerifiedResult& verified) {
  const CallResult& r = verified.value();
  py::dict d;
  d["content"] = r.content;
  py::list calls;
  for (const auto& c : r.tool_calls) {
    py::dict call;
    call["id"] = c.id;
    call["type"] = c.type;
    call["name"] = c.name;
    call["arguments"] = c.arguments;
    calls.append(call);
  }
  d["tool_calls"] = calls;
  d["finish_reason"] = r.finish_reason;
  d["response_json"] = r.response.dump();
  d["tee_id"] = r.tee_id.hex();
  d["request_hash"] = r.request_hash.hex();
  d["output_hash"] = r.output_hash.hex();
  d["tee_timestamp"] = r.tee_timestamp;
  d["payment"] = payment_response_to_python(r.payment);
  // Decimal text: a U256 can exceed a C++ integer; results.py makes it an int.
  d["authorized_amount"] =
      r.authorized_amount ? py::object(py::str(r.authorized_amount->to_decimal())) : py::none();
  if (r.stated_cost) {
    py::dict cost;
    cost["opg"] = r.stated_cost->opg;
    cost["usd"] = r.stated_cost->usd;
    d["stated_cost"] = cost;
  } else {
    d["stated_cost"] = py::none();
  }
  py::dict s;
  s["type"] = r.settlement.type;
  s["tx_hash"] = r.settlement.tx_hash;
  s["blob_id"] = r.settlement.blob_id;
  s["job_id"] = r.settlement.job_id;
  d["settlement"] = s;
  d["checks"] = report_to_python(verified.report());
  return d;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// One HTTP request that pays a 402 once by the caller's policy
// (send_with_payment, the loop the Client pays through); verinfer.x402_fetch.
py::dict x402_fetch(const std::string& url, const std::string& method, const py::object& body,
                    const Pairs& headers, const py::object& private_key, const Pairs& assets,
                    const std::string& max_amount, const std::vector<std::string>& schemes,
                    std::int64_t timeout_ms, const std::string& ca_file) {
  HttpClientOptions http_options;
  http_options.timeout = std::chrono::milliseconds(timeout_ms);
  http_options.tls.ca_file = ca_file;
  const HttpClient http = unwrap(HttpClient::create(http_options));
  HttpRequest request;
  request.method = method;
  request.url = url;
  if (!body.is_none()) request.body = to_bytes(body);
  for (const auto& [name, value] : headers) request.headers.add(name, value);
  PaymentPolicy policy;
  for (const auto& [network, asset] : assets) policy.allowed_assets.push_back({network, unwrap(parse_address(asset))});
  policy.max_amount = unwrap(U256::from_decimal(max_amount));
  policy.schemes = schemes;
  std::optional<PrivateKey> payer;
  if (!private_key.is_none()) {
    std::string hex = py::str(private_key);
    payer = unwrap(PrivateKey::from_hex(hex));
    secure_wipe(hex.data(), hex.size());
  }
  PaymentOptions payment_options;
  payment_options.now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::optional<Result<PaidExchange>> exchange;
  {
    py::gil_scoped_release release;
    exchange.emplace(send_with_payment(http, std::move(request), payer ? &*payer : nullptr, policy, payment_options));
  }
  const PaidExchange paid = unwrap(std::move(*exchange));
  py::dict d;
  d["status"] = paid.response.status;
  py::list fields;
  for (const auto& [name, value] : paid.response.headers.fields()) fields.append(py::make_tuple(name, value));
  d["headers"] = fields;
  d["body"] = from_bytes(paid.response.body);
  d["payment"] = py::none();
  if (paid.payment && paid.requirement) {
    py::dict p;
    p["scheme"] = paid.requirement->scheme;
    p["network"] = paid.requirement->network;
    p["asset"] = to_checksum_address(paid.requirement->asset);
    p["pay_to"] = to_checksum_address(paid.requirement->pay_to);
    p["amount"] = paid.requirement->amount.to_decimal();
    p["authorized_amount"] = paid.payment->max_amount.to_decimal();
    p["payer"] = to_checksum_address(paid.payment->payer);
    p["header_name"] = paid.payment->header_name;
    d["payment"] = p;
  }
  d["settlement"] = payment_response_to_python(paid.settlement);
  return d;
}

class PyClient {
 public:
  PyClient(const std::string& profile, const py::object& private_key, bool attestation,
           std::int64_t timeout_ms, const std::string& route, const std::string& ohttp_config,
           bool settlement_check) {
    ClientOptions options;
    options.profile = unwrap(load_profile(profile));
    if (!private_key.is_none()) {
      std::string hex = py::str(private_key);
      options.payer = unwrap(PrivateKey::from_hex(hex));
      secure_wipe(hex.data(), hex.size());
    }
    options.trust.attestation = attestation;
    options.trust.registry = false;
    options.trust.settlement = settlement_check;
    options.http.timeout = std::chrono::milliseconds(timeout_ms);
    options.route = unwrap(parse_route(route));
    if (ohttp_config != "registry" && ohttp_config != "gateway") {
      raise(Error{ErrorCode::invalid_argument, "ohttp_config must be \"registry\" or \"gateway\"",
                  "got " + ohttp_config});
    }
    options.private_route.config_source =
        ohttp_config == "gateway" ? OhttpConfigSource::gateway : OhttpConfigSource::registry;
    client_.emplace(unwrap(Client::create(std::move(options))));
  }

  py::dict call(const std::string& kind, const std::string& body_json, const std::string& settlement) {
    auto built = build(kind, body_json, settlement);
    std::optional<Result<VerifiedResult>> result;
    {
      py::gil_scoped_release release;
      result.emplace(client_->call(built));
    }
    return result_to_python(unwrap(std::move(*result)));
  }

  py::dict call_stream(const std::string& body_json, const std::string& settlement,
                       const std::function<void(std::string)>& on_delta, const std::string& kind) {
    auto built = build(kind, body_json, settlement);
    std::optional<Result<VerifiedResult>> result;
    {
      py::gil_scoped_release release;
      result.emplace(client_->call_stream(built, [&](std::string_view delta) {
        py::gil_scoped_acquire acquire;
        on_delta(std::string(delta));
      }));
    }
    return result_to_python(unwrap(std::move(*result)));
  }

 private:
  static BuiltRequest build(const std::string& kind, const std::string& body_json,
                            const std::string& settlement) {
    auto mode = unwrap(parse_settlement_mode(settlement));
    auto body = unwrap(parse_json(body_json));
    return unwrap(request_from_body(kind == "completion" ? RequestKind::completion : RequestKind::chat,
                                    std::move(body), mode));
  }

  std::optional<Client> client_;
};

}  // namespace

void bind_client(py::module_& m) {
  m.def("x402_fetch", &x402_fetch, py::arg("url"), py::arg("method"), py::arg("body"), py::arg("headers"),
        py::arg("private_key"), py::arg("assets"), py::arg("max_amount"), py::arg("schemes"),
        py::arg("timeout_ms"), py::arg("ca_file"));
  py::class_<PyClient>(m, "Client")
      .def(py::init<const std::string&, const py::object&, bool, std::int64_t, const std::string&,
                    const std::string&, bool>(),
           py::arg("profile"), py::arg("private_key") = py::none(), py::arg("attestation") = true,
           py::arg("timeout_ms") = 120000, py::arg("route") = "direct",
           py::arg("ohttp_config") = "registry", py::arg("settlement_check") = false)
      .def("call", &PyClient::call, py::arg("kind"), py::arg("body_json"), py::arg("settlement"))
      .def("call_stream", &PyClient::call_stream, py::arg("body_json"), py::arg("settlement"),
           py::arg("on_delta"), py::arg("kind") = "chat");
}

}  // namespace verinfer::python
