// A FileLayer for tests that simulates losing power: it wraps a real layer, remembers per file
// which byte ranges were written but not yet synced, and on SimulatePowerCut() freezes the disk
// (every later write, sync, create, rename and removal "succeeds" without touching it) and
// rewrites each unsynced range with zeros or random garbage. Files created or renamed since their
// directory was last synced disappear, as their directory entries would.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include "base/file_layer.h"

namespace strata {

class FaultInjectionFileLayer final : public FileLayer {
 public:
  enum class CutMode { kZeros, kGarbage };

  // base is borrowed and must outlive this layer; null = FileLayer::Default().
  explicit FaultInjectionFileLayer(FileLayer* base = nullptr, uint64_t seed = 1);
  ~FaultInjectionFileLayer() override;

  // Loses every unsynced byte as described above; from now on the disk is frozen. Thread-safe:
  // a write in flight completes first; a sync in flight when the cut lands counts as lost.
  void SimulatePowerCut(CutMode mode);
  bool power_cut() const;
  // "Reboots": the disk takes writes again and nothing is unsynced. Call with no file open.
  void Reset();
  // Bytes written but not yet synced, over all files.
  uint64_t unsynced_bytes() const;

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool create,
                                                     Ring* ring) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

 private:
  class File;
  struct FileState {
    std::string path;                       // current name (follows renames)
    std::map<uint64_t, uint64_t> unsynced;  // start -> end of ranges written since the last sync
    uint64_t generation = 0;                // counts writes
  };

  // REQUIRES: mu_ held.
  std::shared_ptr<FileState> StateFor(const std::string& path);
  void AddUnsynced(FileState* state, uint64_t offset, uint64_t length);

  FileLayer* const base_;
  mutable std::mutex mu_;  // held across every I/O through this layer but a sync
  bool cut_ = false;       // GUARDED_BY(mu_)
  std::mt19937_64 rng_;    // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<FileState>> files_;  // GUARDED_BY(mu_): by path
  std::set<std::string> undurable_names_;  // GUARDED_BY(mu_): created/renamed, dir not synced
};

}  // namespace strata
