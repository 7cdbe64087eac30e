// What the devnet examples share: values of the devnet's profile.json that
// verinfer::Profile does not hold (its throwaway payer key, the inference
// contract), a client that pays with that key, and a terse way to stop an
// example on an error.
#pragma once

#include <verinfer/verinfer.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

namespace example {

/// A string of the devnet's profile.json ($VERINFER_DEVNET_PROFILE, else
/// devnet/run/profile.json), or "" when it is absent. Fine for the devnet's
/// throwaway key; a real key comes from a file or the environment, never
/// from source code or argv.
inline std::string devnet_field(const char* group, const char* field) {
  const char* path = std::getenv("VERINFER_DEVNET_PROFILE");
  std::ifstream in(path ? path : "devnet/run/profile.json");
  auto json = verinfer::parse_json(std::string(std::istreambuf_iterator<char>(in), {}));
  const verinfer::Json* g = json ? json->find(group) : nullptr;
  const verinfer::Json* v = g ? g->find(field) : nullptr;
  return v && v->is_string() ? v->as_string() : "";
}

/// The value, or the error printed and exit code 2: enough for an example,
/// not for a service.
template <class T>
T checked(verinfer::Result<T> result) {
  if (!result) {
    std::fprintf(stderr, "%s\n", result.error().to_string().c_str());
    std::exit(2);
  }
  return std::move(*result);
}

/// The devnet's test payer.
inline verinfer::PrivateKey devnet_payer() {
  return checked(verinfer::PrivateKey::from_hex(devnet_field("testPayer", "privateKey")));
}

/// A client for the devnet that pays with the test payer.
inline verinfer::Client devnet_client(verinfer::TrustPolicy trust = {}) {
  verinfer::ClientOptions options;
  options.profile = checked(verinfer::load_profile("devnet"));
  options.payer = devnet_payer();
  options.trust = trust;
  return checked(verinfer::Client::create(std::move(options)));
}

}  // namespace example
