// Worker: one thread, one IoBackend event loop, and the connections it owns.
//
// A command runs to completion on the worker that read it. Worker 0 also accepts new
// connections and hands them out round-robin (Adopt() + Wake()), so every worker serves a fair
// share. Thread safety: Adopt() may be called from any thread; everything else runs on the
// worker's own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/net/client.h"
#include "server/net/io_backend.h"
#include "server/net/reply_builder.h"
#include "server/net/resp_parser.h"
#include "server/net/service.h"

namespace strata::server {

class Worker final : public Mailbox {
 public:
  // `listen_fds`: the sockets this worker accepts on (empty for all but worker 0).
  // `service` runs the commands and outlives the worker.
  Worker(Service* service, int index, std::unique_ptr<IoBackend> backend,
         std::vector<int> listen_fds);
  ~Worker();

  void Start();
  void Join();
  // Hands a freshly accepted socket to this worker. Thread safe.
  void Adopt(int fd);
  void Wake() { backend_->Wake(); }
  // The log went further (Service::released_lsn may have moved): wakes this worker if it waits
  // with held replies. Thread safe (called by whichever thread wrote or synced the log).
  void NotifyLog();
  // Mailbox (server/net/client.h): what other threads send this worker's clients.
  void Deliver(uint64_t client_id, std::string bytes) override;
  void DeliverServed(uint64_t client_id, std::string reply, uint64_t lsn) override;
  // Called from inside a long command (a script past busy-reply-threshold) on a worker's
  // thread: one turn of the loop that does not wait, so the worker's other clients are answered
  // (the service replies -BUSY to what may not run then) instead of waiting for the command.
  // The running command's client is left alone until it ends, no connection is freed, and
  // mail, time-outs and the cron wait for the outer loop. No-op on other threads.
  static void ServeNestedOnThisThread();
  // Set by the acceptor: where accepted sockets go.
  void set_peers(std::vector<Worker*> peers) { peers_ = std::move(peers); }

 private:
  struct Connection;
  enum Op : uint64_t { kOpAccept = 1, kOpRecv = 2, kOpSend = 3 };

  void Run();
  void ServeNested();
  // After the command a nested turn ran inside: the completions it set aside for the running
  // client, and the connections it did not free.
  void AfterNested();
  void OnCompletion(uint64_t tag, int result);
  void OnAccept(size_t listener, int result);
  void OnRecv(Connection* c, int result);
  void OnSend(Connection* c, int result);
  void AddConnection(int fd);
  void ProcessInput(Connection* c);
  // Starts the tier reads of the commands in `rest` (input behind a command waiting for one).
  void PrefetchAhead(Connection* c, std::string_view rest);
  void PostRecv(Connection* c);
  void MaybeSend(Connection* c);
  void BeginClose(Connection* c);
  void MaybeFinish(Connection* c);
  void Cron(int64_t now_ms);
  // Blocked commands whose time is up are answered (Service::TimeOut); then
  // next_block_deadline_ms_ is the earliest deadline left.
  void TimeOutBlocked(int64_t now_ms);
  // Holds c's replies (and stops reading from it) until the log has gone as far as every record
  // c's commands may depend on (Service::released_lsn). Returns whether it did.
  bool HoldForLog(Connection* c);
  // At the end of each loop turn: has the log written what the held replies need
  // (Service::WriteLog), sends those it has caught up with and resumes reading their
  // connections; if some must still wait, notes that NotifyLog is to wake the loop.
  void ReleaseHeld();
  // Unsent reply bytes of c.
  static size_t OutputBytes(const Connection* c);
  // client-output-buffer-limit: closes c (and returns true) when its unsent replies are over
  // its class's hard limit, or over the soft limit for longer than allowed.
  bool OverOutputLimit(Connection* c, int64_t now_ms);
  // Back-pressure: after a send, resumes a paused client whose replies drained.
  void MaybeResume(Connection* c);
  // Hands out what Deliver() queued.
  void DrainMail();
  // Runs c's waiting command again (its values are back from the tier) and what follows it in
  // c's input.
  void Unblock(Connection* c);
  // c's blocked command was answered (served, or its time is up): the reply, then what follows
  // it in c's input.
  void Served(Connection* c, std::string& reply, uint64_t lsn);
  // After commands ran for c: holds the replies for the log, or sends them and reads on.
  void AfterInput(Connection* c);

  Service* service_;
  int index_;
  WorkerCounters* counters_ = nullptr;  // this worker's slot in the server's stats
  std::unique_ptr<IoBackend> backend_;
  std::vector<int> listen_fds_;
  std::vector<Worker*> peers_;
  std::vector<size_t> accept_paused_;  // listeners out of fds, accepting again at the next Cron
  size_t next_peer_ = 0;
  std::thread thread_;
  std::vector<Connection*> conns_;    // owned; index kept in Connection::slot
  std::unique_ptr<Service::WorkerContext> context_;  // the service's state for this worker
  std::vector<Connection*> held_;     // connections whose replies wait for the WAL
  std::vector<Connection*> ready_;    // ReleaseHeld's scratch
  // The earliest time-out of a command blocked on this worker (INT64_MAX: none): the loop
  // waits no longer than that, so time-outs are answered to the millisecond, not on a tick.
  int64_t next_block_deadline_ms_ = INT64_MAX;
  std::atomic<bool> holding_{false};  // waiting with held replies, for NotifyLog
  // Nested turns (ServeNested): the connection whose command is running, the state the
  // service keeps for the commands run meanwhile, and what waits for the command's end.
  Connection* running_ = nullptr;
  bool nested_ = false;
  std::unique_ptr<Service::WorkerContext> nested_context_;
  std::vector<Completion> deferred_;
  std::vector<uint64_t> finish_later_;  // client ids: freed meanwhile, they are not found

  std::unordered_map<uint64_t, Connection*> by_id_;  // conns_ by client id

  struct Mail {
    uint64_t client_id;
    std::string bytes;  // empty (and not served): wake the client's waiting command
    bool served = false;  // bytes are its blocked command's reply (DeliverServed)
    uint64_t lsn = 0;     // served: the log position the reply waits for
  };
  void Post(Mail m);
  std::mutex inbox_mu_;
  std::vector<int> inbox_;     // GUARDED_BY(inbox_mu_)
  std::vector<Mail> mail_;     // GUARDED_BY(inbox_mu_)
  std::vector<Mail> mail_scratch_;
  std::atomic<bool> has_mail_{false};
};

}  // namespace strata::server
