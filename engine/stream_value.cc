#include "engine/stream_value.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "base/coding.h"
#include "base/string_util.h"
#include "engine/stream_coding.h"

namespace strata::engine {

using namespace stream_coding;

namespace {

// An entry's ID delta from its node's master is stored shifted left by one (the low bit is
// "same fields"); one of 2^62 or more is stored as this marker, then the delta in full.
constexpr uint64_t kBigDelta = uint64_t{1} << 62;

// One part of an ID as Redis's string2ull reads it: a strict decimal, or failing that what
// strtoull takes whole in base 10 (so "007" and "+5" are accepted, as in Redis).
bool ParseIdPart(std::string_view s, uint64_t* v) {
  if (auto strict = ParseInt64(s)) {
    if (*strict < 0) return false;
    *v = static_cast<uint64_t>(*strict);
    return true;
  }
  if (s.empty()) return false;
  const std::string z(s);
  errno = 0;
  char* end = nullptr;
  *v = std::strtoull(z.c_str(), &end, 10);
  return errno != EINVAL && errno != ERANGE && *end == '\0';
}

}  // namespace

bool StreamId::Incr() {
  if (seq != UINT64_MAX) {
    ++seq;
    return true;
  }
  if (ms == UINT64_MAX) return false;
  ++ms;
  seq = 0;
  return true;
}

bool StreamId::Decr() {
  if (seq != 0) {
    --seq;
    return true;
  }
  if (ms == 0) return false;
  --ms;
  seq = UINT64_MAX;
  return true;
}

std::string StreamId::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

bool ParseStreamId(std::string_view s, uint64_t missing_seq, StreamId* id) {
  if (s.size() > 127 || s.find('\0') != std::string_view::npos) return false;
  const size_t dash = s.find('-');
  if (!ParseIdPart(s.substr(0, dash), &id->ms)) return false;
  if (dash == std::string_view::npos) {
    id->seq = missing_seq;
    return true;
  }
  return ParseIdPart(s.substr(dash + 1), &id->seq);
}

// ---- Bodies ----

void StreamAddBody(std::string* out, StreamId id, std::span<const std::string_view> fv) {
  out->clear();
  PutId(out, id);
  PutVarint64(out, fv.size() / 2);
  for (std::string_view s : fv) PutLengthPrefixed(out, s);
}

void StreamDelBody(std::string* out, std::span<const StreamId> ids) {
  out->clear();
  PutVarint64(out, ids.size());
  for (StreamId id : ids) PutId(out, id);
}

void StreamTrimBody(std::string* out, uint64_t count) {
  out->clear();
  PutVarint64(out, count);
}

void StreamSetIdBody(std::string* out, StreamId last_id, uint64_t entries_added,
                     StreamId max_deleted_id) {
  out->clear();
  PutId(out, last_id);
  PutVarint64(out, entries_added);
  PutId(out, max_deleted_id);
}

// ---- Entries ----

StreamValue::~StreamValue() = default;

std::vector<std::string_view>& StreamValue::Scratch() {
  thread_local std::vector<std::string_view> fv;
  return fv;
}

std::string& StreamValue::EntryScratch() {
  thread_local std::string entry;
  return entry;
}

std::string& StreamValue::FieldsScratch() {
  thread_local std::string fields;
  return fields;
}

size_t StreamValue::bytes() const {
  // A map node: three links, color and the key, then the Node (rounded to allocator bins).
  constexpr size_t kMapNode = 48 + sizeof(Node);
  // A PEL entry is a node in the group's map and one in its owner's set.
  constexpr size_t kPending = 48 + sizeof(StreamId) + sizeof(Nack) + 48 + sizeof(StreamId);
  size_t b = sizeof(StreamValue) + nodes_.size() * kMapNode + node_bytes_;
  for (const auto& [name, g] : groups_) {
    b += 64 + name.size() + sizeof(Group) + g->pel.size() * kPending;
    for (const auto& [cname, c] : g->consumers) b += 64 + cname.size() + sizeof(Consumer);
  }
  return b;
}

void StreamValue::Bytes::Append(std::string_view s) {
  const size_t need = used_ + s.size();
  if (need > cap_) {
    void* p = std::realloc(buf_, need);
    if (p == nullptr) throw std::bad_alloc();
    buf_ = static_cast<char*>(p);
    cap_ = static_cast<uint32_t>(need);
  }
  std::memcpy(buf_ + used_, s.data(), s.size());
  used_ = static_cast<uint32_t>(need);
}

void StreamValue::Bytes::Erase(size_t from, size_t to) {
  std::memmove(buf_ + from, buf_ + to, used_ - to);
  used_ -= static_cast<uint32_t>(to - from);
  if (used_ == 0) {
    std::free(buf_);
    buf_ = nullptr;
    cap_ = 0;
  } else if (void* p = std::realloc(buf_, used_)) {
    buf_ = static_cast<char*>(p);
    cap_ = used_;
  }
}

size_t StreamValue::Skip(const Node& n, size_t p) const {
  std::string_view in(n.data.data() + p, n.data.size() - p);
  const size_t before = in.size();
  uint64_t head = 0, seq = 0, count = 0;
  std::string_view s;
  GetVarint64(&in, &head);
  if (head >> 1 == kBigDelta) GetVarint64(&in, &seq);  // the delta itself
  GetVarint64(&in, &seq);
  if (head & 1) {
    count = n.nfields;
  } else {
    GetVarint64(&in, &count);
    count *= 2;
  }
  for (uint64_t i = 0; i < count; ++i) GetLengthPrefixed(&in, &s);
  return p + (before - in.size());
}

size_t StreamValue::Decode(const Node& n, size_t p, StreamId* id,
                           std::vector<std::string_view>* fv) const {
  std::string_view in(n.data.data() + p, n.data.size() - p);
  const size_t before = in.size();
  uint64_t head = 0, delta = 0;
  GetVarint64(&in, &head);
  delta = head >> 1;
  if (delta == kBigDelta) GetVarint64(&in, &delta);
  GetVarint64(&in, &id->seq);
  id->ms = n.master_ms + delta;
  fv->clear();
  std::string_view s;
  if (head & 1) {
    std::string_view fields(n.data.data(), n.begin), f;
    for (uint32_t i = 0; i < n.nfields; ++i) {
      GetLengthPrefixed(&fields, &f);
      GetLengthPrefixed(&in, &s);
      fv->push_back(f);
      fv->push_back(s);
    }
  } else {
    uint64_t count = 0;
    GetVarint64(&in, &count);
    for (uint64_t i = 0; i < 2 * count; ++i) {
      GetLengthPrefixed(&in, &s);
      fv->push_back(s);
    }
  }
  return p + (before - in.size());
}

StreamId StreamValue::first_id() const {
  if (length_ == 0) return {};
  StreamId id;
  Decode(nodes_.begin()->second, nodes_.begin()->second.begin, &id, &Scratch());
  return id;
}

StreamId StreamValue::top_id() const {
  StreamId top;
  Range(StreamId::Min(), StreamId::Max(), true, [&](StreamId id, auto) {
    top = id;
    return false;
  });
  return top;
}

bool StreamValue::Contains(StreamId id) const {
  bool found = false;
  Range(id, id, false, [&](StreamId, std::span<const std::string_view>) {
    found = true;
    return false;
  });
  return found;
}

Status StreamValue::Add(StreamId id, std::span<const std::string_view> fv,
                        const EncodingLimits& limits) {
  if (id <= last_id_) return Bad("an ID not above the stream's last");
  if (fv.empty() || fv.size() % 2 != 0) return Bad("an entry without fields");
  const size_t nf = fv.size() / 2;
  Node* n = nodes_.empty() ? nullptr : &nodes_.rbegin()->second;
  bool same = n != nullptr && n->nfields == nf;
  std::string_view fields(same ? n->data.data() : nullptr, same ? n->begin : 0), f;
  for (size_t i = 0; same && i < nf; ++i) same = GetLengthPrefixed(&fields, &f) && f == fv[2 * i];
  std::string& enc = EntryScratch();
  auto encode = [&](uint64_t master_ms) {
    enc.clear();
    const uint64_t delta = id.ms - master_ms;
    if (delta < kBigDelta) {
      PutVarint64(&enc, delta << 1 | (same ? 1 : 0));
    } else {
      PutVarint64(&enc, kBigDelta << 1 | (same ? 1 : 0));
      PutVarint64(&enc, delta);
    }
    PutVarint64(&enc, id.seq);
    if (!same) PutVarint64(&enc, nf);
    for (size_t i = same ? 1 : 0; i < fv.size(); i += same ? 2 : 1) PutLengthPrefixed(&enc, fv[i]);
  };
  if (n != nullptr) encode(n->master_ms);
  if (n != nullptr &&
      ((limits.stream_node_max_bytes > 0 &&
        n->appended_bytes + enc.size() >= static_cast<uint64_t>(limits.stream_node_max_bytes)) ||
       (limits.stream_node_max_entries > 0 &&
        n->appended >= static_cast<uint64_t>(limits.stream_node_max_entries)))) {
    n = nullptr;
  }
  if (n == nullptr) {
    n = &nodes_[id];
    n->master_ms = id.ms;
    std::string& master = FieldsScratch();
    master.clear();
    for (size_t i = 0; i < fv.size(); i += 2) PutLengthPrefixed(&master, fv[i]);
    n->data.Append(master);
    n->begin = static_cast<uint32_t>(master.size());
    n->nfields = static_cast<uint32_t>(nf);
    same = true;
    encode(id.ms);
  }
  node_bytes_ -= n->data.bytes();
  n->data.Append(enc);
  node_bytes_ += n->data.bytes();
  n->live++;
  n->appended++;
  n->appended_bytes += static_cast<uint32_t>(enc.size());
  ++length_;
  ++entries_added_;
  last_id_ = id;
  return Status::Ok();
}

void StreamValue::DropNode(std::map<StreamId, Node>::iterator it) {
  node_bytes_ -= it->second.data.bytes();
  nodes_.erase(it);
}

bool StreamValue::Remove(StreamId id) {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) return false;
  --it;
  Node& n = it->second;
  std::vector<std::string_view>& fv = Scratch();
  for (size_t p = n.begin; p < n.data.size();) {
    StreamId e;
    const size_t next = Decode(n, p, &e, &fv);
    if (e > id) return false;
    if (e == id) {
      --length_;
      if (--n.live == 0) {
        DropNode(it);
        return true;
      }
      node_bytes_ -= n.data.bytes();
      n.data.Erase(p, next);
      node_bytes_ += n.data.bytes();
      return true;
    }
    p = next;
  }
  return false;
}

