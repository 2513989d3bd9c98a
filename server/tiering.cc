// The server's side of the overflow tier: opening it, and a thin layer over engine::Tiering
// that knows what only the server knows: which keys a command line reads (the command table,
// a transaction's queue), how a client waits for values, and the memory settings.
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/logging.h"
#include "engine/tiering.h"
#include "server/net/worker.h"
#include "server/server.h"

namespace strata::server {

Status Server::OpenTier() {
  const std::string dir = config_->String(Param::kTierDir);
  if (dir.empty()) return Status::Ok();
  engine::TierOptions o;
  o.dir = dir;
  o.block_cache_bytes = static_cast<size_t>(config_->Int(Param::kTierBlockCache));
  ASSIGN_OR_RETURN(tier_, engine::Tier::Open(o));
  keyspace_->set_tier(tier_.get());
  tiering_ = std::make_unique<engine::Tiering>(*keyspace_, *tier_);
  UpdateTierBudget();
  LOG_INFO("Tier: values over maxmemory go to %s", dir.c_str());
  return Status::Ok();
}

void Server::CollectColdKeys(ClientState& client, const CommandSpec& spec,
                             std::span<const std::string_view> args, int64_t now_ms,
                             std::vector<engine::Tiering::ColdRef>* refs) {
  const int db = client.db.load(std::memory_order_relaxed);
  std::vector<std::string_view> keys;
  auto collect = [&](const CommandSpec& s, std::span<const std::string_view> a) {
    if (s.flags & kKeysOnly) return;
    keys.clear();
    CommandTable::ForEachKeyPosition(s, a, [&](int i) {
      keys.push_back(a[i]);
      return true;
    });
    if (!keys.empty()) tiering_->ColdKeys(db, keys, now_ms, refs);
  };
  if (spec.name != "exec") return collect(spec, args);
  std::vector<std::string_view> line;
  for (const std::vector<std::string>& q : client.queued) {
    line.assign(q.begin(), q.end());
    if (const CommandSpec* s = commands_.Find(line[0])) {
      collect(CommandTable::Named(*s, line), line);
    }
  }
}

bool Server::AwaitColdValues(ClientState& client, const CommandSpec& spec,
                             std::span<const std::string_view> args, int64_t now_ms) {
  std::vector<engine::Tiering::ColdRef> refs;
  CollectColdKeys(client, spec, args, now_ms, &refs);
  // Values the tier has in memory cost no disk read: promoted here, the command runs now.
  if (!refs.empty()) tiering_->LoadCached(&refs);
  if (refs.empty()) return false;
  client.blocked = true;
  client.block_forever = true;  // no time-out: the reads always end
  tiering_->LoadAsync(std::move(refs),
                      [w = client.worker, id = client.id] { w->Deliver(id, std::string()); });
  return true;
}

void Server::Prefetch(ClientState& client, std::span<const std::string_view> args) {
  if (tiering_ == nullptr || args.empty()) return;
  const CommandSpec* parent = commands_.Lookup(args[0]);
  if (parent == nullptr) return;
  const CommandSpec& spec = CommandTable::Named(*parent, args);
  if (!CommandTable::ArityOk(*parent, args.size()) || !CommandTable::ArityOk(spec, args.size())) {
    return;  // it will fail when it runs: nothing to read for it
  }
  std::vector<engine::Tiering::ColdRef> refs;
  CollectColdKeys(client, spec, args, NowMs(), &refs);
  if (!refs.empty()) tiering_->LoadAsync(std::move(refs), nullptr);
}

void Server::DemoteShard(uint32_t i, engine::RedoRecord* redo) {
  if (tiering_ != nullptr) tiering_->DemoteShard(i, redo);
}

void Server::UpdateTierBudget() {
  if (tiering_ == nullptr) return;
  tiering_->SetBudget(config_->Int(Param::kMaxmemory),
                      static_cast<uint64_t>(config_->Int(Param::kTierMaxBytes)),
                      AllocatedBytes());
}

void Server::DemoteOverBudget(engine::RedoRecord* redo) {
  if (tiering_ != nullptr) tiering_->DemoteOverBudget(redo);
}

}  // namespace strata::server
