// EIP-712 (eips.ethereum.org/EIPS/eip-712), as eth_signTypedData_v4 applies
// it to arrays: an array is encoded as keccak256 of its elements' encodings.
#include "verinfer/crypto/eip712.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "verinfer/crypto/abi.hpp"
#include "verinfer/crypto/keccak.hpp"

namespace verinfer {
namespace {

constexpr std::size_t kMaxArrayDims = 16;

struct FieldType {
  std::string base;                           // struct name or atomic type
  std::optional<AbiType> atomic;              // set when base is atomic
  std::vector<std::optional<std::size_t>> dims;  // array suffixes, innermost first
};

struct Field {
  std::string name;
  std::string type_text;  // as declared, used verbatim in encodeType
  FieldType type;
};

using Structs = std::map<std::string, std::vector<Field>, std::less<>>;

std::unexpected<Error> bad_types(std::string message, std::string detail = {}) {
  return fail(ErrorCode::invalid_argument, "EIP-712: " + std::move(message), std::move(detail));
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  });
}

// Atomic types as EIP-712 spells them (no "uint"/"int" aliases, no tuples).
std::optional<AbiType> atomic_type(std::string_view base) {
  auto t = AbiType::parse(base);
  if (!t || t->kind == AbiType::Kind::tuple || t->kind == AbiType::Kind::array ||
      t->kind == AbiType::Kind::fixed_array || t->canonical() != base) {
    return std::nullopt;
  }
  return *t;
}

Result<FieldType> parse_field_type(std::string_view text) {
  FieldType ft;
  std::size_t bracket = text.find('[');
  ft.base = std::string(text.substr(0, bracket));
  std::string_view rest = bracket == std::string_view::npos ? "" : text.substr(bracket);
  while (!rest.empty()) {
    std::size_t close = rest.find(']');
    if (rest[0] != '[' || close == std::string_view::npos) {
      return bad_types("malformed array type", "\"" + std::string(text) + "\"");
    }
    std::string_view digits = rest.substr(1, close - 1);
    if (digits.empty()) {
      ft.dims.emplace_back(std::nullopt);
    } else {
      auto n = U256::from_decimal(digits);
      auto small = n ? n->to_uint64() : std::nullopt;
      if (!small || *small == 0 || *small > (1u << 20) || digits[0] == '0') {
        return bad_types("array length must be between 1 and 2^20", "\"" + std::string(text) + "\"");
      }
      ft.dims.emplace_back(static_cast<std::size_t>(*small));
    }
    if (ft.dims.size() > kMaxArrayDims) {
      return bad_types("too many array dimensions", "\"" + std::string(text) + "\"");
    }
    rest.remove_prefix(close + 1);
  }
  ft.atomic = atomic_type(ft.base);
  return ft;
}

// Reads the "types" object; checks every field type names an atomic type or
// a declared struct, and that no struct refers to itself through others.
Result<Structs> read_types(const Json& types) {
  if (!types.is_object()) return bad_types("\"types\" must be an object");
  Structs out;
  for (const auto& [name, fields] : types.as_object()) {
    if (!is_identifier(name) || atomic_type(name)) {
      return bad_types("invalid struct type name", "\"" + name + "\"");
    }
    if (!fields.is_array()) return bad_types("type " + name + " must be an array of fields");
    std::vector<Field> list;
    std::set<std::string, std::less<>> seen;
    for (const auto& f : fields.as_array()) {
      const Json* fname = f.is_object() ? f.find("name") : nullptr;
      const Json* ftype = f.is_object() ? f.find("type") : nullptr;
      if (!fname || !ftype || !fname->is_string() || !ftype->is_string() ||
          f.as_object().size() != 2) {
        return bad_types("each field of " + name + " must be {\"name\": ..., \"type\": ...}",
                         f.dump().substr(0, 120));
      }
      if (!is_identifier(fname->as_string())) {
        return bad_types("invalid field name in " + name, "\"" + fname->as_string() + "\"");
      }
      if (!seen.insert(fname->as_string()).second) {
        return bad_types("duplicate field " + name + "." + fname->as_string());
      }
      auto ft = parse_field_type(ftype->as_string());
      if (!ft) return std::unexpected(ft.error());
      list.push_back(Field{fname->as_string(), ftype->as_string(), std::move(*ft)});
    }
    out.emplace(name, std::move(list));
  }
  for (const auto& [name, fields] : out) {
    for (const auto& f : fields) {
      if (!f.type.atomic && !out.contains(f.type.base)) {
        return bad_types("unknown type \"" + f.type.base + "\"",
                         "in field " + name + "." + f.name);
      }
    }
  }
  // Cycle check: depth-first search with an "on the current path" mark.
  std::map<std::string_view, int> state;  // 0 new, 1 on path, 2 done
  std::vector<std::string_view> path;
  std::function<Status(std::string_view)> visit = [&](std::string_view name) -> Status {
    int& s = state[name];
    if (s == 2) return {};
    if (s == 1) {
      std::string cycle;
      for (auto p : path) cycle += std::string(p) + " -> ";
      return bad_types("cyclic type reference", cycle + std::string(name));
    }
    s = 1;
    path.push_back(name);
    for (const auto& f : out.find(name)->second) {
      if (f.type.atomic) continue;
      auto ok = visit(f.type.base);
      if (!ok) return ok;
    }
    path.pop_back();
    state[name] = 2;
    return {};
  };
  for (const auto& [name, fields] : out) {
    auto ok = visit(name);
    if (!ok) return std::unexpected(ok.error());
  }
  return out;
}

