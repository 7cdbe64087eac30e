// verinfer-testkit: a batch driver for differential tests. It reads one JSON
// request per line on stdin ({"op": NAME, ...}) and writes one JSON answer
// per line ({"ok": true, ...} or {"ok": false, "error": "...", "code": "..."}),
// so Python/Node tests can check thousands of cases in one process.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/abi.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer::testkit {

using Op = std::function<Result<Json>(const Json& request)>;

struct OpRegistrar {
  OpRegistrar(std::string name, Op op);
};

/// Field accessors that fail with a readable error instead of asserting.
[[nodiscard]] Result<std::string> get_string(const Json& request, std::string_view key);
[[nodiscard]] Result<const Json*> get_field(const Json& request, std::string_view key);
/// A hex string field as bytes.
[[nodiscard]] Result<Bytes> get_hex(const Json& request, std::string_view key);
/// An array of ABI type strings ("uint256", "(bytes32,bytes)[]", ...).
[[nodiscard]] Result<std::vector<AbiType>> get_abi_types(const Json& request, std::string_view key);

/// Forwards the error of a failed Result of another type.
template <class T>
[[nodiscard]] std::unexpected<Error> pass_error(const Result<T>& r) {
  return std::unexpected(r.error());
}

}  // namespace verinfer::testkit
