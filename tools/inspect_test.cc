#include "tools/inspect.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/temp_dir.h"
#include "engine/entry.h"
#include "engine/redo.h"
#include "snapshot/file.h"
#include "tools/encoding.h"
#include "tools/test_util.h"
#include "wal/writer.h"

namespace strata::tools {
namespace {

using ::strata::ReadFileOrDie;
using ::strata::TempDir;
using ::strata::WriteFileOrDie;

namespace fs = std::filesystem;

struct TestKey {
  int db;
  std::string key;
  std::string value;
  int64_t expire_ms = 0;
};

// One snapshot block: a redo record of puts, as engine::Capture emits them.
std::string Batch(const std::vector<TestKey>& keys) {
  engine::RedoRecord r;
  for (const TestKey& k : keys) PutString(&r, k.db, k.key, k.value, k.expire_ms);
  return std::string(r.bytes());
}

struct TestBlock {
  uint32_t shard;
  std::vector<TestKey> keys;
};

// Writes a snapshot of `shards` shards and 4 databases, every shard at `lsn`.
void WriteSnapshot(const std::string& path, uint32_t shards, const std::vector<TestBlock>& blocks,
                   uint64_t lsn, uint64_t id = 1) {
  auto w = snapshot::FileWriter::Create(path, shards, 4, id, kNow - 5 * kMinute);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (const TestBlock& b : blocks) {
    ASSERT_TRUE((*w)->AddBlock(b.shard, Batch(b.keys), static_cast<uint32_t>(b.keys.size())).ok());
  }
  ASSERT_TRUE((*w)->Finish(std::vector<uint64_t>(shards, lsn)).ok());
}

// The known snapshot: 11 keys in 4 databases, over 3 blocks of 2 shards.
const std::string kBinary("a\0b\xff", 4);  // NUL and a byte that is never valid UTF-8
std::vector<TestBlock> KnownBlocks() {
  return {
      {0,
       {{0, "alpha", "1"},
        {0, "beta", "hello", kNow + 30 * kMinute},
        {1, "bin", kBinary},
        {0, "k:1", "v1"}}},
      {1,
       {{0, "empty", ""},
        {0, "old", "x", kNow - 1000},  // expired before "now"
        {2, "big", std::string(5000, 'z'), kNow + 2 * 24 * 60 * kMinute},
        {3, "", "empty key"}}},
      {0, {{0, "k:2", "v2"}, {0, "k:3", "v3"}, {0, "caf\xc3\xa9", "cr\xc3\xa8me"}}},
  };
}

// "db/key" -> the dump line of every key ForEachKey yields.
std::map<std::string, Json> DumpAll(const std::string& path, const KeyFilter& filter,
                                    const Context& ctx, Status* st = nullptr) {
  std::map<std::string, Json> out;
  Status s = ForEachKey(path, filter, ctx, [&](const KeyRecord& k) {
    out[std::to_string(k.db) + "/" + std::string(k.key)] = KeyJson(k, ctx.now_ms);
    return Status::Ok();
  });
  if (st != nullptr) *st = s;
  EXPECT_TRUE(st != nullptr || s.ok()) << s.ToString();
  return out;
}

std::vector<std::string> Keys(const std::string& path, const KeyFilter& filter) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : DumpAll(path, filter, TestContext())) keys.push_back(k);
  return keys;
}

// ---- encoding ---------------------------------------------------------------------------------

TEST(EncodingTest, Utf8ValidationFollowsRfc3629) {
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8(std::string("a\0b", 3)));
  EXPECT_TRUE(IsUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsUtf8("\xff"));
  EXPECT_FALSE(IsUtf8("\xc3"));              // cut short
  EXPECT_FALSE(IsUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsUtf8("\x80"));              // a lone continuation byte
  EXPECT_TRUE(IsText("caf\xc3\xa9\t\r\n"));
  EXPECT_FALSE(IsText(std::string("a\0", 2)));
  EXPECT_FALSE(IsText("bell\x07"));
  EXPECT_FALSE(IsText("del\x7f"));
  EXPECT_FALSE(IsText("\xff"));
}

