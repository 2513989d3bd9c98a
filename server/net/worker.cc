#include "server/net/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/clock.h"
#include "base/logging.h"

namespace strata::server {

namespace {

thread_local Worker* t_running = nullptr;  // the worker whose loop runs on this thread

constexpr size_t kReadChunk = 16 * 1024;
constexpr int kLoopTickMs = 100;

std::string SockAddrString(const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_UNIX) {
    const auto* a = reinterpret_cast<const sockaddr_un*>(&ss);
    return std::string(a->sun_path, strnlen(a->sun_path, sizeof(a->sun_path))) + ":0";
  }
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
  }
  return std::string(ip) + ":" + std::to_string(port);
}

// tcp-keepalive as Redis's anetKeepAlive: probes after `idle_s` seconds of silence, every third
// of that, and the peer is declared dead after three unanswered ones.
void SetKeepAlive(int fd, int64_t idle_s) {
  const int idle = static_cast<int>(std::min<int64_t>(idle_s, 32767));  // the kernel's maximum
  const int interval = std::max(1, idle / 3);
  const int count = 3;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
}

}  // namespace

struct Worker::Connection {
  ClientState state;
  size_t slot = 0;  // index in conns_
  // Received bytes live in rbuf[rstart, rend); the rest of rbuf is free space for recv.
  std::string rbuf;
  size_t rstart = 0, rend = 0;
  RespParser parser;
  // Replies accumulate in `pending` while `sending` is in flight; they swap when it completes.
  std::string pending, sending;
  size_t sent = 0;
  ReplyBuilder reply{&pending};
  bool recv_posted = false, send_posted = false, closing = false;
  uint64_t hold_lsn = 0;  // nonzero: replies held until the WAL is durable up to it
  uint64_t served_lsn = 0;  // a served reply's log position, for the next HoldForLog
  size_t blocked_len = 0;   // the input bytes of the command the client is blocked in
  // Back-pressure: its unsent replies passed client-output-backpressure, so neither its
  // buffered input is run nor more is read until they drain (MaybeResume).
  bool paused = false;
  int64_t soft_limit_since_ms = 0;  // over its soft output limit since then; 0 = not over

  explicit Connection(const ParserLimits& limits) : parser(limits) {}
};

Worker::Worker(Service* service, int index, std::unique_ptr<IoBackend> backend,
               std::vector<int> listen_fds)
    : service_(service),
      index_(index),
      backend_(std::move(backend)),
      listen_fds_(std::move(listen_fds)),
      context_(service->NewWorkerContext()),
      nested_context_(service->NewWorkerContext()) {}

Worker::~Worker() {
  Join();
  backend_.reset();  // cancels what the kernel still holds before the buffers go away
  for (Connection* c : conns_) {
    service_->clients().Remove(&c->state);
    ::close(c->state.fd);
    delete c;
  }
  for (int fd : inbox_) ::close(fd);
}

void Worker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Adopt(int fd) {
  {
    std::lock_guard<std::mutex> l(inbox_mu_);
    inbox_.push_back(fd);
  }
  backend_->Wake();
}

void Worker::Deliver(uint64_t client_id, std::string bytes) {
  Post(Mail{client_id, std::move(bytes)});
}

void Worker::DeliverServed(uint64_t client_id, std::string reply, uint64_t lsn) {
  Post(Mail{client_id, std::move(reply), /*served=*/true, lsn});
}

void Worker::Post(Mail m) {
  bool first;
  {
    std::lock_guard<std::mutex> l(inbox_mu_);
    first = mail_.empty();
    mail_.push_back(std::move(m));
  }
  has_mail_.store(true, std::memory_order_release);
  // Only the first letter into an empty inbox wakes the loop: the others are drained with it
  // (or, if the loop took the inbox meanwhile, find it empty and wake it again). A wake is a
  // syscall and, for a sleeping worker, a context switch: one per keyspace event or pub/sub
  // message to a subscriber on another worker was most of their cost.
  if (first) backend_->Wake();
}

