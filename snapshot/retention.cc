#include "snapshot/retention.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "base/fd.h"
#include "base/logging.h"
#include "snapshot/file.h"
#include "snapshot/format.h"

namespace strata::snapshot {

std::vector<SnapshotFile> ListSnapshots(const std::string& dir) {
  std::vector<SnapshotFile> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    uint64_t id;
    if (ParseSnapshotFileName(name, &id)) files.push_back({id, dir + "/" + name});
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    LOG_WARN("listing snapshots in %s: %s", dir.c_str(), ec.message().c_str());
  }
  std::sort(files.begin(), files.end(),
            [](const SnapshotFile& a, const SnapshotFile& b) { return a.id > b.id; });
  return files;
}

void RemoveTemporaries(const std::string& dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    uint64_t id;
    if (!name.ends_with(kTempSuffix) ||
        !ParseSnapshotFileName(std::string_view(name).substr(0, name.size() - kTempSuffix.size()),
                               &id)) {
      continue;
    }
    const std::string path = dir + "/" + name;
    if (::unlink(path.c_str()) == 0) {
      LOG_INFO("removed %s, left by a snapshot that did not finish", path.c_str());
    } else {
      LOG_WARN("could not remove %s: %s", path.c_str(), std::strerror(errno));
    }
  }
}

Choice ChooseNewestReadable(const std::vector<SnapshotFile>& files,
                            const std::function<Status(const SnapshotFile&)>& use) {
  Choice choice;
  for (size_t i = 0; i < files.size(); ++i) {
    Status st = use(files[i]);
    if (st.ok()) {
      choice.chosen = i;
      break;
    }
    choice.passed_over.emplace_back(i, std::move(st));
  }
  return choice;
}

std::vector<SnapshotFile> Prune(const std::string& dir, int keep, FileLayer* files) {
  if (files == nullptr) files = FileLayer::Default();
  std::vector<SnapshotFile> listed = ListSnapshots(dir);
  const size_t kept = static_cast<size_t>(std::max(1, keep));
  bool removed = false;
  for (size_t i = kept; i < listed.size(); ++i) {
    const Status st = files->Remove(listed[i].path);
    if (!st.ok()) {
      LOG_WARN("Can't delete old snapshot %s: %s", listed[i].path.c_str(),
               std::string(ErrnoReason(st)).c_str());
    } else {
      removed = true;
    }
  }
  if (removed) files->SyncDir(dir).PermitUnchecked();
  listed.resize(std::min(listed.size(), kept));
  return listed;
}

uint64_t OldestLsnKept(const std::vector<SnapshotFile>& kept) {
  uint64_t through = UINT64_MAX;
  for (const SnapshotFile& f : kept) {
    Result<std::unique_ptr<FileReader>> r = FileReader::Open(f.path);
    if (!r.ok()) continue;
    for (const ShardInfo& si : (*r)->meta().shard_info) through = std::min(through, si.lsn);
  }
  return through;
}

}  // namespace strata::snapshot
