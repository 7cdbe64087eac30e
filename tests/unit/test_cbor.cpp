// The strict CBOR decoder under the Nitro parser: known encodings (RFC 8949
// appendix A), every rule it enforces, limits, truncation at every length,
// and agreement with libcbor on what both accept.
#include <cbor.h>

#include <random>

#include "nitro_fixture.hpp"
#include "test_support.hpp"
#include "verify/internal/cbor.hpp"
#include "verify/internal/nitro_cose.hpp"

using namespace verinfer;
namespace cbor = verinfer::internal::cbor;

namespace {

Result<cbor::Item> decode_hex(std::string_view hex, const cbor::Limits& limits = {}) {
  static Bytes storage;  // items view into it; one decode at a time
  storage = test::hex_bytes(hex);
  return cbor::decode(storage, limits);
}

std::string error_of(std::string_view hex, const cbor::Limits& limits = {}) {
  auto r = decode_hex(hex, limits);
  return r ? std::string("accepted") : r.error().message;
}

}  // namespace

TEST_CASE("cbor: RFC 8949 appendix A examples that the decoder supports") {
  auto v = decode_hex("1903e8");
  REQUIRE(v);
  CHECK(v->type == cbor::Type::unsigned_int);
  CHECK(v->value == 1000);
  v = decode_hex("1bffffffffffffffff");
  REQUIRE(v);
  CHECK(v->value == 0xFFFFFFFFFFFFFFFFull);
  v = decode_hex("3863");  // -100
  REQUIRE(v);
  CHECK(v->type == cbor::Type::negative_int);
  CHECK(v->value == 99);
  v = decode_hex("6449455446");
  REQUIRE(v);
  CHECK(v->text() == "IETF");
  v = decode_hex("62c3bc");  // "ü"
  REQUIRE(v);
  CHECK(v->text() == "\xc3\xbc");
  v = decode_hex("a201020304");
  REQUIRE(v);
  CHECK(v->type == cbor::Type::map);
  CHECK(v->size() == 2);
  v = decode_hex("826161a161626163");  // ["a", {"b": "c"}]
  REQUIRE(v);
  REQUIRE(v->items[1].find("b") != nullptr);
  CHECK(v->items[1].find("b")->text() == "c");
  v = decode_hex("d74401020304");  // 23(h'01020304')
  REQUIRE(v);
  CHECK(v->type == cbor::Type::tag);
  CHECK(v->value == 23);
  CHECK(v->items.at(0).data.size() == 4);
  CHECK(decode_hex("f4")->value == 0);
  CHECK(decode_hex("f5")->value == 1);
  CHECK(decode_hex("f6")->type == cbor::Type::null);
  CHECK(decode_hex("40")->data.empty());
  CHECK(decode_hex("80")->items.empty());
}