void StreamValue::TrimFront(size_t count) {
  std::vector<std::string_view>& fv = Scratch();
  while (count > 0 && !nodes_.empty()) {
    auto it = nodes_.begin();
    Node& n = it->second;
    if (count >= n.live) {
      count -= n.live;
      length_ -= n.live;
      DropNode(it);
      continue;
    }
    size_t p = n.begin;
    for (size_t i = 0; i < count; ++i) {
      StreamId e;
      p = Decode(n, p, &e, &fv);
    }
    node_bytes_ -= n.data.bytes();
    n.data.Erase(n.begin, p);
    node_bytes_ += n.data.bytes();
    n.live -= static_cast<uint32_t>(count);
    length_ -= count;
    return;
  }
}

size_t StreamValue::TrimCount(bool by_id, uint64_t maxlen, StreamId minid, bool approx,
                              uint64_t limit) const {
  if (!by_id && length_ <= maxlen) return 0;
  std::vector<std::string_view>& fv = Scratch();
  size_t deleted = 0;
  for (const auto& [master, n] : nodes_) {
    bool whole;
    if (!by_id) {
      whole = length_ - deleted - n.live >= maxlen;
    } else {
      StreamId last;
      for (size_t p = n.begin; p < n.data.size();) p = Decode(n, p, &last, &fv);
      whole = last < minid;
    }
    if (whole) {
      if (limit != 0 && deleted + n.live > limit) break;
      deleted += n.live;
      continue;
    }
    if (approx) break;
    for (size_t p = n.begin; p < n.data.size();) {
      StreamId id;
      p = Decode(n, p, &id, &fv);
      if (by_id ? id >= minid : length_ - deleted <= maxlen) break;
      ++deleted;
    }
    break;
  }
  return deleted;
}

