// A spinner line on stderr while the CLI waits on the network (attestation,
// registry, the answer, the chain). Drawn only when the stream is a terminal
// and the verb is not printing --json, so pipes, logs and scripts see nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace verinfer::cli {

/// What one frame of the spinner shows.
struct ProgressState {
  std::string label;             ///< what is being waited for
  std::size_t frame = 0;         ///< advances once per redraw
  std::chrono::milliseconds elapsed{0};
};

/// The bytes that draw `state` over the current line: carriage return, erase
/// the line, a spinner glyph, the label and the seconds waited so far.
[[nodiscard]] std::string render_progress(const ProgressState& state);

/// Returns the cursor to the start of a line it leaves blank.
inline constexpr std::string_view kProgressErase = "\r\x1b[2K";

/// Draws a spinner on `fd` from construction until stop() or destruction,
/// when `enabled` and `fd` is a terminal; otherwise writes nothing at all.
class Progress {
 public:
  Progress(std::string label, bool enabled, int fd = 2);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Erases the line and stops drawing; later calls do nothing.
  void stop();
  /// Whether anything is being drawn.
  [[nodiscard]] bool drawing() const noexcept { return worker_.joinable(); }

 private:
  void draw(std::size_t frame) const;

  std::string label_;
  int fd_;
  std::chrono::steady_clock::time_point started_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace verinfer::cli
