#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "testkit.hpp"

namespace verinfer::testkit {
namespace {

std::map<std::string, Op>& ops() {
  static std::map<std::string, Op> all;
  return all;
}

}  // namespace

OpRegistrar::OpRegistrar(std::string name, Op op) { ops().emplace(std::move(name), std::move(op)); }

Result<const Json*> get_field(const Json& request, std::string_view key) {
  const Json* v = request.find(key);
  if (v == nullptr) return fail(ErrorCode::invalid_argument, "missing field", std::string(key));
  return v;
}

Result<std::string> get_string(const Json& request, std::string_view key) {
  auto v = get_field(request, key);
  if (!v) return std::unexpected(v.error());
  if (!(*v)->is_string()) return fail(ErrorCode::invalid_argument, "field is not a string", std::string(key));
  return (*v)->as_string();
}

Result<Bytes> get_hex(const Json& request, std::string_view key) {
  auto s = get_string(request, key);
  if (!s) return pass_error(s);
  return from_hex(*s);
}

Result<std::vector<AbiType>> get_abi_types(const Json& request, std::string_view key) {
  auto list = get_field(request, key);
  if (!list) return pass_error(list);
  if (!(*list)->is_array()) {
    return fail(ErrorCode::invalid_argument, std::string(key) + " must be an array");
  }
  std::vector<AbiType> out;
  for (const auto& t : (*list)->as_array()) {
    if (!t.is_string()) return fail(ErrorCode::invalid_argument, "type must be a string");
    auto parsed = AbiType::parse(t.as_string());
    if (!parsed) return pass_error(parsed);
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace verinfer::testkit

int main() {
  using namespace verinfer;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    Json answer = Json::object();
    auto request = parse_json(line);
    Result<Json> result = request ? [&]() -> Result<Json> {
      auto op = testkit::get_string(*request, "op");
      if (!op) return std::unexpected(op.error());
      auto it = testkit::ops().find(*op);
      if (it == testkit::ops().end()) return fail(ErrorCode::invalid_argument, "unknown op", *op);
      return it->second(*request);
    }() : Result<Json>(std::unexpected(request.error()));
    if (result) {
      answer = std::move(*result);
      if (!answer.is_object()) {
        Json wrapped = Json::object();
        wrapped.set("result", std::move(answer));
        answer = std::move(wrapped);
      }
      answer.set("ok", true);
    } else {
      answer.set("ok", false);
      answer.set("code", std::string(to_string(result.error().code)));
      answer.set("error", result.error().to_string());
    }
    std::cout << answer.dump() << '\n';
  }
  return 0;
}
