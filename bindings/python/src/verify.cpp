// Offline verification and Ethereum helpers for Python. JSON crosses the
// boundary as text (Python's json on one side, verinfer::parse_json on the
// other), so there is one parser and one set of rules.
#include <pybind11/stl.h>

#include <chrono>

#include "module.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip191.hpp"
#include "verinfer/crypto/eip712.hpp"
#include "verinfer/crypto/rsa_pss.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/settle/merkle.hpp"
#include "verinfer/transport/x402.hpp"
#include "verinfer/verify/nitro.hpp"
#include "verinfer/verify/tee_response.hpp"

namespace verinfer::python {

py::list report_to_python(const VerificationReport& report) {
  py::list checks;
  for (const auto& c : report.checks()) {
    py::dict d;
    d["name"] = c.name;
    d["passed"] = c.passed;
    d["expected"] = c.expected;
    d["actual"] = c.actual;
    d["reason"] = c.reason;
    d["code"] = std::string(to_string(c.code));
    checks.append(d);
  }
  return checks;
}

namespace {

Json json_arg(const std::string& text) { return unwrap(parse_json(text)); }

std::string address_text(const Address& a) { return to_checksum_address(a); }

}  // namespace

void bind_verify(py::module_& m) {
  m.def("eip712_hash", [](const std::string& typed_data_json) {
        auto h = unwrap(eip712_hash(std::string_view(typed_data_json)));
        py::dict d;
        d["encode_type"] = h.encode_type;
        d["type_hash"] = from_bytes(h.type_hash);
        d["domain_separator"] = from_bytes(h.domain_separator);
        d["struct_hash"] = from_bytes(h.struct_hash);
        d["digest"] = from_bytes(h.digest);
        return d;
      }, py::arg("typed_data_json"));
  m.def("eip191_digest", [](const py::object& message) { return from_bytes(eip191_digest(ByteView(to_bytes(message)))); },
        py::arg("message"),
        "EIP-191 personal_sign digest: keccak256(\"\\x19Ethereum Signed Message:\\n\" + len + message).");
  m.def("recover_address", [](const py::object& digest, const py::object& signature, bool allow_high_s) {
        auto d = unwrap(Hash32::from_bytes(to_bytes(digest)));
        Bytes sig = to_bytes(signature);
        py::gil_scoped_release release;
        auto a = recover_address(d, sig, SignatureOptions{allow_high_s});
        py::gil_scoped_acquire acquire;
        return address_text(unwrap(std::move(a)));
      }, py::arg("digest"), py::arg("signature"), py::arg("allow_high_s") = false,
      "EIP-55 address that signed a 32-byte digest; signature is r || s || v (65 bytes,\n"
      "v in 0, 1, 27, 28). High-s signatures (EIP-2) raise unless allow_high_s.");
  m.def("checksum_address", [](const std::string& text) { return address_text(unwrap(parse_address(text))); },
        py::arg("address"), "The EIP-55 checksummed form of a 20-byte hex address (ParseError if not one).");

  m.def("check_tee_response", [](const std::string& request_json, const std::string& response_json,
                                 const std::string& public_key, std::int64_t now, bool stream) {
        Json request = json_arg(request_json);
        auto key = unwrap(RsaPublicKey::parse(public_key));
        TeeResponsePolicy policy;
        policy.now = now;
        Result<VerificationReport> report;
        {
          py::gil_scoped_release release;
          if (stream) {
            report = check_tee_stream(request, response_json, key, policy);
          } else {
            auto response = parse_json(response_json);
            report = response ? check_tee_response(request, *response, key, policy)
                              : Result<VerificationReport>(std::unexpected(response.error()));
          }
        }
        return report_to_python(unwrap(std::move(report)));
      }, py::arg("request_json"), py::arg("response_json"), py::arg("public_key"), py::arg("now"),
      py::arg("stream") = false);

  m.def("check_attestation", [](const py::object& document, std::int64_t at, const py::object& nonce,
                                const std::string& root_pem, const py::object& pcr_hash,
                                std::int64_t max_age) {
        Bytes doc = to_bytes(document);
        NitroPolicy policy;
        if (!nonce.is_none()) policy.nonce = to_bytes(nonce);
        if (!pcr_hash.is_none()) policy.pcr_hash = unwrap(Hash32::from_bytes(to_bytes(pcr_hash)));
        if (max_age > 0) policy.max_age = std::chrono::seconds(max_age);
        auto verifier = root_pem.empty() ? NitroVerifier() : unwrap(NitroVerifier::with_root_pem(root_pem));
        VerificationReport report;
        {
          py::gil_scoped_release release;
          (void)verifier.verify(doc, std::chrono::sys_seconds(std::chrono::seconds(at)), policy, report);
        }
        return report_to_python(report);
      }, py::arg("document"), py::arg("at"), py::arg("nonce") = py::none(), py::arg("root_pem") = "",
      py::arg("pcr_hash") = py::none(), py::arg("max_age") = 0);

  m.def("decode_x402_header", [](const std::string& value) { return unwrap(decode_x402_header(value)).dump(); },
        py::arg("value"));
  m.def("check_payment", [](const std::string& payload_json, std::uint64_t now) {
        return report_to_python(verify_payment(json_arg(payload_json), now));
      }, py::arg("payload_json"), py::arg("now"));

  m.def("merkle_verify", [](const std::string& dump_json, std::size_t index, const py::object& root) {
        auto dump = unwrap(parse_merkle_dump(dump_json));
        auto proof = unwrap(merkle_proof(dump, index));
        Hash32 leaf = dump.tree.at(dump.values.at(index).tree_index);
        Hash32 expected_root = root.is_none() ? dump.root() : unwrap(Hash32::from_bytes(to_bytes(root)));
        if (auto ok = verify_merkle_proof(expected_root, leaf, proof); !ok) raise(ok.error());
        return from_bytes(leaf);
      }, py::arg("dump_json"), py::arg("index"), py::arg("root") = py::none(),
      "Checks the proof of value `index` of a standard-v1 dump; returns the leaf hash.");
}

}  // namespace verinfer::python
