// NEAR AI / Phala signed chats: an EIP-191 signature by an attested
// secp256k1 key over "hex(sha256(request)):hex(sha256(response))" (see
// nearai/private-ml-sdk and docs.near.ai "Chat Message Verification").
#include "verinfer/verify/near_response.hpp"

#include <optional>
#include <vector>

#include "verify/internal/field_problems.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip191.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/crypto/sha2.hpp"

namespace verinfer {
namespace {

struct Record {
  std::string text;
  Bytes signature;
  Address signing_address;
  std::string_view request_half;   // views into text
  std::string_view response_half;
};

std::optional<Record> read_record(const Json& record, VerificationReport& report) {
  std::vector<std::string> problems;
  Record out;
  auto text_field = [&](std::string_view name) -> const std::string* {
    const Json* v = record.find(name);
    if (v != nullptr && v->is_string()) return &v->as_string();
    problems.push_back(std::string(name) + (v == nullptr ? " missing" : " is not a string"));
    return nullptr;
  };
  if (!record.is_object()) {
    problems.push_back("signature record is not a JSON object");
  } else {
    if (const std::string* text = text_field("text")) {
      out.text = *text;
      std::size_t colon = out.text.find(':');
      if (colon == std::string::npos) {
        problems.push_back("text is not \"<request sha256>:<response sha256>\"");
      }
    }
    if (const std::string* sig = text_field("signature")) {
      auto bytes = from_hex(*sig);
      if (bytes && bytes->size() == 65) {
        out.signature = std::move(*bytes);
      } else {
        problems.push_back("signature is not 65 bytes of hex");
      }
    }
    if (const std::string* address = text_field("signing_address")) {
      auto parsed = parse_address(*address);
      if (parsed) {
        out.signing_address = *parsed;
      } else {
        problems.push_back("signing_address: " + parsed.error().message);
      }
    }
    if (const std::string* algo = text_field("signing_algo"); algo != nullptr && *algo != "ecdsa") {
      problems.push_back("signing_algo is \"" + *algo + "\", only \"ecdsa\" (secp256k1) is supported");
    }
  }
  if (!internal::report_field_problems(report, near_checks::kFields, problems,
                                       "text, signature, signing_address, signing_algo \"ecdsa\"")) {
    return std::nullopt;
  }
  std::string_view text(out.text);
  std::size_t colon = text.find(':');
  out.request_half = text.substr(0, colon);
  out.response_half = text.substr(colon + 1);
  return out;
}

void check_half(VerificationReport& report, std::string_view name, std::string_view what,
                const Hash32& computed, std::string_view signed_half) {
  std::string expected = computed.hex(false);
  if (signed_half == expected) {
    report.pass(std::string(name), expected, std::string(signed_half));
  } else {
    report.fail(std::string(name), ErrorCode::verification_failed,
                std::string(what) + " body is not the one that was signed", expected, std::string(signed_half));
  }
}

}  // namespace

std::string near_signed_text(const Hash32& request_sha256, const Hash32& response_sha256) {
  return request_sha256.hex(false) + ":" + response_sha256.hex(false);
}

VerificationReport check_near_signature(const Hash32& request_sha256, const Hash32& response_sha256,
                                        const Json& signature_record, const Address& attested_signer) {
  VerificationReport report;
  auto record = read_record(signature_record, report);
  if (!record) return report;
  check_half(report, near_checks::kRequestHash, "request", request_sha256, record->request_half);
  check_half(report, near_checks::kResponseHash, "response", response_sha256, record->response_half);

  // The signature covers the record's own text; the checks above tie that text to our bytes.
  const std::string claimed = to_checksum_address(record->signing_address);
  auto recovered = recover_address(eip191_digest(record->text), record->signature);
  if (recovered && *recovered == record->signing_address) {
    report.pass(std::string(near_checks::kSignature), claimed, claimed);
  } else {
    report.fail(std::string(near_checks::kSignature), ErrorCode::verification_failed,
                "signature_invalid: the EIP-191 signature over text is not by signing_address", claimed,
                recovered ? to_checksum_address(*recovered) : recovered.error().to_string());
  }
  const std::string attested = to_checksum_address(attested_signer);
  if (record->signing_address == attested_signer) {
    report.pass(std::string(near_checks::kSigner), attested, claimed);
  } else {
    report.fail(std::string(near_checks::kSigner), ErrorCode::untrusted,
                "signing_address is not the attested signer", attested, claimed);
  }
  return report;
}

VerificationReport check_near_response(ByteView request_body, ByteView response_body,
                                       const Json& signature_record, const Address& attested_signer) {
  return check_near_signature(sha256(request_body), sha256(response_body), signature_record, attested_signer);
}

}  // namespace verinfer
