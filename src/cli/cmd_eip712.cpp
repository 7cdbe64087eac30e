// verinfer eip712-hash FILE.json [--json]
#include <cstdio>

#include "cli/cli.hpp"
#include "verinfer/crypto/eip712.hpp"

namespace verinfer::cli {
namespace {

int run(const Args& args) {
  if (args.positional().size() != 1) return unusable("eip712-hash takes exactly one FILE (or -)");
  auto text = read_input(args.positional()[0]);
  if (!text) return unusable(text.error());
  auto hashes = eip712_hash(std::string_view(*text));
  if (!hashes) return unusable(hashes.error());
  if (!args.json()) {
    print_result(args, "digest", hashes->digest.hex());
    return kExitOk;
  }
  Json out = Json::object();
  out.set("digest", hashes->digest.hex());
  out.set("domain_separator", hashes->domain_separator.hex());
  out.set("struct_hash", hashes->struct_hash.hex());
  out.set("type_hash", hashes->type_hash.hex());
  out.set("encode_type", hashes->encode_type);
  std::printf("%s\n", out.dump().c_str());
  return kExitOk;
}

const Registrar registrar{Command{
    "eip712-hash", "EIP-712 digest of eth_signTypedData_v4 JSON",
    "usage: verinfer eip712-hash FILE.json|- [--json]\n\n"
    "Prints keccak256(0x1901 || domainSeparator || hashStruct(message)) as one\n"
    "0x line; --json also prints the domain separator, struct hash, type hash\n"
    "and encodeType string.\n\n"
    "examples:\n"
    "  verinfer eip712-hash permit.json\n"
    "  verinfer eip712-hash - --json < typed_data.json",
    {}, run}};

}  // namespace
}  // namespace verinfer::cli
