// Consumer groups of a stream (engine/stream_value.h): their effects, their read counters and
// lag (Redis 7.0's rules), and the bodies of the group effects.
#include "engine/stream_coding.h"
#include "engine/stream_value.h"

namespace strata::engine {

using namespace stream_coding;

void StreamGroupBody(std::string* out, StreamGroupOp op, std::string_view group,
                     std::string_view consumer, StreamId id, int64_t entries_read,
                     int64_t seen_ms) {
  out->clear();
  out->push_back(static_cast<char>(op));
  PutLengthPrefixed(out, group);
  switch (op) {
    case StreamGroupOp::kCreate:
    case StreamGroupOp::kSetId:
      PutId(out, id);
      PutEntriesRead(out, entries_read);
      break;
    case StreamGroupOp::kCreateConsumer:
      PutLengthPrefixed(out, consumer);
      PutVarint64(out, static_cast<uint64_t>(seen_ms));
      break;
    case StreamGroupOp::kDelConsumer: PutLengthPrefixed(out, consumer); break;
    case StreamGroupOp::kDestroy: break;
  }
}

void StreamDeliverBody(std::string* out, std::string_view group, std::string_view consumer,
                       int64_t now_ms, bool advance, StreamId last_id, int64_t entries_read,
                       bool history, std::span<const StreamId> ids) {
  out->clear();
  PutLengthPrefixed(out, group);
  PutLengthPrefixed(out, consumer);
  PutVarint64(out, static_cast<uint64_t>(now_ms));
  out->push_back(static_cast<char>((advance ? 1 : 0) | (history ? 2 : 0)));
  if (advance) {
    PutId(out, last_id);
    PutEntriesRead(out, entries_read);
  }
  PutVarint64(out, ids.size());
  for (StreamId id : ids) PutId(out, id);
}

void StreamAckBody(std::string* out, std::string_view group, std::span<const StreamId> ids) {
  out->clear();
  PutLengthPrefixed(out, group);
  PutVarint64(out, ids.size());
  for (StreamId id : ids) PutId(out, id);
}

void StreamClaimBody(std::string* out, std::string_view group, std::string_view consumer,
                     int64_t now_ms, bool create, StreamId last_id,
                     std::span<const StreamClaim> claims) {
  out->clear();
  PutLengthPrefixed(out, group);
  PutLengthPrefixed(out, consumer);
  PutVarint64(out, static_cast<uint64_t>(now_ms));
  out->push_back(create ? 1 : 0);
  PutId(out, last_id);
  PutVarint64(out, claims.size());
  for (const StreamClaim& c : claims) {
    PutId(out, c.id);
    PutVarint64(out, static_cast<uint64_t>(c.delivery_ms));
    PutVarint64(out, c.delivery_count);
  }
}

// ---- Consumer groups ----

const StreamValue::Group* StreamValue::FindGroup(std::string_view name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamValue::Group* StreamValue::MutableGroup(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamValue::Consumer* StreamValue::GetOrCreateConsumer(Group* g, std::string_view name,
                                                        int64_t now_ms) {
  auto it = g->consumers.find(name);
  if (it != g->consumers.end()) return it->second.get();
  auto c = std::make_unique<Consumer>();
  c->name = std::string(name);
  c->seen_ms = now_ms;
  Consumer* raw = c.get();
  g->consumers.emplace(c->name, std::move(c));
  return raw;
}

void StreamValue::SetPending(Group* g, StreamId id, Consumer* owner, int64_t ms, uint64_t count) {
  auto [it, inserted] = g->pel.try_emplace(id);
  if (!inserted) it->second.owner->pending.erase(id);
  it->second.owner = owner;
  it->second.delivery_ms = ms;
  it->second.delivery_count = count;
  owner->pending.insert(id);
}

void StreamValue::DropPending(Group* g, StreamId id) {
  auto it = g->pel.find(id);
  if (it == g->pel.end()) return;
  it->second.owner->pending.erase(id);
  g->pel.erase(it);
}

bool StreamValue::RangeHasTombstones(StreamId start, StreamId end) const {
  if (length_ == 0 || max_deleted_id_.zero()) return false;
  if (first_id() > max_deleted_id_) return false;
  return start <= max_deleted_id_ && max_deleted_id_ <= end;
}

int64_t StreamValue::EstimateEntriesRead(StreamId id) const {
  const auto added = static_cast<int64_t>(entries_added_);
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return added;
  if (id == last_id_) return added;
  if (id > last_id_) return kInvalidEntriesRead;
  const StreamId first = first_id();
  if (max_deleted_id_.zero() || max_deleted_id_ < first) {
    if (id < first) return static_cast<int64_t>(entries_added_ - length_);
    if (id == first) return static_cast<int64_t>(entries_added_ - length_ + 1);
  }
  return kInvalidEntriesRead;
}

std::optional<int64_t> StreamValue::Lag(const Group& g) const {
  // Differences wrap as Redis's do (entries-read may be anything XGROUP ... ENTRIESREAD set).
  auto minus = [&](int64_t read) {
    return static_cast<int64_t>(entries_added_ - static_cast<uint64_t>(read));
  };
  if (entries_added_ == 0) return 0;
  if (g.entries_read != kInvalidEntriesRead && !RangeHasTombstones(g.last_id, StreamId::Max())) {
    return minus(g.entries_read);
  }
  const int64_t read = EstimateEntriesRead(g.last_id);
  if (read == kInvalidEntriesRead) return std::nullopt;
  return minus(read);
}

int64_t StreamValue::EntriesReadAfter(int64_t entries_read, StreamId id) const {
  if (entries_read != kInvalidEntriesRead && !RangeHasTombstones(id, StreamId::Max())) {
    // Wraps past 2^63 - 1 as Redis's counter does (XGROUP ... ENTRIESREAD takes any value).
    return static_cast<int64_t>(static_cast<uint64_t>(entries_read) + 1);
  }
  if (entries_added_ != 0) return EstimateEntriesRead(id);
  return entries_read;
}

Status StreamValue::ApplyGroup(std::string_view body) {
  if (body.empty()) return Bad("empty group effect");
  const auto op = static_cast<StreamGroupOp>(body[0]);
  body.remove_prefix(1);
  std::string_view name, consumer;
  if (!GetLengthPrefixed(&body, &name)) return Bad("truncated group effect");
  Group* g = MutableGroup(name);
  switch (op) {
    case StreamGroupOp::kCreate:
    case StreamGroupOp::kSetId: {
      StreamId id;
      int64_t read;
      if (!GetId(&body, &id) || !GetEntriesRead(&body, &read)) return Bad("truncated group");
      if (op == StreamGroupOp::kCreate) {
        if (g != nullptr) return Bad("group created twice");
        g = groups_.emplace(std::string(name), std::make_unique<Group>()).first->second.get();
      } else if (g == nullptr) {
        return Bad("setid of a missing group");
      }
      g->last_id = id;
      g->entries_read = read;
      break;
    }
    case StreamGroupOp::kDestroy: {
      if (g == nullptr) return Bad("destroy of a missing group");
      groups_.erase(groups_.find(name));
      break;
    }
    case StreamGroupOp::kCreateConsumer: {
      int64_t seen;
      if (!GetLengthPrefixed(&body, &consumer) || !GetInt(&body, &seen)) {
        return Bad("truncated createconsumer");
      }
      if (g == nullptr) return Bad("consumer of a missing group");
      GetOrCreateConsumer(g, consumer, seen);
      break;
    }
    case StreamGroupOp::kDelConsumer: {
      if (!GetLengthPrefixed(&body, &consumer)) return Bad("truncated delconsumer");
      if (g == nullptr) return Bad("consumer of a missing group");
      auto it = g->consumers.find(consumer);
      if (it == g->consumers.end()) break;
      for (StreamId id : it->second->pending) g->pel.erase(id);
      g->consumers.erase(it);
      break;
    }
    default: return Bad("unknown group effect");
  }
  return body.empty() ? Status::Ok() : Bad("trailing bytes");
}

Status StreamValue::ApplyDeliver(std::string_view body) {
  std::string_view name, consumer;
  int64_t now;
  if (!GetLengthPrefixed(&body, &name) || !GetLengthPrefixed(&body, &consumer) ||
      !GetInt(&body, &now) || body.empty()) {
    return Bad("truncated deliver");
  }
  const auto flags = static_cast<uint8_t>(body[0]);
  body.remove_prefix(1);
  Group* g = MutableGroup(name);
  if (g == nullptr) return Bad("deliver from a missing group");
  if (flags & 1) {
    if (!GetId(&body, &g->last_id) || !GetEntriesRead(&body, &g->entries_read)) {
      return Bad("truncated deliver");
    }
  }
  Consumer* c = GetOrCreateConsumer(g, consumer, now);
  c->seen_ms = now;
  uint64_t n;
  if (!GetVarint64(&body, &n) || n > body.size()) return Bad("truncated deliver");
  for (uint64_t i = 0; i < n; ++i) {
    StreamId id;
    if (!GetId(&body, &id)) return Bad("truncated deliver");
    if (flags & 2) {
      auto it = g->pel.find(id);
      if (it == g->pel.end()) return Bad("redelivery of an entry not pending");
      it->second.delivery_ms = now;
      it->second.delivery_count++;
    } else {
      SetPending(g, id, c, now, 1);
    }
  }
  return body.empty() ? Status::Ok() : Bad("trailing bytes");
}

Status StreamValue::ApplyAck(std::string_view body) {
  std::string_view name;
  uint64_t n;
  if (!GetLengthPrefixed(&body, &name) || !GetVarint64(&body, &n) || n > body.size()) {
    return Bad("truncated ack");
  }
  Group* g = MutableGroup(name);
  if (g == nullptr) return Bad("ack in a missing group");
  for (uint64_t i = 0; i < n; ++i) {
    StreamId id;
    if (!GetId(&body, &id)) return Bad("truncated ack");
    DropPending(g, id);
  }
  return body.empty() ? Status::Ok() : Bad("trailing bytes");
}

Status StreamValue::ApplyClaim(std::string_view body) {
  std::string_view name, consumer;
  int64_t now;
  StreamId last;
  uint64_t n;
  if (!GetLengthPrefixed(&body, &name) || !GetLengthPrefixed(&body, &consumer) ||
      !GetInt(&body, &now) || body.empty()) {
    return Bad("truncated claim");
  }
  const bool create = body[0] & 1;
  body.remove_prefix(1);
  if (!GetId(&body, &last) || !GetVarint64(&body, &n) || n > body.size()) {
    return Bad("truncated claim");
  }
  Group* g = MutableGroup(name);
  if (g == nullptr) return Bad("claim in a missing group");
  if (last > g->last_id) g->last_id = last;
  Consumer* c = nullptr;
  if (create) {
    c = GetOrCreateConsumer(g, consumer, now);
    c->seen_ms = now;
  } else if (n > 0) {
    return Bad("claim for no consumer");
  }
  for (uint64_t i = 0; i < n; ++i) {
    StreamClaim cl;
    int64_t ms;
    if (!GetId(&body, &cl.id) || !GetInt(&body, &ms) || !GetVarint64(&body, &cl.delivery_count)) {
      return Bad("truncated claim");
    }
    SetPending(g, cl.id, c, ms, cl.delivery_count);
  }
  return body.empty() ? Status::Ok() : Bad("trailing bytes");
}

}  // namespace strata::engine
