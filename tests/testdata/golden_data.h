// What the golden files of tests/testdata/ hold: the generator (make_golden.cc) writes it with
// today's writers, once; the golden test (golden_test.cc) reads the committed files back with
// today's readers and checks every byte of meaning against expectations written out by hand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata::golden {

// Fixed times, so that the files carry no clock: far-future TTLs never expire in a test.
inline constexpr int64_t kCreatedMs = 1'750'000'000'000;  // the snapshots' creation time
inline constexpr int64_t kTtl1 = 4'102'444'800'000;       // 2100-01-01
inline constexpr int64_t kTtl2 = 4'102'531'200'000;       // 2100-01-02

// The WAL: 512-byte segments, so that the records span several.
inline constexpr uint64_t kSegmentBytes = 512;
// The snapshots: this many shards and databases; snapshot ids.
inline constexpr uint32_t kShards = 2;
inline constexpr uint32_t kDatabases = 4;
inline constexpr uint64_t kSnapshotId = 1;
inline constexpr uint64_t kStubSnapshotId = 2;

// Directory and file names under tests/testdata/.
inline constexpr char kWalDir[] = "wal";                 // the log, intact
inline constexpr char kTornWalDir[] = "wal_torn_tail";   // its newest segment's last record cut
inline constexpr char kDamagedWalDir[] = "wal_damaged";  // a byte flipped in its first segment
inline constexpr char kSnapshotDir[] = "snapshot";       // the log's final state, captured
inline constexpr char kStubSnapshotDir[] = "snapshot_stubs";       // puts and tier stubs
inline constexpr char kBadFrameFile[] = "damaged/bad_frame.snap";  // a byte flipped in a frame
inline constexpr char kShortFooterFile[] = "damaged/short_footer.snap";  // cut inside the footer

}  // namespace strata::golden
