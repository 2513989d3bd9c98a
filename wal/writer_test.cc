#include "wal/writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "wal/reader.h"
#include "wal/test_util.h"

namespace strata::wal {
namespace {

using testing::ReadFileOrDie;
using testing::Records;
using testing::ReplayAll;
using testing::SegmentPaths;
using testing::TempDir;

std::string Payload(uint64_t seed, size_t size) {
  std::mt19937_64 rng(seed);
  std::string s(size, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

class WriterTest : public ::testing::TestWithParam<IoMode> {
 protected:
  void SetUp() override {
    if (GetParam() == IoMode::kUring && !Ring::Create().ok()) {
      GTEST_SKIP() << "io_uring cannot be set up here";
    }
  }

  WriterOptions Options(uint64_t segment_bytes, SyncPolicy sync = SyncPolicy::kAlways) {
    WriterOptions o;
    o.dir = dir_.path();
    o.segment_bytes = segment_bytes;
    o.sync = sync;
    o.io = GetParam();
    return o;
  }

  TempDir dir_;
};

TEST_P(WriterTest, RecordsOfManySizesRoundTripAcrossRolledSegments) {
  const uint64_t kSegment = 4096;
  const std::vector<size_t> sizes = {0,    1,    15,   16,   17,    100,   0, 4000,
                                     4015, 4016, 5000, 9000, 20000, 3,     0, 1000,
                                     1000, 1000, 1000, 1000, 2,     70000, 1};
  std::vector<std::string> written;
  {
    auto w = Writer::Open(Options(kSegment), LogEnd{});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ((*w)->using_uring(), GetParam() == IoMode::kUring);
    for (size_t i = 0; i < sizes.size(); ++i) {
      written.push_back(Payload(i, sizes[i]));
      EXPECT_EQ((*w)->Append(written.back()), i + 1);
    }
    ASSERT_TRUE((*w)->Flush().ok());
    WriterStats s = (*w)->stats();
    EXPECT_EQ(s.appended_lsn, sizes.size());
    EXPECT_EQ(s.written_lsn, sizes.size());
    EXPECT_EQ(s.durable_lsn, sizes.size());
    EXPECT_EQ(s.segments, SegmentPaths(dir_.path()).size());
    EXPECT_GT(s.fsyncs, 0u);
  }
  std::vector<std::string> segments = SegmentPaths(dir_.path());
  EXPECT_GT(segments.size(), 5u);
  bool saw_oversized = false;
  for (const std::string& p : segments) {
    uint64_t size = std::filesystem::file_size(p);
    EXPECT_GE(size, kSegment);
    if (size > kSegment) saw_oversized = true;
  }
  EXPECT_TRUE(saw_oversized) << "a record larger than a segment gets a segment sized to fit";

  Records got;
  auto r = ReplayAll(dir_.path(), &got);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(got.size(), written.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, i + 1);
    EXPECT_EQ(got[i].second, written[i]) << "lsn " << i + 1;
  }
  EXPECT_EQ(r->dropped_records, 0u);
  EXPECT_EQ(r->segments, segments.size());
  EXPECT_EQ(r->end.next_lsn, written.size() + 1);
  EXPECT_EQ(r->end.segment_path, segments.back());
}

TEST_P(WriterTest, ReopenAtReplayEndContinuesTheLog) {
  std::vector<std::string> written;
  for (int round = 0; round < 3; ++round) {
    Records got;
    auto r = ReplayAll(dir_.path(), &got);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(got.size(), written.size());
    auto w = Writer::Open(Options(1024, SyncPolicy::kNo), r->end);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ((*w)->stats().durable_lsn, written.size());
    for (int i = 0; i < 50; ++i) {
      written.push_back(Payload(written.size(), 1 + written.size() % 97));
      EXPECT_EQ((*w)->Append(written.back()), written.size());
    }
    if (round == 2) {
      // Once the writer has written everything, its count matches the files (before that it
      // may be in the middle of a roll).
      ASSERT_TRUE((*w)->Flush().ok());
      EXPECT_EQ((*w)->stats().segments, SegmentPaths(dir_.path()).size());
    }
  }  // the destructor writes and syncs everything
  Records got;
  auto r = ReplayAll(dir_.path(), &got);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(got.size(), written.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].first, i + 1);
    ASSERT_EQ(got[i].second, written[i]);
  }
}

TEST_P(WriterTest, ConcurrentAppendersGetDistinctConsecutiveLsns) {
  constexpr int kThreads = 4, kPerThread = 500;
  std::vector<std::vector<std::pair<uint64_t, std::string>>> mine(kThreads);
  std::atomic<uint64_t> last_durable{0};
  WriterOptions o = Options(8192, SyncPolicy::kAlways);
  o.on_durable = [&](uint64_t lsn) {
    EXPECT_GT(lsn, last_durable.load());
    last_durable = lsn;
  };
  {
    auto w = Writer::Open(o, LogEnd{});
    ASSERT_TRUE(w.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string p = "t" + std::to_string(t) + "-" + std::to_string(i);
          mine[t].emplace_back((*w)->Append(p), p);
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE((*w)->Flush().ok());
    EXPECT_EQ(last_durable.load(), uint64_t{kThreads * kPerThread});
  }
  std::map<uint64_t, std::string> expect;
  for (auto& v : mine) {
    for (auto& [lsn, p] : v) EXPECT_TRUE(expect.emplace(lsn, p).second);
  }
  Records got;
  ASSERT_TRUE(ReplayAll(dir_.path(), &got).ok());
  ASSERT_EQ(got.size(), expect.size());
  for (auto& [lsn, p] : got) EXPECT_EQ(expect[lsn], p);
}

TEST_P(WriterTest, NoPolicyReportsWrittenAsDurableAndSyncsOnFlush) {
  auto w = Writer::Open(Options(1 << 20, SyncPolicy::kNo), LogEnd{});
  ASSERT_TRUE(w.ok());
  uint64_t lsn = (*w)->Append("x");
  while ((*w)->durable_lsn() < lsn) std::this_thread::yield();
  uint64_t fsyncs = (*w)->stats().fsyncs;
  EXPECT_EQ(fsyncs, 0u);
  ASSERT_TRUE((*w)->Flush().ok());
  EXPECT_EQ((*w)->stats().fsyncs, 1u);
  ASSERT_TRUE((*w)->Flush().ok());  // nothing new: no sync
  EXPECT_EQ((*w)->stats().fsyncs, 1u);
}

TEST_P(WriterTest, SetSyncSwitchesPolicyWithoutMovingDurableBack) {
  auto w = Writer::Open(Options(1 << 20, SyncPolicy::kNo), LogEnd{});
  ASSERT_TRUE(w.ok());
  uint64_t lsn = (*w)->Append("under no");
  while ((*w)->durable_lsn() < lsn) std::this_thread::yield();
  EXPECT_EQ((*w)->stats().fsyncs, 0u);
  (*w)->set_sync(SyncPolicy::kAlways);
  EXPECT_EQ((*w)->sync(), SyncPolicy::kAlways);
  EXPECT_EQ((*w)->durable_lsn(), lsn);
  lsn = (*w)->Append("under always");
  while ((*w)->durable_lsn() < lsn) std::this_thread::yield();
  // Leaving `no` syncs what it wrote through the page cache and reopens the segment direct;
  // the batch's own sync may be that same one (when it was appended before the switch).
  EXPECT_GE((*w)->stats().fsyncs, 1u);
  EXPECT_LE((*w)->stats().fsyncs, 2u);
}

TEST_P(WriterTest, RollsIntoTheSpareSegmentPreparedAhead) {
  const std::string spare = dir_.Sub(std::string(kSpareFileName));
  {
    auto w = Writer::Open(Options(64 << 10), LogEnd{});
    ASSERT_TRUE(w.ok());
    for (int round = 0; round < 3; ++round) {
      while (!std::filesystem::exists(spare)) std::this_thread::yield();
      (*w)->Append(std::string(40 << 10, 'x'));  // two of these never fit in one segment
      (*w)->Append(std::string(40 << 10, 'y'));
      ASSERT_TRUE((*w)->Flush().ok());
    }
    EXPECT_EQ((*w)->stats().segments, 6u);
  }
  EXPECT_FALSE(std::filesystem::exists(spare)) << "the writer removes its unused spare";
  Records got;
  auto r = ReplayAll(dir_.path(), &got);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[5].second, std::string(40 << 10, 'y'));
  // A spare left by a crash is removed by replay.
  testing::WriteFileOrDie(spare, "junk");
  ASSERT_TRUE(ReplayAll(dir_.path(), &got).ok());
  EXPECT_FALSE(std::filesystem::exists(spare));
}

// Trimming deletes exactly the segments wholly at or below the LSN, oldest first, never the
// one being written; the log then replays from the first kept record, the writer keeps going,
// and a reopened writer can trim what the previous one left (its segment sizes come from replay).
TEST_P(WriterTest, TrimThroughDeletesOnlySegmentsWhollyCovered) {
  std::vector<uint64_t> firsts;  // first LSN of each segment
  {
    auto w = Writer::Open(Options(4096), LogEnd{});
    ASSERT_TRUE(w.ok());
    for (int i = 1; i <= 40; ++i) (*w)->Append(Payload(i, 1000));  // 3 records per segment
    ASSERT_TRUE((*w)->Flush().ok());
    for (const std::string& p : SegmentPaths(dir_.path())) {
      uint64_t lsn;
      ASSERT_TRUE(ParseSegmentFileName(std::filesystem::path(p).filename().string(), &lsn));
      firsts.push_back(lsn);
    }
    ASSERT_GE(firsts.size(), 10u);
    const uint64_t bytes = (*w)->stats().log_bytes;
    // Through the last record of segment 3 minus one: segments 0 and 1 only.
    auto n = (*w)->TrimThrough(firsts[3] - 2);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 2u);
    EXPECT_EQ(SegmentPaths(dir_.path()).size(), firsts.size() - 2);
    EXPECT_EQ((*w)->stats().segments, firsts.size() - 2);
    EXPECT_LT((*w)->stats().log_bytes, bytes);
    // Far past the end: everything but the segment being written.
    ASSERT_TRUE((*w)->TrimThrough(1000).ok());
    EXPECT_EQ(SegmentPaths(dir_.path()).size(), 1u);
    EXPECT_EQ((*w)->Append("after"), 41u);
    ASSERT_TRUE((*w)->Flush().ok());
  }
  Records got;
  auto r = ReplayAll(dir_.path(), &got);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front().first, firsts.back());
  EXPECT_EQ(got.back(), (std::pair<uint64_t, std::string>(41, "after")));
  EXPECT_EQ(r->end.segment_use.size(), 1u);
  EXPECT_EQ(r->end.segment_use[0].bytes, r->end.log_bytes);
}

