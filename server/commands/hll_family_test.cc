// The HyperLogLog family in-process (tests/util/command_harness.h): what the commands log. Their
// replies and bytes are compared with redis-server's in tests/integration/hll_compat_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/clock.h"
#include "engine/db_view.h"
#include "engine/keyspace.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

// Keeps every committed record and replays it into a shadow keyspace, as recovery would.
class Recorder final : public engine::RedoSink {
 public:
  uint64_t Commit(std::string_view record) override {
    records.emplace_back(record);
    EXPECT_TRUE(engine::ApplyRedo(shadow, record, ++lsn).ok());
    return lsn;
  }
  uint64_t LastLsn() const override { return lsn; }

  // The effects of the last record.
  std::vector<engine::RedoEffect> LastEffects() const {
    std::vector<engine::RedoEffect> out;
    engine::RedoReader reader(records.back());
    engine::RedoEffect e;
    while (reader.Next(&e)) out.push_back(e);
    EXPECT_TRUE(reader.status().ok());
    return out;
  }
  std::string ShadowValue(std::string_view key) {
    engine::ShardLocks lock = shadow.Lock(key, nullptr);
    engine::DbView db(shadow, 0, NowMs());
    engine::Entry* e = db.Find(key);
    return e == nullptr ? "(none)" : std::string(e->str());
  }

  engine::Keyspace shadow;
  std::vector<std::string> records;
  uint64_t lsn = 0;
};

std::string Live(CommandHarness& h, std::string_view key) {
  engine::Keyspace& ks = h.server().keyspace();
  engine::ShardLocks lock = ks.Lock(key, nullptr);
  engine::DbView db(ks, 0, NowMs());
  engine::Entry* e = db.Find(key);
  return e == nullptr ? "(none)" : std::string(e->str());
}

// A dense HLL of n elements.
void MakeDense(CommandHarness& h, const std::string& key, int n) {
  for (int i = 0; i < n; i += 500) {
    std::vector<std::string> line = {"PFADD", key};
    for (int j = i; j < i + 500 && j < n; ++j) line.push_back("x" + std::to_string(j));
    h.Run(line);
  }
  ASSERT_EQ(h.Run({"PFDEBUG", "ENCODING", key}), "+dense");
}

TEST(HllFamily, DensePfaddLogsOnlyTheBytesItChanges) {
  CommandHarness h;
  Recorder rec;
  h.server().keyspace().set_redo_sink(&rec);
  ASSERT_NO_FATAL_FAILURE(MakeDense(h, "d", 5000));
  EXPECT_EQ(h.Run({"PFCOUNT", "d"}), "(integer) 4970");
  // New elements raise a few registers: each logged as its 1 or 2 bytes, then the cache flag.
  EXPECT_EQ(h.Run({"PFADD", "d", "new-1", "new-2", "new-3"}), "(integer) 1");
  const std::vector<engine::RedoEffect> effects = rec.LastEffects();
  ASSERT_GE(effects.size(), 2u);
  size_t logged = 0;
  for (const engine::RedoEffect& e : effects) {
    ASSERT_EQ(e.op, engine::RedoOp::kSetRange);
    EXPECT_LE(e.value.size(), 2u);
    logged += e.value.size();
  }
  EXPECT_EQ(effects.back().offset, 15u);  // the cache marked invalid
  EXPECT_LE(rec.records.back().size(), 100u);
  EXPECT_LE(logged, 7u);
  // An element that raises nothing logs nothing.
  const size_t before = rec.records.size();
  EXPECT_EQ(h.Run({"PFADD", "d", "new-1"}), "(integer) 0");
  EXPECT_EQ(rec.records.size(), before);
  // PFCOUNT caches its count: the 8 bytes at offset 8.
  EXPECT_EQ(h.Run({"PFCOUNT", "d"}), "(integer) 4974");
  const std::vector<engine::RedoEffect> count = rec.LastEffects();
  ASSERT_EQ(count.size(), 1u);
  EXPECT_EQ(count[0].op, engine::RedoOp::kSetRange);
  EXPECT_EQ(count[0].offset, 8u);
  EXPECT_EQ(count[0].value.size(), 8u);
  // The log rebuilds exactly the live bytes.
  EXPECT_EQ(rec.ShadowValue("d"), Live(h, "d"));
  h.server().keyspace().set_redo_sink(nullptr);
}

TEST(HllFamily, SparseChangesAndMergesReplayToTheSameBytes) {
  CommandHarness h;
  Recorder rec;
  h.server().keyspace().set_redo_sink(&rec);
  EXPECT_EQ(h.Run({"PFADD", "s", "a", "b", "c"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFADD", "t", "c", "d"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SET", "ttl", "x"}), "+OK");
  EXPECT_EQ(h.Run({"DEL", "ttl"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFADD", "ttl", "a"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXPIRE", "ttl", "1000"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFMERGE", "ttl", "s", "t"}), "+OK");
  EXPECT_EQ(h.Run({"TTL", "ttl"}), "(integer) 1000");
  EXPECT_EQ(h.Run({"PFCOUNT", "ttl"}), "(integer) 4");
  EXPECT_EQ(h.Run({"PFDEBUG", "TODENSE", "t"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFMERGE", "m", "s", "t"}), "+OK");
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "m"}), "+dense");
  for (const char* key : {"s", "t", "ttl", "m"}) {
    EXPECT_EQ(rec.ShadowValue(key), Live(h, key)) << key;
  }
  h.server().keyspace().set_redo_sink(nullptr);
}

TEST(HllFamily, ConfigLimitIsRead) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"CONFIG", "SET", "hll-sparse-max-bytes", "0"}), "+OK");
  EXPECT_EQ(h.Run({"PFADD", "z", "a"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "z"}), "+dense");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "hll-sparse-max-bytes", "3000"}), "+OK");
  EXPECT_EQ(h.Run({"PFADD", "y", "a"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "y"}), "+sparse");
}

}  // namespace
}  // namespace strata::server
