// Canonical JSON (Python's json.dumps(sort_keys=True)) and request
// canonicalisation: parse -> python_json_dumps must not crash and must be
// stable (dumping the re-parsed text gives the same text), and so must
// canonicalising a request twice.
#include "fuzz_support.hpp"

#include <verinfer/inference/canonical.hpp>
#include <verinfer/json.hpp>

using namespace verinfer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto json = parse_json(fuzz::as_text(data, size));
  if (!json) return 0;

  auto dumped = python_json_dumps(*json);
  if (dumped) {
    auto reparsed = parse_json(*dumped);
    FUZZ_CHECK(reparsed.has_value());
    auto again = python_json_dumps(*reparsed);
    FUZZ_CHECK(again && *again == *dumped);
  } else {
    FUZZ_CHECK(!dumped.error().message.empty());
  }

  auto canonical = canonical_request_bytes(*json);
  if (canonical) {
    auto hash = tee_request_hash(*json);
    FUZZ_CHECK(hash.has_value());
    auto again = parse_json(*canonical);
    FUZZ_CHECK(again.has_value());
    auto redumped = python_json_dumps(*again);
    FUZZ_CHECK(redumped && *redumped == *canonical);
  }
  (void)canonical_completion_request(*json);
  return 0;
}