TEST_CASE("cbor: every strictness rule has its own error") {
  CHECK(error_of("") == "cbor: truncated");
  CHECK(error_of("19") == "cbor: truncated");
  CHECK(error_of("4401") == "cbor: truncated");
  CHECK(error_of("8301") == "cbor: truncated");
  CHECK(error_of("0000") == "cbor: trailing bytes after the item");
  CHECK(error_of("5f4101ff") == "cbor: indefinite length not allowed");  // RFC 8949 A: (_ h'01')
  CHECK(error_of("7f6161ff") == "cbor: indefinite length not allowed");
  CHECK(error_of("1f") == "cbor: indefinite length not allowed");
  CHECK(error_of("df00") == "cbor: indefinite length not allowed");
  CHECK(error_of("ff") == "cbor: unexpected break");
  CHECK(error_of("8201ff") == "cbor: unexpected break");
  // Indefinite-length arrays and maps (real Nitro payloads use a map).
  auto indefinite = decode_hex("bf61610161629f0203ffff");  // {_ "a": 1, "b": [_ 2, 3]}
  REQUIRE(indefinite);
  CHECK(indefinite->indefinite);
  CHECK(indefinite->size() == 2);
  CHECK(indefinite->find("b")->indefinite);
  CHECK(indefinite->find("b")->items.size() == 2);
  CHECK(indefinite->encoded.size() == 11);
  CHECK(error_of("9fff") == "accepted");
  CHECK(error_of("bfff") == "accepted");
  CHECK(error_of("bf01ff") == "cbor: break between a map key and its value");
  CHECK(error_of("9f01") == "cbor: truncated");
  CHECK(error_of("bf") == "cbor: truncated");
  CHECK(error_of("bf01020103ff") == "cbor: duplicate map key");
  CHECK(error_of("9fff00") == "cbor: trailing bytes after the item");
  CHECK(error_of("1c") == "cbor: reserved additional information");
  CHECK(error_of("5d") == "cbor: reserved additional information");
  CHECK(error_of("1817") == "cbor: non-minimal head encoding");
  CHECK(error_of("1900ff") == "cbor: non-minimal head encoding");
  CHECK(error_of("1a0000ffff") == "cbor: non-minimal head encoding");
  CHECK(error_of("1b00000000ffffffff") == "cbor: non-minimal head encoding");
  CHECK(error_of("580101") == "cbor: non-minimal head encoding");
  CHECK(error_of("f93c00") == "cbor: unsupported simple value or float");  // 1.0 half float
  CHECK(error_of("fb3ff199999999999a") == "cbor: unsupported simple value or float");
  CHECK(error_of("f7") == "cbor: unsupported simple value or float");  // undefined
  CHECK(error_of("f0") == "cbor: unsupported simple value or float");
  CHECK(error_of("f820") == "cbor: unsupported simple value or float");
  CHECK(error_of("61ff") == "cbor: text string is not valid UTF-8");
  CHECK(error_of("62c0af") == "cbor: text string is not valid UTF-8");     // overlong '/'
  CHECK(error_of("63eda080") == "cbor: text string is not valid UTF-8");   // surrogate
  CHECK(error_of("64f4908080") == "cbor: text string is not valid UTF-8"); // > U+10FFFF
  CHECK(error_of("62e282") == "cbor: text string is not valid UTF-8");     // cut sequence
  CHECK(error_of("a201020103") == "cbor: duplicate map key");
  CHECK(error_of("a2616101616102") == "cbor: duplicate map key");
  CHECK(error_of("a2010201") == "cbor: truncated");
  // Same value, different type: not a duplicate.
  CHECK(error_of("a20102410103") == "accepted");
  auto e = decode_hex("a201020103");
  CHECK(e.error().code == ErrorCode::parse_error);
  CHECK(e.error().detail == "at byte 3: same key as at byte 1");
}

TEST_CASE("cbor: limits on size, depth, counts and string lengths") {
  cbor::Limits small;
  small.max_input = 4;
  CHECK(error_of("4401020304", small) == "cbor: input too large");
  CHECK(decode_hex("4401020304", small).error().code == ErrorCode::resource_exhausted);
  cbor::Limits shallow;
  shallow.max_depth = 2;
  CHECK(error_of("818100", shallow) == "accepted");
  CHECK(error_of("81818100", shallow) == "cbor: nesting too deep");
  CHECK(error_of("c1c1c100", shallow) == "cbor: nesting too deep");
  // Deeply nested input cannot exhaust the stack: default depth 16.
  std::string deep(2 * 100000, '8');
  for (std::size_t i = 1; i < deep.size(); i += 2) deep[i] = '1';
  CHECK(error_of(deep + "00") == "cbor: input too large");
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += "81";
  CHECK(error_of(forty + "00") == "cbor: nesting too deep");
  cbor::Limits narrow;
  narrow.max_container = 2;
  CHECK(error_of("820000", narrow) == "accepted");
  CHECK(error_of("83000000", narrow) == "cbor: container too large");
  CHECK(error_of("a3000001000200", narrow) == "cbor: container too large");
  CHECK(error_of("9f0000ff", narrow) == "accepted");
  CHECK(error_of("9f000000ff", narrow) == "cbor: container too large");
  CHECK(error_of("bf000101020203ff", narrow) == "cbor: container too large");
  cbor::Limits few;
  few.max_total_items = 3;
  CHECK(error_of("820000", few) == "accepted");
  CHECK(error_of("83000000", few) == "cbor: too many items");
  cbor::Limits short_strings;
  short_strings.max_string = 3;
  CHECK(error_of("43010203", short_strings) == "accepted");
  CHECK(error_of("4401020304", short_strings) == "cbor: string too long");
  // A huge declared length or count is rejected before any allocation.
  CHECK(error_of("5bffffffffffffffff") == "cbor: string too long");
  CHECK(error_of("9bffffffffffffffff") == "cbor: container too large");
  CHECK(error_of("9818" + std::string(2, '0')) == "cbor: truncated");
}