void Worker::DrainMail() {
  if (!has_mail_.load(std::memory_order_acquire)) return;
  mail_scratch_.clear();
  {
    std::lock_guard<std::mutex> l(inbox_mu_);
    mail_scratch_.swap(mail_);
    has_mail_.store(false, std::memory_order_relaxed);
  }
  for (Mail& m : mail_scratch_) {
    auto it = by_id_.find(m.client_id);
    if (it == by_id_.end()) continue;
    Connection* c = it->second;
    if (c->closing) continue;
    if (m.served) {
      if (c->state.blocked) Served(c, m.bytes, m.lsn);
      continue;
    }
    if (m.bytes.empty()) {
      if (c->state.blocked && (c->state.tier_waited || c->state.paused)) Unblock(c);
      continue;
    }
    c->pending.append(m.bytes);
    if (OverOutputLimit(c, NowMs())) {
      MaybeFinish(c);
      continue;
    }
    if (c->hold_lsn == 0) MaybeSend(c);  // held replies go first, when the log allows
  }
}

void Worker::Unblock(Connection* c) {
  c->state.blocked = false;
  c->state.paused = false;
  service_->BeginInput(*context_);
  ProcessInput(c);
  AfterInput(c);
}

void Worker::Served(Connection* c, std::string& reply, uint64_t lsn) {
  c->rstart += c->blocked_len;
  c->blocked_len = 0;
  c->state.EndBlock();
  c->pending.append(reply);
  c->served_lsn = lsn;
  service_->BeginInput(*context_);
  ProcessInput(c);
  AfterInput(c);
}

void Worker::Run() {
  t_running = this;
  counters_ = &service_->stats().worker(index_);
  backend_->OnLoopThread();
  for (size_t i = 0; i < listen_fds_.size(); ++i) {
    backend_->Accept(listen_fds_[i], (i << 3) | kOpAccept);
  }
  int64_t last_cron = MonotonicUs();
  while (!service_->shutting_down()) {
    int wait_ms = kLoopTickMs;
    if (next_block_deadline_ms_ != INT64_MAX) {
      wait_ms = static_cast<int>(
          std::clamp<int64_t>(next_block_deadline_ms_ + 1 - NowMs(), 0, kLoopTickMs));
    }
    AfterNested();
    done_n_ = backend_->Wait(wait_ms, done_, kMaxCompletions);
    done_next_ = 0;
    // Mail first: what other threads sent a client (a pub/sub message, an invalidation) before
    // it sent the input that just came in is ahead of that input's replies, as in Redis.
    DrainMail();
    // Through members: a nested turn (a long script's) takes the ones after its command.
    while (done_next_ < done_n_) {
      const Completion d = done_[done_next_++];
      OnCompletion(d.tag, d.result);
    }
    DrainMail();
    std::vector<int> adopted;
    {
      std::lock_guard<std::mutex> l(inbox_mu_);
      adopted.swap(inbox_);
    }
    for (int fd : adopted) AddConnection(fd);
    if (next_block_deadline_ms_ != INT64_MAX && NowMs() > next_block_deadline_ms_) {
      TimeOutBlocked(NowMs());
    }
    int64_t now = MonotonicUs();
    if (now - last_cron >= kLoopTickMs * 1000) {
      last_cron = now;
      Cron(NowMs());
    }
    ReleaseHeld();  // last: the replies of this turn leave once the log has them
  }
}

void Worker::ServeNestedOnThisThread() {
  if (t_running != nullptr && !t_running->nested_) t_running->ServeNested();
}

void Worker::ServeNested() {
  nested_ = true;
  std::swap(context_, nested_context_);  // the running command's redo state stays untouched
  auto serve = [this](const Completion& d) {
    const uint64_t op = d.tag & 7;
    if (op != kOpAccept && running_ != nullptr &&
        reinterpret_cast<Connection*>(d.tag & ~uint64_t{7}) == running_) {
      deferred_.push_back(d);  // its buffers are in use by the running command
    } else {
      OnCompletion(d.tag, d.result);
    }
  };
  // First what the interrupted turn had not reached (an accept among them: until it is
  // handled, the listener takes no new connection), then what came since.
  while (done_next_ < done_n_) serve(done_[done_next_++]);
  Completion done[64];
  const int n = backend_->Wait(0, done, 64);
  for (int i = 0; i < n; ++i) serve(done[i]);
  std::vector<int> adopted;
  {
    std::lock_guard<std::mutex> l(inbox_mu_);
    adopted.swap(inbox_);
  }
  for (int fd : adopted) AddConnection(fd);
  std::swap(context_, nested_context_);
  nested_ = false;
}

