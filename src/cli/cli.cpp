#include "cli/cli.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace verinfer::cli {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> all;
  return all;
}

}  // namespace

Args::Args(std::vector<std::string> raw, std::vector<std::string> flag_names) {
  flag_names.emplace_back("--json");
  flag_names.emplace_back("--help");
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& a = raw[i];
    if (a.size() > 2 && a.starts_with("--")) {
      auto eq = a.find('=');
      if (eq != std::string::npos) {
        options_.emplace_back(a.substr(0, eq), a.substr(eq + 1));
      } else if (std::find(flag_names.begin(), flag_names.end(), a) != flag_names.end()) {
        flags_.push_back(a);
      } else if (i + 1 < raw.size()) {
        options_.emplace_back(a, raw[++i]);
      } else {
        problem_ = "option " + a + " needs a value";
      }
    } else {
      positional_.push_back(a);
    }
  }
}

bool Args::flag(std::string_view name) const {
  return std::find(flags_.begin(), flags_.end(), name) != flags_.end();
}

std::optional<std::string> Args::option(std::string_view name) const {
  for (auto it = options_.rbegin(); it != options_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

std::vector<std::string> Args::options(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : options_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

Registrar::Registrar(Command command) { registry().push_back(std::move(command)); }

const std::vector<Command>& commands() {
  auto& all = registry();
  std::sort(all.begin(), all.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  return all;
}

int unusable(const std::string& what) {
  std::fprintf(stderr, "verinfer: %s\n", what.c_str());
  return kExitUnusable;
}

int unusable(const Error& error) { return unusable(error.to_string()); }

void print_result(const Args& args, std::string_view key, const std::string& value) {
  if (args.json()) {
    Json out = Json::object();
    out.set(std::string(key), value);
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s\n", value.c_str());
  }
}

Result<std::string> read_input(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::invalid_argument, "cannot read file", path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace verinfer::cli
