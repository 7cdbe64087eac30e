// Shared helpers of the libFuzzer targets: an invariant check that aborts
// (libFuzzer saves the input) and a reader that splits one input into parts.
#pragma once

#include <verinfer/bytes.hpp>
#include <verinfer/error.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

namespace verinfer::fuzz {

/// Consumes a fuzz input from the front: selector bytes, then the rest.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  /// The next byte, or 0 once the input is used up.
  std::uint8_t byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  /// Up to n bytes.
  ByteView take(std::size_t n) {
    if (n > size_) n = size_;
    ByteView out{data_, n};
    data_ += n;
    size_ -= n;
    return out;
  }
  ByteView rest() { return take(size_); }
  std::string_view rest_text() {
    ByteView r = rest();
    return {reinterpret_cast<const char*>(r.data()), r.size()};
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A file under tests/vectors (VERINFER_VECTORS_DIR); aborts when missing,
/// since a target without its fixtures would fuzz nothing useful.
inline std::string read_vector(const std::string& relative) {
  std::ifstream file(std::string(VERINFER_VECTORS_DIR) + "/" + relative, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "missing fuzz fixture tests/vectors/%s\n", relative.c_str());
    std::abort();
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

/// Aborts with the error when a fixture does not load.
template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "fuzz fixture %s: %s\n", what, r.error().to_string().c_str());
    std::abort();
  }
  return std::move(*r);
}

}  // namespace verinfer::fuzz