void Worker::AfterNested() {
  if (deferred_.empty() && finish_later_.empty()) return;
  std::vector<Completion> deferred;
  deferred.swap(deferred_);
  for (const Completion& d : deferred) OnCompletion(d.tag, d.result);
  std::vector<uint64_t> finish;
  finish.swap(finish_later_);
  for (uint64_t id : finish) {
    if (auto it = by_id_.find(id); it != by_id_.end()) MaybeFinish(it->second);
  }
}

void Worker::OnCompletion(uint64_t tag, int result) {
  uint64_t op = tag & 7;
  if (op == kOpAccept) return OnAccept(tag >> 3, result);
  auto* c = reinterpret_cast<Connection*>(tag & ~uint64_t{7});
  if (op == kOpRecv) {
    OnRecv(c, result);
  } else {
    OnSend(c, result);
  }
}

void Worker::OnAccept(size_t listener, int result) {
  if (result == -EMFILE || result == -ENFILE) {
    // Out of file descriptors: accepting again at once would only fail again, in a busy loop.
    // The next Cron tick tries again; the waiting connections stay in the listen backlog.
    LOG_WARN("Accepting client connection: %s", strerror(-result));
    accept_paused_.push_back(listener);
    return;
  }
  backend_->Accept(listen_fds_[listener], (listener << 3) | kOpAccept);
  if (result < 0) {
    if (result != -EAGAIN && result != -ECONNABORTED && result != -EINTR) {
      LOG_WARN("Accepting client connection: %s", strerror(-result));
    }
    return;
  }
  if (peers_.empty()) return AddConnection(result);
  Worker* target = peers_[next_peer_++ % peers_.size()];
  if (target == this) {
    AddConnection(result);
  } else {
    target->Adopt(result);
  }
}

void Worker::AddConnection(int fd) {
  service_->stats().connections_received.fetch_add(1, std::memory_order_relaxed);
  // A refused client gets one error line, then the socket is closed.
  auto refuse = [&](std::string_view error) {
    ssize_t w = ::send(fd, error.data(), error.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)w;
    ::close(fd);
    service_->stats().rejected_connections.fetch_add(1, std::memory_order_relaxed);
  };
  if (std::string_view refusal = service_->Refusal(fd); !refusal.empty()) return refuse(refusal);
  const ConnectionLimits conn_limits = service_->limits();
  ParserLimits limits;
  limits.max_bulk_len = conn_limits.max_bulk_len;
  auto* c = new Connection(limits);
  c->state.fd = fd;
  c->state.counters = counters_;
  c->state.worker_index = index_;
  c->state.worker = this;
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    c->state.laddr = SockAddrString(ss);
  if (ss.ss_family == AF_UNIX) {
    // The peer of a unix socket has no name: Redis shows the socket's path for both ends.
    c->state.addr = c->state.laddr;
    c->state.unix_socket = true;
  } else {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (conn_limits.tcp_keepalive_s > 0) SetKeepAlive(fd, conn_limits.tcp_keepalive_s);
    len = sizeof(ss);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
      c->state.addr = SockAddrString(ss);
  }
  c->state.created_ms = NowMs();
  c->state.last_interaction_ms = c->state.created_ms;
  service_->OnConnect(c->state);
  c->rbuf.resize(kReadChunk);
  c->slot = conns_.size();
  conns_.push_back(c);
  service_->clients().Add(&c->state);
  by_id_[c->state.id] = c;
  PostRecv(c);
}

void Worker::PostRecv(Connection* c) {
  if (c->recv_posted || c->closing || c->state.close_after_reply || c->paused) return;
  if (c->rstart == c->rend) c->rstart = c->rend = 0;
  // Room for the rest of a large bulk argument, but never more than what has arrived again
  // (doubling): an announced length alone, "$500000000\r\n", does not make us allocate it.
  size_t wanted = std::max(kReadChunk / 4,
                           std::min(c->parser.bytes_wanted(), std::max(c->rend, kReadChunk)));
  if (c->rbuf.size() - c->rend < wanted) {
    // Move the unparsed bytes to the front, then grow if that is not enough room.
    if (c->rstart > 0) {
      std::memmove(c->rbuf.data(), c->rbuf.data() + c->rstart, c->rend - c->rstart);
      c->rend -= c->rstart;
      c->rstart = 0;
    }
    if (c->rbuf.size() - c->rend < wanted) {
      c->rbuf.resize(std::max(c->rbuf.size() * 2, c->rend + wanted));
    }
  } else if (c->rend == 0 && c->rbuf.size() > 4 * kReadChunk) {
    c->rbuf.resize(kReadChunk);  // a large request is done: give the memory back
    c->rbuf.shrink_to_fit();
  }
  c->state.read_buffer_size.store(c->rbuf.size(), std::memory_order_relaxed);
  c->recv_posted = true;
  backend_->Recv(c->state.fd, c->rbuf.data() + c->rend, c->rbuf.size() - c->rend,
                 reinterpret_cast<uint64_t>(c) | kOpRecv);
}

