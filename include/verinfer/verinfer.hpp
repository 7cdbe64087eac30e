// verinfer: umbrella header. Includes the whole public API.
#pragma once

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"
#include "verinfer/json.hpp"
#include "verinfer/crypto/abi.hpp"
#include "verinfer/crypto/address.hpp"
#include "verinfer/crypto/eip191.hpp"
#include "verinfer/crypto/eip712.hpp"
#include "verinfer/crypto/secp256k1.hpp"
#include "verinfer/crypto/u256.hpp"
#include "verinfer/crypto/keccak.hpp"
#include "verinfer/crypto/sha2.hpp"
#include "verinfer/verify/report.hpp"
#include "verinfer/inference/request.hpp"
#include "verinfer/transport/chat_stream.hpp"
#include "verinfer/transport/http.hpp"
#include "verinfer/transport/sse.hpp"
