#include "snapshot/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/temp_dir.h"

namespace strata::snapshot {
namespace {

using ::strata::ReadFileOrDie;
using ::strata::TempDir;
using ::strata::WriteFileOrDie;



// Deterministic bytes: `compressible` ones are words from a small vocabulary (zstd shrinks them
// a lot), the others are xorshift noise (zstd stores them about as is).
std::string Bytes(uint64_t seed, size_t n, bool compressible = true) {
  static const char* const kWords[] = {"alpha", "bravo", "key:", "value", "0123", "zulu", "\x01"};
  std::string s;
  s.reserve(n + 8);
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  while (s.size() < n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    if (compressible) {
      s += kWords[x % 7];
    } else {
      char b[8];
      EncodeFixed64(b, x);
      s.append(b, 8);
    }
  }
  s.resize(n);
  return s;
}

struct Block {
  uint32_t shard;
  std::string raw;
  uint32_t entries;
};

// Writes blocks (in the given order) and finishes with lsns; returns the writer's meta.
FileMeta WriteSnapshot(const std::string& path, uint32_t shards, const std::vector<Block>& blocks,
                       const std::vector<uint64_t>& lsns, uint64_t id = 7,
                       uint64_t created_ms = 1700000000123) {
  auto w = FileWriter::Create(path, shards, 16, id, created_ms);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const Block& b : blocks) {
    Status st = (*w)->AddBlock(b.shard, b.raw, b.entries);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  Status st = (*w)->Finish(lsns);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ((*w)->bytes_written(), (*w)->meta().file_bytes);
  return (*w)->meta();
}

using Got = std::vector<std::pair<std::string, uint32_t>>;

Status ReadAll(const FileReader& r, uint32_t shard, Got* got) {
  got->clear();
  return r.ReadShard(shard, [got](std::string_view raw, uint32_t entries) {
    got->emplace_back(std::string(raw), entries);
    return Status::Ok();
  });
}

Got Expected(const std::vector<Block>& blocks, uint32_t shard) {
  Got want;
  for (const Block& b : blocks) {
    if (b.shard == shard) want.emplace_back(b.raw, b.entries);
  }
  return want;
}

// A small snapshot (a few KB): 3 shards, shard 1 empty, blocks of shards 0 and 2 interleaved,
// one of them with no bytes.
std::vector<Block> SmallBlocks() {
  std::vector<Block> blocks;
  for (uint32_t i = 0; i < 8; ++i) {
    const uint32_t shard = i % 2 == 0 ? 0 : 2;
    const size_t n = i == 3 ? 0 : 100 + 90 * i;
    blocks.push_back({shard, Bytes(i, n, /*compressible=*/i % 3 != 0), i + 1});
  }
  return blocks;
}

TEST(SnapshotFileTest, RoundTripsInterleavedShardsEmptyShardsAndLargeBlocks) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(42));
  // Shards 1 and 4 stay empty; the others interleave. A 9 MiB incompressible block goes past
  // the write buffer and the sync_file_range step; a 3 MiB compressible one shrinks.
  std::vector<Block> blocks = {
      {0, Bytes(1, 1000), 10},
      {2, Bytes(2, 500), 5},
      {3, Bytes(3, 9 << 20, false), 90000},
      {0, Bytes(4, 3 << 20), 30000},
      {2, "", 0},
      {5, Bytes(6, 70000, false), 700},
      {0, Bytes(7, 1), 1},
      {3, Bytes(8, 12345), 123},
  };
  const std::vector<uint64_t> lsns = {100, 0, 102, 103, 0, 105};
  const FileMeta wrote = WriteSnapshot(path, 6, blocks, lsns, 42, 1700000000999);