void Worker::OnRecv(Connection* c, int result) {
  c->recv_posted = false;
  if (result <= 0 || c->closing) {
    BeginClose(c);
    return MaybeFinish(c);
  }
  WorkerCounters::Add(counters_->net_input_bytes, result);
  WorkerCounters::Add(counters_->reads, 1);
  c->rend += result;
  service_->BeginInput(*context_);
  c->state.last_interaction_ms.store(NowMs(), std::memory_order_relaxed);
  ProcessInput(c);
  AfterInput(c);
}

void Worker::AfterInput(Connection* c) {
  service_->EndInput(*context_);
  if (c->state.blocked && !c->state.block_forever && c->state.block_deadline_ms != 0) {
    next_block_deadline_ms_ = std::min(next_block_deadline_ms_, c->state.block_deadline_ms);
  }
  if (OverOutputLimit(c, NowMs())) return MaybeFinish(c);
  if (HoldForLog(c)) return;  // ReleaseHeld() goes on from here
  MaybeSend(c);
  PostRecv(c);
  MaybeFinish(c);  // last: may free c
}

bool Worker::HoldForLog(Connection* c) {
  if (c->pending.empty()) return false;
  // No reply leaves before the log has what it reports: on disk under appendfsync always (as
  // Redis answers only after its fsync), else in the operating system's hands (as Redis
  // writes its AOF buffer before it replies).
  uint64_t need = service_->ReplyHold(*context_);
  if (c->served_lsn > service_->released_lsn()) need = std::max(need, c->served_lsn);
  c->served_lsn = 0;
  if (need == 0) return false;
  c->hold_lsn = need;
  held_.push_back(c);
  return true;
}

void Worker::NotifyLog() {
  if (t_running == this) return;  // its own write: ReleaseHeld is about to look
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (holding_.load(std::memory_order_seq_cst)) backend_->Wake();
}

void Worker::ReleaseHeld() {
  if (held_.empty()) return;
  uint64_t need = 0;
  for (const Connection* c : held_) need = std::max(need, c->hold_lsn);
  // One write for every reply of the turn (and of the other workers' meanwhile).
  if (need > service_->released_lsn()) service_->WriteLog(need);
  ready_.clear();
  for (;;) {
    const uint64_t released = service_->released_lsn();
    size_t keep = 0;
    for (Connection* c : held_) {
      if (c->hold_lsn <= released) {
        ready_.push_back(c);
      } else {
        held_[keep++] = c;
      }
    }
    held_.resize(keep);
    if (held_.empty()) {
      holding_.store(false, std::memory_order_relaxed);
      break;
    }
    // seq_cst, then released_lsn read again: either this sees the log's advance or the thread
    // that advanced it sees the flag and wakes the loop (NotifyLog).
    holding_.store(true, std::memory_order_seq_cst);
    if (service_->released_lsn() == released) break;
  }
  for (Connection* c : ready_) {
    c->hold_lsn = 0;
    MaybeSend(c);
    PostRecv(c);
    MaybeFinish(c);  // last: may free c
  }
}

