#include "cli/keys.hpp"

#include <cstdlib>

#include "cli/cli.hpp"

namespace verinfer::cli {

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
