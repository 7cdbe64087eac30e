// verinfer attestation verify DOC.b64 --at TIME [...]   and   verinfer attestation inspect DOC.b64
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/cli.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/verify/nitro.hpp"

namespace verinfer::cli {
namespace {

using std::chrono::sys_seconds;

std::optional<int> digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + n, value);
  if (ec != std::errc() || end != text.data() + at + n) return std::nullopt;
  return value;
}

// Unix seconds, or ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)";
// fractions are truncated to the second.
Result<sys_seconds> parse_time(std::string_view text) {
  auto bad = [&] {
    return fail(ErrorCode::invalid_argument, "--at needs Unix seconds or ISO 8601 UTC",
                "got \"" + std::string(text) + "\", e.g. 1770919200 or 2026-02-12T18:00:00Z");
  };
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size()) return bad();
    return sys_seconds(std::chrono::seconds(seconds));
  }
  auto y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  auto h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return bad();
  }
  using namespace std::chrono;
  year_month_day date{year(*y), month(static_cast<unsigned>(*mo)), day(static_cast<unsigned>(*d))};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 59) return bad();
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  std::string_view zone = text.substr(std::min(pos, text.size()));
  seconds offset{0};
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    auto oh = digits(zone, 1, 2), om = digits(zone, 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return bad();
    offset = hours(*oh) + minutes(*om);
    if (zone[0] == '-') offset = -offset;
  } else {
    return bad();
  }
  return sys_days(date) + hours(*h) + minutes(*mi) + seconds(*s) - offset;
}

// Far-off (attacker-chosen) times overflow the calendar formatting: plain seconds then.
std::string iso(sys_seconds t) {
  const auto s = t.time_since_epoch().count();
  if (s < 0 || s >= (std::int64_t{1} << 33)) return "unix time " + std::to_string(s);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", t);
}

Result<std::uint64_t> parse_count(const std::string& text, std::string_view option) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return fail(ErrorCode::invalid_argument, std::string(option) + " needs a whole number", "got " + text);
  }
  return value;
}

Result<Bytes> read_document(const Args& args, std::string_view verb) {
  if (args.positional().size() != 1) {
    return fail(ErrorCode::invalid_argument,
                "attestation " + std::string(verb) + " takes one document file (base64), or - for stdin");
  }
  auto text = read_input(args.positional().front());
  if (!text) return std::unexpected(text.error());
  return decode_nitro_base64(*text);
}

Result<NitroPolicy> policy_from(const Args& args) {
  NitroPolicy policy;
  if (auto nonce = args.option("--nonce")) {
    auto bytes = from_hex(*nonce);
    if (!bytes) return fail(ErrorCode::invalid_argument, "--nonce: " + bytes.error().message, bytes.error().detail);
    policy.nonce = std::move(*bytes);
  }
  for (const std::string& spec : args.options("--pcr")) {
    auto eq = spec.find('=');
    auto index = eq == std::string::npos ? Result<std::uint64_t>(fail(ErrorCode::invalid_argument, "", ""))
                                         : parse_count(spec.substr(0, eq), "--pcr");
    auto value = eq == std::string::npos ? Result<Bytes>(fail(ErrorCode::invalid_argument, "", ""))
                                         : from_hex(spec.substr(eq + 1));
    if (!index || !value || *index > 31) {
      return fail(ErrorCode::invalid_argument, "--pcr needs INDEX=HEX with INDEX 0..31", "got " + spec);
    }
    policy.pcrs[static_cast<std::uint32_t>(*index)] = std::move(*value);
  }
  auto hash_option = [&](const char* name, std::optional<Hash32>& slot) -> Status {
    if (auto text = args.option(name)) {
      auto h = Hash32::from_hex(*text);
      if (!h) return fail(ErrorCode::invalid_argument, std::string(name) + ": " + h.error().message, h.error().detail);
      slot = *h;
    }
    return {};
  };
  if (auto s = hash_option("--pcr-hash", policy.pcr_hash); !s) return std::unexpected(s.error());
  if (auto s = hash_option("--tls-cert-sha256", policy.tls_certificate_sha256); !s) return std::unexpected(s.error());
  if (auto s = hash_option("--signing-key-sha256", policy.signing_key_sha256); !s) return std::unexpected(s.error());
  if (auto max_age = args.option("--max-age")) {
    auto seconds = parse_count(*max_age, "--max-age");
    if (!seconds) return std::unexpected(seconds.error());
    policy.max_age = std::chrono::seconds(static_cast<std::int64_t>(*seconds));
  }
  if (auto skew = args.option("--max-future-skew")) {
    auto seconds = parse_count(*skew, "--max-future-skew");
    if (!seconds) return std::unexpected(seconds.error());
    policy.max_future_skew = std::chrono::seconds(static_cast<std::int64_t>(*seconds));
  }
  return policy;
}