// ---- Apply ----

Status StreamValue::Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) {
  switch (op) {
    case RedoOp::kStreamAdd: {
      StreamId id;
      uint64_t n;
      if (!GetId(&body, &id) || !GetVarint64(&body, &n) || n == 0 || n > body.size()) {
        return Bad("truncated add");
      }
      std::vector<std::string_view> fv(2 * n);
      for (auto& s : fv) {
        if (!GetLengthPrefixed(&body, &s)) return Bad("truncated add");
      }
      if (!body.empty()) return Bad("trailing bytes");
      return Add(id, fv, limits);
    }
    case RedoOp::kStreamDel: {
      uint64_t n;
      if (!GetVarint64(&body, &n) || n > body.size()) return Bad("truncated del");
      for (uint64_t i = 0; i < n; ++i) {
        StreamId id;
        if (!GetId(&body, &id)) return Bad("truncated del");
        if (Remove(id) && id > max_deleted_id_) max_deleted_id_ = id;
      }
      return body.empty() ? Status::Ok() : Bad("trailing bytes");
    }
    case RedoOp::kStreamTrim: {
      uint64_t count;
      if (!GetVarint64(&body, &count) || !body.empty()) return Bad("malformed trim");
      TrimFront(count);
      return Status::Ok();
    }
    case RedoOp::kStreamSetId: {
      StreamId last, max_deleted;
      uint64_t added;
      if (!GetId(&body, &last) || !GetVarint64(&body, &added) || !GetId(&body, &max_deleted) ||
          !body.empty()) {
        return Bad("malformed setid");
      }
      if (length_ > 0 && last < top_id()) return Bad("setid below the last entry");
      last_id_ = last;
      entries_added_ = added;
      max_deleted_id_ = max_deleted;
      return Status::Ok();
    }
    case RedoOp::kStreamGroup: return ApplyGroup(body);
    case RedoOp::kStreamDeliver: return ApplyDeliver(body);
    case RedoOp::kStreamAck: return ApplyAck(body);
    case RedoOp::kStreamClaim: return ApplyClaim(body);
    default: return Bad("not a stream effect");
  }
}