TEST(EncodingTest, BytesJsonRoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (const std::string& s : {std::string(), std::string("x"), std::string("ab"),
                               std::string("abc"), kBinary, all, std::string("\0", 1)}) {
    const Json j = BytesJson(s);
    EXPECT_EQ(j.is_string(), IsText(s));
    // Through text, as a reader of the dump gets it.
    std::string back;
    ASSERT_TRUE(BytesFromJson(Json::parse(j.dump()), &back)) << j.dump();
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(BytesJson(kBinary).dump(), R"({"base64":"YQBi/w=="})");
  EXPECT_EQ(BytesJson(std::string("a\0", 2)).dump(), R"({"base64":"YQA="})");
  EXPECT_EQ(BytesJson("tab\tline\r\n\"q\"").dump(), R"("tab\tline\r\n\"q\"")");
  std::string out;
  EXPECT_FALSE(Base64Decode("abc", &out));
  EXPECT_FALSE(Base64Decode("a=bc", &out));
}

TEST(EncodingTest, QuoteLeavesPlainKeysAloneAndEscapesTheRest) {
  EXPECT_EQ(Quote("user:1"), "user:1");
  EXPECT_EQ(Quote("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(Quote(""), "\"\"");
  EXPECT_EQ(Quote(" x"), "\" x\"");
  EXPECT_EQ(Quote(kBinary), "\"a\\x00b\\xff\"");
  EXPECT_EQ(Quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
}

// ---- snapshots: exact results over a known file -----------------------------------------------

class KnownSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Sub(snapshot::SnapshotFileName(1));
    WriteSnapshot(path_, 2, KnownBlocks(), 42);
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(KnownSnapshotTest, InfoGivesFormatShardsAndKeyCounts) {
  const Json info = Info(path_, TestContext());
  ASSERT_TRUE(info["ok"].get<bool>()) << info.dump(2);
  EXPECT_EQ(info["kind"], "snapshot");
  const Json& s = info["snapshot"];
  EXPECT_EQ(s["version"], 1);
  EXPECT_EQ(s["id"], 1);
  EXPECT_EQ(s["created_ms"], kNow - 5 * kMinute);
  EXPECT_EQ(s["created"], UtcTime(kNow - 5 * kMinute));
  EXPECT_EQ(s["databases"], 4);
  ASSERT_EQ(s["shards"].size(), 2u);
  EXPECT_EQ(s["shards"].at(0)["lsn"], 42);
  EXPECT_EQ(s["shards"].at(0)["entries"], 7);
  EXPECT_EQ(s["shards"].at(0)["blocks"], 2);
  EXPECT_EQ(s["shards"].at(1)["entries"], 4);
  EXPECT_EQ(s["min_lsn"], 42);
  EXPECT_EQ(s["blocks"], 3);
  EXPECT_EQ(s["file_bytes"], fs::file_size(path_));
  uint64_t raw = 0;
  for (const TestBlock& b : KnownBlocks()) raw += Batch(b.keys).size();
  EXPECT_EQ(s["raw_bytes"], raw);
  EXPECT_GT(s["stored_bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(s["keys"], Json::parse(R"({"total": 11, "by_type": {"string": 11},
      "by_db": {"0": 8, "1": 1, "2": 1, "3": 1}, "expiring": 2, "expired": 1})"));
}

TEST_F(KnownSnapshotTest, KeysFollowMatchTypeDbAndExpiry) {
  KeyFilter all;
  EXPECT_EQ(Keys(path_, all),
            (std::vector<std::string>{"0/alpha", "0/beta", "0/caf\xc3\xa9", "0/empty", "0/k:1",
                                      "0/k:2", "0/k:3", "1/bin", "2/big", "3/"}));
  KeyFilter match;
  match.match = "k:[13]";
  EXPECT_EQ(Keys(path_, match), (std::vector<std::string>{"0/k:1", "0/k:3"}));
  match.match = "?*";  // a glob other than "*" does not match the empty key, as in Redis
  EXPECT_EQ(Keys(path_, match).size(), 9u);
  KeyFilter db;
  db.db = 2;
  EXPECT_EQ(Keys(path_, db), std::vector<std::string>{"2/big"});
  KeyFilter expired;
  expired.include_expired = true;
  expired.match = "o*";
  EXPECT_EQ(Keys(path_, expired), std::vector<std::string>{"0/old"});
  KeyFilter type;
  type.type = "string";
  EXPECT_EQ(Keys(path_, type).size(), 10u);
  type.type = "hash";
  EXPECT_TRUE(Keys(path_, type).empty());
  type.type = "blob";
  Status st;
  DumpAll(path_, type, TestContext(), &st);
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.ToString();
}

TEST_F(KnownSnapshotTest, DumpGivesEveryKeyBinarySafeWithTtlAndAbsoluteExpiry) {
  const auto dump = DumpAll(path_, KeyFilter(), TestContext());
  ASSERT_EQ(dump.size(), 10u);
  EXPECT_EQ(dump.at("0/alpha").dump(),
            R"({"db":0,"key":"alpha","type":"string","expire_ms":null,"pttl":-1,"value":"1"})");
  EXPECT_EQ(dump.at("0/beta").dump(), R"({"db":0,"key":"beta","type":"string","expire_ms":)" +
                                          std::to_string(kNow + 30 * kMinute) +
                                          R"(,"pttl":1800000,"value":"hello"})");
  EXPECT_EQ(dump.at("1/bin").dump(),
            R"({"db":1,"key":"bin","type":"string","expire_ms":null,"pttl":-1,)"
            R"("value":{"base64":"YQBi/w=="}})");
  EXPECT_EQ(dump.at("0/empty")["value"], "");
  EXPECT_EQ(dump.at("3/")["key"], "");
  EXPECT_EQ(dump.at("3/")["value"], "empty key");
  EXPECT_EQ(dump.at("2/big")["pttl"], 2 * 24 * 60 * kMinute);
  EXPECT_EQ(dump.at("2/big")["value"], std::string(5000, 'z'));
  EXPECT_EQ(dump.at("0/caf\xc3\xa9")["value"], "cr\xc3\xa8me");
  // Every value comes back byte for byte through the JSON text.
  for (const TestBlock& b : KnownBlocks()) {
    for (const TestKey& k : b.keys) {
      if (k.key == "old") continue;
      std::string value;
      const Json line = Json::parse(dump.at(std::to_string(k.db) + "/" + k.key).dump());
      ASSERT_TRUE(BytesFromJson(line["value"], &value));
      EXPECT_EQ(value, k.value) << k.key;
    }
  }
}

TEST_F(KnownSnapshotTest, GetFindsAKeyInItsDatabaseOnly) {
  auto r = Get(path_, "bin", 1, false, TestContext());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->value, kBinary);
  EXPECT_EQ((*r)->db, 1);
  r = Get(path_, "bin", 0, false, TestContext());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  r = Get(path_, "old", 0, false, TestContext());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value()) << "expired";
  r = Get(path_, "old", 0, true, TestContext());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->expire_ms, kNow - 1000);
  EXPECT_EQ(KeyJson((*r)->view(), kNow)["pttl"], 0);
}

TEST_F(KnownSnapshotTest, StatsGiveHistogramsAndTheLargestKeys) {
  StatsOptions options;
  options.top = 3;
  const Json s = Stats(path_, options, TestContext());
  ASSERT_TRUE(s["ok"].get<bool>()) << s.dump(2);
  EXPECT_EQ(s["total"], 11);
  EXPECT_EQ(s["expired"], 1);
  EXPECT_EQ(s["expiring"], 2);
  EXPECT_EQ(s["key_bytes"], 5 + 4 + 3 + 3 + 5 + 3 + 3 + 0 + 3 + 3 + 5);
  EXPECT_EQ(s["value_bytes"], 1 + 5 + 4 + 2 + 0 + 1 + 5000 + 9 + 2 + 2 + 6);
  EXPECT_EQ(s["databases"].at(0), Json::parse(R"({"db": 0, "keys": 8, "expiring": 1,
      "expired": 1, "key_bytes": 31, "value_bytes": 19})"));
  // Value sizes 0, 1, 1, 2, 2, 2, 4, 5, 6, 9, 5000.
  EXPECT_EQ(s["value_sizes"], Json::parse(R"([
      {"min": 0, "max": 0, "count": 1}, {"min": 1, "max": 1, "count": 2},
      {"min": 2, "max": 3, "count": 3}, {"min": 4, "max": 7, "count": 3},
      {"min": 8, "max": 15, "count": 1}, {"min": 16, "max": 31, "count": 0},
      {"min": 32, "max": 63, "count": 0}, {"min": 64, "max": 127, "count": 0},
      {"min": 128, "max": 255, "count": 0}, {"min": 256, "max": 511, "count": 0},
      {"min": 512, "max": 1023, "count": 0}, {"min": 1024, "max": 2047, "count": 0},
      {"min": 2048, "max": 4095, "count": 0}, {"min": 4096, "max": 8191, "count": 1}])"));
  EXPECT_EQ(s["key_sizes"].at(0), Json::parse(R"({"min": 0, "max": 0, "count": 1})"));
  EXPECT_EQ(s["ttls"], Json::parse(R"([{"bucket": "none", "count": 8},
      {"bucket": "expired", "count": 1}, {"bucket": "<1m", "count": 0},
      {"bucket": "1m-1h", "count": 1}, {"bucket": "1h-1d", "count": 0},
      {"bucket": "1d-7d", "count": 1}, {"bucket": "7d-30d", "count": 0},
      {"bucket": ">=30d", "count": 0}])"));
  // The three largest by key + value bytes; of the two of 9 bytes (beta, and "" in db 3), the
  // one in the lower database.
  EXPECT_EQ(s["largest"], Json::parse(R"([
      {"db": 2, "key": "big", "type": "string", "bytes": 5003, "value_bytes": 5000},
      {"db": 0, "key": "caf\u00e9", "type": "string", "bytes": 11, "value_bytes": 6},
      {"db": 0, "key": "beta", "type": "string", "bytes": 9, "value_bytes": 5}])"))
      << s["largest"].dump();

  options.filter.db = 0;
  options.filter.match = "k:*";
  const Json k = Stats(path_, options, TestContext());
  EXPECT_EQ(k["total"], 3);
}

TEST_F(KnownSnapshotTest, VerifyPassesASoundSnapshot) {
  const Json v = Verify(path_, false, TestContext());
  EXPECT_TRUE(v["ok"].get<bool>()) << v.dump(2);
  ASSERT_EQ(v["files"].size(), 1u);
  EXPECT_EQ(v["files"].at(0)["keys"], 11);
  EXPECT_EQ(v["files"].at(0)["blocks"], 3);
  EXPECT_TRUE(v["faults"].empty());
}

// Progress lines come while a file is read (every update, with a period of 0).
TEST_F(KnownSnapshotTest, ProgressIsReportedWhileReading) {
  std::vector<std::string> lines;
  Context ctx = TestContext();
  ctx.progress_every_ms = 0;
  ctx.progress = [&](const std::string& l) { lines.push_back(l); };
  ASSERT_TRUE(Verify(path_, false, ctx)["ok"].get<bool>());
  ASSERT_EQ(lines.size(), 3u);  // one per block
  EXPECT_NE(lines.back().find(path_), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("%"), std::string::npos) << lines.back();
}

// Every single-bit flip anywhere in the file is a fault naming the file and an offset inside it:
// in the header, footer or trailer found by Open, in a block by its checks.
TEST_F(KnownSnapshotTest, VerifyDetectsEverySingleBitFlip) {
  const std::string original = ReadFileOrDie(path_);
  ASSERT_LT(original.size(), 4096u);
  int flips = 0;
  for (size_t off = 0; off < original.size(); ++off) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = original;
      damaged[off] = static_cast<char>(damaged[off] ^ (1 << bit));
      WriteFileOrDie(path_, damaged);
      const Json v = Verify(path_, false, TestContext());
      ++flips;
      ASSERT_FALSE(v["ok"].get<bool>()) << "bit " << bit << " of byte " << off;
      ASSERT_EQ(v["faults"].size(), 1u) << v.dump(2);
      const Json& f = v["faults"].at(0);
      EXPECT_EQ(f["file"], path_);
      EXPECT_LT(f["offset"].get<uint64_t>(), original.size());
      EXPECT_FALSE(f["reason"].get<std::string>().empty());
    }
  }
  WriteFileOrDie(path_, original);
  EXPECT_TRUE(Verify(path_, false, TestContext())["ok"].get<bool>());
  EXPECT_EQ(flips, 8 * static_cast<int>(original.size()));
}

