#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/verify/report.hpp"

namespace verinfer::python {

namespace py = pybind11;

/// Raises the verinfer.errors exception class that matches the error code.
[[noreturn]] void raise(const Error& error);

/// Unwraps a Result or raises.
template <class T>
T unwrap(Result<T>&& result) {
  if (!result) raise(result.error());
  return std::move(*result);
}

/// Bytes-like Python object → owned bytes (copied while the GIL is held).
Bytes to_bytes(const py::object& data);
py::bytes from_bytes(ByteView data);

/// A report as a list of dicts (the Python package wraps it in Report).
py::list report_to_python(const VerificationReport& report);

void bind_core(py::module_& m);
void bind_verify(py::module_& m);
void bind_client(py::module_& m);

}  // namespace verinfer::python
