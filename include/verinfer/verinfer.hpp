// verinfer: umbrella header. Includes the whole public API.
#pragma once

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"

#include "verinfer/crypto/abi.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip191.hpp"
#include "verinfer/crypto/eip712.hpp"
#include "verinfer/crypto/hpke.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/keystore.hpp"
#include "verinfer/crypto/rsa_pss.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/crypto/u256.hpp"

#include "verinfer/inference/canonical.hpp"
#include "verinfer/inference/request.hpp"

#include "verinfer/transport/chat_stream.hpp"
#include "verinfer/transport/http.hpp"
#include "verinfer/transport/ohttp.hpp"
#include "verinfer/transport/sse.hpp"
#include "verinfer/transport/x402.hpp"

#include "verinfer/verify/near_response.hpp"
#include "verinfer/verify/nitro.hpp"
#include "verinfer/verify/registry_trust.hpp"
#include "verinfer/verify/report.hpp"
#include "verinfer/verify/ohttp_config.hpp"
#include "verinfer/verify/tee_response.hpp"

#include "verinfer/settle/events.hpp"
#include "verinfer/settle/inference.hpp"
#include "verinfer/settle/merkle.hpp"
#include "verinfer/settle/rlp.hpp"
#include "verinfer/settle/rpc.hpp"
#include "verinfer/settle/settlement.hpp"
#include "verinfer/settle/tee_directory.hpp"
#include "verinfer/settle/transaction.hpp"

#include "verinfer/profile.hpp"
#include "verinfer/client.hpp"