TEST_F(KnownSnapshotTest, VerifyAllReportsEveryDamagedBlockAndKeysStopAtTheDamage) {
  std::vector<snapshot::BlockRef> blocks;
  {
    auto r = snapshot::FileReader::Open(path_);
    ASSERT_TRUE(r.ok());
    blocks = (*r)->meta().blocks;
  }
  ASSERT_GT(blocks[0].stored_len, 31u);
  ASSERT_GT(blocks[2].stored_len, 31u);
  std::string bytes = ReadFileOrDie(path_);
  for (size_t i : {size_t{0}, size_t{2}}) bytes[blocks[i].offset + 30] ^= 0x40;
  WriteFileOrDie(path_, bytes);

  const Json first = Verify(path_, false, TestContext());
  ASSERT_EQ(first["faults"].size(), 1u) << first.dump(2);
  EXPECT_EQ(first["faults"].at(0)["offset"], blocks[0].offset);
  const Json all = Verify(path_, true, TestContext());
  ASSERT_EQ(all["faults"].size(), 2u) << all.dump(2);
  EXPECT_EQ(all["faults"].at(1)["offset"], blocks[2].offset);
  EXPECT_EQ(all["files"].at(0)["blocks_ok"], 1);

  Status st;
  DumpAll(path_, KeyFilter(), TestContext(), &st);
  EXPECT_EQ(st.code(), Code::kCorruption);
  EXPECT_NE(st.message().find(path_), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("at offset " + std::to_string(blocks[0].offset)), std::string::npos)
      << st.ToString();
}

