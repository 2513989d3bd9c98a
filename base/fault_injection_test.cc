#include "base/fault_injection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "base/temp_dir.h"

namespace strata {
namespace {

using CutMode = FaultInjectionFileLayer::CutMode;

TEST(FaultInjectionFileLayerTest, PowerCutLosesExactlyTheUnsyncedRanges) {
  for (CutMode mode : {CutMode::kZeros, CutMode::kGarbage}) {
    TempDir dir;
    FaultInjectionFileLayer layer(nullptr, 7);
    const std::string path = dir.Sub("f");
    {
      auto file = layer.OpenWritable(path, true, nullptr);
      ASSERT_TRUE(file.ok());
      ASSERT_TRUE((*file)->Write(0, std::string(100, 'a'), true).ok());
      ASSERT_TRUE(layer.SyncDir(dir.path()).ok());
      ASSERT_TRUE((*file)->Write(100, std::string(50, 'b'), false).ok());
      ASSERT_TRUE((*file)->Write(150, std::string(50, 'c'), false).ok());
      EXPECT_EQ(layer.unsynced_bytes(), 100u);
      layer.SimulatePowerCut(mode);
      // The disk is frozen: this write "succeeds" and changes nothing.
      ASSERT_TRUE((*file)->Write(0, std::string(10, 'z'), true).ok());
    }
    std::string data = ReadFileOrDie(path);
    ASSERT_EQ(data.size(), 200u);
    EXPECT_EQ(data.substr(0, 100), std::string(100, 'a'));
    if (mode == CutMode::kZeros) {
      EXPECT_EQ(data.substr(100), std::string(100, '\0'));
    } else {
      EXPECT_LT(std::count(data.begin() + 100, data.end(), 'b'), 10);
    }
  }
}

TEST(FaultInjectionFileLayerTest, FileCreatedWithoutDirectorySyncDisappears) {
  TempDir dir;
  FaultInjectionFileLayer layer;
  {
    auto file = layer.OpenWritable(dir.Sub("f.tmp"), true, nullptr);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Write(0, "data", true).ok());
  }
  ASSERT_TRUE(layer.Rename(dir.Sub("f.tmp"), dir.Sub("f")).ok());
  layer.SimulatePowerCut(CutMode::kZeros);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("f")));
}

}  // namespace
}  // namespace strata
