// The verinfer command-line tool: each verb lives in its own file and
// registers itself here. Exit codes: 0 ok/verified, 1 rejected, 2 unusable input.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

namespace verinfer::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;
inline constexpr int kExitUnusable = 2;

/// Parsed arguments of one verb: `--name value` options, `--flag`s, positionals.
/// `declared` is the verb's Command::flags; anything else starting with "--" is a problem.
class Args {
 public:
  Args(const std::vector<std::string>& raw, const std::vector<std::string>& declared,
       std::string_view verb);
  [[nodiscard]] bool flag(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> option(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> options(std::string_view name) const;
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }
  [[nodiscard]] bool json() const { return flag("--json"); }
  /// Set when the arguments themselves are malformed: the first unknown option,
  /// option without value or value given to a flag.
  [[nodiscard]] const std::optional<std::string>& problem() const { return problem_; }

 private:
  std::vector<std::pair<std::string, std::string>> options_;
  std::vector<std::string> flags_;
  std::vector<std::string> positional_;
  std::optional<std::string> problem_;
};

struct Command {
  std::string name;     ///< e.g. "keccak256" or "attestation verify"
  std::string summary;  ///< one line for the verb list
  std::string usage;    ///< full help text with examples
  /// Every option the verb accepts besides --json and --help: "--name" for a flag,
  /// "--name VALUE" for an option taking a value. Both the parser and --help use it.
  std::vector<std::string> flags;
  std::function<int(const Args&)> run;
};

/// The option list --help prints, one declared option a line, from Command::flags.
[[nodiscard]] std::string options_help(const Command& command);

/// Registers a verb at static-initialisation time.
struct Registrar {
  explicit Registrar(Command command);
};

[[nodiscard]] const std::vector<Command>& commands();

/// Prints a one-line error on stderr and returns kExitUnusable.
int unusable(const std::string& what);
int unusable(const Error& error);
/// Prints a value as one line (plain) or as JSON {"<key>": value} with --json.
void print_result(const Args& args, std::string_view key, const std::string& value);
/// Reads a whole file or "-" for stdin.
[[nodiscard]] Result<std::string> read_input(const std::string& path);
/// The wall clock in Unix seconds: the CLI is where the library's injected time comes from.
[[nodiscard]] std::int64_t unix_now();

}  // namespace verinfer::cli
