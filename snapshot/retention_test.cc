#include "snapshot/retention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/temp_dir.h"
#include "snapshot/file.h"
#include "snapshot/format.h"

namespace strata::snapshot {
namespace {

using ::strata::ReadFileOrDie;
using ::strata::TempDir;
using ::strata::WriteFileOrDie;

// A finished snapshot of dir with id `id`, 2 shards at LSNs lsn and lsn + 1.
std::string WriteSnapshot(const std::string& dir, uint64_t id, uint64_t lsn) {
  const std::string path = dir + "/" + SnapshotFileName(id);
  auto w = FileWriter::Create(path, 2, 1, id, 1700000000000);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE((*w)->AddBlock(0, "snapshot " + std::to_string(id), 1).ok());
  Status st = (*w)->Finish({lsn, lsn + 1});
  EXPECT_TRUE(st.ok()) << st.ToString();
  return path;
}

// Cuts the file short: it no longer opens.
void Damage(const std::string& path) {
  const std::string bytes = ReadFileOrDie(path);
  WriteFileOrDie(path, bytes.substr(0, bytes.size() - 3));
}

Status Opens(const SnapshotFile& f) { return FileReader::Open(f.path).status(); }

TEST(RetentionTest, ListSnapshotsNewestFirstAndRemoveTemporaries) {
  TempDir dir;
  EXPECT_TRUE(ListSnapshots(dir.Sub("missing")).empty());
  RemoveTemporaries(dir.Sub("missing"));  // nothing to do, no crash

  for (uint64_t id : {3ull, 10ull, 1ull, 1000000000000ull})
    WriteFileOrDie(dir.Sub(SnapshotFileName(id)), "x");
  for (const char* other :
       {"snapshot-000000000011.snap.tmp", "snapshot-000000000012.snap.tmp", "snapshot-12.snap",
        "other.tmp", "snapshot-000000000013.snap.tmp.bak", "notes.txt"}) {
    WriteFileOrDie(dir.Sub(other), "x");
  }
  std::filesystem::create_directory(dir.Sub("snapshot-000000000099.snap.d"));

  auto list = ListSnapshots(dir.path());
  ASSERT_EQ(list.size(), 4u);
  const uint64_t want[] = {1000000000000, 10, 3, 1};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(list[i].id, want[i]);
    EXPECT_EQ(list[i].path, dir.Sub(SnapshotFileName(want[i])));
  }

  RemoveTemporaries(dir.path());
  std::vector<std::string> left = {"notes.txt",
                                   "other.tmp",
                                   SnapshotFileName(1),
                                   SnapshotFileName(3),
                                   SnapshotFileName(10),
                                   SnapshotFileName(1000000000000),
                                   "snapshot-000000000013.snap.tmp.bak",
                                   "snapshot-000000000099.snap.d",
                                   "snapshot-12.snap"};
  std::sort(left.begin(), left.end());
  EXPECT_EQ(DirNames(dir.path()), left);
  EXPECT_EQ(ListSnapshots(dir.path()).size(), 4u);
  EXPECT_TRUE(SyncDir(dir.path()).ok());
  EXPECT_EQ(SyncDir(dir.Sub("missing")).code(), Code::kIOError);
}

TEST(RetentionTest, ChoosesTheNewestReadableAndReportsTheNewerOnesPassedOver) {
  TempDir dir;
  for (uint64_t id = 1; id <= 4; ++id) WriteSnapshot(dir.path(), id, 10 * id);
  Damage(dir.Sub(SnapshotFileName(4)));
  Damage(dir.Sub(SnapshotFileName(3)));
  const std::vector<SnapshotFile> files = ListSnapshots(dir.path());
  std::vector<uint64_t> tried;
  const Choice choice = ChooseNewestReadable(files, [&](const SnapshotFile& f) {
    tried.push_back(f.id);
    return Opens(f);
  });
  ASSERT_TRUE(choice.chosen.has_value());
  EXPECT_EQ(files[*choice.chosen].id, 2u);
  EXPECT_EQ(tried, (std::vector<uint64_t>{4, 3, 2}));  // snapshot 1 is not tried
  ASSERT_EQ(choice.passed_over.size(), 2u);
  EXPECT_EQ(choice.passed_over[0].first, 0u);
  EXPECT_EQ(choice.passed_over[1].first, 1u);
  EXPECT_EQ(choice.passed_over[0].second.code(), Code::kCorruption);
  EXPECT_NE(choice.passed_over[0].second.message().find(files[0].path), std::string::npos);
}

TEST(RetentionTest, NoChoiceWhenNoneIsReadable) {
  TempDir dir;
  WriteSnapshot(dir.path(), 1, 5);
  Damage(dir.Sub(SnapshotFileName(1)));
  const std::vector<SnapshotFile> files = ListSnapshots(dir.path());
  const Choice choice = ChooseNewestReadable(files, Opens);
  EXPECT_FALSE(choice.chosen.has_value());
  EXPECT_EQ(choice.passed_over.size(), 1u);
  EXPECT_FALSE(ChooseNewestReadable({}, Opens).chosen.has_value());
}

TEST(RetentionTest, PruneKeepsTheNewestAndAtLeastOne) {
  TempDir dir;
  for (uint64_t id = 1; id <= 5; ++id) WriteSnapshot(dir.path(), id, 10 * id);
  WriteFileOrDie(dir.Sub("notes.txt"), "x");
  std::vector<SnapshotFile> kept = Prune(dir.path(), 3);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].id, 5u);
  EXPECT_EQ(kept[2].id, 3u);
  EXPECT_EQ(DirNames(dir.path()),
            (std::vector<std::string>{"notes.txt", SnapshotFileName(3), SnapshotFileName(4),
                                      SnapshotFileName(5)}));
  kept = Prune(dir.path(), 0);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].id, 5u);
  EXPECT_EQ(ListSnapshots(dir.path()).size(), 1u);
  EXPECT_EQ(Prune(dir.path(), 4).size(), 1u);  // fewer than keep: nothing to delete
}

TEST(RetentionTest, OldestLsnKeptSkipsSnapshotsThatDoNotOpen) {
  TempDir dir;
  WriteSnapshot(dir.path(), 1, 10);  // shard LSNs 10 and 11
  WriteSnapshot(dir.path(), 2, 20);
  EXPECT_EQ(OldestLsnKept(ListSnapshots(dir.path())), 10u);
  Damage(dir.Sub(SnapshotFileName(1)));
  EXPECT_EQ(OldestLsnKept(ListSnapshots(dir.path())), 20u);
  Damage(dir.Sub(SnapshotFileName(2)));
  EXPECT_EQ(OldestLsnKept(ListSnapshots(dir.path())), UINT64_MAX);
}

}  // namespace
}  // namespace strata::snapshot
