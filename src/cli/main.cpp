// verinfer CLI entry point: finds the verb (one or two words) and runs it.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace {

void print_overview() {
  std::printf("verinfer: verifiable AI calls, checked locally\n\nusage: verinfer <command> [options]\n\ncommands:\n");
  for (const auto& c : verinfer::cli::commands()) {
    std::printf("  %-22s %s\n", c.name.c_str(), c.summary.c_str());
  }
  std::printf("\nEvery command takes --json and --help. Exit codes: 0 ok/verified, 1 rejected, "
              "2 unusable input.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    print_overview();
    return words.empty() ? verinfer::cli::kExitUnusable : verinfer::cli::kExitOk;
  }
  const verinfer::cli::Command* match = nullptr;
  std::size_t consumed = 0;
  for (const auto& c : verinfer::cli::commands()) {
    // Two-word verbs ("attestation verify") win over one-word prefixes.
    std::size_t space = c.name.find(' ');
    if (space == std::string::npos) {
      if (words[0] == c.name && consumed < 1) {
        match = &c;
        consumed = 1;
      }
    } else if (words.size() >= 2 && words[0] == c.name.substr(0, space) &&
               words[1] == c.name.substr(space + 1)) {
      match = &c;
      consumed = 2;
    }
  }
  if (match == nullptr) {
    std::fprintf(stderr, "verinfer: unknown command '%s' (try verinfer --help)\n", words[0].c_str());
    return verinfer::cli::kExitUnusable;
  }
  verinfer::cli::Args args({words.begin() + static_cast<long>(consumed), words.end()},
                           match->flags, match->name);
  if (args.flag("--help")) {
    std::printf("%s\n\n%s\n", match->usage.c_str(), verinfer::cli::options_help(*match).c_str());
    return verinfer::cli::kExitOk;
  }
  if (args.problem()) return verinfer::cli::unusable(*args.problem());
  return match->run(args);
}
