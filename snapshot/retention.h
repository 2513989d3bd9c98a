// Which snapshots a directory holds, which one recovery loads, and which ones are kept: the one
// policy the server (server/snapshots.cc) and strata-inspect (tools/) both follow.
//
// Recovery loads the newest snapshot that reads cleanly and reports each newer one it passed
// over; retention keeps the newest `keep` files and deletes the rest, so that a bad newest
// snapshot still leaves an older one (and the log reaching back to it) to recover from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/file_layer.h"
#include "base/status.h"

namespace strata::snapshot {

struct SnapshotFile {
  uint64_t id;
  std::string path;
};

// The snapshot files of dir, newest (highest id) first. Ignores temporaries and other names; a
// missing or unreadable directory is an empty list (unreadable: logged).
std::vector<SnapshotFile> ListSnapshots(const std::string& dir);

// Deletes leftover snapshot-*.snap.tmp files of dir (an interrupted writer's), logging each.
void RemoveTemporaries(const std::string& dir);

struct Choice {
  std::optional<size_t> chosen;  // index into the files given; none when no file could be used
  // The files newer than the chosen one (all of them when none was), newest first, with the
  // error `use` returned for each.
  std::vector<std::pair<size_t, Status>> passed_over;
};
// Tries files (newest first, as ListSnapshots gives them) with `use` until one succeeds; files
// older than that one are not tried.
Choice ChooseNewestReadable(const std::vector<SnapshotFile>& files,
                            const std::function<Status(const SnapshotFile&)>& use);

// Deletes the snapshots of dir past the newest `keep` (at least 1 is kept) and, when any was
// deleted, syncs the directory. A file that cannot be deleted is logged and left. Returns the
// kept ones, newest first. files: null = FileLayer::Default().
std::vector<SnapshotFile> Prune(const std::string& dir, int keep, FileLayer* files = nullptr);

// The lowest shard LSN over the kept snapshots that open: the log must reach back past it, in
// case the newer ones turn out bad. UINT64_MAX when none opens (unusable ones need no log).
uint64_t OldestLsnKept(const std::vector<SnapshotFile>& kept);

}  // namespace strata::snapshot
