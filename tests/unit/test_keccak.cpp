#include "test_support.hpp"

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/sha2.hpp"

#include <random>
#include <string_view>

#include "crypto/keccak_internal.hpp"

using namespace verinfer;

namespace {

Bytes message_of(const Json& m, std::size_t length) {
  if (const Json* hex = m.find("hex")) return test::hex_bytes(hex->as_string());
  if (const Json* text = m.find("utf8")) {
    const auto& s = text->as_string();
    return Bytes(s.begin(), s.end());
  }
  if (const Json* rep = m.find("repeat_byte")) {
    auto byte = rep->is_string() ? test::hex_bytes(rep->as_string()).at(0)
                                 : static_cast<std::uint8_t>(*rep->get_uint64());
    return Bytes(length, byte);
  }
  if (m.find("pattern")) {
    Bytes out(length);
    for (std::size_t i = 0; i < length; ++i) out[i] = static_cast<std::uint8_t>(i & 0xff);
    return out;
  }
  throw std::runtime_error("unknown message encoding");
}

}  // namespace

TEST_CASE("keccak-256 known answers from vectors/keccak") {
  auto doc = test::load_json(test::vectors_dir() / "keccak/vectors.json");
  const auto& vectors = doc.find("vectors")->as_array();
  REQUIRE(vectors.size() >= 10);
  std::string sha3_empty = test::str(*doc.find("not_sha3_256"), "sha3_256_of_empty");
  for (const auto& v : vectors) {
    auto length = *v.find("length")->get_uint64();
    Bytes msg = message_of(*v.find("message"), length);
    REQUIRE(msg.size() == length);
    std::string expected = test::str(v, "keccak256");
    INFO(test::str(v, "name"));
    CHECK(keccak256(msg).hex(false) == expected);
    CHECK(keccak256(msg).hex(false) != sha3_empty);
    // The same digest when fed in uneven pieces that straddle block edges.
    Keccak256 h;
    std::size_t pos = 0;
    std::size_t step = 1;
    while (pos < msg.size()) {
      std::size_t n = std::min(step, msg.size() - pos);
      h.update(ByteView(msg).subspan(pos, n));
      pos += n;
      step = step * 3 % 211 + 1;
    }
    CHECK(h.finish().hex(false) == expected);
  }
}

TEST_CASE("keccak-256 incremental equals one-shot at every split of 300 bytes") {
  Bytes msg(300);
  for (std::size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<std::uint8_t>(i * 7 + 3);
  for (std::size_t len : {0u, 1u, 135u, 136u, 137u, 272u, 300u}) {
    ByteView whole(msg.data(), len);
    auto expected = keccak256(whole);
    for (std::size_t split = 0; split <= len; ++split) {
      Keccak256 h;
      h.update(whole.subspan(0, split)).update(whole.subspan(split));
      REQUIRE(h.finish() == expected);
    }
  }
}

TEST_CASE("keccak-256 object is reusable after finish") {
  Keccak256 h;
  h.update(std::string_view("abc"));
  auto first = h.finish();
  h.update(std::string_view("abc"));
  CHECK(h.finish() == first);
  CHECK(first.hex(false) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST_CASE("sha-256 and sha-384 known answers (FIPS 180-2 'abc')") {
  CHECK(sha256(std::string_view("abc")).hex(false) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha384(as_bytes("abc")).hex(false) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
        "8086072ba1e7cc2358baeca134c825a7");
  Sha256 inc;
  inc.update(as_bytes("a")).update(as_bytes("bc"));
  CHECK(inc.finish() == sha256(std::string_view("abc")));
  // RFC 4231 test case 2.
  CHECK(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?")).hex(false) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("keccak-f[1600] of the zero state, every implementation this CPU runs") {
  // Lanes 0, 1 and 24 after one permutation of the all-zero state, from the
  // Keccak team's KeccakF-1600-IntermediateValues.txt.
  const auto impls = keccak_internal::implementations();
  REQUIRE(!impls.empty());
  for (const auto& impl : impls) {
    CAPTURE(impl.name);
    std::array<std::uint64_t, 25> lanes{};
    impl.absorb(lanes, nullptr, 1);
    CHECK(lanes[0] == 0xF1258F7940E1DDE7ULL);
    CHECK(lanes[1] == 0x84D5CCF933C0478AULL);
    CHECK(lanes[24] == 0xEAF1FF7B5CECA249ULL);
  }
  MESSAGE("keccak implementations runnable here: " << impls.size() << ", in use: " << std::string_view(impls.front().name));
}

TEST_CASE("keccak-f[1600]: every implementation equals the portable one on random states and blocks") {
  const auto impls = keccak_internal::implementations();
  const auto& portable = impls.back();
  REQUIRE(std::string_view(portable.name) == "portable");
  std::mt19937_64 rng(test::random_seed("keccak-f implementations"));
  for (int i = 0; i < 300; ++i) {
    std::array<std::uint64_t, 25> start{};
    for (auto& lane : start) lane = rng();
    const std::size_t blocks = 1 + rng() % 4;
    Bytes data(blocks * Keccak256::kRate);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    auto expected = start;
    portable.absorb(expected, data.data(), blocks);
    // The multi-block call equals one block at a time.
    auto stepwise = start;
    for (std::size_t b = 0; b < blocks; ++b) portable.absorb(stepwise, data.data() + b * Keccak256::kRate, 1);
    REQUIRE(stepwise == expected);
    for (const auto& impl : impls) {
      CAPTURE(impl.name);
      auto got = start;
      impl.absorb(got, data.data(), blocks);
      REQUIRE(got == expected);
      auto permuted = start;
      impl.absorb(permuted, nullptr, 1);
      auto reference = start;
      portable.absorb(reference, nullptr, 1);
      REQUIRE(permuted == reference);
    }
  }
}
