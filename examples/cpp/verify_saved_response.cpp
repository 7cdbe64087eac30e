// Verifies a saved TEE response offline: the request that was sent, the
// response the gateway returned, and the enclave's public key. No network.
//
//   example_verify_saved_response REQUEST.json RESPONSE.json KEY.pem UNIX_TIME
#include <verinfer/verinfer.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace {

std::string read(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace verinfer;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s REQUEST.json RESPONSE.json KEY.pem UNIX_TIME\n", argv[0]);
    return 2;
  }
  auto request = parse_json(read(argv[1]));
  auto response = parse_json(read(argv[2]));
  auto key = RsaPublicKey::from_pem(read(argv[3]));
  if (!request || !response || !key) {
    std::fprintf(stderr, "unusable input\n");
    return 2;
  }
  TeeResponsePolicy policy;
  policy.now = std::stoll(argv[4]);
  auto verified = verify_tee_response(*request, *response, *key, policy);
  if (!verified) {
    std::printf("REJECTED: %s\n", verified.error().to_string().c_str());
    return 1;
  }
  std::printf("verified: %s\n%s", verified->value().output_text.c_str(),
              verified->report().to_string().c_str());
  return 0;
}
