// A fixture for blocking-command tests against the real server (2 workers; consecutive
// connections are served by different workers): a control connection, commands run on new
// connections in other threads, and a bounded wait for INFO's blocked_clients.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {

class BlockingFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = ServerProcess::StartStrata({"--save", ""}, &error);
    ASSERT_NE(server_, nullptr) << error;
    control_ = Connect(server_->port());
    ASSERT_NE(control_, nullptr);
  }

  std::string Run(const std::vector<std::string>& argv) {
    ReplyPtr r = Command(control_.get(), argv);
    return r ? Describe(r.get()) : "(connection error)";
  }

  // Runs argv on a new connection in another thread; the future holds the rendered reply.
  std::future<std::string> RunAsync(std::vector<std::string> argv) {
    RedisConnection c = Connect(server_->port());
    return std::async(std::launch::async, [c = std::move(c), argv] {
      if (!c) return std::string("(connect failed)");
      ReplyPtr r = Command(c.get(), argv);
      return r ? Describe(r.get()) : std::string("(connection error)");
    });
  }

  // Waits (bounded) until INFO reports n blocked clients.
  void WaitForBlocked(int n) {
    const std::string want = "blocked_clients:" + std::to_string(n) + "\r";
    for (int i = 0; i < 1000; ++i) {
      ReplyPtr r = Command(control_.get(), {"INFO", "clients"});
      if (r && std::string(r->str, r->len).find(want) != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "never saw " << want;
  }

  std::unique_ptr<ServerProcess> server_;
  RedisConnection control_;
};

}  // namespace strata::integration