TEST_P(WriterTest, ReopenedWriterTrimsSegmentsFromBeforeTheRestart) {
  {
    auto w = Writer::Open(Options(4096), LogEnd{});
    ASSERT_TRUE(w.ok());
    for (int i = 1; i <= 20; ++i) (*w)->Append(Payload(i, 1000));
  }
  Records got;
  auto r = ReplayAll(dir_.path(), &got);
  ASSERT_TRUE(r.ok());
  const size_t before = SegmentPaths(dir_.path()).size();
  ASSERT_EQ(r->end.segment_use.size(), before);
  auto w = Writer::Open(Options(4096), r->end);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->TrimThrough(20).ok());
  EXPECT_EQ(SegmentPaths(dir_.path()).size(), 1u);
  EXPECT_EQ((*w)->stats().log_bytes, r->end.segment_use.back().bytes);
}

TEST_P(WriterTest, OpenWithEmptyEndRefusesADirectoryThatHoldsALog) {
  { ASSERT_TRUE(Writer::Open(Options(4096), LogEnd{}).ok()); }
  auto w = Writer::Open(Options(4096), LogEnd{});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Code::kInvalidArgument);
}

TEST_P(WriterTest, NewSegmentIsZeroFilledToItsFullSize) {
  { ASSERT_TRUE(Writer::Open(Options(100000), LogEnd{}).ok()); }
  auto segments = SegmentPaths(dir_.path());
  ASSERT_EQ(segments.size(), 1u);
  std::string data = ReadFileOrDie(segments[0]);
  ASSERT_EQ(data.size(), 100000u);
  EXPECT_EQ(data.find_first_not_of('\0', kSegmentHeaderSize), std::string::npos);
}

