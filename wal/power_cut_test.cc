// The log under simulated power cuts (base/fault_injection.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "base/fault_injection.h"
#include "wal/reader.h"
#include "wal/test_util.h"
#include "wal/writer.h"

namespace strata::wal {
namespace {

using testing::Records;
using testing::ReplayAll;
using testing::SegmentPaths;
using testing::TempDir;
using CutMode = FaultInjectionFileLayer::CutMode;

class PowerCutTest : public ::testing::TestWithParam<IoMode> {
 protected:
  void SetUp() override {
    if (GetParam() == IoMode::kUring && !Ring::Create().ok()) {
      GTEST_SKIP() << "io_uring cannot be set up here";
    }
  }
};

// Invariants 1 and 2 under appendfsync always: after a power cut at a random moment, replay
// returns exactly LSNs 1..N with the payloads written, and N covers every acknowledged record.
TEST_P(PowerCutTest, AlwaysKeepsEveryAcknowledgedRecordAndReturnsAPrefix) {
  constexpr int kIterations = 24, kThreads = 3;
  for (int iter = 0; iter < kIterations; ++iter) {
    const uint64_t seed = 1000 + iter * 7919;
    const CutMode mode = iter % 2 == 0 ? CutMode::kZeros : CutMode::kGarbage;
    SCOPED_TRACE("iteration " + std::to_string(iter) + " seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    TempDir dir;
    FaultInjectionFileLayer layer(nullptr, seed);
    std::atomic<uint64_t> acked{0};
    std::vector<std::vector<std::pair<uint64_t, std::string>>> appended(kThreads);
    {
      WriterOptions o;
      o.dir = dir.path();
      o.segment_bytes = 4096 + rng() % 8192;  // small: the cut often lands near a roll
      o.sync = SyncPolicy::kAlways;
      o.io = GetParam();
      o.files = &layer;
      // An acknowledgement seen after the cut may stand for a sync the frozen disk ignored.
      o.on_durable = [&](uint64_t lsn) {
        if (!layer.power_cut()) acked.store(lsn);
      };
      auto w = Writer::Open(o, LogEnd{});
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      std::atomic<bool> stop{false};
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          std::mt19937_64 trng(seed + t);
          for (uint64_t i = 0; !stop.load(); ++i) {
            std::string p = std::to_string(t) + ":" + std::to_string(i) + ":" +
                            std::string(trng() % 300, static_cast<char>('a' + t));
            appended[t].emplace_back((*w)->Append(p), p);
            if (trng() % 8 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
          }
        });
      }
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 30000));
      layer.SimulatePowerCut(mode);
      stop = true;
      for (auto& th : threads) th.join();
    }  // the writer's final flush goes to the frozen disk
    layer.Reset();

    std::map<uint64_t, std::string> expect;
    for (auto& v : appended) {
      for (auto& [lsn, p] : v) expect[lsn] = p;
    }
    Records got;
    auto r = ReplayAll(dir.path(), &got);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_GE(got.size(), acked.load()) << "an acknowledged record was lost";
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].first, i + 1);
      ASSERT_EQ(got[i].second, expect[i + 1]) << "lsn " << i + 1;
    }
    // The log continues cleanly after recovery.
    WriterOptions o;
    o.dir = dir.path();
    o.io = GetParam();
    o.sync = SyncPolicy::kAlways;
    o.segment_bytes = 4096;
    {
      auto w = Writer::Open(o, r->end);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      EXPECT_EQ((*w)->Append("after"), got.size() + 1);
    }
    Records again;
    auto r2 = ReplayAll(dir.path(), &again, /*truncate=*/false);
    ASSERT_TRUE(r2.ok()) << r2.status().ToString();
    EXPECT_EQ(r2->dropped_records, 0u);
    ASSERT_EQ(again.size(), got.size() + 1);
    EXPECT_EQ(again.back().second, "after");
  }
}

// Invariant 2 under everysec, with a fake clock the test steps: what a power cut loses is a suffix
// of the records appended within the last second of (fake) time.
TEST_P(PowerCutTest, EverySecLosesOnlyTheLastSecond) {
  constexpr int64_t kStepUs = 250'000;
  for (int iter = 0; iter < 8; ++iter) {
    const uint64_t seed = 77 + iter;
    SCOPED_TRACE("iteration " + std::to_string(iter));
    std::mt19937_64 rng(seed);
    TempDir dir;
    FaultInjectionFileLayer layer(nullptr, seed);
    std::atomic<int64_t> now{0};
    std::vector<int64_t> appended_at = {0};  // by LSN
    const int steps = 5 + static_cast<int>(rng() % 20);
    uint64_t fsyncs = 0;
    {
      WriterOptions o;
      o.dir = dir.path();
      o.segment_bytes = 1 << 20;
      o.sync = SyncPolicy::kEverySec;
      o.io = GetParam();
      o.files = &layer;
      o.now_us = [&] { return now.load(); };
      auto w = Writer::Open(o, LogEnd{});
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      for (int step = 0; step < steps; ++step) {
        now += kStepUs;
        uint64_t lsn = 0;
        for (int i = 0; i < 3; ++i) {
          lsn = (*w)->Append("step " + std::to_string(step) + " record " + std::to_string(i));
          appended_at.push_back(now.load());
        }
        // Written means the writer took the batch after the clock step and made its sync
        // decision with the new time.
        while ((*w)->stats().written_lsn < lsn) std::this_thread::yield();
      }
      fsyncs = (*w)->stats().fsyncs;
      layer.SimulatePowerCut(iter % 2 == 0 ? CutMode::kZeros : CutMode::kGarbage);
    }
    layer.Reset();
    // At most one sync per second of fake time (the writer may also sync on an idle wake-up).
    EXPECT_LE(fsyncs, static_cast<uint64_t>(steps) * kStepUs / 1'000'000 + 1);

    Records got;
    auto r = ReplayAll(dir.path(), &got);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i].first, i + 1);
    // A sync that starts at fake time T, before the records appended at T reach the writer,
    // leaves them to the next sync at T + 1 s: a cut at that very moment loses them.
    for (uint64_t lsn = got.size() + 1; lsn < appended_at.size(); ++lsn) {
      EXPECT_GE(appended_at[lsn], now.load() - 1'000'000)
          << "lost LSN " << lsn << " appended more than a second before the cut";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(IoModes, PowerCutTest, ::testing::Values(IoMode::kPwrite, IoMode::kUring),
                         [](const auto& info) {
                           return info.param == IoMode::kUring ? "Uring" : "Pwrite";
                         });

}  // namespace
}  // namespace strata::wal
