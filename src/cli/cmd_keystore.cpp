// verinfer keystore new | address: Ethereum V3 keystore files for the key options.
#include <fcntl.h>
#include <unistd.h>

#include "cli/cli.hpp"
#include "cli/keys.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/keystore.hpp"

namespace verinfer::cli {
namespace {

// O_EXCL: never overwrite a keystore (it may hold the only copy of a key); 0600: owner only.
Status write_new_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(ErrorCode::invalid_argument, "cannot create the keystore file (it must not exist yet)", path);
  }
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) return fail(ErrorCode::unavailable, "cannot write the keystore file", path);
  return {};
}

int create(const Args& args) {
  auto out = args.option("--out");
  if (!out || !args.positional().empty()) return unusable("keystore new needs --out FILE and no other arguments");
  KeystoreParams params;
  if (auto kdf = args.option("--kdf")) {
    if (*kdf == "pbkdf2") {
      params.kdf = KeystoreKdf::pbkdf2;
    } else if (*kdf != "scrypt") {
      return unusable("--kdf must be scrypt or pbkdf2, got " + *kdf);
    }
  }
  auto key = args.option("--key-file") ? load_private_key(*args.option("--key-file")) : PrivateKey::generate();
  if (!key) return unusable(key.error());
  auto passphrase = read_passphrase(args, *out, /*confirm=*/true);
  if (!passphrase) return unusable(passphrase.error());
  auto json = encrypt_keystore(*key, *passphrase, params);
  secure_wipe(passphrase->data(), passphrase->size());
  if (!json) return unusable(json.error());
  if (auto written = write_new_file(*out, *json); !written) return unusable(written.error());
  print_result(args, "address", to_checksum_address(key->address()));
  return kExitOk;
}

int address(const Args& args) {
  if (args.positional().size() != 1) return unusable("keystore address takes one FILE");
  auto json = read_input(args.positional()[0]);
  if (!json) return unusable(json.error());
  auto found = keystore_address(*json);
  if (!found) return unusable(found.error());
  print_result(args, "address", to_checksum_address(*found));
  return kExitOk;
}

const Registrar new_registrar{Command{
    "keystore new", "Write a new encrypted Ethereum V3 keystore (prints its address)",
    "usage: verinfer keystore new --out FILE [--kdf scrypt|pbkdf2] [--key-file FILE | --key-file env:NAME]\n"
    "                             [--passphrase-env NAME] [--json]\n\n"
    "Encrypts the key in --key-file, or a freshly generated one, into FILE (created, mode 0600,\n"
    "never overwritten) as geth and eth-account do: scrypt n=262144 r=8 p=1 (default) or\n"
    "PBKDF2-HMAC-SHA256 with 262144 iterations, AES-128-CTR, Keccak-256 MAC. The passphrase\n"
    "comes from the variable --passphrase-env names, else it is typed twice on the terminal.\n"
    "Prints the address; never the key. Verbs that take a key read the file as their keystore.\n\n"
    "examples:\n"
    "  verinfer keystore new --out ~/.verinfer/payer.json\n"
    "  KS_PASS=... verinfer keystore new --out payer.json --key-file payer.key --passphrase-env KS_PASS",
    {"--out FILE", "--kdf scrypt|pbkdf2", "--key-file FILE", "--passphrase-env NAME"}, create}};

const Registrar address_registrar{Command{
    "keystore address", "Print the address a V3 keystore declares (no passphrase needed)",
    "usage: verinfer keystore address FILE [--json]\n\n"
    "Prints the EIP-55 form of the keystore's `address` field without decrypting it; exit 2 if\n"
    "the file has none. Decrypting the file checks the field against the key.\n\n"
    "example:\n  verinfer keystore address ~/.verinfer/payer.json",
    {}, address}};

}  // namespace
}  // namespace verinfer::cli