  auto r = FileReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const FileMeta& m = (*r)->meta();
  EXPECT_EQ(m.version, kFormatVersion);
  EXPECT_EQ(m.shards, 6u);
  EXPECT_EQ(m.databases, 16u);
  EXPECT_EQ(m.id, 42u);
  EXPECT_EQ(m.created_ms, 1700000000999u);
  EXPECT_EQ(m.file_bytes, std::filesystem::file_size(path));
  EXPECT_EQ(m.file_bytes, wrote.file_bytes);
  ASSERT_EQ(m.shard_info.size(), 6u);
  uint64_t entries = 0, raw = 0;
  for (uint32_t s = 0; s < 6; ++s) {
    const ShardInfo& info = m.shard_info[s];
    const Got want = Expected(blocks, s);
    uint64_t want_entries = 0, want_raw = 0;
    for (const auto& [bytes, n] : want) {
      want_entries += n;
      want_raw += bytes.size();
    }
    EXPECT_EQ(info.lsn, lsns[s]) << s;
    EXPECT_EQ(info.entries, want_entries) << s;
    EXPECT_EQ(info.raw_bytes, want_raw) << s;
    EXPECT_EQ(info.blocks, want.size()) << s;
    EXPECT_EQ(info.stored_bytes, wrote.shard_info[s].stored_bytes) << s;
    entries += want_entries;
    raw += want_raw;

    Got got;
    Status st = ReadAll(**r, s, &got);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(got, want) << "shard " << s;
  }
  EXPECT_EQ(m.entries(), entries);
  EXPECT_EQ(m.raw_bytes(), raw);
  // The incompressible block is stored at about its size, the compressible one much smaller.
  EXPECT_GT(m.shard_info[3].stored_bytes, 9u << 20);
  EXPECT_LT(m.shard_info[0].stored_bytes, 1u << 20);

  // The index is in file order, back to back, and equal to what the writer recorded.
  ASSERT_EQ(m.blocks.size(), blocks.size());
  uint64_t offset = kHeaderSize;
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(m.blocks[i].shard, blocks[i].shard);
    EXPECT_EQ(m.blocks[i].offset, offset);
    EXPECT_EQ(m.blocks[i].raw_len, blocks[i].raw.size());
    EXPECT_EQ(m.blocks[i].entries, blocks[i].entries);
    EXPECT_EQ(m.blocks[i].stored_len, wrote.blocks[i].stored_len);
    EXPECT_EQ(m.blocks[i].offset, wrote.blocks[i].offset);
    offset += m.blocks[i].stored_len;
  }

  std::vector<uint64_t> verified;
  Status st = (*r)->Verify([&](const BlockRef& b) { verified.push_back(b.offset); });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(verified.size(), blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) EXPECT_EQ(verified[i], m.blocks[i].offset);
}

TEST(SnapshotFileTest, ConcurrentReadShardFromFourThreads) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  std::vector<Block> blocks;
  for (uint32_t i = 0; i < 64; ++i) blocks.push_back({i % 4, Bytes(i, 1000 + 700 * i), i});
  WriteSnapshot(path, 4, blocks, {1, 2, 3, 4});
  auto r = FileReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // Each thread reads every shard, starting at a different one, so that threads read the
      // same shard at the same time as well as different ones.
      for (int round = 0; round < 3; ++round) {
        for (uint32_t k = 0; k < 4; ++k) {
          const uint32_t shard = (t + k) % 4;
          Got got;
          if (!ReadAll(**r, shard, &got).ok()) ++errors;
          if (got != Expected(blocks, shard)) ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(SnapshotFileTest, ReadShardStopsAtTheCallbacksError) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  WriteSnapshot(path, 1, {{0, "a", 1}, {0, "b", 1}, {0, "c", 1}}, {9});
  auto r = FileReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  int calls = 0;
  Status st = (*r)->ReadShard(0, [&](std::string_view raw, uint32_t) {
    ++calls;
    return raw == "b" ? Status::InvalidArgument("stop here") : Status::Ok();
  });
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "stop here");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ((*r)->ReadShard(1, [](std::string_view, uint32_t) { return Status::Ok(); }).code(),
            Code::kInvalidArgument);
}

TEST(SnapshotFileTest, FinishIsAtomicAndAnUnfinishedWriterLeavesNothing) {
  TempDir dir;
  const std::string name = SnapshotFileName(5);
  const std::string path = dir.Sub(name);
  {
    auto w = FileWriter::Create(path, 2, 1, 5, 1);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->AddBlock(1, Bytes(1, 5000), 50).ok());
    EXPECT_EQ(DirNames(dir.path()), std::vector<std::string>{name + ".tmp"});
    ASSERT_TRUE((*w)->Finish({3, 4}).ok());
    EXPECT_EQ(DirNames(dir.path()), std::vector<std::string>{name});
    // A finished writer takes nothing more, and its destructor leaves the file alone.
    EXPECT_FALSE((*w)->AddBlock(0, "x", 1).ok());
    EXPECT_FALSE((*w)->Finish({3, 4}).ok());
  }
  EXPECT_EQ(DirNames(dir.path()), std::vector<std::string>{name});
  EXPECT_TRUE(FileReader::Open(path).ok());

  const std::string name2 = SnapshotFileName(6);
  {
    auto w = FileWriter::Create(dir.Sub(name2), 2, 1, 6, 1);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    // 3 MiB: some of it has reached the file, not just the buffer.
    ASSERT_TRUE((*w)->AddBlock(0, Bytes(2, 3 << 20, false), 1).ok());
    EXPECT_EQ(DirNames(dir.path()), (std::vector<std::string>{name, name2 + ".tmp"}));
  }
  EXPECT_EQ(DirNames(dir.path()), std::vector<std::string>{name});
}

