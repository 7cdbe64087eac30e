#include "cli/keys.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

#include "verinfer/crypto/keystore.hpp"

namespace verinfer::cli {
namespace {

const char* const kNoPassphrase =
    "no passphrase for the keystore: set a variable and give its name with --passphrase-env NAME, "
    "or run on a terminal to be prompted";

// Wipes a string holding a secret when the scope ends.
struct WipeString {
  std::string& text;
  ~WipeString() { secure_wipe(text.data(), text.size()); }
};

// Restores the terminal's echo whatever happens after it was turned off.
struct EchoOff {
  int fd;
  termios saved{};
  bool active = false;
  explicit EchoOff(int tty) : fd(tty) {
    if (tcgetattr(fd, &saved) != 0) return;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active) tcsetattr(fd, TCSAFLUSH, &saved);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
};

// One line typed on /dev/tty without echo; nullopt when there is no terminal.
std::optional<std::string> prompt_tty(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> line;
  {
    EchoOff echo(fd);
    if (echo.active && ::write(fd, prompt.data(), prompt.size()) >= 0) {
      line.emplace();
      line->reserve(256);  // growth would leave unwiped copies behind
      char c = 0;
      while (::read(fd, &c, 1) == 1 && c != '\n') {
        if (c != '\r') line->push_back(c);
      }
      secure_wipe(&c, 1);
    }
  }
  ::close(fd);
  return line;
}

}  // namespace

const char* const kKeyFlagsHelp =
    "  --key-file FILE          a file holding the hex private key (env:NAME reads the variable NAME)\n"
    "  --keystore FILE          an Ethereum V3 keystore JSON (geth, eth-account, MetaMask exports);\n"
    "                           its passphrase from --passphrase-env NAME, else a prompt on the terminal\n";

std::vector<std::string> with_key_flags(std::vector<std::string> flags) {
  for (const char* f : {"--key-file FILE", "--keystore FILE", "--passphrase-env NAME"}) flags.emplace_back(f);
  return flags;
}

Result<std::string> read_passphrase(const Args& args, const std::string& what, bool confirm) {
  if (auto name = args.option("--passphrase-env")) {
    const char* value = std::getenv(name->c_str());
    if (value == nullptr) {
      return fail(ErrorCode::invalid_argument, "passphrase variable not set", *name);
    }
    return std::string(value);
  }
  auto first = prompt_tty("Passphrase for " + what + ": ");
  if (!first) return fail(ErrorCode::invalid_argument, kNoPassphrase);
  if (confirm) {
    WipeString wipe_first{*first};
    auto again = prompt_tty("Repeat the passphrase: ");
    if (!again) return fail(ErrorCode::invalid_argument, kNoPassphrase);
    WipeString wipe_again{*again};
    if (*again != *first) return fail(ErrorCode::invalid_argument, "the passphrases differ");
    return std::string(*first);
  }
  return std::move(*first);
}

Result<std::optional<PrivateKey>> key_from_args(const Args& args) {
  auto key_file = args.option("--key-file");
  auto keystore = args.option("--keystore");
  if (key_file && keystore) {
    return fail(ErrorCode::invalid_argument, "give either --key-file or --keystore, not both");
  }
  if (!keystore && args.option("--passphrase-env")) {
    return fail(ErrorCode::invalid_argument, "--passphrase-env is the passphrase of a --keystore file");
  }
  if (key_file) {
    auto key = load_private_key(*key_file);
    if (!key) return std::unexpected(key.error());
    return std::optional<PrivateKey>(std::move(*key));
  }
  if (!keystore) return std::optional<PrivateKey>{};
  auto json = read_input(*keystore);
  if (!json) return std::unexpected(json.error());
  auto passphrase = read_passphrase(args, *keystore);
  if (!passphrase) return std::unexpected(passphrase.error());
  WipeString wipe{*passphrase};
  auto key = decrypt_keystore(*json, *passphrase);
  if (!key) {
    Error error = key.error();
    error.message = *keystore + ": " + error.message;
    return std::unexpected(std::move(error));
  }
  return std::optional<PrivateKey>(std::move(*key));
}

Result<PrivateKey> load_private_key(const std::string& path) {
  std::string text;
  if (path.starts_with("env:")) {
    const char* value = std::getenv(path.substr(4).c_str());
    if (value == nullptr) {
      return fail(ErrorCode::invalid_argument, "key variable not set", path.substr(4));
    }
    text = value;
  } else {
    auto content = read_input(path);
    if (!content) return std::unexpected(content.error());
    text = std::move(*content);
  }
  std::size_t end = text.find_last_not_of(" \t\r\n");
  std::string_view hex(text.data(), end == std::string::npos ? 0 : end + 1);
  auto key = PrivateKey::from_hex(hex);
  secure_wipe(text.data(), text.size());
  if (!key) {
    return fail(ErrorCode::invalid_argument, "key file does not hold a 32-byte hex private key",
                path);
  }
  return key;
}

}  // namespace verinfer::cli