TEST_CASE("cbor: the real attestation document truncated at every length is a parse error") {
  Bytes cose = test::real_nitro_document();
  REQUIRE(internal::parse_cose_sign1(cose));
  std::size_t errors = 0;
  for (std::size_t n = 0; n < cose.size(); ++n) {
    auto r = parse_nitro_document(ByteView(cose).first(n));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
    errors += r ? 0 : 1;
  }
  // And the payload alone, truncated at every length.
  auto parts = internal::parse_cose_sign1(cose);
  REQUIRE(parts);
  for (std::size_t n = 0; n < parts->payload.size(); ++n) {
    auto r = internal::parse_attestation_payload(parts->payload.first(n));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
  }
  // With one byte appended, the document has trailing bytes.
  Bytes longer = cose;
  longer.push_back(0);
  CHECK(parse_nitro_document(longer).error().message == "cbor: trailing bytes after the item");
  MESSAGE("truncations rejected: " << errors << " + " << parts->payload.size());
}

TEST_CASE("cbor: COSE_Sign1 envelope rules") {
  auto err = [](std::string_view hex) {
    auto r = internal::parse_cose_sign1(test::hex_bytes(hex));
    return r ? std::string("accepted") : r.error().message;
  };
  const std::string sig96 = "5860" + std::string(192, '1');
  const std::string prot = "44a1013822";
  CHECK(err("84" + prot + "a0" + "4101" + sig96) == "accepted");
  CHECK(err("d2" "84" + prot + "a0" + "4101" + sig96) == "accepted");
  CHECK(err("d1" "84" + prot + "a0" + "4101" + sig96) == "unexpected CBOR tag");
  CHECK(err("83" + prot + "a0" + "4101") == "COSE_Sign1 must have 4 elements");
  CHECK(err("a0") == "COSE_Sign1 has the wrong type");
  CHECK(err("84" "a1013822" "a0" "4101" + sig96) == "protected header has the wrong type");
  CHECK(err("84" "44a1013826" "a0" "4101" + sig96) == "protected header must be {1: -35} (ES384)");  // {1: -39}
  CHECK(err("84" "43a10126" "a0" "4101" + sig96) == "protected header must be {1: -35} (ES384)");  // {1: -7} (ES256)
  CHECK(err("84" "46a2013822030a" "a0" "4101" + sig96) == "protected header must be {1: -35} (ES384)");
  CHECK(err("84" "40" "a0" "4101" + sig96) == "protected header must be {1: -35} (ES384)");
  CHECK(err("84" + prot + "80" + "4101" + sig96) == "unprotected header has the wrong type");
  CHECK(err("84" + prot + "a0" + "6101" + sig96) == "payload has the wrong type");
  CHECK(err("84" + prot + "a0" + "40" + sig96) == "payload has a wrong length");
  CHECK(err("84" + prot + "a0" + "4101" + "5830" + std::string(96, '1')) ==
        "ES384 signature must be 96 bytes (r || s)");
  CHECK(err("84" + prot + "a0" + "4101" + "f6") == "signature has the wrong type");
}

