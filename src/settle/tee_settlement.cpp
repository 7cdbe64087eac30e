// The settlement leaf of a verified TEE response (kept apart so the rest of
// the settle layer does not depend on the response verifier).
#include "verinfer/settle/settlement.hpp"
#include "verinfer/verify/tee_response.hpp"

namespace verinfer {

SettlementLeaf settlement_leaf(const TeeResponse& response) {
  return SettlementLeaf{response.tee_id, response.request_hash, response.output_hash, response.signature,
                        U256(response.timestamp)};
}

}  // namespace verinfer
