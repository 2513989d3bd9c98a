#include "tools/inspect.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/entry.h"
#include "engine/redo.h"
#include "wal/writer.h"

namespace strata::tools {
namespace {

namespace fs = std::filesystem;

class InspectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("inspect_test." + std::to_string(::getpid()));
    fs::remove_all(dir_);
    wal::WriterOptions wo;
    wo.dir = dir_.string();
    wo.segment_bytes = 4096;  // several segments
    wo.sync = wal::SyncPolicy::kAlways;
    auto w = wal::Writer::Open(std::move(wo), wal::LogEnd{});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (int i = 0; i < 200; ++i) {
      engine::RedoRecord r;
      engine::Entry* e = engine::Entry::NewString("key" + std::to_string(i), "value", 0);
      r.Put(0, *e);
      engine::Entry::Free(e);
      if (i % 10 == 0) r.Del(1, "gone");
      (*w)->Append(r.bytes());
    }
    ASSERT_TRUE((*w)->Flush().ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The oldest segment's path.
  std::string FirstSegment() {
    std::vector<std::string> names;
    for (const auto& f : fs::directory_iterator(dir_)) {
      std::string n = f.path().filename().string();
      if (n.rfind("wal-", 0) == 0 && n.size() > 8 && n.substr(n.size() - 4) == ".log") {
        names.push_back(f.path().string());
      }
    }
    std::sort(names.begin(), names.end());
    return names.empty() ? "" : names.front();
  }

  fs::path dir_;
};

TEST_F(InspectTest, VerifyCountsEveryRecordOfAHealthyLog) {
  nlohmann::json v = VerifyWal(dir_.string());
  EXPECT_TRUE(v["ok"].get<bool>()) << v.dump();
  EXPECT_EQ(v["records"].get<uint64_t>(), 200u);
  EXPECT_GT(v["segments"].get<uint64_t>(), 1u);
  EXPECT_EQ(v["next_lsn"].get<uint64_t>(), 201u);
  EXPECT_FALSE(v.contains("torn_tail"));
}

TEST_F(InspectTest, DumpDecodesEffects) {
  nlohmann::json d = DumpWal(dir_.string(), 11, 2);
  ASSERT_TRUE(d["ok"].get<bool>()) << d.dump();
  ASSERT_EQ(d["records"].size(), 2u);
  const nlohmann::json& r = d["records"][0];
  EXPECT_EQ(r["lsn"].get<uint64_t>(), 11u);
  ASSERT_EQ(r["effects"].size(), 2u);  // key10 put, then the del every 10th record carries
  EXPECT_EQ(r["effects"][0]["op"], "put");
  EXPECT_EQ(r["effects"][0]["key"], "key10");
  EXPECT_EQ(r["effects"][0]["type"], "string");
  EXPECT_EQ(r["effects"][0]["value_bytes"].get<uint64_t>(), 5u);
  EXPECT_EQ(r["effects"][1]["op"], "del");
  EXPECT_EQ(r["effects"][1]["db"].get<int>(), 1);
}

TEST_F(InspectTest, DamageInAnOldSegmentIsReportedThenRepaired) {
  const std::string first = FirstSegment();
  ASSERT_FALSE(first.empty());
  {
    std::fstream f(first, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);  // inside a record past the 64-byte header
    char c;
    f.seekg(200);
    f.get(c);
    f.seekp(200);
    f.put(static_cast<char>(c ^ 0x10));
  }
  nlohmann::json v = VerifyWal(dir_.string());
  EXPECT_FALSE(v["ok"].get<bool>());
  const std::string err = v["error"].get<std::string>();
  EXPECT_NE(err.find(first), std::string::npos) << err;
  EXPECT_NE(err.find("strata-inspect wal repair"), std::string::npos) << err;

  nlohmann::json r = RepairWal(dir_.string());
  ASSERT_TRUE(r["ok"].get<bool>()) << r.dump();
  EXPECT_GT(r["dropped_records"].get<uint64_t>(), 0u);
  EXPECT_EQ(r["dropped_file"], first);

  nlohmann::json again = VerifyWal(dir_.string());
  EXPECT_TRUE(again["ok"].get<bool>()) << again.dump();
  const uint64_t kept = again["records"].get<uint64_t>();
  EXPECT_LT(kept, 200u);
  EXPECT_EQ(again["next_lsn"].get<uint64_t>(), kept + 1);  // a prefix: LSNs 1..kept
}

}  // namespace
}  // namespace strata::tools