// ---- Put encoding ----

void StreamValue::Serialize(std::string* out) const {
  PutId(out, last_id_);
  PutVarint64(out, entries_added_);
  PutId(out, max_deleted_id_);
  PutVarint64(out, length_);
  Range(StreamId::Min(), StreamId::Max(), false,
        [&](StreamId id, std::span<const std::string_view> fv) {
          PutId(out, id);
          PutVarint64(out, fv.size() / 2);
          for (std::string_view s : fv) PutLengthPrefixed(out, s);
          return true;
        });
  PutVarint64(out, groups_.size());
  for (const auto& [name, g] : groups_) {
    PutLengthPrefixed(out, name);
    PutId(out, g->last_id);
    PutEntriesRead(out, g->entries_read);
    PutVarint64(out, g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      PutLengthPrefixed(out, cname);
      PutVarint64(out, static_cast<uint64_t>(c->seen_ms));
    }
    PutVarint64(out, g->pel.size());
    for (const auto& [id, nack] : g->pel) {
      PutId(out, id);
      PutLengthPrefixed(out, nack.owner->name);
      PutVarint64(out, static_cast<uint64_t>(nack.delivery_ms));
      PutVarint64(out, nack.delivery_count);
    }
  }
}

Status ParseStream(std::string_view in, const EncodingLimits& limits,
                   std::unique_ptr<Value>* out) {
  auto s = std::make_unique<StreamValue>();
  StreamId last, max_deleted;
  uint64_t added, n;
  if (!GetId(&in, &last) || !GetVarint64(&in, &added) || !GetId(&in, &max_deleted) ||
      !GetVarint64(&in, &n) || n > in.size()) {
    return Bad("truncated stream");
  }
  std::vector<std::string_view> fv;
  std::string body;
  for (uint64_t i = 0; i < n; ++i) {
    StreamId id;
    uint64_t nf;
    if (!GetId(&in, &id) || !GetVarint64(&in, &nf) || nf == 0 || nf > in.size()) {
      return Bad("truncated stream entry");
    }
    fv.resize(2 * nf);
    for (auto& f : fv) {
      if (!GetLengthPrefixed(&in, &f)) return Bad("truncated stream entry");
    }
    StreamAddBody(&body, id, fv);
    if (Status st = s->Apply(RedoOp::kStreamAdd, body, limits); !st.ok()) return st;
  }
  if (last < s->last_id()) return Bad("last ID below an entry");
  StreamSetIdBody(&body, last, added, max_deleted);
  if (Status st = s->Apply(RedoOp::kStreamSetId, body, limits); !st.ok()) return st;
  uint64_t ngroups;
  if (!GetVarint64(&in, &ngroups) || ngroups > in.size()) return Bad("truncated groups");
  for (uint64_t i = 0; i < ngroups; ++i) {
    std::string_view name;
    StreamId glast;
    int64_t read;
    uint64_t nc;
    if (!GetLengthPrefixed(&in, &name) || !GetId(&in, &glast) || !GetEntriesRead(&in, &read) ||
        !GetVarint64(&in, &nc) || nc > in.size()) {
      return Bad("truncated group");
    }
    StreamGroupBody(&body, StreamGroupOp::kCreate, name, {}, glast, read, 0);
    if (Status st = s->Apply(RedoOp::kStreamGroup, body, limits); !st.ok()) return st;
    for (uint64_t j = 0; j < nc; ++j) {
      std::string_view cname;
      int64_t seen;
      if (!GetLengthPrefixed(&in, &cname) || !GetInt(&in, &seen)) return Bad("truncated consumer");
      StreamGroupBody(&body, StreamGroupOp::kCreateConsumer, name, cname, {}, 0, seen);
      if (Status st = s->Apply(RedoOp::kStreamGroup, body, limits); !st.ok()) return st;
    }
    uint64_t np;
    if (!GetVarint64(&in, &np) || np > in.size()) return Bad("truncated pending list");
    for (uint64_t j = 0; j < np; ++j) {
      std::string_view owner;
      StreamClaim cl;
      int64_t ms;
      if (!GetId(&in, &cl.id) || !GetLengthPrefixed(&in, &owner) || !GetInt(&in, &ms) ||
          !GetVarint64(&in, &cl.delivery_count)) {
        return Bad("truncated pending entry");
      }
      cl.delivery_ms = ms;
      const auto* g = s->FindGroup(name);
      auto c = g->consumers.find(owner);
      if (c == g->consumers.end()) return Bad("pending entry of an unknown consumer");
      const int64_t seen = c->second->seen_ms;
      StreamClaimBody(&body, name, owner, seen, true, {}, std::span(&cl, 1));
      if (Status st = s->Apply(RedoOp::kStreamClaim, body, limits); !st.ok()) return st;
    }
  }
  if (!in.empty()) return Bad("trailing bytes");
  *out = std::move(s);
  return Status::Ok();
}

std::unique_ptr<Value> NewStream() { return std::make_unique<StreamValue>(); }

}  // namespace strata::engine