TEST(SnapshotFileTest, WriterRejectsBadArguments) {
  TempDir dir;
  EXPECT_EQ(FileWriter::Create(dir.Sub("a"), 0, 1, 1, 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FileWriter::Create(dir.Sub("a"), 1, 1, 1, 1, 1000).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(FileWriter::Create(dir.Sub("missing/a"), 1, 1, 1, 1).status().code(), Code::kIOError);

  auto w = FileWriter::Create(dir.Sub("a"), 2, 1, 1, 1);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->AddBlock(2, "x", 1).code(), Code::kInvalidArgument);
  const std::string too_big(kMaxRawBlock + 1, 'x');
  EXPECT_EQ((*w)->AddBlock(0, too_big, 1).code(), Code::kInvalidArgument);
  EXPECT_EQ((*w)->Finish({1}).code(), Code::kInvalidArgument);
  // None of these damaged the writer.
  ASSERT_TRUE((*w)->AddBlock(1, "x", 1).ok());
  ASSERT_TRUE((*w)->Finish({1, 2}).ok());
  auto r = FileReader::Open(dir.Sub("a"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->meta().blocks.size(), 1u);
}

void ExpectCorruption(const Status& st, const std::string& path, const std::string& reason) {
  EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(" at offset "), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(reason), std::string::npos) << st.message();
}

// The trailer sits at the very end, so a file cut anywhere has no valid trailer: Open refuses
// every proper prefix (that is stronger than "Open or a read fails", and what the format
// promises).
TEST(SnapshotFileTest, EveryTruncationIsDetected) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  WriteSnapshot(path, 3, SmallBlocks(), {1, 2, 3});
  const uint64_t size = std::filesystem::file_size(path);
  ASSERT_GT(size, 1000u);
  ASSERT_LT(size, 8000u);
  for (uint64_t len = size; len-- > 0;) {
    ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(len)), 0);
    auto r = FileReader::Open(path);
    if (r.ok()) {
      // Not expected (see above); were it to happen, the reads must still fail.
      ADD_FAILURE() << "Open accepted a prefix of " << len << " of " << size << " bytes";
      EXPECT_FALSE((*r)->Verify().ok());
      continue;
    }
    ExpectCorruption(r.status(), path, "");
  }
}

// Every single-bit flip anywhere in a small snapshot is detected: in the header, footer or
// trailer by Open; in a block (Open does not read blocks) by Verify and by ReadShard of that
// block's shard.
TEST(SnapshotFileTest, EveryBitFlipIsDetected) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  const FileMeta meta = WriteSnapshot(path, 3, SmallBlocks(), {1, 2, 3});
  const std::string original = ReadFileOrDie(path);
  ASSERT_GT(original.size(), 1000u);
  ASSERT_LT(original.size(), 8000u);
  const uint64_t blocks_end = meta.blocks.back().offset + meta.blocks.back().stored_len;
  auto shard_at = [&](uint64_t offset) {
    for (const BlockRef& b : meta.blocks) {
      if (offset >= b.offset && offset < b.offset + b.stored_len) return b.shard;
    }
    return UINT32_MAX;
  };

  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  int by_open = 0, by_verify = 0, missed = 0;
  for (uint64_t off = 0; off < original.size(); ++off) {
    const bool in_blocks = off >= kHeaderSize && off < blocks_end;
    for (int bit = 0; bit < 8; ++bit) {
      const char flipped = static_cast<char>(original[off] ^ (1 << bit));
      ASSERT_EQ(::pwrite(fd, &flipped, 1, static_cast<off_t>(off)), 1);
      auto r = FileReader::Open(path);
      if (!r.ok()) {
        ++by_open;
        EXPECT_FALSE(in_blocks) << "offset " << off << ": " << r.status().ToString();
        EXPECT_EQ(r.status().code(), Code::kCorruption) << r.status().ToString();
      } else {
        Status st = (*r)->Verify();
        Got got;
        Status read = ReadAll(**r, shard_at(off) == UINT32_MAX ? 0 : shard_at(off), &got);
        if (st.ok()) {
          ++missed;
          ADD_FAILURE() << "flip of bit " << bit << " at offset " << off << " went unnoticed";
        } else {
          ++by_verify;
          EXPECT_TRUE(in_blocks) << "offset " << off;
          ExpectCorruption(st, path, "");
          EXPECT_EQ(read.code(), Code::kCorruption) << "offset " << off << ": " << read.ToString();
        }
      }
    }
    ASSERT_EQ(::pwrite(fd, &original[off], 1, static_cast<off_t>(off)), 1);
  }
  ::close(fd);
  EXPECT_EQ(missed, 0);
  EXPECT_EQ(by_open, 8 * static_cast<int>(original.size() - (blocks_end - kHeaderSize)));
  EXPECT_EQ(by_verify, 8 * static_cast<int>(blocks_end - kHeaderSize));
  std::printf("[          ] %zu bytes, %d flips: %d detected by Open, %d by Verify\n",
              original.size(), by_open + by_verify + missed, by_open, by_verify);
  RecordProperty("detected_by_open", by_open);
  RecordProperty("detected_by_verify", by_verify);
}

