// Core primitives: hashing and codecs. Binary data is bytes in, bytes out.
#include <pybind11/stl.h>

#include "module.hpp"
#include "crypto/secret_access.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/keystore.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/json.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer::python {

void raise(const Error& error) {
  py::object errors = py::module_::import("verinfer.errors");
  py::object cls = errors.attr("error_class")(std::string(to_string(error.code)));
  py::object instance = cls(error.message, std::string(to_string(error.code)), error.detail);
  instance.attr("payment_may_have_been_sent") = error.payment != PaymentState::none;
  if (error.report) {
    py::object report_cls = py::module_::import("verinfer.results").attr("Report");
    instance.attr("report") = report_cls.attr("from_raw")(report_to_python(*error.report));
  }
  PyErr_SetObject(cls.ptr(), instance.ptr());
  throw py::error_already_set();
}

Bytes to_bytes(const py::object& data) {
  if (py::isinstance<py::str>(data)) {
    throw py::type_error("expected bytes, got str (encode it first, e.g. text.encode())");
  }
  py::buffer_info info = py::buffer(data).request();
  const auto* p = static_cast<const std::uint8_t*>(info.ptr);
  return Bytes(p, p + info.size * info.itemsize);
}

py::bytes from_bytes(ByteView data) {
  return py::bytes(reinterpret_cast<const char*>(data.data()), data.size());
}

void bind_core(py::module_& m) {
  m.def("keccak256", [](const py::object& data) {
        Bytes in = to_bytes(data);
        Hash32 out;
        {
          py::gil_scoped_release release;
          out = keccak256(in);
        }
        return from_bytes(out);
      }, py::arg("data"), "Keccak-256 (Ethereum's, not SHA3-256) of bytes.");
  m.def("sha256", [](const py::object& data) {
        Bytes in = to_bytes(data);
        py::gil_scoped_release release;
        Hash32 out = sha256(in);
        py::gil_scoped_acquire acquire;
        return from_bytes(out);
      }, py::arg("data"), "SHA-256 of bytes.");
  m.def("to_hex", [](const py::object& data, bool prefix) { return to_hex(to_bytes(data), prefix); },
        py::arg("data"), py::arg("prefix") = true, "Lower-case hex of bytes, with \"0x\" unless prefix=False.");
  m.def("from_hex", [](const std::string& text) { return from_bytes(unwrap(from_hex(text))); },
        py::arg("text"), "Bytes of hex text (\"0x\" optional); ParseError on odd length or a bad digit.");
  m.def("to_base64", [](const py::object& data, bool url) {
        return to_base64(to_bytes(data), url ? Base64Alphabet::url : Base64Alphabet::standard);
      }, py::arg("data"), py::arg("url") = false,
      "Base64 of bytes; url=True uses the URL-safe alphabet (RFC 4648 section 5).");
  m.def("from_base64", [](const std::string& text, bool url) {
        return from_bytes(unwrap(from_base64(text, url ? Base64Alphabet::url
                                                       : Base64Alphabet::standard)));
      }, py::arg("text"), py::arg("url") = false,
      "Bytes of base64 text; strict: ParseError on a character outside the alphabet or wrong padding.");
  // The KDFs take up to a second: the GIL is released while they run. Our copies
  // of secrets are wiped; Python's own str and bytes objects cannot be.
  m.def("decrypt_keystore", [](const std::string& keystore, std::string passphrase, std::uint64_t max_scrypt_memory,
                               std::uint64_t max_scrypt_work, std::uint64_t max_pbkdf2_iterations) {
        const KeystoreLimits limits{max_scrypt_memory, max_scrypt_work, max_pbkdf2_iterations};
        auto key = [&] {
          py::gil_scoped_release release;
          return decrypt_keystore(keystore, passphrase, limits);
        }();
        secure_wipe(passphrase.data(), passphrase.size());
        return from_bytes(secp256k1_detail::SecretAccess::secret(unwrap(std::move(key))));
      }, py::arg("keystore"), py::arg("passphrase"), py::arg("max_scrypt_memory"), py::arg("max_scrypt_work"),
      py::arg("max_pbkdf2_iterations"),
      "The 32-byte private key of a V3 keystore JSON text (see verinfer.decrypt_keystore).");
  // The default KeystoreLimits, for the keyword defaults of verinfer.decrypt_keystore.
  m.attr("KEYSTORE_MAX_SCRYPT_MEMORY") = kKeystoreMaxScryptMemory;
  m.attr("KEYSTORE_MAX_SCRYPT_WORK") = kKeystoreMaxScryptWork;
  m.attr("KEYSTORE_MAX_PBKDF2_ITERATIONS") = kKeystoreMaxPbkdf2Iterations;
  m.def("encrypt_keystore", [](const py::object& private_key, std::string passphrase, const std::string& kdf,
                               std::uint64_t n, std::uint64_t r, std::uint64_t p, std::uint64_t iterations) {
        Bytes secret = to_bytes(private_key);
        auto key = PrivateKey::from_bytes(secret);
        secure_wipe(secret.data(), secret.size());
        if (kdf != "scrypt" && kdf != "pbkdf2") {
          raise(Error{ErrorCode::invalid_argument, "kdf must be scrypt or pbkdf2", "got \"" + kdf + "\""});
        }
        KeystoreParams params{kdf == "scrypt" ? KeystoreKdf::scrypt : KeystoreKdf::pbkdf2, n, r, p, iterations};
        auto text = [&] {
          py::gil_scoped_release release;
          return key ? encrypt_keystore(*key, passphrase, params) : Result<std::string>(std::unexpected(key.error()));
        }();
        secure_wipe(passphrase.data(), passphrase.size());
        return unwrap(std::move(text));
      }, py::arg("private_key"), py::arg("passphrase"), py::arg("kdf"), py::arg("n"), py::arg("r"), py::arg("p"),
      py::arg("iterations"), "A V3 keystore JSON text for a 32-byte key (see verinfer.encrypt_keystore).");
  m.def("canonical_json_check", [](const std::string& text) { return unwrap(parse_json(text)).dump(); },
        py::arg("text"), "Parses strict JSON and returns it compact (raises ParseError).");
}

}  // namespace verinfer::python
