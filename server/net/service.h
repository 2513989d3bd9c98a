// Service: the one interface through which the network layer (server/net/) reaches what runs
// commands. A worker parses a command and hands it to Execute(); it asks the service whether a
// connection may be admitted, when held replies may leave (appendfsync always), and what its
// limits are. server/net/ includes nothing of the command layer; Server implements this.
//
// Thread safety: every method may be called from any worker thread at once; a WorkerContext is
// used only by the worker that asked for it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "server/net/client.h"
#include "server/net/limits.h"
#include "server/net/reply_builder.h"
#include "server/net/stats.h"

namespace strata::server {

class Service {
 public:
  // What the service keeps per worker across the commands it runs there (the log record under
  // construction, the log position the replies depend on). Owned by the worker.
  class WorkerContext {
   public:
    virtual ~WorkerContext() = default;
  };

  virtual ~Service() = default;

  virtual std::unique_ptr<WorkerContext> NewWorkerContext() = 0;
  virtual bool shutting_down() const = 0;
  virtual ServerStats& stats() = 0;
  virtual ClientRegistry& clients() = 0;
  virtual ConnectionLimits limits() const = 0;
  // client-output-buffer-limit of a normal client, or of one subscribed to pub/sub.
  virtual OutputBufferLimit OutputLimit(bool pubsub) const = 0;

  // The error line (RESP, CRLF included) a new connection on `fd` gets before it is closed
  // (maxclients, protected mode), or empty to admit it.
  virtual std::string_view Refusal(int fd) = 0;
  // A connection was admitted: fills in what the service decides about it (authenticated).
  virtual void OnConnect(ClientState& client) = 0;
  // The connection is gone: drops its subscriptions, blocked keys and watched keys.
  virtual void OnDisconnect(ClientState& client) = 0;

  // A batch of a client's input starts: the replies it produces depend on nothing yet.
  virtual void BeginInput(WorkerContext& ctx) = 0;
  // The batch has run (what it caused for other clients may be sent as one now).
  virtual void EndInput(WorkerContext& ctx) = 0;
  // Runs one command line for a client, replying through `reply`. A command that must wait (a
  // blocking command, a read of the overflow tier) sets client.blocked and stays in the input:
  // a blocking command until it is served (Mailbox::DeliverServed) or its time is up, a tier
  // read until the worker is woken (Mailbox::Deliver with no bytes) to run it again.
  virtual void Execute(WorkerContext& ctx, ClientState& client,
                       std::span<const std::string_view> args, ReplyBuilder& reply) = 0;
  // A command waiting in a client's input behind one that waits for the tier: its cold values
  // may be read now (nothing waits for them).
  virtual void Prefetch(ClientState& client, std::span<const std::string_view> args) = 0;
  // A blocked command's time is up: takes it out of the waiters (first waiting for a thread
  // serving it) and writes its time-out reply to `reply`. Returns false if it was served
  // meanwhile: its reply is on the way (Mailbox::DeliverServed).
  virtual bool TimeOut(ClientState& client, ReplyBuilder& reply) = 0;

  // The log position the replies of the commands run since BeginInput must wait for before
  // they are sent, or 0 when they may leave now.
  virtual uint64_t ReplyHold(WorkerContext& ctx) = 0;
  // How far the log has gone for replies (durable under appendfsync always, else written to
  // the operating system): held replies up to it may leave.
  virtual uint64_t released_lsn() const = 0;
  // Before the worker sends held replies: has the log written through lsn, on this thread if
  // need be (under everysec and no; nothing under always, where the log's own thread does it).
  virtual void WriteLog(uint64_t lsn) = 0;
};

}  // namespace strata::server