Json optional_hex(const std::optional<Bytes>& b) { return b ? Json(to_hex(*b, false)) : Json(nullptr); }

Json attestation_json(const NitroAttestation& a) {
  Json out = Json::object();
  out.set("module_id", a.module_id);
  out.set("timestamp_ms", a.timestamp_ms);
  out.set("timestamp", iso(sys_seconds(std::chrono::seconds(a.timestamp_ms / 1000))));
  out.set("digest", a.digest);
  Json pcrs = Json::object();
  for (const auto& [index, value] : a.pcrs) pcrs.set(std::to_string(index), to_hex(value, false));
  out.set("pcrs", std::move(pcrs));
  auto pcr_hash = a.pcr_hash();
  out.set("pcr_hash", pcr_hash ? Json(pcr_hash->hex()) : Json(nullptr));
  out.set("certificate_sha256", sha256(a.certificate).hex(false));
  out.set("certificate", to_hex(a.certificate, false));
  Json bundle = Json::array();
  for (const auto& cert : a.cabundle) bundle.push_back(to_hex(cert, false));
  out.set("cabundle", std::move(bundle));
  out.set("public_key", optional_hex(a.public_key));
  out.set("user_data", optional_hex(a.user_data));
  if (auto og = a.opengradient_user_data()) {
    Json binding = Json::object();
    binding.set("tls_certificate_sha256", og->tls_certificate_sha256.hex(false));
    binding.set("signing_key_sha256", og->signing_key_sha256.hex(false));
    out.set("opengradient_user_data", std::move(binding));
  }
  out.set("nonce", optional_hex(a.nonce));
  return out;
}

std::string attestation_text(const NitroAttestation& a) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value) {
    out += fmt::format("{:<20} {}\n", key, value);
  };
  auto opt = [](const std::optional<Bytes>& b) { return b ? to_hex(*b, false) : std::string("(none)"); };
  line("module_id", a.module_id);
  line("timestamp", fmt::format("{} ms ({})", a.timestamp_ms,
                                iso(sys_seconds(std::chrono::seconds(a.timestamp_ms / 1000)))));
  line("digest", a.digest);
  for (const auto& [index, value] : a.pcrs) line("pcr" + std::to_string(index), to_hex(value, false));
  auto pcr_hash = a.pcr_hash();
  line("pcr_hash", pcr_hash ? pcr_hash->hex() : pcr_hash.error().detail);
  line("certificate", fmt::format("{} bytes, sha256 {}", a.certificate.size(), sha256(a.certificate).hex(false)));
  for (std::size_t i = 0; i < a.cabundle.size(); ++i) {
    line("cabundle[" + std::to_string(i) + "]",
         fmt::format("{} bytes, sha256 {}", a.cabundle[i].size(), sha256(a.cabundle[i]).hex(false)));
  }
  line("public_key", opt(a.public_key));
  line("user_data", opt(a.user_data));
  if (auto og = a.opengradient_user_data()) {
    line("  tls cert sha256", og->tls_certificate_sha256.hex(false));
    line("  signing key sha256", og->signing_key_sha256.hex(false));
  }
  line("nonce", opt(a.nonce));
  return out;
}