void Worker::ProcessInput(Connection* c) {
  const ConnectionLimits limits = service_->limits();
  const size_t pause_at = static_cast<size_t>(limits.output_backpressure);
  while (c->rstart < c->rend && !c->state.close_after_reply && !c->state.blocked) {
    if (pause_at > 0 && OutputBytes(c) > pause_at) {
      // The client is not reading its replies: leave the rest of its input (and the socket)
      // alone until they drain, so its memory stays bounded without disconnecting it.
      c->paused = true;
      service_->stats().backpressure_pauses.fetch_add(1, std::memory_order_relaxed);
      break;
    }
    c->parser.set_authenticated(c->state.authenticated.load(std::memory_order_relaxed));
    std::string_view buf(c->rbuf.data() + c->rstart, c->rend - c->rstart);
    RespParser::State st = c->parser.Parse(buf);
    if (st == RespParser::State::kCommand) {
      const auto& args = c->parser.args();
      c->reply.set_resp3(c->state.resp.load(std::memory_order_relaxed) == 3);
      Connection* outer = running_;
      running_ = c;
      service_->Execute(*context_, c->state,
                        std::span<const std::string_view>(args.data(), args.size()), c->reply);
      running_ = outer;
      // A blocked command stays in the input until it is served or runs again (tier reads,
      // time-outs): server/blocking.h.
      if (c->state.blocked) {
        c->blocked_len = c->parser.consumed();
        if (c->state.tier_waited) PrefetchAhead(c, buf.substr(c->parser.consumed()));
        break;
      }
      c->rstart += c->parser.consumed();
      continue;
    }
    if (st == RespParser::State::kNeedMore) {
      c->rstart += c->parser.consumed();
      if (c->rend - c->rstart > static_cast<size_t>(limits.query_buffer_limit)) {
        LOG_WARN("Closing client that reached max query buffer length: id=%llu addr=%s",
                 static_cast<unsigned long long>(c->state.id), c->state.addr.c_str());
        service_->stats().query_limit_disconnections.fetch_add(1, std::memory_order_relaxed);
        BeginClose(c);
      }
      break;
    }
    service_->stats().protocol_errors.fetch_add(1, std::memory_order_relaxed);
    c->reply.Error("ERR " + c->parser.error());
    c->state.close_after_reply = true;
  }
  c->state.query_buffer_bytes.store(c->rend - c->rstart, std::memory_order_relaxed);
  c->state.query_buffer_free.store(c->rbuf.size() - c->rend, std::memory_order_relaxed);
  if (c->rend > c->state.read_buffer_peak.load(std::memory_order_relaxed)) {
    c->state.read_buffer_peak.store(c->rend, std::memory_order_relaxed);
  }
}

void Worker::PrefetchAhead(Connection* c, std::string_view rest) {
  // The commands pipelined behind one that waits for the tier: their cold values are read at
  // the same time, not one wait after another. A few dozen at most; only whole commands.
  RespParser ahead;
  ahead.set_authenticated(c->state.authenticated.load(std::memory_order_relaxed));
  for (int n = 0; n < 64 && !rest.empty(); ++n) {
    if (ahead.Parse(rest) != RespParser::State::kCommand) break;
    service_->Prefetch(c->state, ahead.args());
    rest.remove_prefix(ahead.consumed());
  }
}

void Worker::MaybeSend(Connection* c) {
  if (c->send_posted || c->closing) return;
  if (c->sending.size() == c->sent) {
    c->sending.clear();
    c->sent = 0;
    if (c->pending.empty()) {
      if (c->state.close_after_reply) BeginClose(c);
      return;
    }
    c->sending.swap(c->pending);
  }
  c->state.output_buffer_bytes.store(OutputBytes(c), std::memory_order_relaxed);
  c->send_posted = true;
  backend_->Send(c->state.fd, c->sending.data() + c->sent, c->sending.size() - c->sent,
                 reinterpret_cast<uint64_t>(c) | kOpSend);
}

void Worker::OnSend(Connection* c, int result) {
  c->send_posted = false;
  if (result < 0 || c->closing) {
    BeginClose(c);
    return MaybeFinish(c);
  }
  WorkerCounters::Add(counters_->net_output_bytes, result);
  WorkerCounters::Add(counters_->writes, 1);
  // As Redis: a client that reads its replies is not idle (`timeout`), even while paused.
  if (result > 0) c->state.last_interaction_ms.store(NowMs(), std::memory_order_relaxed);
  c->sent += result;
  if (c->sending.capacity() > 1024 * 1024 && c->sent == c->sending.size()) {
    std::string().swap(c->sending);  // do not keep a large reply's buffer for an idle client
    c->sent = 0;
  }
  // What is still unsent (CLIENT LIST's omem, INFO's client_recent_max_output_buffer): without
  // this, the figure of the last send posted stayed after its bytes had gone.
  c->state.output_buffer_bytes.store(OutputBytes(c), std::memory_order_relaxed);
  MaybeSend(c);
  if (c->paused) return MaybeResume(c);
  MaybeFinish(c);  // last: may free c
}

size_t Worker::OutputBytes(const Connection* c) {
  return c->sending.size() - c->sent + c->pending.size();
}

