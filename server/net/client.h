// ClientState: what the server knows of one connection, for commands and for CLIENT LIST/KILL.
//
// The owning worker writes most fields; other threads (CLIENT LIST/KILL from another worker,
// INFO) read them under ClientRegistry's mutex. Fields another thread may read while the owner
// writes are atomics; name is written only under the registry mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace strata::server {

struct WorkerCounters;
class AclUser;

// Where other threads send a client what it must receive: its worker (server/net/worker.h), or
// a test's stand-in. Thread safe; a client that is gone by then is skipped.
class Mailbox {
 public:
  virtual ~Mailbox() = default;
  // Bytes (a pub/sub message) to send after what the client has pending; with no bytes, wakes
  // the client's waiting command (values back from the tier) to run again.
  virtual void Deliver(uint64_t client_id, std::string bytes) = 0;
  // The client's blocked command was run for it on another thread (server/blocking.h):
  // `reply` is its reply, to leave once the log is durable up to `lsn` (0: at once). The
  // command leaves the client's input and what follows it runs.
  virtual void DeliverServed(uint64_t client_id, std::string reply, uint64_t lsn) = 0;
};

struct ClientState {
  uint64_t id = 0;
  int fd = -1;
  std::string addr;   // "ip:port" of the peer
  std::string laddr;  // "ip:port" of our end
  bool unix_socket = false;  // connected over the unix socket: both addresses are "path:0"
  int64_t created_ms = 0;

  std::atomic<int> db{0};
  std::atomic<int> resp{2};
  std::atomic<bool> authenticated{false};
  std::atomic<int64_t> last_interaction_ms{0};
  std::atomic<const char*> last_command{"NULL"};  // a CommandSpec name (static storage)
  std::atomic<uint64_t> query_buffer_bytes{0};
  std::atomic<uint64_t> output_buffer_bytes{0};
  // CLIENT LIST's qbuf-free, rbs and rbp: the read buffer's free space, size and the most it
  // held (the owner's worker keeps them).
  std::atomic<uint64_t> query_buffer_free{0};
  std::atomic<uint64_t> read_buffer_size{0};
  std::atomic<uint64_t> read_buffer_peak{0};
  std::atomic<bool> killed{false};
  std::string name;  // GUARDED_BY(ClientRegistry::mu_)
  // ACL (server/acl.h): the user the connection runs as and the Acl::version() it was read at
  // (owner only; null until the first command), and its name for CLIENT LIST and ACL DELUSER
  // (GUARDED_BY(ClientRegistry::mu_)).
  std::shared_ptr<const AclUser> user;
  uint64_t acl_version = 0;
  std::string username = "default";

  bool close_after_reply = false;  // owner only: QUIT, protocol error
  // CLIENT REPLY (owner only): OFF drops every command's reply; SKIP drops the next one's
  // (reply_skip_next becomes reply_skip after the CLIENT REPLY SKIP command itself).
  bool reply_off = false, reply_skip = false, reply_skip_next = false;
  std::atomic<bool> no_evict{false};  // CLIENT NO-EVICT ON (CLIENT LIST's e)
  // Client-side caching (server/tracking.h), set under Tracking's mutex. CLIENT LIST reads the
  // atomics (tracking_broken is set by whichever thread found the redirection gone); the
  // OPTIN/OPTOUT flags and CLIENT CACHING's are the owner's.
  std::atomic<bool> tracking{false};
  std::atomic<bool> tracking_bcast{false};
  std::atomic<bool> tracking_broken{false};
  std::atomic<uint64_t> tracking_redirect{0};
  bool tracking_optin = false, tracking_optout = false, tracking_noloop = false;
  bool tracking_caching = false;  // CLIENT CACHING YES|NO given, for the next command
  WorkerCounters* counters = nullptr;  // the owning worker's counters
  int worker_index = 0;                 // the owning worker's index
  Mailbox* worker = nullptr;           // the owning worker, for deliveries from other threads

  // Pub/sub: how many channels, patterns and shard channels it is subscribed to
  // (server/pubsub.h).
  std::atomic<int> channels{0};
  std::atomic<int> patterns{0};
  std::atomic<int> shard_channels{0};
  bool subscribed() const {
    return channels.load() + patterns.load() + shard_channels.load() > 0;
  }

  // MULTI/EXEC (owner only, but for CLIENT LIST's flags; server/transaction_family.cc).
  std::atomic<bool> in_multi{false};
  std::atomic<int> queued_count{0};  // queued.size(), for CLIENT LIST's multi=
  std::atomic<uint64_t> queued_bytes{0};  // the queued arguments' bytes (multi-mem=)
  std::atomic<bool> monitor{false};  // in MONITOR mode (CLIENT LIST's O)
  bool multi_error = false;    // a command failed to queue: EXEC answers EXECABORT
  bool in_exec = false;        // running EXEC's commands: blocking commands do not block
  // Running the commands a script calls (redis.call): SLOWLOG and MONITOR show them as Redis
  // shows its script client's ("?:0" with no name, "lua").
  bool in_script = false;
  // Memory was over maxmemory before the running command, eviction unable to make room: what a
  // script runs is refused as Redis refuses it (server/commands/scripting_family.cc).
  bool oom = false;
  std::vector<std::vector<std::string>> queued;
  bool watching = false;                    // has watched keys (server/watches.h)
  std::atomic<bool> watch_dirty{false};     // a watched key changed since WATCH

  // Blocking commands (owner only, but for CLIENT LIST's flags; server/blocking.h). A blocked
  // command stays in the input until it is answered: served by another command's thread
  // (Mailbox::DeliverServed) or, when its time is up, by its worker (Service::TimeOut). A
  // command that waits for values from the tier is blocked too, forever, and runs again when
  // they are in.
  std::atomic<bool> blocked{false};  // waiting: the worker runs nothing else for this client
  int64_t block_deadline_ms = 0;  // when the blocked command times out; 0 = not blocking
  bool block_forever = false;     // timeout 0
  bool tier_waited = false;       // the command waited for values from the tier (server.cc)
  bool paused = false;            // the command is held by CLIENT PAUSE (server/client_pause.h)
  // The wait is over (answered, or the command ran again and did not block).
  void EndBlock() {
    blocked = false;
    block_deadline_ms = 0;
    block_forever = false;
  }
};

// Every live connection, for CLIENT LIST/KILL and INFO clients. Thread safe.
class ClientRegistry {
 public:
  // Assigns the next id and makes the client visible.
  void Add(ClientState* c);
  void Remove(ClientState* c);
  size_t size() const;
  // Calls fn with client `id` under the registry lock (fn must not call back into the
  // registry); false if there is no such client.
  bool WithClient(uint64_t id, const std::function<void(ClientState&)>& fn) const;
  // Calls fn for each client under the registry lock (fn must not call back into the registry).
  void ForEach(const std::function<void(ClientState&)>& fn) const;
  void SetName(ClientState* c, std::string name);
  std::string GetName(const ClientState* c) const;
  void SetUsername(ClientState* c, std::string username);
  // ClientInfoLine(*c) (CLIENT INFO, ACL LOG).
  std::string InfoLine(const ClientState* c, int64_t now_ms) const;
  // Marks the client killed and shuts its socket down so its worker closes it.
  void Kill(ClientState* c);

 private:
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;  // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, ClientState*> clients_;  // GUARDED_BY(mu_)
};

// Redis's CLIENT LIST / CLIENT INFO line for one client. REQUIRES the registry lock (ForEach).
std::string ClientInfoLine(const ClientState& c, int64_t now_ms);

}  // namespace strata::server
