#include "engine/replay.h"

#include <algorithm>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/hash.h"
#include "engine/entry.h"
#include "engine/redo.h"
#include "engine/tier.h"
#include "engine/value.h"

namespace strata::engine {

Status ApplyRedo(Keyspace& ks, std::string_view record, uint64_t lsn,
                 std::span<const uint64_t> applied_through) {
  auto skip = [&](uint32_t shard) {
    return !applied_through.empty() && lsn <= applied_through[shard];
  };
  RedoReader reader(record);
  RedoEffect e;
  const uint32_t clock = ks.NewAccessClock(NowMs());
  const EncodingLimits limits = ks.encoding_limits();
  while (reader.Next(&e)) {
    if (e.db >= ks.num_dbs() || e.db2 >= ks.num_dbs()) {
      return Status::Corruption("redo record names database " +
                                std::to_string(std::max(e.db, e.db2)) + " but only " +
                                std::to_string(ks.num_dbs()) + " are configured (databases)");
    }
    if (e.op == RedoOp::kFunctions) {
      if (!skip(0)) ks.set_functions(std::string(e.value));
      continue;
    }
    if (e.op == RedoOp::kFlushDb || e.op == RedoOp::kFlushAll || e.op == RedoOp::kSwapDb) {
      ShardLocks all = ks.LockAll();
      for (int i = 0; i < ks.num_shards(); ++i) {
        if (skip(static_cast<uint32_t>(i))) continue;
        Shard& s = ks.shard(i);
        if (e.op == RedoOp::kSwapDb) {
          s.Swap(e.db, e.db2);
        } else if (e.op == RedoOp::kFlushDb) {
          s.Clear(e.db);
        } else {
          for (int d = 0; d < ks.num_dbs(); ++d) s.Clear(d);
        }
      }
      continue;
    }
    const uint64_t hash = HashKey(e.key);
    const uint32_t id = ks.ShardOf(hash);
    if (skip(id)) continue;
    ShardLocks lock(&ks, id);
    Shard& s = ks.shard(id);
    Table::Slot slot = s.table(e.db).FindSlot(e.key, hash);
    switch (e.op) {
      case RedoOp::kPut:
        if (e.type == static_cast<uint8_t>(ValueType::kString)) {
          s.Upsert(e.db, Entry::NewString(e.key, e.value, e.expire_ms, e.raw, clock), hash);
        } else {
          std::unique_ptr<Value> v;
          RETURN_IF_ERROR(ParseValue(static_cast<ValueType>(e.type), e.value, limits, &v));
          s.Upsert(e.db, Entry::NewObject(e.key, v.release(), e.expire_ms, clock), hash);
        }
        break;
      case RedoOp::kStub:
        if (ks.tier() == nullptr) {
          return Status::Corruption(
              "the snapshot holds values in the overflow tier, but tier-dir is not set");
        }
        ks.tier()->NoteReferenced(e.tier_id);
        s.Upsert(e.db,
                 Entry::NewStub(e.key, static_cast<ValueType>(e.type), e.raw, e.expire_ms,
                                e.tier_id, e.tier_bytes, clock),
                 hash);
        break;
      case RedoOp::kDel:
        if (slot != nullptr) s.EraseAt(e.db, slot);
        break;
      case RedoOp::kExpire:
        if (slot != nullptr) s.SetExpireAt(e.db, slot, e.expire_ms);
        break;
      case RedoOp::kAppend:
        if (slot != nullptr && !s.Load(e.db, slot)) slot = nullptr;
        if (slot != nullptr && (*slot)->type() != ValueType::kString) {
          return Status::Corruption("redo record appends to a key that holds no string");
        }
        s.AppendAt(e.db, slot, e.key, hash, e.value, clock);
        break;
      case RedoOp::kSetRange:
        if (slot != nullptr && !s.Load(e.db, slot)) slot = nullptr;
        if (slot != nullptr && (*slot)->type() != ValueType::kString) {
          return Status::Corruption("redo record writes a range of a key that holds no string");
        }
        // A guard against a corrupt record asking for an absurd allocation: 4 GiB, eight times
        // the largest string proto-max-bulk-len allows by default.
        if (e.offset > (uint64_t{1} << 32) || e.offset + e.value.size() > (uint64_t{1} << 32)) {
          return Status::Corruption("redo record writes past the largest string");
        }
        s.PatchAt(e.db, slot, e.key, hash, e.offset, e.value, clock);
        break;
      default:
        RETURN_IF_ERROR(s.ApplyEffect(e.db, e.key, hash, e.op, e.value, clock));
        break;
    }
  }
  return reader.status();
}

}  // namespace strata::engine