void collect_deps(const Structs& structs, const std::string& name, std::set<std::string>& deps) {
  for (const auto& f : structs.find(name)->second) {
    if (f.type.atomic) continue;
    if (deps.insert(f.type.base).second) collect_deps(structs, f.type.base, deps);
  }
}

std::string struct_signature(const std::string& name, const std::vector<Field>& fields) {
  std::string out = name + "(";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ",";
    out += fields[i].type_text + " " + fields[i].name;
  }
  return out + ")";
}

Result<std::string> encode_type(const Structs& structs, std::string_view type_name) {
  auto it = structs.find(type_name);
  if (it == structs.end()) return bad_types("unknown type \"" + std::string(type_name) + "\"");
  std::set<std::string> deps;  // std::set orders by bytes: the spec's alphabetical order
  collect_deps(structs, it->first, deps);
  deps.erase(it->first);
  std::string out = struct_signature(it->first, it->second);
  for (const auto& d : deps) out += struct_signature(d, structs.find(d)->second);
  return out;
}

class Encoder {
 public:
  explicit Encoder(const Structs& structs) : structs_(structs) {}

  Result<Bytes> encode_data(std::string_view type_name, const Json& value, const std::string& path) {
    auto signature = encode_type(structs_, type_name);
    if (!signature) return std::unexpected(signature.error());
    const auto& fields = structs_.find(type_name)->second;
    if (!value.is_object()) {
      return bad_value(path, "expected an object of type " + std::string(type_name), value);
    }
    for (const auto& [key, v] : value.as_object()) {
      bool declared = std::any_of(fields.begin(), fields.end(),
                                  [&](const Field& f) { return f.name == key; });
      if (!declared) {
        return fail(ErrorCode::invalid_argument, "EIP-712: unexpected field",
                    join(path, key) + " is not a field of " + std::string(type_name));
      }
    }
    Bytes out;
    Hash32 type_hash = keccak256(std::string_view(*signature));
    out.insert(out.end(), type_hash.begin(), type_hash.end());
    for (const auto& f : fields) {
      const Json* v = value.find(f.name);
      if (v == nullptr) {
        return fail(ErrorCode::invalid_argument, "EIP-712: missing field",
                    join(path, f.name) + " (" + f.type_text + ")");
      }
      auto word = encode_field(f.type, f.type.dims.size(), *v, join(path, f.name));
      if (!word) return std::unexpected(word.error());
      out.insert(out.end(), word->begin(), word->end());
    }
    return out;
  }

  Result<Hash32> hash_struct(std::string_view type_name, const Json& value, const std::string& path) {
    auto data = encode_data(type_name, value, path);
    if (!data) return std::unexpected(data.error());
    return keccak256(*data);
  }

 private:
  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  static std::unexpected<Error> bad_value(const std::string& path, std::string what, const Json& v) {
    return fail(ErrorCode::invalid_argument, "EIP-712: " + std::move(what),
                "at " + (path.empty() ? std::string("<root>") : path) + ", got " +
                    v.dump().substr(0, 120));
  }

  // The 32-byte encoding of a value of `type` with `level` array dimensions
  // still to unwrap (the outermost dimension is dims[level-1]).
  Result<Hash32> encode_field(const FieldType& type, std::size_t level, const Json& value,
                              const std::string& path) {
    if (level > 0) {
      if (!value.is_array()) return bad_value(path, "expected an array", value);
      const auto& items = value.as_array();
      const auto& dim = type.dims[level - 1];
      if (dim && items.size() != *dim) {
        return fail(ErrorCode::invalid_argument, "EIP-712: wrong array length",
                    "at " + path + ": expected " + std::to_string(*dim) + " elements, got " +
                        std::to_string(items.size()));
      }
      Keccak256 h;
      for (std::size_t i = 0; i < items.size(); ++i) {
        auto word = encode_field(type, level - 1, items[i], path + "[" + std::to_string(i) + "]");
        if (!word) return word;
        h.update(word->view());
      }
      return h.finish();
    }
    if (!type.atomic) return hash_struct(type.base, value, path);
    const AbiType& atomic = *type.atomic;
    if (atomic.kind == AbiType::Kind::string) {
      if (!value.is_string()) return bad_value(path, "expected a string", value);
      return keccak256(std::string_view(value.as_string()));
    }
    auto parsed = abi_value_from_json(atomic, value);
    if (!parsed) {
      Error e = parsed.error();
      e.message = "EIP-712: " + e.message;
      e.detail = "at " + path + ": " + e.detail;
      return std::unexpected(e);
    }
    if (atomic.kind == AbiType::Kind::bytes) return keccak256(parsed->as_bytes());
    auto word = abi_encode(atomic, *parsed);
    if (!word) return std::unexpected(word.error());
    return Hash32::from_bytes(*word);
  }

