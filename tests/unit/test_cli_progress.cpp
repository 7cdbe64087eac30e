// The CLI's spinner: a pure rendering of its state, and silence on anything
// that is not a terminal.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "cli/progress.hpp"

using verinfer::cli::kProgressErase;
using verinfer::cli::Progress;
using verinfer::cli::ProgressState;
using verinfer::cli::render_progress;

namespace {

// Everything written to the read end of a pipe whose write end is closed.
std::string drain(int fd) {
  std::string out;
  char buf[256];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

}  // namespace

TEST_CASE("progress: a frame is erase, glyph, label and seconds") {
  using std::chrono::milliseconds;
  CHECK(render_progress({"checking attestation", 0, milliseconds(0)}) ==
        std::string(kProgressErase) + "⠋ checking attestation 0.0 s");
  CHECK(render_progress({"waiting", 3, milliseconds(1250)}) == std::string(kProgressErase) + "⠸ waiting 1.2 s");
  CHECK(render_progress({"w", 9, milliseconds(61000)}) == std::string(kProgressErase) + "⠏ w 61.0 s");
  // The glyphs cycle.
  CHECK(render_progress({"w", 10, milliseconds(0)}) == render_progress({"w", 0, milliseconds(0)}));
  CHECK(render_progress({"w", 1, milliseconds(0)}) != render_progress({"w", 2, milliseconds(0)}));
}

TEST_CASE("progress: nothing at all is written to a pipe, enabled or not") {
  for (bool enabled : {true, false}) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    {
      Progress progress("waiting for the answer", enabled, fds[1]);
      CHECK_FALSE(progress.drawing());
      progress.stop();
    }
    ::close(fds[1]);
    CHECK(drain(fds[0]).empty());
    ::close(fds[0]);
  }
}

TEST_CASE("progress: on a terminal it draws until stopped, then erases its line") {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  REQUIRE(master >= 0);
  REQUIRE(::grantpt(master) == 0);
  REQUIRE(::unlockpt(master) == 0);
  int terminal = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  REQUIRE(terminal >= 0);
  {
    Progress off("not drawn", false, terminal);
    CHECK_FALSE(off.drawing());
  }
  Progress progress("checking attestation", true, terminal);
  CHECK(progress.drawing());
  progress.stop();
  CHECK_FALSE(progress.drawing());
  progress.stop();  // idempotent
  // Read until the final erase arrives (a pty delivers asynchronously).
  std::string seen;
  char buf[256];
  while (!(seen.ends_with(kProgressErase) && seen.size() > kProgressErase.size())) {
    ssize_t n = ::read(master, buf, sizeof buf);
    REQUIRE(n > 0);
    seen.append(buf, static_cast<std::size_t>(n));
  }
  CHECK(seen.starts_with(std::string(kProgressErase) + "⠋ checking attestation "));
  CHECK(seen.find("not drawn") == std::string::npos);
  ::close(terminal);
  ::close(master);
}