// Blocks that pass their checksums but are not what a snapshot block must be: a redo record of
// puts only, as many as the index says, in the snapshot's databases.
TEST(SnapshotStructureTest, VerifyRejectsBlocksThatAreNotPutsOfTheFilesDatabases) {
  TempDir dir;
  const std::string path = dir.Sub(snapshot::SnapshotFileName(1));
  struct Case {
    std::string raw;
    uint32_t entries;
    std::string reason;
  };
  engine::RedoRecord del;
  del.Del(0, "k");
  const std::vector<Case> cases = {
      {Batch({{0, "a", "1"}, {0, "b", "2"}}), 3, "block holds 2 entries, its index entry says 3"},
      {std::string(del.bytes()), 1, "not a put"},
      {Batch({{7, "a", "1"}}), 1, "names database 7 but the snapshot has 4"},
      {Batch({{0, "a", "1"}}).substr(0, 5), 1, "does not decode"},
  };
  for (const Case& c : cases) {
    {
      auto w = snapshot::FileWriter::Create(path, 1, 4, 1, kNow);
      ASSERT_TRUE(w.ok());
      ASSERT_TRUE((*w)->AddBlock(0, Batch({{0, "ok", "1"}}), 1).ok());
      ASSERT_TRUE((*w)->AddBlock(0, c.raw, c.entries).ok());
      ASSERT_TRUE((*w)->Finish({1}).ok());
    }
    const Json v = Verify(path, false, TestContext());
    ASSERT_FALSE(v["ok"].get<bool>()) << c.reason;
    ASSERT_EQ(v["faults"].size(), 1u);
    EXPECT_NE(v["faults"].at(0)["reason"].get<std::string>().find(c.reason), std::string::npos)
        << v["faults"].at(0).dump();
    // The first block's keys were delivered; none of the bad block's.
    Status st;
    const auto keys = DumpAll(path, KeyFilter(), TestContext(), &st);
    EXPECT_EQ(st.code(), Code::kCorruption);
    EXPECT_EQ(keys.size(), 1u);
  }
}

