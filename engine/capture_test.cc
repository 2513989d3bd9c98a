#include "engine/capture.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/hash.h"
#include "engine/replay.h"
#include "engine/test_util.h"

namespace strata::engine {
namespace {

struct Batch {
  uint32_t shard;
  std::string bytes;
  uint32_t entries;
};

// Loads batches into ks, as recovery does.
void Load(Keyspace& ks, const std::vector<Batch>& batches) {
  for (const Batch& b : batches) ASSERT_TRUE(ApplyRedo(ks, b.bytes).ok());
}

uint64_t CountEntries(const std::vector<Batch>& batches) {
  uint64_t n = 0;
  for (const Batch& b : batches) n += b.entries;
  return n;
}

// Every batch holds entries of the shard it is tagged with (loading shards in parallel relies
// on it).
void ExpectShardsMatch(Keyspace& ks, const std::vector<Batch>& batches) {
  for (const Batch& b : batches) {
    RedoReader r(b.bytes);
    RedoEffect e;
    uint32_t n = 0;
    while (r.Next(&e)) {
      ASSERT_EQ(e.op, RedoOp::kPut);
      EXPECT_EQ(ks.ShardOf(HashKey(e.key)), b.shard);
      ++n;
    }
    ASSERT_TRUE(r.status().ok());
    EXPECT_EQ(n, b.entries);
  }
}

// The capture's image is the keyspace at its moment, although commands ran between every step
// of the walk; and image + the log after the moment = the keyspace at the end. Commands run
// inside emit (no lock held there), so the interleaving is deterministic and dense: one entry
// per lock hold, a batch per step.
TEST(Capture, ImageIsTheStateAtTheMomentWhileCommandsRun) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    RandomHistory h(seed, 8);
    h.Run(1000);
    Keyspace& ks = h.ks;
    VectorSink& sink = h.sink;

    std::unique_ptr<Capture> capture =
        Capture::Begin(ks, CaptureOptions{.batch_bytes = 1, .buckets_per_lock = 1});
    ASSERT_NE(capture, nullptr);
    const Dump at_moment = DumpAll(ks);
    EXPECT_EQ(capture->lsn(), sink.records.size());

