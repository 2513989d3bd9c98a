#include "base/fault_injection.h"

#include <algorithm>
#include <thread>

namespace strata {

class FaultInjectionFileLayer::File final : public WritableFile {
 public:
  // base is null for a file opened after the power cut: nothing reaches the disk.
  File(FaultInjectionFileLayer* layer, std::shared_ptr<FileState> state,
       std::unique_ptr<WritableFile> base)
      : layer_(layer), state_(std::move(state)), base_(std::move(base)) {}

  // A write with sync is done as a write and then a sync, so that a power cut can land between
  // them (with io_uring the real layer links the two; here only the write goes through the ring).
  Status Write(uint64_t offset, std::string_view data, bool sync) override {
    {
      std::lock_guard<std::mutex> l(layer_->mu_);
      if (layer_->cut_ || base_ == nullptr) return Status::Ok();
      layer_->AddUnsynced(state_.get(), offset, data.size());
      RETURN_IF_ERROR(base_->Write(offset, data, false));
    }
    if (!sync) return Status::Ok();
    std::this_thread::yield();
    return Sync();
  }

  // The sync runs without the layer's lock, so that a power cut can land during it; then the
  // unsynced ranges count as lost (the cut rewrote them) although the real sync succeeds.
  Status Sync() override {
    uint64_t generation;
    {
      std::lock_guard<std::mutex> l(layer_->mu_);
      if (layer_->cut_ || base_ == nullptr) return Status::Ok();
      generation = state_->generation;
    }
    Status st = base_->Sync();
    std::lock_guard<std::mutex> l(layer_->mu_);
    if (layer_->cut_) return Status::Ok();
    // Ranges written while the sync ran stay unsynced (conservative: all of them).
    if (st.ok() && state_->generation == generation) state_->unsynced.clear();
    return st;
  }

  Status ZeroFill(uint64_t offset, uint64_t length) override {
    std::lock_guard<std::mutex> l(layer_->mu_);
    if (layer_->cut_ || base_ == nullptr) return Status::Ok();
    layer_->AddUnsynced(state_.get(), offset, length);
    return base_->ZeroFill(offset, length);
  }

  Result<uint64_t> Size() override {
    std::lock_guard<std::mutex> l(layer_->mu_);
    if (base_ == nullptr) return uint64_t{0};
    return base_->Size();
  }

  Status Close() override {
    std::lock_guard<std::mutex> l(layer_->mu_);
    if (base_ == nullptr) return Status::Ok();
    return base_->Close();
  }

 private:
  FaultInjectionFileLayer* const layer_;
  const std::shared_ptr<FileState> state_;
  const std::unique_ptr<WritableFile> base_;
};

FaultInjectionFileLayer::FaultInjectionFileLayer(FileLayer* base, uint64_t seed)
    : base_(base != nullptr ? base : FileLayer::Default()), rng_(seed) {}

FaultInjectionFileLayer::~FaultInjectionFileLayer() = default;

std::shared_ptr<FaultInjectionFileLayer::FileState> FaultInjectionFileLayer::StateFor(
    const std::string& path) {
  std::shared_ptr<FileState>& state = files_[path];
  if (state == nullptr) {
    state = std::make_shared<FileState>();
    state->path = path;
  }
  return state;
}

void FaultInjectionFileLayer::AddUnsynced(FileState* state, uint64_t offset, uint64_t length) {
  if (length == 0) return;
  ++state->generation;
  uint64_t start = offset, end = offset + length;
  auto it = state->unsynced.upper_bound(start);
  if (it != state->unsynced.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= start) it = prev;
  }
  while (it != state->unsynced.end() && it->first <= end) {
    start = std::min(start, it->first);
    end = std::max(end, it->second);
    it = state->unsynced.erase(it);
  }
  state->unsynced[start] = end;
}

void FaultInjectionFileLayer::SimulatePowerCut(CutMode mode) {
  std::lock_guard<std::mutex> l(mu_);
  if (cut_) return;
  cut_ = true;
  for (auto& [path, state] : files_) {
    if (state->unsynced.empty() || undurable_names_.count(path) != 0) continue;
    auto file = base_->OpenWritable(path, false, nullptr);
    if (!file.ok()) continue;
    for (auto [start, end] : state->unsynced) {
      std::string bytes(end - start, '\0');
      if (mode == CutMode::kGarbage) {
        for (char& c : bytes) c = static_cast<char>(rng_());
      }
      (*file)->Write(start, bytes, false).PermitUnchecked();
    }
    (*file)->Sync().PermitUnchecked();
  }
  for (const std::string& path : undurable_names_) base_->Remove(path).PermitUnchecked();
  files_.clear();
  undurable_names_.clear();
}

bool FaultInjectionFileLayer::power_cut() const {
  std::lock_guard<std::mutex> l(mu_);
  return cut_;
}

void FaultInjectionFileLayer::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  cut_ = false;
  files_.clear();
  undurable_names_.clear();
}

uint64_t FaultInjectionFileLayer::unsynced_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t n = 0;
  for (const auto& [path, state] : files_) {
    for (auto [start, end] : state->unsynced) n += end - start;
  }
  return n;
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileLayer::OpenWritable(const std::string& path,
                                                                            bool create,
                                                                            Ring* ring) {
  std::lock_guard<std::mutex> l(mu_);
  if (cut_) {
    return std::unique_ptr<WritableFile>(new File(this, std::make_shared<FileState>(), nullptr));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base, base_->OpenWritable(path, create, ring));
  std::shared_ptr<FileState> state = StateFor(path);
  if (create) {
    state->unsynced.clear();
    undurable_names_.insert(path);
  }
  return std::unique_ptr<WritableFile>(new File(this, std::move(state), std::move(base)));
}

Result<std::string> FaultInjectionFileLayer::ReadFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  return base_->ReadFile(path);
}

Result<std::vector<std::string>> FaultInjectionFileLayer::ListDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  return base_->ListDir(dir);
}

Status FaultInjectionFileLayer::CreateDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  if (cut_) return Status::Ok();
  return base_->CreateDir(dir);
}

Status FaultInjectionFileLayer::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> l(mu_);
  if (cut_) return Status::Ok();
  RETURN_IF_ERROR(base_->Rename(from, to));
  auto it = files_.find(from);
  if (it != files_.end()) {
    std::shared_ptr<FileState> state = std::move(it->second);
    files_.erase(it);
    state->path = to;
    files_[to] = std::move(state);
  }
  undurable_names_.erase(from);
  undurable_names_.insert(to);
  return Status::Ok();
}

Status FaultInjectionFileLayer::Remove(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (cut_) return Status::Ok();
  RETURN_IF_ERROR(base_->Remove(path));
  files_.erase(path);
  undurable_names_.erase(path);
  return Status::Ok();
}

Status FaultInjectionFileLayer::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  if (cut_) return Status::Ok();
  RETURN_IF_ERROR(base_->SyncDir(dir));
  const std::string prefix = dir + "/";
  for (auto it = undurable_names_.begin(); it != undurable_names_.end();) {
    bool in_dir = it->compare(0, prefix.size(), prefix) == 0 &&
                  it->find('/', prefix.size()) == std::string::npos;
    it = in_dir ? undurable_names_.erase(it) : std::next(it);
  }
  return Status::Ok();
}

}  // namespace strata
