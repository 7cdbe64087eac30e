# Third-party libraries, all from Debian packages. They are private to the
# library: no public header includes any of them.
find_package(OpenSSL 3.0 REQUIRED)
find_package(CURL REQUIRED)
find_package(simdjson REQUIRED)
find_package(fmt REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1)
pkg_check_modules(CBOR REQUIRED IMPORTED_TARGET libcbor)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)  # scrypt for keystores

set(VERINFER_PRIVATE_DEPS
    OpenSSL::Crypto OpenSSL::SSL CURL::libcurl simdjson::simdjson fmt::fmt
    PkgConfig::SECP256K1 PkgConfig::CBOR PkgConfig::SODIUM)