// ---- a data directory -------------------------------------------------------------------------

// A data dir as the server leaves it: snapshots 1 (LSN 3) and 2 (LSN 6), and a WAL of 8 records.
class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.Sub("snapshots"));
    old_ = dir_.Sub("snapshots/" + snapshot::SnapshotFileName(1));
    new_ = dir_.Sub("snapshots/" + snapshot::SnapshotFileName(2));
    WriteSnapshot(old_, 2, {{0, {{0, "a", "1"}}}}, 3, 1);
    WriteSnapshot(new_, 2, {{0, {{0, "a", "2"}}}, {1, {{0, "b", "2"}}}}, 6, 2);
    WriteWal(8, 1 << 20);
  }

  void WriteWal(int records, uint64_t segment_bytes) {
    WriteLog(dir_.Sub("appendonlydir"), segment_bytes, records, [](int i, engine::RedoRecord* r) {
      PutString(r, 0, "w" + std::to_string(i + 1), "v");
    });
  }

  TempDir dir_;
  std::string old_, new_;
};

TEST_F(DataDirTest, InfoSaysWhatRecoveryWouldLoadAndReplay) {
  const Json info = Info(dir_.path(), TestContext());
  ASSERT_TRUE(info["ok"].get<bool>()) << info.dump(2);
  EXPECT_EQ(info["kind"], "data_dir");
  ASSERT_EQ(info["snapshots"].size(), 2u);
  EXPECT_EQ(info["snapshots"].at(0)["path"], new_);
  EXPECT_EQ(info["snapshots"].at(0)["status"], "used");
  EXPECT_EQ(info["snapshots"].at(1)["status"], "not read");
  EXPECT_EQ(info["snapshot"]["path"], new_);
  EXPECT_EQ(info["snapshot"]["keys"]["total"], 2);
  EXPECT_EQ(info["wal"]["records"], 8);
  EXPECT_EQ(info["wal"]["segments"].at(0)["replayed"], true);
  const Json& r = info["recovery"];
  EXPECT_EQ(r["ok"], true);
  EXPECT_EQ(r["snapshot"], new_);
  EXPECT_EQ(r["min_lsn"], 6);
  EXPECT_EQ(r["replay_from_lsn"], 7);
  EXPECT_EQ(r["replay_records"], 2);
}