  const Structs& structs_;
};

// The domain's type: EIP712Domain as declared, else the standard fields the
// domain object has (the order EIP-712 lists them in).
Result<Structs> with_domain_type(Structs structs, const Json& domain) {
  if (structs.contains("EIP712Domain")) return structs;
  if (!domain.is_object()) return bad_types("\"domain\" must be an object");
  static const std::pair<const char*, const char*> kStandard[] = {
      {"name", "string"},
      {"version", "string"},
      {"chainId", "uint256"},
      {"verifyingContract", "address"},
      {"salt", "bytes32"}};
  std::vector<Field> fields;
  for (const auto& [name, type] : kStandard) {
    if (domain.find(name) == nullptr) continue;
    auto ft = parse_field_type(type);
    fields.push_back(Field{name, type, std::move(*ft)});
  }
  structs.emplace("EIP712Domain", std::move(fields));
  return structs;
}

Result<Hash32> digest_of(const Json& typed_data) {
  auto hashes = eip712_hash(typed_data);
  if (!hashes) return std::unexpected(hashes.error());
  return hashes->digest;
}

}  // namespace

Result<Eip712Hashes> eip712_hash(const Json& typed_data) {
  if (!typed_data.is_object()) return bad_types("typed data must be a JSON object");
  const Json* types = typed_data.find("types");
  const Json* primary = typed_data.find("primaryType");
  const Json* domain = typed_data.find("domain");
  const Json* message = typed_data.find("message");
  for (auto [key, v] : {std::pair{"types", types}, std::pair{"primaryType", primary},
                        std::pair{"domain", domain}, std::pair{"message", message}}) {
    if (v == nullptr) return bad_types(std::string("missing \"") + key + "\"");
  }
  if (!primary->is_string()) return bad_types("\"primaryType\" must be a string");
  if (primary->as_string() == "EIP712Domain") {
    return bad_types("primaryType EIP712Domain (a domain-only digest) is not supported");
  }
  auto read = read_types(*types);
  if (!read) return std::unexpected(read.error());
  auto structs = with_domain_type(std::move(*read), *domain);
  if (!structs) return std::unexpected(structs.error());
  if (!structs->contains(primary->as_string())) {
    return bad_types("unknown primaryType \"" + primary->as_string() + "\"");
  }
  Eip712Hashes out;
  auto signature = encode_type(*structs, primary->as_string());
  if (!signature) return std::unexpected(signature.error());
  out.encode_type = std::move(*signature);
  out.type_hash = keccak256(std::string_view(out.encode_type));
  Encoder encoder(*structs);
  auto ds = encoder.hash_struct("EIP712Domain", *domain, "domain");
  if (!ds) return std::unexpected(ds.error());
  out.domain_separator = *ds;
  auto sh = encoder.hash_struct(primary->as_string(), *message, "message");
  if (!sh) return std::unexpected(sh.error());
  out.struct_hash = *sh;
  Keccak256 h;
  const std::uint8_t prefix[2] = {0x19, 0x01};
  h.update(ByteView(prefix, 2)).update(out.domain_separator.view()).update(out.struct_hash.view());
  out.digest = h.finish();
  return out;
}

Result<Eip712Hashes> eip712_hash(std::string_view typed_data_json) {
  auto parsed = parse_json(typed_data_json);
  if (!parsed) return std::unexpected(parsed.error());
  return eip712_hash(*parsed);
}

Result<std::string> eip712_encode_type(const Json& types, std::string_view type_name) {
  auto structs = read_types(types);
  if (!structs) return std::unexpected(structs.error());
  return encode_type(*structs, type_name);
}

Result<Bytes> eip712_encode_data(const Json& types, std::string_view type_name, const Json& value) {
  auto structs = read_types(types);
  if (!structs) return std::unexpected(structs.error());
  if (!structs->contains(type_name)) return bad_types("unknown type \"" + std::string(type_name) + "\"");
  return Encoder(*structs).encode_data(type_name, value, "");
}

Result<Hash32> eip712_hash_struct(const Json& types, std::string_view type_name, const Json& value) {
  auto data = eip712_encode_data(types, type_name, value);
  if (!data) return std::unexpected(data.error());
  return keccak256(*data);
}

Result<Signature> eip712_sign(const Json& typed_data, const PrivateKey& key) {
  auto digest = digest_of(typed_data);
  if (!digest) return std::unexpected(digest.error());
  return key.sign_digest(*digest);
}

Status eip712_verify(const Json& typed_data, ByteView signature, const Address& expected,
                     SignatureOptions options) {
  auto digest = digest_of(typed_data);
  if (!digest) return std::unexpected(digest.error());
  return verify_signer(*digest, signature, expected, options);
}

}  // namespace verinfer
