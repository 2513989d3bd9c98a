// Fuzz target: the snapshot reader (snapshot/file.h) and the loading of its blocks into the
// engine (engine::ApplyRedo over put effects, ParseValue for every collection encoding).
//
// Input: the bytes of one snapshot file, as snapshot::FileWriter writes it. It is written to a
// file in a private temporary directory (the reader works on a file descriptor), opened, then
// Verify()ed, walked with ScanBlocks(), and every shard is loaded into a fresh keyspace with
// ReadShard() + ApplyRedo, as server/snapshots.cc loads one at start-up. This runs twice: on the
// bytes as given, and with every checksum recomputed (the header's, each block's as the block
// headers delimit them, the footer's and the trailer's), so that the fuzzer's changes to the
// structure and to the index get past the CRCs. A snapshot that loads completely must survive a
// snapshot round trip (fuzz_util.h) unchanged.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/coding.h"
#include "base/crc32c.h"
#include "engine/keyspace.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "tests/fuzz/fuzz_util.h"
#include "snapshot/file.h"
#include "snapshot/format.h"

namespace {

using strata::Status;
using strata::fuzz::Die;
namespace snapshot = strata::snapshot;
namespace engine = strata::engine;

// The file the input is written to: <private temporary directory>/snapshot-000000000001.snap.
// The directory is removed at exit.
const std::string& FilePath() {
  static const std::string path = [] {
    std::string dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    dir += "/strata-fuzz-snapshot-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) Die("mkdtemp failed");
    static const std::string cleanup = dir;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(cleanup, ec);
    });
    return dir + "/" + snapshot::SnapshotFileName(1);
  }();
  return path;
}

void WriteFile(std::string_view bytes) {
  const int fd = ::open(FilePath().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) Die("cannot create " + FilePath());
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) Die("cannot write " + FilePath());
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

// Recomputes every checksum the structure lets us find.
void FixChecksums(std::string* file) {
  char* p = file->data();
  const size_t size = file->size();
  if (size < snapshot::kHeaderSize) return;
  strata::EncodeFixed32(p + snapshot::kHeaderCrcOffset,
                        strata::Crc32c(p, snapshot::kHeaderCrcOffset));
  size_t blocks_end = size;
  if (size >= snapshot::kHeaderSize + snapshot::kTrailerSize) {
    char* t = p + size - snapshot::kTrailerSize;
    const uint64_t footer = strata::DecodeFixed64(t);
    const uint64_t length = strata::DecodeFixed64(t + 8);
    const uint64_t trailer_at = size - snapshot::kTrailerSize;
    if (footer >= snapshot::kHeaderSize && footer <= trailer_at && length == trailer_at - footer) {
      strata::EncodeFixed32(t + 16, strata::Crc32c(p + footer, length));
      blocks_end = footer;
    }
    strata::EncodeFixed32(t + 20, strata::Crc32c(t, 20));
  }
  size_t off = snapshot::kHeaderSize;
  while (blocks_end - off >= snapshot::kBlockHeaderSize) {
    const uint64_t frame = strata::DecodeFixed32(p + off + 16);
    if (frame > blocks_end - off - snapshot::kBlockHeaderSize) break;
    strata::EncodeFixed32(p + off,
                          strata::Crc32c(p + off + 4, snapshot::kBlockHeaderSize - 4 + frame));
    off += snapshot::kBlockHeaderSize + frame;
  }
}

// Reads the file as the server and strata-inspect do, and checks what loaded completely.
void Load(std::string_view bytes, std::string_view what) {
  WriteFile(bytes);
  auto reader = snapshot::FileReader::Open(FilePath());
  if (!reader.ok()) return;
  const snapshot::FileReader& r = **reader;
  const snapshot::FileMeta& meta = r.meta();
  Status verified = r.Verify();
  uint64_t bad_blocks = 0;
  Status scanned = r.ScanBlocks([&](const snapshot::BlockRef&, const Status& st, std::string_view) {
    if (!st.ok()) ++bad_blocks;
    return Status::Ok();
  });
  if (!scanned.ok()) Die(std::string(what) + ": ScanBlocks failed with an OK callback");
  if (verified.ok() != (bad_blocks == 0)) {
    Die(std::string(what) + ": Verify says " + (verified.ok() ? "OK" : verified.message()) +
        " but ScanBlocks found " + std::to_string(bad_blocks) + " bad blocks");
  }

  engine::KeyspaceOptions options;
  options.shards = 4;
  options.databases = 16;
  engine::Keyspace ks(options);
  for (uint32_t s = 0; s < meta.shards; ++s) {
    Status st = r.ReadShard(s, [&](std::string_view raw, uint32_t) {
      return engine::ApplyRedo(ks, raw);
    });
    if (!st.ok()) return;
  }
  if (!verified.ok()) Die(std::string(what) + ": every shard reads but Verify fails");
  strata::fuzz::CheckSnapshotRoundTrip(ks, "the keyspace a snapshot load built");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  Load(bytes, "the snapshot as given");
  FixChecksums(&bytes);
  Load(bytes, "the snapshot with its checksums recomputed");
  return 0;
}