    std::vector<Batch> batches;
    Status st = capture->Run([&](uint32_t shard, std::string_view bytes, uint32_t entries) {
      batches.push_back({shard, std::string(bytes), entries});
      h.Run(4);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_GE(batches.size(), std::min<size_t>(at_moment.size(), 3)) << "seed " << seed;

    ExpectShardsMatch(ks, batches);
    EXPECT_EQ(CountEntries(batches), at_moment.size()) << "each entry exactly once";
    Keyspace image(KeyspaceOptions{.shards = 8, .databases = 3});
    Load(image, batches);
    EXPECT_EQ(DumpAll(image), at_moment) << "seed " << seed;

    for (uint64_t lsn = capture->lsn() + 1; lsn <= sink.records.size(); ++lsn) {
      ASSERT_TRUE(ApplyRedo(image, sink.records[lsn - 1], lsn).ok());
    }
    EXPECT_EQ(DumpAll(image), DumpAll(ks)) << "seed " << seed;
  }
}

// The same with the walk on its own thread, racing commands (for the sanitizers), then a second
// capture, which must see everything again (the parity flipped).
TEST(Capture, ConcurrentCommandsAndRepeatedCaptures) {
  RandomHistory h(7, 4);
  h.Run(2000);
  Keyspace& ks = h.ks;
  for (int round = 0; round < 3; ++round) {
    std::unique_ptr<Capture> capture =
        Capture::Begin(ks, CaptureOptions{.batch_bytes = 64, .buckets_per_lock = 2});
    ASSERT_NE(capture, nullptr);
    const Dump at_moment = DumpAll(ks);
    std::vector<Batch> batches;
    Status st;
    std::thread walker([&] {
      st = capture->Run([&](uint32_t shard, std::string_view bytes, uint32_t entries) {
        batches.push_back({shard, std::string(bytes), entries});
        return Status::Ok();
      });
    });
    h.Run(3000);
    walker.join();
    ASSERT_TRUE(st.ok());
    Keyspace image(KeyspaceOptions{.shards = 4, .databases = 3});
    Load(image, batches);
    EXPECT_EQ(DumpAll(image), at_moment) << "round " << round;
    EXPECT_EQ(CountEntries(batches), at_moment.size());
  }
}

// A capture that is dropped unrun, or whose emit fails, still leaves every mark consistent: the
// next capture writes every entry.
TEST(Capture, AbandonedOrFailedCaptureLeavesTheNextOneComplete) {
  RandomHistory h(3, 4);
  h.Run(2000);
  Keyspace& ks = h.ks;
  ASSERT_FALSE(DumpAll(ks).empty());

  {
    std::unique_ptr<Capture> dropped = Capture::Begin(ks);
    ASSERT_NE(dropped, nullptr);
    EXPECT_EQ(Capture::Begin(ks), nullptr) << "one capture at a time";
  }
  {
    std::unique_ptr<Capture> failing =
        Capture::Begin(ks, CaptureOptions{.batch_bytes = 1, .buckets_per_lock = 1});
    int calls = 0;
    Status st = failing->Run([&](uint32_t, std::string_view, uint32_t) {
      return ++calls == 2 ? Status::IOError("disk full") : Status::Ok();
    });
    EXPECT_EQ(st.code(), Code::kIOError);
    EXPECT_EQ(calls, 2) << "no emit after the failure";
  }
  std::unique_ptr<Capture> capture = Capture::Begin(ks);
  ASSERT_NE(capture, nullptr);
  const Dump at_moment = DumpAll(ks);
  std::vector<Batch> batches;
  ASSERT_TRUE(capture
                  ->Run([&](uint32_t shard, std::string_view bytes, uint32_t entries) {
                    batches.push_back({shard, std::string(bytes), entries});
                    return Status::Ok();
                  })
                  .ok());
  Keyspace image(KeyspaceOptions{.shards = 4, .databases = 3});
  Load(image, batches);
  EXPECT_EQ(DumpAll(image), at_moment);
}

// Inserts crowding a frozen table make it write out what the capture still needs and grow;
// the image stays the moment's.
TEST(Capture, CrowdedFrozenTableGrowsAndTheImageStaysExact) {
  Keyspace ks(KeyspaceOptions{.shards = 1, .databases = 1});
  RedoRecord redo;
  {
    ShardLocks lock(&ks, 0);
    DbView db(ks, 0, 1000);
    for (int i = 0; i < 100; ++i) db.SetString("old" + std::to_string(i), "v", 0);
  }
  const size_t buckets_before = ks.shard(0).table(0).bucket_bytes();
  std::unique_ptr<Capture> capture =
      Capture::Begin(ks, CaptureOptions{.batch_bytes = 1, .buckets_per_lock = 1});
  const Dump at_moment = DumpAll(ks);
  std::vector<Batch> batches;
  int added = 0;
  ASSERT_TRUE(capture
                  ->Run([&](uint32_t shard, std::string_view bytes, uint32_t entries) {
                    batches.push_back({shard, std::string(bytes), entries});
                    ShardLocks lock(&ks, 0);
                    DbView db(ks, 0, 1000);
                    for (int i = 0; i < 200; ++i, ++added) {
                      db.SetString("new" + std::to_string(added), "v", 0);
                    }
                    db.SetString("old" + std::to_string(added % 100), "changed", 0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_GE(added, 600);
  EXPECT_GT(ks.shard(0).table(0).bucket_bytes(), 4 * buckets_before) << "the table grew";
  Keyspace image(KeyspaceOptions{.shards = 1, .databases = 1});
  Load(image, batches);
  EXPECT_EQ(DumpAll(image), at_moment);
  EXPECT_EQ(CountEntries(batches), 100u);
}

// Replay after a snapshot: an effect applies only on shards whose image predates its LSN.
TEST(Capture, ApplyRedoSkipsShardsTheImageAlreadyHas) {
  Keyspace ks(KeyspaceOptions{.shards = 4, .databases = 1});
  std::string a = "a", b;
  for (int i = 0; b.empty() || ks.ShardOf(HashKey(b)) == ks.ShardOf(HashKey(a)); ++i) {
    b = "b" + std::to_string(i);
  }
  RedoRecord r;
  Entry* ea = Entry::NewString(a, "1", 0);
  Entry* eb = Entry::NewString(b, "2", 0);
  r.Put(0, *ea);
  r.Put(0, *eb);
  Entry::Free(ea);
  Entry::Free(eb);
  std::vector<uint64_t> through(4, 5);
  through[ks.ShardOf(HashKey(a))] = 10;  // a's shard already has LSN 7
  ASSERT_TRUE(ApplyRedo(ks, r.bytes(), 7, through).ok());
  Dump d = DumpAll(ks);
  EXPECT_EQ(d.count({0, a}), 0u);
  EXPECT_EQ(d.count({0, b}), 1u);
  r.Clear();
  r.FlushAll();
  ASSERT_TRUE(ApplyRedo(ks, r.bytes(), 8, through).ok());
  EXPECT_TRUE(DumpAll(ks).empty());
}

}  // namespace
}  // namespace strata::engine
