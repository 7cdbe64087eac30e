#include "cli/cli.hpp"

#include <algorithm>
#include <chrono>
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

Args::Args(const std::vector<std::string>& raw, const std::vector<std::string>& declared,
           std::string_view verb) {
  // Declared "--name VALUE" takes a value, "--name" does not.
  auto takes_value = [&](std::string_view name) -> std::optional<bool> {
    if (name == "--json" || name == "--help") return false;
    for (const std::string& d : declared) {
      std::string_view decl_name = std::string_view(d).substr(0, d.find(' '));
      if (decl_name == name) return decl_name.size() != d.size();
    }
    return std::nullopt;
  };
  auto report = [&](std::string what) {
    if (!problem_) {
      problem_ = std::move(what) + " for `verinfer " + std::string(verb) + "`; see `verinfer " +
                 std::string(verb) + " --help`";
    }
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& a = raw[i];
    if (a.size() <= 2 || !a.starts_with("--")) {
      positional_.push_back(a);
      continue;
    }
    auto eq = a.find('=');
    std::string name = a.substr(0, eq);
    auto value = takes_value(name);
    if (!value) {
      report("unknown option " + name);
    } else if (!*value) {
      if (eq != std::string::npos) report("option " + name + " takes no value");
      flags_.push_back(name);
    } else if (eq != std::string::npos) {
      options_.emplace_back(name, a.substr(eq + 1));
    } else if (i + 1 < raw.size()) {
      options_.emplace_back(name, raw[++i]);
    } else {
      report("option " + name + " needs a value");
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

std::string options_help(const Command& command) {
  std::string out = "options:\n";
  for (const std::string& d : command.flags) out += "  " + d + "\n";
  out += "  --json\n  --help";
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

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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
