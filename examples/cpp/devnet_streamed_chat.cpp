// A streamed chat: print the answer as it arrives, then learn whether it was
// verified. Deltas are NOT verified while they stream; only the result that
// chat_stream returns at the end says the signed output matched them.
//
//   devnet/start.sh && build/examples/example_devnet_streamed_chat
#include <verinfer/verinfer.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace {

// A string from the devnet's profile.json (its throwaway payer key). A real
// key comes from a file or the environment, never from source code or argv.
std::string devnet_field(const char* group, const char* field) {
  const char* path = std::getenv("VERINFER_DEVNET_PROFILE");
  std::ifstream in(path ? path : "devnet/run/profile.json");
  auto json = verinfer::parse_json(std::string(std::istreambuf_iterator<char>(in), {}));
  const verinfer::Json* g = json ? json->find(group) : nullptr;
  const verinfer::Json* v = g ? g->find(field) : nullptr;
  return v && v->is_string() ? v->as_string() : "";
}

}  // namespace

int main() {
  using namespace verinfer;
  auto profile = load_profile("devnet");
  auto payer = PrivateKey::from_hex(devnet_field("testPayer", "privateKey"));
  if (!profile || !payer) {
    std::fprintf(stderr, "%s\n", (!profile ? profile.error() : payer.error()).to_string().c_str());
    return 2;
  }
  ClientOptions options;
  options.profile = *profile;
  options.payer = *payer;
  auto client = Client::create(std::move(options));
  if (!client) {
    std::fprintf(stderr, "%s\n", client.error().to_string().c_str());
    return 2;
  }

  auto request = ChatRequest("openai/gpt-5").user("Stream a short answer, please.").max_tokens(32);
  auto result = client->chat_stream(request, [](std::string_view delta) {
    std::printf("%.*s", static_cast<int>(delta.size()), delta.data());
    std::fflush(stdout);
  });
  std::printf("\n");
  if (!result) {  // what was printed above must not be trusted
    std::fprintf(stderr, "REJECTED: %s\n", result.error().to_string().c_str());
    return 1;
  }
  std::printf("verified by %zu checks; finish_reason %s; output hash %s\n",
              result->report().checks().size(), result->value().finish_reason.c_str(),
              result->value().output_hash.hex().c_str());
  return 0;
}
