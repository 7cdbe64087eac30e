// verinfer recover --digest HEX --signature HEX [--allow-high-s]
#include "cli/cli.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/secp256k1.hpp"

namespace verinfer::cli {
namespace {

int run(const Args& args) {
  auto digest_hex = args.option("--digest");
  auto signature_hex = args.option("--signature");
  if (!digest_hex || !signature_hex || !args.positional().empty()) {
    return unusable("recover needs --digest HEX and --signature HEX");
  }
  auto digest = Hash32::from_hex(*digest_hex);
  if (!digest) return unusable("--digest: " + digest.error().to_string());
  auto signature = from_hex(*signature_hex);
  if (!signature) return unusable("--signature: " + signature.error().to_string());
  SignatureOptions options;
  options.allow_high_s = args.flag("--allow-high-s");
  auto address = recover_address(*digest, *signature, options);
  if (!address) return unusable(address.error());
  print_result(args, "address", to_checksum_address(*address));
  return kExitOk;
}

const Registrar registrar{Command{
    "recover", "signer address of a 65-byte secp256k1 signature over a digest",
    "usage: verinfer recover --digest HEX32 --signature HEX65 [--allow-high-s] [--json]\n\n"
    "Prints the EIP-55 address that signed the 32-byte digest. The signature is\n"
    "r || s || v with v in {0, 1, 27, 28}; high-s signatures (EIP-2) are\n"
    "refused unless --allow-high-s is given.\n\n"
    "examples:\n"
    "  verinfer recover --digest 0xbe60...7bd2 --signature 0x4355...151c\n"
    "  verinfer eip712-hash mail.json | xargs -I{} verinfer recover --digest {} --signature $SIG",
    {"--digest HEX32", "--signature HEX65", "--allow-high-s"}, run}};

}  // namespace
}  // namespace verinfer::cli
