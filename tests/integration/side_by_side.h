// A fixture for tests that send the same commands to redis-server 7.0 and to Strata and compare
// what comes back: both servers are started once per test suite (Strata with `--save ""`), and
// every test is skipped where redis-server is not installed.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/integration/server_harness.h"

namespace strata::integration {

class SideBySideTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    redis_ = ServerProcess::StartRedis({}, &error).release();
    if (redis_ == nullptr) return;
    strata_ = ServerProcess::StartStrata({"--save", ""}, &error).release();
  }
  static void TearDownTestSuite() {
    delete redis_;
    delete strata_;
    redis_ = strata_ = nullptr;
  }
  void SetUp() override {
    if (redis_ == nullptr) GTEST_SKIP() << "redis-server is not available";
    ASSERT_NE(strata_, nullptr);
  }

  inline static ServerProcess* redis_ = nullptr;
  inline static ServerProcess* strata_ = nullptr;
};

}  // namespace strata::integration
