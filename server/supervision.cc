#include "server/supervision.h"

#include <signal.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <string>

#include "base/logging.h"
#include "base/string_util.h"

namespace strata::server {

namespace {

// sd_notify with Redis's redisCommunicateSystemd reporting: >0 sent, 0 no $NOTIFY_SOCKET,
// <0 -errno.
int Notify(const std::string& message) {
  const int rc = sd_notify(0, message.c_str());
  if (rc == 0) {
    LOG_WARN("systemd supervision error: NOTIFY_SOCKET not found!");
  } else if (rc < 0) {
    LOG_WARN("systemd supervision error: sd_notify: %d", rc);
  }
  return rc;
}

}  // namespace

Supervision Supervision::Detect(std::string_view setting) {
  Mode wanted = Mode::kNone;
  if (EqualsIgnoreCase(setting, "upstart")) {
    wanted = Mode::kUpstart;
  } else if (EqualsIgnoreCase(setting, "systemd")) {
    wanted = Mode::kSystemd;
  } else if (EqualsIgnoreCase(setting, "auto")) {
    if (std::getenv("UPSTART_JOB") != nullptr) {
      STRATA_LOG(kVerbose, "Upstart supervision detected.");
      wanted = Mode::kUpstart;
    } else if (std::getenv("NOTIFY_SOCKET") != nullptr) {
      STRATA_LOG(kVerbose, "Systemd supervision detected.");
      wanted = Mode::kSystemd;
    }
  }
  switch (wanted) {
    case Mode::kNone:
      return Supervision();
    case Mode::kUpstart:
      if (std::getenv("UPSTART_JOB") == nullptr) {
        LOG_WARN("upstart supervision requested, but UPSTART_JOB not found!");
        return Supervision();
      }
      LOG_INFO("supervised by upstart, will stop to signal readiness.");
      return Supervision(Mode::kUpstart);
    case Mode::kSystemd:
      if (Notify("STATUS=Strata is loading...\n") <= 0) return Supervision();
      LOG_INFO(
          "Supervised by systemd. Please make sure you set appropriate values for "
          "TimeoutStartSec and TimeoutStopSec in your service unit.");
      return Supervision(Mode::kSystemd);
  }
  return Supervision();
}

void Supervision::Status(std::string_view text) const {
  if (mode_ == Mode::kSystemd) Notify("STATUS=" + std::string(text) + "\n");
}

void Supervision::Ready() const {
  if (mode_ == Mode::kSystemd) {
    Notify("STATUS=Ready to accept connections\n");
    Notify("READY=1\n");
  } else if (mode_ == Mode::kUpstart) {
    // Upstart's "expect stop": the job counts as started when the process stops; upstart
    // then sends SIGCONT. Redis stops before loading its data; here the stop comes once the
    // data is loaded, so "started" means ready.
    ::raise(SIGSTOP);
  }
}

void Supervision::Stopping() const {
  if (mode_ == Mode::kSystemd) Notify("STOPPING=1\n");
}

}  // namespace strata::server