int run_verify(const Args& args) {
  auto cose = read_document(args, "verify");
  if (!cose) return unusable(cose.error());
  auto at_text = args.option("--at");
  if (!at_text) {
    return unusable("attestation verify needs --at (Unix seconds or ISO 8601): the time to verify at");
  }
  auto at = parse_time(*at_text);
  if (!at) return unusable(at.error());
  auto policy = policy_from(args);
  if (!policy) return unusable(policy.error());

  std::optional<NitroVerifier> verifier;
  if (auto root_path = args.option("--root")) {
    auto pem = read_input(*root_path);
    if (!pem) return unusable(pem.error());
    auto custom = NitroVerifier::with_root_pem(*pem, NitroVerifierOptions{.chain_cache = false});
    if (!custom) return unusable("--root: " + custom.error().to_string());
    verifier = std::move(*custom);
  } else {
    verifier.emplace(NitroVerifierOptions{.chain_cache = false});
  }

  VerificationReport report;
  auto verified = verifier->verify(*cose, *at, *policy, report);
  if (args.json()) {
    Json out = Json::object();
    out.set("verified", verified.has_value());
    out.set("at", iso(*at));
    if (!verified) out.set("error", verified.error().to_string());
    out.set("checks", *report.to_json().find("checks"));
    if (verified) out.set("attestation", attestation_json(verified->value()));
    std::printf("%s\n", out.dump().c_str());
  } else if (verified) {
    std::printf("verified at %s\n%s", iso(*at).c_str(), report.to_string().c_str());
  }
  if (!verified) {
    std::fprintf(stderr, "verinfer: rejected: %s\n", verified.error().to_string().c_str());
    return kExitRejected;
  }
  return kExitOk;
}

int run_inspect(const Args& args) {
  auto cose = read_document(args, "inspect");
  if (!cose) return unusable(cose.error());
  auto doc = parse_nitro_document(*cose);
  if (!doc) return unusable(doc.error());
  if (args.json()) {
    Json out = attestation_json(doc->attestation);
    out.set("cose_tagged", doc->tagged);
    out.set("signature", to_hex(doc->signature, false));
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("NOT VERIFIED (decoded only; use 'attestation verify')\n%s",
                attestation_text(doc->attestation).c_str());
  }
  return kExitOk;
}

const Registrar verify_registrar{Command{
    "attestation verify", "verify an AWS Nitro attestation document at a given time",
    "usage: verinfer attestation verify DOC.b64|- --at (UNIX|ISO8601) [--root ROOT.pem]\n"
    "           [--nonce HEX] [--pcr N=HEX]... [--pcr-hash 0xHEX] [--max-age S]\n"
    "           [--max-future-skew S] [--tls-cert-sha256 HEX] [--signing-key-sha256 HEX] [--json]\n\n"
    "Checks the COSE_Sign1 structure, the ES384 signature, the certificate chain to\n"
    "the pinned root (AWS Nitro root G1 unless --root is given, e.g. the devnet's)\n"
    "with every certificate valid at --at, and the policy given: nonce, PCR values,\n"
    "pcr_hash = keccak256(pcr0||pcr1||pcr2), age (default: no limit) and future\n"
    "skew (default 60 s), and the TLS certificate / signing key hashes bound in\n"
    "user_data. --at is required: use the current time, or the document's own time\n"
    "for an archived document.\n"
    "Exit 0 verified, 1 rejected (reason on stderr, every check with --json),\n"
    "2 unusable input (unreadable file, bad base64 or options).\n\n"
    "examples:\n"
    "  verinfer attestation verify doc.b64 --at 2026-02-12T18:00:00Z --max-age 300\n"
    "  verinfer attestation verify doc.b64 --at 1770919200 --nonce 0123...4567 --pcr 0=9bae... --json\n"
    "  verinfer attestation verify doc.b64 --root devnet-root.pem --at $(date +%s)",
    {"--at TIME", "--root ROOT.pem", "--nonce HEX", "--pcr N=HEX", "--pcr-hash 0xHEX", "--max-age S",
     "--max-future-skew S", "--tls-cert-sha256 HEX", "--signing-key-sha256 HEX"},
    run_verify}};

const Registrar inspect_registrar{Command{
    "attestation inspect", "decode an AWS Nitro attestation document (no verification)",
    "usage: verinfer attestation inspect DOC.b64|- [--json]\n\n"
    "Prints the decoded fields: module id, timestamp, PCRs and pcr_hash, certificate\n"
    "and CA bundle hashes, public key, user data (with OpenGradient's TLS/key hashes)\n"
    "and nonce. Nothing is verified. Exit 0 decoded, 2 not a well-formed document.\n\n"
    "examples:\n"
    "  verinfer attestation inspect doc.b64\n"
    "  verinfer attestation inspect - --json < doc.b64",
    {}, run_inspect}};

}  // namespace
}  // namespace verinfer::cli