// ScanBlocks hands every block in file order, and goes on past a damaged one when asked to.
TEST(SnapshotFileTest, ScanBlocksVisitsEveryBlockInFileOrderAndGoesOnPastDamage) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  const std::vector<Block> blocks = SmallBlocks();
  const FileMeta meta = WriteSnapshot(path, 3, blocks, {1, 2, 3});
  // Damage the third block's frame.
  const BlockRef& bad = meta.blocks[2];
  std::string bytes = ReadFileOrDie(path);
  bytes[bad.offset + kBlockHeaderSize] ^= 0x01;
  WriteFileOrDie(path, bytes);

  auto r = FileReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> raws;
  std::vector<uint64_t> bad_offsets;
  Status st = (*r)->ScanBlocks([&](const BlockRef& ref, const Status& block, std::string_view raw) {
    if (!block.ok()) {
      EXPECT_EQ(block.code(), Code::kCorruption) << block.ToString();
      EXPECT_TRUE(raw.empty());
      bad_offsets.push_back(ref.offset);
      raws.push_back("<bad>");
    } else {
      raws.emplace_back(raw);
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(raws.size(), blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(raws[i], i == 2 ? "<bad>" : blocks[i].raw) << "block " << i;
  }
  EXPECT_EQ(bad_offsets, std::vector<uint64_t>{bad.offset});

  // fn's error stops the walk and is returned.
  int calls = 0;
  st = (*r)->ScanBlocks([&](const BlockRef&, const Status&, std::string_view) {
    return ++calls == 2 ? Status::IOError("stop") : Status::Ok();
  });
  EXPECT_EQ(st.message(), "stop");
  EXPECT_EQ(calls, 2);
}

TEST(SnapshotFileTest, AppendedBytesAndForeignFilesAreRejected) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  WriteSnapshot(path, 3, SmallBlocks(), {1, 2, 3});
  std::string data = ReadFileOrDie(path);
  WriteFileOrDie(path, data + std::string(1, '\0'));
  ExpectCorruption(FileReader::Open(path).status(), path, "no end magic");

  WriteFileOrDie(path, "");
  ExpectCorruption(FileReader::Open(path).status(), path, "shorter than the snapshot header");
  WriteFileOrDie(path, std::string(200, 'x'));
  ExpectCorruption(FileReader::Open(path).status(), path, "not a Strata snapshot");
  EXPECT_EQ(FileReader::Open(dir.Sub("absent")).status().code(), Code::kIOError);
}

TEST(SnapshotFileTest, NewerFormatVersionIsReportedAsSuch) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  WriteSnapshot(path, 3, SmallBlocks(), {1, 2, 3});
  std::string data = ReadFileOrDie(path);
  EncodeFixed32(data.data() + 8, kFormatVersion + 1);
  EncodeFixed32(data.data() + kHeaderCrcOffset, Crc32c(data.data(), kHeaderCrcOffset));
  WriteFileOrDie(path, data);
  ExpectCorruption(FileReader::Open(path).status(), path, "written by a newer Strata");
}

// Damage that keeps every checksum valid (a buggy writer, or a hostile file) is caught by the
// structure checks. Rewrites the footer (and trailer) of `data` after `edit` changed it.
std::string WithFooter(const std::string& data, uint64_t footer_offset, const FileMeta& meta,
                       const std::function<void(std::string*)>& edit = nullptr) {
  std::string footer = EncodeFooter(meta);
  if (edit) edit(&footer);
  Trailer t{footer_offset, footer.size(), Crc32c(footer)};
  return data.substr(0, footer_offset) + footer + EncodeTrailer(t);
}

