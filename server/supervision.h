// Supervision: telling the service manager that started the server how start-up and shutdown
// go (Redis's `supervised` directive).
//
// systemd (Type=notify): through sd_notify(3) on $NOTIFY_SOCKET, "STATUS=..." lines while
// loading, "READY=1" once recovery has finished and the listeners accept, "STOPPING=1" when a
// shutdown begins. upstart ("expect stop"): the server stops itself with SIGSTOP once ready,
// and upstart continues it. A copyable value; every method may be called from any thread.
#pragma once

#include <string_view>

namespace strata::server {

class Supervision {
 public:
  enum class Mode { kNone, kUpstart, kSystemd };

  Supervision() = default;
  // Resolves `supervised` (no, upstart, systemd, auto) against the environment, as Redis's
  // redisIsSupervised: auto picks upstart when $UPSTART_JOB is set, else systemd when
  // $NOTIFY_SOCKET is. systemd supervision starts by sending "STATUS=Strata is loading...";
  // when that cannot be sent (no $NOTIFY_SOCKET), or upstart's $UPSTART_JOB is missing, the
  // reason is logged and the server is not supervised. Call once, at start-up.
  static Supervision Detect(std::string_view setting);

  Mode mode() const { return mode_; }
  // Supervised: `daemonize` is then ignored, as in Redis (the manager tracks the process).
  bool active() const { return mode_ != Mode::kNone; }

  // systemd: "STATUS=<text>" (what `systemctl status` shows). Nothing otherwise.
  void Status(std::string_view text) const;
  // Recovery has finished and the listeners accept. systemd: "STATUS=Ready to accept
  // connections" and "READY=1"; upstart: SIGSTOP to itself.
  void Ready() const;
  // A shutdown begins. systemd: "STOPPING=1".
  void Stopping() const;

 private:
  explicit Supervision(Mode mode) : mode_(mode) {}
  Mode mode_ = Mode::kNone;
};

}  // namespace strata::server
