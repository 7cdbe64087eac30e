// verinfer-testkit: a batch driver for differential tests. It reads one JSON
// request per line on stdin ({"op": NAME, ...}) and writes one JSON answer
// per line ({"ok": true, ...} or {"ok": false, "error": "...", "code": "..."}),
// so Python/Node tests can check thousands of cases in one process.
#pragma once

#include <functional>
#include <string>

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

}  // namespace verinfer::testkit
