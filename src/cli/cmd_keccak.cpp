// verinfer keccak256 (--hex HEX | --text TEXT | --file PATH)
#include "cli/cli.hpp"
#include "verinfer/bytes.hpp"
#include "verinfer/crypto/keccak.hpp"

namespace verinfer::cli {
namespace {

int run(const Args& args) {
  auto hex = args.option("--hex");
  auto text = args.option("--text");
  auto file = args.option("--file");
  int given = (hex ? 1 : 0) + (text ? 1 : 0) + (file ? 1 : 0);
  if (given != 1 || !args.positional().empty()) {
    return unusable("keccak256 takes exactly one of --hex, --text, --file");
  }
  Hash32 digest;
  if (hex) {
    auto bytes = from_hex(*hex);
    if (!bytes) return unusable(bytes.error());
    digest = keccak256(*bytes);
  } else if (text) {
    digest = keccak256(std::string_view(*text));
  } else {
    auto content = read_input(*file);
    if (!content) return unusable(content.error());
    digest = keccak256(std::string_view(*content));
  }
  print_result(args, "keccak256", digest.hex());
  return kExitOk;
}

const Registrar registrar{Command{
    "keccak256", "Keccak-256 of bytes, text or a file",
    "usage: verinfer keccak256 (--hex HEX | --text TEXT | --file PATH|-) [--json]\n\n"
    "Prints the Ethereum Keccak-256 digest (not SHA3-256) as one 0x-hex line.\n\n"
    "examples:\n"
    "  verinfer keccak256 --text abc\n"
    "  verinfer keccak256 --hex 0xdeadbeef --json\n"
    "  verinfer keccak256 --file response.json",
    {"--hex HEX", "--text TEXT", "--file PATH"}, run}};

}  // namespace
}  // namespace verinfer::cli
