#include "base/file_layer.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "base/fd.h"
#include "base/temp_dir.h"

namespace strata {
namespace {

std::string MakeZeroFile(const TempDir& dir, uint64_t size) {
  const std::string path = dir.Sub("seg");
  auto f = FileLayer::Default()->OpenWritable(path, /*create=*/true, nullptr);
  EXPECT_TRUE(f.ok());
  EXPECT_TRUE((*f)->ZeroFill(0, size).ok());
  EXPECT_TRUE((*f)->Close().ok());
  return path;
}

// How much of the mapping of `path` is resident in this process (its Rss in /proc/self/smaps).
uint64_t MappedResidentKb(const std::string& path) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_mapping = false;
  uint64_t kb = 0;
  while (std::getline(smaps, line)) {
    if (line.find('-') < line.find(' ') && line.find(' ') != std::string::npos &&
        line.find(':') > line.find(' ')) {  // a mapping's header line: "start-end perms ..."
      in_mapping = line.size() >= path.size() && line.ends_with(path);
    } else if (in_mapping && line.starts_with("Rss:")) {
      kb += std::stoull(line.substr(4));
    }
  }
  return kb;
}

// What goes through the map is in the file, as a reader (or a restart after kill -9) sees it,
// before any sync; writes past the mapped size go through pwrite.
TEST(MappedFileTest, WritesReachTheFileWithoutASync) {
  TempDir dir;
  const std::string path = MakeZeroFile(dir, 3 * 4096);
  auto f = FileLayer::Default()->OpenMapped(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE((*f)->Write(10, "hello", false).ok());
  ASSERT_TRUE((*f)->Write(4090, "across a page", false).ok());
  ASSERT_TRUE((*f)->Write(3 * 4096 - 2, "past the end", false).ok());
  std::string got = *FileLayer::Default()->ReadFile(path);
  ASSERT_EQ(got.size(), 3 * 4096 - 2 + 12);
  EXPECT_EQ(got.substr(10, 5), "hello");
  EXPECT_EQ(got.substr(4090, 13), "across a page");
  EXPECT_EQ(got.substr(3 * 4096 - 2), "past the end");
  EXPECT_EQ(got.substr(0, 10), std::string(10, '\0'));
  EXPECT_TRUE((*f)->Sync().ok());
  EXPECT_TRUE((*f)->Close().ok());
}

// Pages written are handed back in 1 MiB steps: writing a whole 32 MiB segment does not grow
// the process by 32 MiB, and nothing written is lost by it.
TEST(MappedFileTest, WrittenPagesDoNotStayInTheProcess) {
  TempDir dir;
  constexpr uint64_t kSize = 32 << 20;
  const std::string path = MakeZeroFile(dir, kSize);
  auto f = FileLayer::Default()->OpenMapped(path);
  ASSERT_TRUE(f.ok());
  const std::string chunk(64 * 1024, 'x');
  for (uint64_t off = 0; off < kSize; off += chunk.size()) {
    ASSERT_TRUE((*f)->Write(off, chunk, false).ok());
  }
  EXPECT_LE(MappedResidentKb(path), 1024u);
  ASSERT_TRUE((*f)->Close().ok());
  std::string got = *FileLayer::Default()->ReadFile(path);
  EXPECT_EQ(got, std::string(kSize, 'x'));
}

// A page that cannot be brought in (here: the file was truncated under the map) is an I/O
// error from Write, as a failed pwrite is, not a SIGBUS that ends the process.
TEST(MappedFileTest, AFailedPageInIsAnErrorNotACrash) {
  TempDir dir;
  const std::string path = MakeZeroFile(dir, 4 * 4096);
  auto f = FileLayer::Default()->OpenMapped(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Write(0, "fine", false).ok());
  ASSERT_EQ(::truncate(path.c_str(), 4096), 0);
  Status st = (*f)->Write(2 * 4096, "gone", false);
  EXPECT_EQ(st.code(), Code::kIOError);
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  // And the thread goes on: the next write within what is left works.
  EXPECT_TRUE((*f)->Write(100, "still", false).ok());
}

}  // namespace
}  // namespace strata
