#include "base/fd.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "base/temp_dir.h"

namespace strata {
namespace {

TEST(FdTest, ErrnoStatusNamesTheCallThePathAndTheReason) {
  const Status st = ErrnoStatus("unlink", "/a: b/c", ENOENT);
  EXPECT_EQ(st.code(), Code::kIOError);
  EXPECT_EQ(st.message(), "unlink /a: b/c: No such file or directory");
  EXPECT_EQ(ErrnoReason(st), "No such file or directory");
  EXPECT_EQ(ErrnoReason(Status::IOError("no colon")), "no colon");
}

TEST(FdTest, WholeWritesAndReadsAndTheirErrors) {
  TempDir dir;
  const std::string path = dir.Sub("f");
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(fd.valid());
  ASSERT_TRUE(WriteFull(fd.get(), "hello world", 0, path).ok());
  std::string buf(32, '\0');
  size_t got = 0;
  ASSERT_TRUE(ReadFull(fd.get(), buf.data(), buf.size(), 6, path, &got).ok());
  EXPECT_EQ(buf.substr(0, got), "world");  // short only at the end of the file
  EXPECT_TRUE(fd.Close(path).ok());
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(ReadFull(-1, buf.data(), 1, 0, path, &got).message(),
            "read " + path + ": Bad file descriptor");
  EXPECT_TRUE(SyncDir(dir.path()).ok());
  EXPECT_EQ(SyncDir(dir.Sub("missing")).message(),
            "open " + dir.Sub("missing") + ": No such file or directory");
}

}  // namespace
}  // namespace strata