TEST_CASE("cbor: attestation payload field rules") {
  // A minimal valid payload built field by field; each mutation names its fault.
  struct Field {
    std::string key_hex;
    std::string value_hex;
  };
  auto text = [](std::string_view s) {
    Bytes out;
    internal::cbor::append_text(out, s);
    return to_hex(out, false);
  };
  const std::string cert = "4130";
  std::vector<Field> base = {
      {text("module_id"), text("m")},
      {text("digest"), text("SHA384")},
      {text("timestamp"), "1a01020304"},
      {text("pcrs"), "a100" "5830" + std::string(96, '0')},
      {text("certificate"), cert},
      {text("cabundle"), "81" + cert},
  };
  auto build = [&](const std::vector<Field>& fields) {
    Bytes out;
    internal::cbor::append_head(out, 5, fields.size());
    std::string hex = to_hex(out, false);
    for (const auto& f : fields) hex += f.key_hex + f.value_hex;
    return test::hex_bytes(hex);
  };
  auto err = [&](std::vector<Field> fields) {
    auto r = internal::parse_attestation_payload(build(fields));
    return r ? std::string("accepted") : r.error().message;
  };
  auto with = [&](std::string_view key, std::string value_hex) {
    auto f = base;
    for (auto& x : f) {
      if (x.key_hex == text(key)) x.value_hex = std::move(value_hex);
    }
    return f;
  };
  auto without = [&](std::string_view key) {
    auto f = base;
    std::erase_if(f, [&](const Field& x) { return x.key_hex == text(key); });
    return f;
  };
  auto plus = [&](std::string_view key, std::string value_hex) {
    auto f = base;
    f.push_back({text(key), std::move(value_hex)});
    return f;
  };
  CHECK(err(base) == "accepted");
  for (const char* key : {"module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle"}) {
    CHECK(err(without(key)) == "payload lacks a required field");
  }
  CHECK(err(with("module_id", "60")) == "module_id is empty");
  CHECK(err(with("module_id", "4161")) == "module_id has the wrong type");
  CHECK(err(with("timestamp", "00")) == "timestamp is zero");
  CHECK(err(with("timestamp", "20")) == "timestamp has the wrong type");
  CHECK(err(with("pcrs", "a0")) == "pcrs has a wrong number of entries");
  CHECK(err(with("pcrs", "a1" "1820" "5820" + std::string(64, '0'))) == "pcrs key is not an index 0..31");
  CHECK(err(with("pcrs", "a1" "20" "5820" + std::string(64, '0'))) == "pcrs key is not an index 0..31");
  CHECK(err(with("pcrs", "a1" "01" "5821" + std::string(66, '0'))) == "pcrs[1] has a wrong length");
  CHECK(err(with("pcrs", "a1" "01" "f6")) == "pcrs[1] has the wrong type");
  CHECK(err(with("pcrs", "a1" "01" "5840" + std::string(128, '0'))) == "accepted");
  CHECK(err(with("certificate", "40")) == "certificate has a wrong length");
  CHECK(err(with("certificate", "590401" + std::string(2 * 1025, '0'))) == "certificate has a wrong length");
  CHECK(err(with("cabundle", "80")) == "cabundle has a wrong number of certificates");
  CHECK(err(with("cabundle", "8140")) == "cabundle[0] has a wrong length");
  CHECK(err(with("cabundle", "82" + cert + "01")) == "cabundle[1] has the wrong type");
  CHECK(err(plus("nonce", "f6")) == "accepted");
  CHECK(err(plus("nonce", "40")) == "accepted");
  CHECK(err(plus("nonce", "590201" + std::string(2 * 513, '0'))) == "nonce has a wrong length");
  CHECK(err(plus("user_data", "590201" + std::string(2 * 513, '0'))) == "user_data has a wrong length");
  CHECK(err(plus("public_key", "40")) == "public_key has a wrong length");
  CHECK(err(plus("public_key", "01")) == "public_key has the wrong type");
  CHECK(err(plus("extra", "01")) == "unknown attestation field");
  CHECK(err(plus("module_id", text("again"))) == "payload: cbor: duplicate map key");
  auto r = internal::parse_attestation_payload(test::hex_bytes("a10101"));
  CHECK(r.error().message == "payload key is not text");
  CHECK(internal::parse_attestation_payload(test::hex_bytes("80")).error().message ==
        "payload has the wrong type");
}

TEST_CASE("cbor: agrees with libcbor on random mutations of the real payload (accept => same shape)") {
  const Bytes document = test::real_nitro_document();  // parts are views into it (ASan: no temporary)
  auto parts = internal::parse_cose_sign1(document);
  REQUIRE(parts);
  const Bytes payload(parts->payload.begin(), parts->payload.end());
  const std::uint32_t seed = test::random_seed("cbor mutations");
  std::mt19937 rng(seed);
  std::size_t both = 0;
  std::size_t ours_only = 0;
  std::size_t libcbor_only = 0;
  std::size_t neither = 0;
  for (int i = 0; i < 2000; ++i) {
    Bytes doc = payload;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < flips; ++k) doc[rng() % doc.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    auto ours = cbor::decode(doc);
    cbor_load_result result;
    cbor_item_t* theirs = cbor_load(doc.data(), doc.size(), &result);
    bool theirs_ok = theirs != nullptr && result.error.code == CBOR_ERR_NONE && result.read == doc.size();
    if (ours && theirs_ok) {
      ++both;
      // Same top-level shape: the same container kind with the same number of entries (a flip
      // can turn the map head into an array head that both accept).
      if (ours->type == cbor::Type::map) {
        REQUIRE(cbor_isa_map(theirs));
        CHECK(cbor_map_size(theirs) == ours->size());
      } else if (ours->type == cbor::Type::array) {
        REQUIRE(cbor_isa_array(theirs));
        CHECK(cbor_array_size(theirs) == ours->size());
      } else {
        CHECK_FALSE(cbor_isa_map(theirs));
        CHECK_FALSE(cbor_isa_array(theirs));
      }
    } else if (ours) {
      ++ours_only;  // must never happen: we are the stricter one
      FAIL_CHECK("accepted by us, rejected by libcbor: seed " << seed << " case " << i);
    } else if (theirs_ok) {
      ++libcbor_only;
    } else {
      ++neither;
    }
    if (theirs != nullptr) cbor_decref(&theirs);
  }
  MESSAGE("mutated payloads: both accept " << both << ", only libcbor " << libcbor_only
          << " (duplicate keys, non-minimal heads, bad UTF-8, ...), neither " << neither);
  CHECK(ours_only == 0);
  CHECK(both > 0);
}
