// Snapshots and retention under a simulated power cut (base/fault_injection.h): a cut at any
// step of writing or pruning leaves each snapshot file either absent or complete, and recovery
// still finds the newest one that was durable.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/fault_injection.h"
#include "base/temp_dir.h"
#include "snapshot/file.h"
#include "snapshot/format.h"
#include "snapshot/retention.h"

namespace strata::snapshot {
namespace {

using ::strata::TempDir;
using CutMode = FaultInjectionFileLayer::CutMode;

// Passes everything to a FaultInjectionFileLayer and cuts its power just before the
// `cut_before`-th operation that writes, syncs, renames or removes (1-based); 0: never.
class CutAtStepLayer final : public FileLayer {
 public:
  CutAtStepLayer(FaultInjectionFileLayer* inner, int cut_before, CutMode mode)
      : inner_(inner), left_(cut_before), mode_(mode) {}

  bool cut() const { return inner_->power_cut(); }

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool create,
                                                     Ring* ring) override {
    Step();
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, inner_->OpenWritable(path, create, ring));
    return std::unique_ptr<WritableFile>(new File(this, std::move(file)));
  }
  Result<std::string> ReadFile(const std::string& path) override { return inner_->ReadFile(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return inner_->ListDir(dir);
  }
  Status CreateDir(const std::string& dir) override {
    Step();
    return inner_->CreateDir(dir);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    Step();
    return inner_->Rename(from, to);
  }
  Status Remove(const std::string& path) override {
    Step();
    return inner_->Remove(path);
  }
  Status SyncDir(const std::string& dir) override {
    Step();
    return inner_->SyncDir(dir);
  }

 private:
  class File final : public WritableFile {
   public:
    File(CutAtStepLayer* layer, std::unique_ptr<WritableFile> base)
        : layer_(layer), base_(std::move(base)) {}
    Status Write(uint64_t offset, std::string_view data, bool sync) override {
      layer_->Step();
      return base_->Write(offset, data, sync);
    }
    Status Sync() override {
      layer_->Step();
      return base_->Sync();
    }
    Status ZeroFill(uint64_t offset, uint64_t length) override {
      layer_->Step();
      return base_->ZeroFill(offset, length);
    }
    Result<uint64_t> Size() override { return base_->Size(); }
    Status Close() override {
      layer_->Step();
      return base_->Close();
    }

   private:
    CutAtStepLayer* const layer_;
    const std::unique_ptr<WritableFile> base_;
  };

  void Step() {
    if (left_ > 0 && --left_ == 0) inner_->SimulatePowerCut(mode_);
  }

  FaultInjectionFileLayer* const inner_;
  int left_;
  const CutMode mode_;
};

// The raw bytes of snapshot `id`'s blocks: large enough for several buffered writes.
std::string Payload(uint64_t id, int block) {
  return std::string(700 + 100 * block, static_cast<char>('a' + id)) + std::to_string(block);
}
constexpr int kBlocks = 3;

Status WriteSnapshot(const std::string& dir, uint64_t id, FileLayer* files) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<FileWriter> w,
      FileWriter::Create(dir + "/" + SnapshotFileName(id), 2, 1, id, 1700000000000, 1, files));
  for (int b = 0; b < kBlocks; ++b) RETURN_IF_ERROR(w->AddBlock(b % 2, Payload(id, b), 1));
  return w->Finish({10 * id, 10 * id});
}

// OK when path holds snapshot `id` exactly as WriteSnapshot wrote it.
Status CheckComplete(const std::string& path, uint64_t id) {
  ASSIGN_OR_RETURN(std::unique_ptr<FileReader> r, FileReader::Open(path));
  RETURN_IF_ERROR(r->Verify());
  std::vector<std::string> raws;
  for (uint32_t shard = 0; shard < 2; ++shard) {
    RETURN_IF_ERROR(r->ReadShard(shard, [&](std::string_view raw, uint32_t) {
      raws.emplace_back(raw);
      return Status::Ok();
    }));
  }
  const std::vector<std::string> want = {Payload(id, 0), Payload(id, 2), Payload(id, 1)};
  if (raws != want || r->meta().id != id || r->meta().shard_info[0].lsn != 10 * id) {
    return Status::Corruption("snapshot " + std::to_string(id) + " differs from what was written");
  }
  return Status::Ok();
}

// The id of the snapshot recovery would choose in dir (0: none), each file present checked to
// be complete.
uint64_t CheckAndChoose(const std::string& dir) {
  const std::vector<SnapshotFile> files = ListSnapshots(dir);
  for (const SnapshotFile& f : files) {
    Status st = CheckComplete(f.path, f.id);
    EXPECT_TRUE(st.ok()) << f.path << ": " << st.ToString();
  }
  const Choice choice = ChooseNewestReadable(
      files, [](const SnapshotFile& f) { return CheckComplete(f.path, f.id); });
  return choice.chosen.has_value() ? files[*choice.chosen].id : 0;
}

using Step = std::function<void(const std::string& dir, FileLayer* files)>;

// For step = 1, 2, ...: in a fresh directory, runs `setup` (durably), then `op` through a layer
// that cuts the power before op's step-th write, sync, rename or removal, "reboots" and calls
// check(dir, false). Stops at the first step op completes before; then the power is cut right
// after op, and check(dir, true). Both cut modes.
void CutAtEveryStep(const Step& setup, const Step& op,
                    const std::function<void(const std::string& dir, bool completed)>& check) {
  for (CutMode mode : {CutMode::kZeros, CutMode::kGarbage}) {
    bool completed = false;
    for (int step = 1; !completed; ++step) {
      SCOPED_TRACE("cut before step " + std::to_string(step));
      TempDir dir;
      FaultInjectionFileLayer fault(nullptr, step);
      setup(dir.path(), &fault);
      CutAtStepLayer layer(&fault, step, mode);
      op(dir.path(), &layer);
      completed = !layer.cut();
      if (completed) fault.SimulatePowerCut(mode);
      fault.Reset();
      check(dir.path(), completed);
      ASSERT_LT(step, 1000);
    }
  }
}

TEST(SnapshotPowerCutTest, ASnapshotIsAbsentOrCompleteAndThePreviousOneIsStillChosen) {
  Status written;
  CutAtEveryStep(
      [](const std::string& dir, FileLayer* files) {
        ASSERT_TRUE(WriteSnapshot(dir, 1, files).ok());
      },
      [&](const std::string& dir, FileLayer* files) { written = WriteSnapshot(dir, 2, files); },
      [&](const std::string& dir, bool completed) {
        // Once Finish has returned, snapshot 2 survives the cut.
        if (completed) {
          EXPECT_TRUE(written.ok()) << written.ToString();
        }
        EXPECT_EQ(CheckAndChoose(dir), completed ? 2u : 1u);
      });
}

TEST(SnapshotPowerCutTest, PruningCutAtAnyStepLeavesTheNewestChosen) {
  std::vector<SnapshotFile> kept;
  CutAtEveryStep(
      [](const std::string& dir, FileLayer* files) {
        for (uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(WriteSnapshot(dir, id, files).ok());
      },
      [&](const std::string& dir, FileLayer* files) { kept = Prune(dir, 1, files); },
      [&](const std::string& dir, bool completed) {
        EXPECT_EQ(CheckAndChoose(dir), 3u);
        if (completed) {
          ASSERT_EQ(kept.size(), 1u);
          EXPECT_EQ(kept[0].id, 3u);
          EXPECT_EQ(ListSnapshots(dir).size(), 1u);
        }
      });
}

}  // namespace
}  // namespace strata::snapshot