bool Worker::OverOutputLimit(Connection* c, int64_t now_ms) {
  if (c->closing) return false;
  const OutputBufferLimit limit = service_->OutputLimit(c->state.subscribed());
  const int64_t used = static_cast<int64_t>(OutputBytes(c));
  bool over = limit.hard > 0 && used >= limit.hard;
  if (limit.soft > 0 && used >= limit.soft) {
    if (c->soft_limit_since_ms == 0) c->soft_limit_since_ms = now_ms;
    over = over || now_ms - c->soft_limit_since_ms >= limit.soft_seconds * 1000;
  } else {
    c->soft_limit_since_ms = 0;
  }
  if (!over) return false;
  LOG_WARN("Client id=%llu addr=%s closed for overcoming of output buffer limits.",
           static_cast<unsigned long long>(c->state.id), c->state.addr.c_str());
  service_->stats().output_limit_disconnections.fetch_add(1, std::memory_order_relaxed);
  c->pending.clear();
  BeginClose(c);
  return true;
}

void Worker::MaybeResume(Connection* c) {
  const size_t pause_at = static_cast<size_t>(service_->limits().output_backpressure);
  if (!c->closing && OutputBytes(c) > pause_at / 2) return;
  c->paused = false;
  if (c->closing) return MaybeFinish(c);
  service_->BeginInput(*context_);
  ProcessInput(c);  // what it sent while paused, then read on
  AfterInput(c);
}

// Starts closing: the socket is shut down so pending operations complete. The caller must end
// with MaybeFinish(c), which frees c once nothing is pending.
void Worker::BeginClose(Connection* c) {
  if (c->closing) return;
  c->closing = true;
  ::shutdown(c->state.fd, SHUT_RDWR);  // completes the operations still pending
}

void Worker::MaybeFinish(Connection* c) {
  if (!c->closing || c->recv_posted || c->send_posted || c->hold_lsn != 0) return;
  if (nested_) {  // the interrupted loop may still hold c: freed after the command (AfterNested)
    finish_later_.push_back(c->state.id);
    return;
  }
  service_->OnDisconnect(c->state);
  by_id_.erase(c->state.id);
  service_->clients().Remove(&c->state);
  backend_->Forget(c->state.fd);
  ::close(c->state.fd);
  Connection* last = conns_.back();
  last->slot = c->slot;
  conns_[c->slot] = last;
  conns_.pop_back();
  delete c;
}

void Worker::TimeOutBlocked(int64_t now_ms) {
  std::vector<Connection*> expired;
  next_block_deadline_ms_ = INT64_MAX;
  for (Connection* c : conns_) {
    if (!c->state.blocked || c->state.block_forever) continue;
    // As Redis: due once the clock is past the deadline, so never early by a part of a ms.
    if (c->state.block_deadline_ms < now_ms) {
      expired.push_back(c);
    } else {
      next_block_deadline_ms_ = std::min(next_block_deadline_ms_, c->state.block_deadline_ms);
    }
  }
  for (Connection* c : expired) {
    std::string reply;
    ReplyBuilder out(&reply);
    out.set_resp3(c->state.resp.load(std::memory_order_relaxed) == 3);
    if (!service_->TimeOut(c->state, out)) {
      c->state.block_forever = true;  // served just now: its reply is in the mail
      continue;
    }
    Served(c, reply, 0);
  }
}

void Worker::Cron(int64_t now_ms) {
  for (size_t listener : accept_paused_) {
    backend_->Accept(listen_fds_[listener], (listener << 3) | kOpAccept);
  }
  accept_paused_.clear();
  TimeOutBlocked(now_ms);
  // A soft output limit is about time: a client that stays over it is closed even if nothing
  // is added to its replies.
  std::vector<Connection*> over;
  for (Connection* c : conns_) {
    if (c->soft_limit_since_ms != 0 && OverOutputLimit(c, now_ms)) over.push_back(c);
  }
  for (Connection* c : over) MaybeFinish(c);
  const int64_t timeout = service_->limits().idle_timeout_s;
  if (timeout <= 0) return;
  std::vector<Connection*> idle;
  for (Connection* c : conns_) {
    // Redis's `timeout` spares blocked clients and subscribers.
    if (c->state.blocked || c->state.subscribed()) continue;
    if (now_ms - c->state.last_interaction_ms.load(std::memory_order_relaxed) > timeout * 1000) {
      idle.push_back(c);
    }
  }
  for (Connection* c : idle) {
    BeginClose(c);
    MaybeFinish(c);
  }
}

}  // namespace strata::server