TEST(SnapshotFileTest, StructuralDamageBehindValidChecksumsIsRejected) {
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  const FileMeta good = WriteSnapshot(path, 3, SmallBlocks(), {1, 2, 3});
  const std::string data = ReadFileOrDie(path);
  const uint64_t footer_offset = good.blocks.back().offset + good.blocks.back().stored_len;
  ASSERT_EQ(WithFooter(data, footer_offset, good), data);  // the rewrite alone changes nothing

  auto open_edited = [&](const std::function<void(FileMeta*)>& edit_meta,
                         const std::function<void(std::string*)>& edit_footer = nullptr) {
    FileMeta m = good;
    if (edit_meta) edit_meta(&m);
    WriteFileOrDie(path, WithFooter(data, footer_offset, m, edit_footer));
    return FileReader::Open(path);
  };

  ExpectCorruption(open_edited([](FileMeta* m) { m->blocks[2].offset -= 1; }).status(), path,
                   "blocks lie back to back");
  ExpectCorruption(open_edited([](FileMeta* m) { m->blocks[1].shard = 3; }).status(), path,
                   "of shard 3 of 3");
  ExpectCorruption(open_edited([](FileMeta* m) { m->blocks[0].raw_len = 0xfffffff0; }).status(),
                   path, "above the limit");
  ExpectCorruption(open_edited([](FileMeta* m) { m->blocks[0].stored_len += 1; }).status(), path,
                   "");
  ExpectCorruption(open_edited([](FileMeta* m) { m->shard_info[2].entries += 1; }).status(), path,
                   "shard 2 totals");
  ExpectCorruption(open_edited([](FileMeta* m) { m->blocks.pop_back(); }).status(), path,
                   "blocks end at offset");
  // A block count of 2^60 must be refused before anything is allocated for it.
  ExpectCorruption(
      open_edited(nullptr, [](std::string* f) { EncodeFixed64(f->data() + 4, 1ull << 60); })
          .status(),
      path, "does not fit");

  // Entries swapped between two blocks of shard 0: every total still adds up, so Open succeeds,
  // but the blocks' own headers disagree with the index.
  auto r = open_edited([](FileMeta* m) { std::swap(m->blocks[0].entries, m->blocks[2].entries); });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectCorruption((*r)->Verify(), path, "does not match the footer's index");
  Got got;
  ExpectCorruption(ReadAll(**r, 0, &got), path, "does not match the footer's index");
  EXPECT_TRUE(got.empty());

  // A header claiming 2^32-1 shards, with a valid CRC.
  std::string hostile = data;
  EncodeFixed32(hostile.data() + 16, 0xffffffff);
  EncodeFixed32(hostile.data() + kHeaderCrcOffset, Crc32c(hostile.data(), kHeaderCrcOffset));
  WriteFileOrDie(path, hostile);
  ExpectCorruption(FileReader::Open(path).status(), path, "shards");
}

TEST(SnapshotFileTest, FileNames) {
  EXPECT_EQ(SnapshotFileName(42), "snapshot-000000000042.snap");
  uint64_t id = 0;
  ASSERT_TRUE(ParseSnapshotFileName("snapshot-000000000042.snap", &id));
  EXPECT_EQ(id, 42u);
  for (uint64_t v : {uint64_t{0}, uint64_t{999999999999}, uint64_t{1000000000000}, UINT64_MAX}) {
    ASSERT_TRUE(ParseSnapshotFileName(SnapshotFileName(v), &id)) << SnapshotFileName(v);
    EXPECT_EQ(id, v);
  }
  for (const char* junk :
       {"", "snapshot-.snap", "snapshot-42.snap", "snapshot-00000000042.snap",
        "snapshot-0000000000042.snap", "snapshot-00000000004a.snap", "snapshot-+00000000042.snap",
        "snapshot-000000000042.snap.tmp", "snapshot-000000000042.snapx",
        "xsnapshot-000000000042.snap", "Snapshot-000000000042.snap", "snapshot-000000000042.SNAP",
        "snapshot-18446744073709551616.snap", "snapshot-99999999999999999999.snap",
        "wal-00000000000000000001.log"}) {
    id = 7;
    EXPECT_FALSE(ParseSnapshotFileName(junk, &id)) << junk;
    EXPECT_EQ(id, 7u) << junk;
  }
}

}  // namespace
}  // namespace strata::snapshot
