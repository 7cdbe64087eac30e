// Testkit ops for the core primitives: hex, base64, keccak, sha256, JSON.
#include "testkit.hpp"
#include "verinfer/bytes.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/sha2.hpp"

namespace verinfer::testkit {
namespace {

const OpRegistrar keccak_op{"keccak256", [](const Json& r) -> Result<Json> {
  auto data = get_hex(r, "hex");
  if (!data) return std::unexpected(data.error());
  return Json(keccak256(*data).hex());
}};

const OpRegistrar sha256_op{"sha256", [](const Json& r) -> Result<Json> {
  auto data = get_hex(r, "hex");
  if (!data) return std::unexpected(data.error());
  return Json(sha256(*data).hex());
}};

const OpRegistrar base64_decode_op{"base64_decode", [](const Json& r) -> Result<Json> {
  auto text = get_string(r, "text");
  if (!text) return std::unexpected(text.error());
  auto url = r.find("url");
  auto bytes = from_base64(*text, url && url->is_bool() && url->as_bool() ? Base64Alphabet::url
                                                                          : Base64Alphabet::standard);
  if (!bytes) return std::unexpected(bytes.error());
  return Json(to_hex(*bytes));
}};

const OpRegistrar json_roundtrip_op{"json_dump", [](const Json& r) -> Result<Json> {
  auto text = get_string(r, "text");
  if (!text) return std::unexpected(text.error());
  auto parsed = parse_json(*text);
  if (!parsed) return std::unexpected(parsed.error());
  return Json(parsed->dump());
}};

}  // namespace
}  // namespace verinfer::testkit
