// verinfer._verinfer: the compiled core. The Python package on top
// (bindings/python/verinfer) gives it Pythonic names and exception classes.
#include "module.hpp"

PYBIND11_MODULE(_verinfer, m) {
  m.doc() = "verinfer compiled core (private; import verinfer instead)";
  verinfer::python::bind_core(m);
  verinfer::python::bind_verify(m);
  verinfer::python::bind_client(m);
}