// Passes everything to the real layer, but file writes and syncs fail once `fail` is set.
class FailingFileLayer final : public FileLayer {
 public:
  std::atomic<bool> fail{false};

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool create,
                                                Ring* ring) override {
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base, Base()->OpenWritable(path, create, ring));
    return std::unique_ptr<WritableFile>(new File(this, std::move(base)));
  }
  Result<std::string> ReadFile(const std::string& path) override { return Base()->ReadFile(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return Base()->ListDir(dir);
  }
  Status CreateDir(const std::string& dir) override { return Base()->CreateDir(dir); }
  Status Rename(const std::string& from, const std::string& to) override {
    return Base()->Rename(from, to);
  }
  Status Remove(const std::string& path) override { return Base()->Remove(path); }
  Status SyncDir(const std::string& dir) override { return Base()->SyncDir(dir); }

 private:
  static FileLayer* Base() { return FileLayer::Default(); }
  class File final : public WritableFile {
   public:
    File(FailingFileLayer* layer, std::unique_ptr<WritableFile> base)
        : layer_(layer), base_(std::move(base)) {}
    Status Write(uint64_t offset, std::string_view data, bool sync) override {
      if (layer_->fail) return Status::IOError("injected write error");
      return base_->Write(offset, data, sync);
    }
    Status Sync() override {
      if (layer_->fail) return Status::IOError("injected sync error");
      return base_->Sync();
    }
    Status ZeroFill(uint64_t offset, uint64_t length) override {
      return base_->ZeroFill(offset, length);
    }
    Result<uint64_t> Size() override { return base_->Size(); }

   private:
    FailingFileLayer* layer_;
    std::unique_ptr<WritableFile> base_;
  };
};

