// The two decoding stages of a Nitro attestation document, separately, so the
// verifier can name which one failed; and the COSE Sig_structure.
#pragma once

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/verify/nitro.hpp"

namespace verinfer::internal {

inline constexpr std::size_t kEs384SignatureSize = 96;  // r ‖ s, 48 bytes each
inline constexpr std::size_t kMaxPayload = 16384;       // AWS: bstr .size (1..16384)

struct CoseSign1 {
  bool tagged = false;
  ByteView protected_header;
  ByteView payload;
  ByteView signature;
};

/// COSE_Sign1 (RFC 9052 section 4.2), optionally with tag 18; protected
/// header exactly {1: -35} (ES384, RFC 9053 section 2.1). Views into `cose`.
[[nodiscard]] Result<CoseSign1> parse_cose_sign1(ByteView cose);

/// The attestation map (AWS attestation_process.md section 3.2.2).
[[nodiscard]] Result<NitroAttestation> parse_attestation_payload(ByteView payload);

/// ["Signature1", protected, h'', payload] (RFC 9052 section 4.4).
[[nodiscard]] Bytes sig_structure(ByteView protected_header, ByteView payload);

}  // namespace verinfer::internal
