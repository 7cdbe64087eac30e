// A streamed chat: print the answer as it arrives, then learn whether it was
// verified. Deltas are NOT verified while they stream; only the result that
// chat_stream returns at the end says the signed output matched them. A text
// completion streams the same way through completion_stream.
//
//   devnet/start.sh && build/examples/example_devnet_streamed_chat
#include <verinfer/verinfer.hpp>

#include <cstdio>

#include "devnet.hpp"

int main() {
  using namespace verinfer;
  const Client client = example::devnet_client();

  auto request = ChatRequest("openai/gpt-5").user("Stream a short answer, please.").max_tokens(32);
  auto result = client.chat_stream(request, [](std::string_view delta) {
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

  auto completion = client.completion_stream(
      CompletionRequest("openai/gpt-5", "Once upon a time").max_tokens(32), [](std::string_view piece) {
        std::printf("%.*s", static_cast<int>(piece.size()), piece.data());
        std::fflush(stdout);
      });
  std::printf("\n");
  if (!completion) {
    std::fprintf(stderr, "REJECTED: %s\n", completion.error().to_string().c_str());
    return 1;
  }
  std::printf("completion verified by %zu checks\n", completion->report().checks().size());
  return 0;
}