TEST_P(WriterTest, IoErrorIsStickyAndStopsDurability) {
  FailingFileLayer layer;
  WriterOptions o = Options(1 << 20, SyncPolicy::kAlways);
  o.files = &layer;
  auto w = Writer::Open(o, LogEnd{});
  ASSERT_TRUE(w.ok());
  (*w)->Append("a");
  ASSERT_TRUE((*w)->Flush().ok());
  layer.fail = true;
  (*w)->Append("b");
  Status st = (*w)->Flush();
  EXPECT_EQ(st.code(), Code::kIOError);
  EXPECT_NE(st.message().find("injected"), std::string::npos);
  EXPECT_EQ((*w)->error().code(), Code::kIOError);
  layer.fail = false;  // the error stays: the writer does not retry behind a failed write
  EXPECT_EQ((*w)->Append("c"), 3u);
  EXPECT_EQ((*w)->Flush().code(), Code::kIOError);
  EXPECT_EQ((*w)->durable_lsn(), 1u);
}

INSTANTIATE_TEST_SUITE_P(IoModes, WriterTest, ::testing::Values(IoMode::kPwrite, IoMode::kUring),
                         [](const auto& info) {
                           return info.param == IoMode::kUring ? "Uring" : "Pwrite";
                         });

}  // namespace
}  // namespace strata::wal
