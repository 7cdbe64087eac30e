#include "cli/progress.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>

namespace verinfer::cli {
namespace {

constexpr std::array<std::string_view, 10> kFrames = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr std::chrono::milliseconds kRedraw{100};

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n <= 0) return;  // a spinner is not worth an error
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string render_progress(const ProgressState& state) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, " %.1f s", static_cast<double>(state.elapsed.count()) / 1000.0);
  std::string out(kProgressErase);
  out += kFrames[state.frame % kFrames.size()];
  out += ' ';
  out += state.label;
  out += seconds;
  return out;
}

Progress::Progress(std::string label, bool enabled, int fd)
    : label_(std::move(label)), fd_(fd), started_(std::chrono::steady_clock::now()) {
  if (!enabled || ::isatty(fd_) != 1) return;
  draw(0);  // at once, so even a short wait shows what it is
  worker_ = std::thread([this] {
    std::unique_lock lock(mu_);
    for (std::size_t frame = 1; !wake_.wait_for(lock, kRedraw, [this] { return stopping_; }); ++frame) {
      draw(frame);
    }
  });
}

Progress::~Progress() { stop(); }

void Progress::stop() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
  write_all(fd_, kProgressErase);
}

void Progress::draw(std::size_t frame) const {
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  write_all(fd_, render_progress({label_, frame, elapsed}));
}

}  // namespace verinfer::cli