TEST_F(DataDirTest, ADamagedNewestSnapshotIsPassedOverAsRecoveryWould) {
  std::string bytes = ReadFileOrDie(new_);
  bytes[100] ^= 1;  // inside the first block
  WriteFileOrDie(new_, bytes);
  const Json info = Info(dir_.path(), TestContext());
  EXPECT_FALSE(info["ok"].get<bool>());  // something is damaged...
  EXPECT_EQ(info["snapshots"].at(0)["status"], "damaged");
  EXPECT_EQ(info["snapshots"].at(1)["status"], "used");
  EXPECT_EQ(info["recovery"]["snapshot"], old_);  // ...but the server would start
  EXPECT_EQ(info["recovery"]["ok"], true);
  EXPECT_EQ(info["recovery"]["replay_records"], 5);

  std::vector<std::string> notes;
  const auto keys = DumpAll(dir_.path(), KeyFilter(), TestContext(&notes));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys.at("0/a")["value"], "1");  // the older snapshot's
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find(new_), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find(old_), std::string::npos) << notes[1];
  EXPECT_NE(notes[1].find("WAL records past LSN 3 are not included"), std::string::npos)
      << notes[1];

  const Json v = Verify(dir_.path(), true, TestContext());
  EXPECT_FALSE(v["ok"].get<bool>());
  ASSERT_EQ(v["faults"].size(), 1u) << v.dump(2);
  EXPECT_EQ(v["faults"].at(0)["file"], new_);
  EXPECT_EQ(v["files"].size(), 3u);  // both snapshots and the WAL
}

TEST_F(DataDirTest, VerifyFindsALogThatNoLongerReachesBackToTheSnapshot) {
  fs::remove_all(dir_.Sub("appendonlydir"));
  fs::remove(new_);
  // A log that starts at LSN 1 is fine; one whose first segment was lost is not.
  EXPECT_TRUE(Verify(dir_.path(), false, TestContext())["ok"].get<bool>());
  WriteWal(8, 160);  // 3 records a segment
  const Json wal = WalInfo(dir_.path(), TestContext());
  ASSERT_EQ(wal["segments"].size(), 3u) << wal.dump(2);
  EXPECT_TRUE(Verify(dir_.path(), false, TestContext())["ok"].get<bool>());
  // Without the first segment the log starts at LSN 4, right after the snapshot's 3: fine.
  fs::remove(wal["segments"].at(0)["path"].get<std::string>());
  EXPECT_TRUE(Verify(dir_.path(), false, TestContext())["ok"].get<bool>());
  // Without the second too, it starts at 7: LSNs 4 to 6 are missing.
  fs::remove(wal["segments"].at(1)["path"].get<std::string>());
  const Json v = Verify(dir_.path(), false, TestContext());
  ASSERT_FALSE(v["ok"].get<bool>()) << v.dump(2);
  EXPECT_NE(v["faults"].at(0)["reason"].get<std::string>().find("records in between are missing"),
            std::string::npos)
      << v.dump(2);
  EXPECT_EQ(Info(dir_.path(), TestContext())["recovery"]["ok"], false);
}

}  // namespace
}  // namespace strata::tools
