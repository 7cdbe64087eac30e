// Choosing TEEs from the registry's active list: pins filter, order is by
// pin order or freshest heartbeat, and every exclusion says why.
#include <doctest/doctest.h>

#include "verinfer/crypto/keccak.hpp"
#include "verinfer/settle/tee_directory.hpp"

using namespace verinfer;

namespace {

TeeRegistryEntry entry(std::uint8_t key_byte, std::uint64_t heartbeat, std::uint8_t pcr_byte = 0xaa,
                       std::string endpoint = "https://127.0.0.1:8443") {
  TeeRegistryEntry e;
  e.public_key = Bytes{0x30, 0x59, key_byte};  // stands in for an SPKI
  e.endpoint = std::move(endpoint);
  e.pcr_hash = keccak256(Bytes{pcr_byte});
  e.enabled = true;
  e.active = true;
  e.registered_at = 1770900000;
  e.last_heartbeat_at = heartbeat;
  return e;
}

Hash32 id_of(const TeeRegistryEntry& e) { return tee_id_of(e.public_key); }

std::vector<Hash32> candidate_ids(const TeeDirectory& d) {
  std::vector<Hash32> out;
  for (const auto& c : d.candidates) out.push_back(*c.tee_id);
  return out;
}

const ExcludedTee* excluded(const TeeDirectory& d, const Hash32& id) {
  for (const auto& e : d.excluded) {
    if (e.tee_id == id) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("tee directory: without pins, the freshest heartbeat comes first and ids are set") {
  auto a = entry(1, 100), b = entry(2, 300), c = entry(3, 200);
  auto d = select_tees({a, b, c}, {});
  CHECK(candidate_ids(d) == std::vector<Hash32>{id_of(b), id_of(c), id_of(a)});
  CHECK(d.excluded.empty());
}

TEST_CASE("tee directory: equal heartbeats order by latest registration, then lowest tee_id") {
  auto a = entry(1, 100), b = entry(2, 100), c = entry(3, 100);
  c.registered_at += 5;
  auto d = select_tees({a, b, c}, {});
  REQUIRE(d.candidates.size() == 3);
  CHECK(*d.candidates[0].tee_id == id_of(c));
  auto low = std::min(id_of(a), id_of(b));
  CHECK(*d.candidates[1].tee_id == low);
  // The same input in another order gives the same answer.
  CHECK(candidate_ids(select_tees({c, b, a}, {})) == candidate_ids(d));
}

TEST_CASE("tee directory: tee_id pins filter and set the order; a missing pin is reported") {
  auto a = entry(1, 100), b = entry(2, 300), c = entry(3, 200);
  Hash32 ghost = keccak256(Bytes{0x99});
  TeeSelection pins;
  pins.tee_ids = {id_of(a), ghost, id_of(b)};
  auto d = select_tees({a, b, c}, pins);
  CHECK(candidate_ids(d) == std::vector<Hash32>{id_of(a), id_of(b)});  // pin order, not heartbeat
  const ExcludedTee* unpinned = excluded(d, id_of(c));
  REQUIRE(unpinned != nullptr);
  CHECK(unpinned->reason.find("tee_id is not pinned") != std::string::npos);
  CHECK(unpinned->endpoint == "https://127.0.0.1:8443");
  const ExcludedTee* missing = excluded(d, ghost);
  REQUIRE(missing != nullptr);
  CHECK(missing->reason == "not among the registry's active TEEs");
  CHECK(missing->endpoint.empty());
}

TEST_CASE("tee directory: PCR pins keep only the pinned measurements") {
  auto good = entry(1, 100, 0xaa), other = entry(2, 300, 0xbb);
  TeeSelection pins;
  pins.pcr_hashes = {keccak256(Bytes{0xaa})};
  auto d = select_tees({good, other}, pins);
  CHECK(candidate_ids(d) == std::vector<Hash32>{id_of(good)});
  const ExcludedTee* e = excluded(d, id_of(other));
  REQUIRE(e != nullptr);
  CHECK(e->reason == "PCR hash " + keccak256(Bytes{0xbb}).hex() + " is not pinned (pinned: " +
                         keccak256(Bytes{0xaa}).hex() + ")");
}

TEST_CASE("tee directory: both pins must hold") {
  auto a = entry(1, 100, 0xaa), b = entry(2, 100, 0xbb);
  TeeSelection pins;
  pins.tee_ids = {id_of(b)};
  pins.pcr_hashes = {keccak256(Bytes{0xaa})};
  auto d = select_tees({a, b}, pins);
  CHECK(d.candidates.empty());
  REQUIRE(d.excluded.size() == 2);
  CHECK(excluded(d, id_of(a))->reason.starts_with("tee_id is not pinned"));
  CHECK(excluded(d, id_of(b))->reason.starts_with("PCR hash"));
}

TEST_CASE("tee directory: unusable endpoints and duplicate entries are excluded") {
  auto plain = entry(1, 100, 0xaa, "http://127.0.0.1:8600");
  auto none = entry(2, 100, 0xaa, "");
  auto ftp = entry(3, 100, 0xaa, "ftp://example.org");
  auto twice = entry(4, 50);
  auto d = select_tees({plain, none, ftp, twice, twice}, {});
  CHECK(candidate_ids(d) == std::vector<Hash32>{id_of(plain), id_of(twice)});
  CHECK(excluded(d, id_of(none))->reason == "endpoint \"\" is not an http(s) URL");
  CHECK(excluded(d, id_of(ftp))->reason == "endpoint \"ftp://example.org\" is not an http(s) URL");
  CHECK(excluded(d, id_of(twice))->reason.starts_with("listed twice"));
}

TEST_CASE("tee directory: an entry's stated tee_id is kept; an empty list selects nothing") {
  auto a = entry(1, 100);
  Hash32 stated = keccak256(Bytes{0x42});
  a.tee_id = stated;
  auto d = select_tees({a}, {});
  REQUIRE(d.candidates.size() == 1);
  CHECK(*d.candidates[0].tee_id == stated);
  auto empty = select_tees({}, {});
  CHECK(empty.candidates.empty());
  CHECK(empty.excluded.empty());
}
