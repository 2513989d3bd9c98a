// Integration tests: the stock Redis tools (redis-cli, redis-benchmark) used against the real
// strata-server binary exactly as they are used against redis-server.

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

class RedisCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = ServerProcess::StartStrata({}, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  ToolResult Cli(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    return RunRedisCli(server_->port(), args, stdin_data);
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(RedisCliTest, SetThenGetPrintsTheValue) {
  ToolResult set = Cli({"SET", "greeting", "hello world"});
  EXPECT_EQ(set.exit_code, 0) << set.output;
  EXPECT_EQ(set.output, "OK\n");
  ToolResult get = Cli({"GET", "greeting"});
  EXPECT_EQ(get.exit_code, 0) << get.output;
  EXPECT_EQ(get.output, "hello world\n");
  ToolResult missing = Cli({"GET", "missing"});
  EXPECT_EQ(missing.output, "\n");  // redis-cli prints nil as an empty line when not a tty
  ToolResult incr = Cli({"INCR", "n"});
  EXPECT_EQ(incr.output, "1\n");
}

TEST_F(RedisCliTest, PipeModeLoadsTenThousandSetsWithoutErrors) {
  constexpr int kKeys = 10000;
  std::string input;
  for (int i = 0; i < kKeys; ++i) {
    input += "*3\r\n" + Bulk("SET") + Bulk("key:" + std::to_string(i)) +
             Bulk("value:" + std::to_string(i));
  }
  ToolResult pipe = Cli({"--pipe"}, input);
  EXPECT_EQ(pipe.exit_code, 0) << pipe.output;
  EXPECT_NE(pipe.output.find("errors: 0, replies: 10000"), std::string::npos) << pipe.output;

  ToolResult dbsize = Cli({"DBSIZE"});
  EXPECT_EQ(dbsize.output, std::to_string(kKeys) + "\n");
  ToolResult get = Cli({"GET", "key:9999"});
  EXPECT_EQ(get.output, "value:9999\n");
}

TEST_F(RedisCliTest, InfoPrintsRedisSections) {
  ToolResult info = Cli({"info"});
  EXPECT_EQ(info.exit_code, 0) << info.output;
  for (const char* section : {"# Server", "# Clients", "# Memory", "# Persistence", "# Stats",
                              "# Keyspace"}) {
    EXPECT_NE(info.output.find(section), std::string::npos) << "missing " << section;
  }
  EXPECT_TRUE(std::regex_search(info.output, std::regex("(^|\n)redis_version:[0-9.]+\r?\n")))
      << info.output;
}

// redis-cli --stat reads INFO each interval (keys from the keyspace section, memory, clients,
// blocked clients, commands and connections) and prints a row: under a terminal (script(1)
// gives it one), as an operator runs it. It is stopped after a few rows.
TEST_F(RedisCliTest, StatPrintsRowsWithTheKeyCount) {
  ASSERT_EQ(Cli({"MSET", "a", "1", "b", "2", "c", "3"}).output, "OK\n");
  const std::string cli = "redis-cli -h 127.0.0.1 -p " + std::to_string(server_->port()) +
                          " --stat -i 0.2";
  ToolResult r = RunTool({"timeout", "2", "script", "-qc", cli, "/dev/null"}, {},
                         std::chrono::seconds(30));
  const std::vector<std::string> lines = Lines(r.output);
  ASSERT_GE(lines.size(), 4u) << r.output;
  EXPECT_NE(lines[1].find("keys       mem      clients blocked requests"), std::string::npos)
      << r.output;
  // A row: 3 keys, memory, 1 client, 0 blocked, requests with their increase, connections.
  EXPECT_TRUE(std::regex_search(lines[2], std::regex(R"(^3 +[0-9.]+[KMG]? +1 +0 +[0-9]+ \(\+[0-9]+\) +[0-9]+)")))
      << r.output;
}

TEST_F(RedisCliTest, ScanListsEveryKeyExactlyOnce) {
  std::string input;
  std::set<std::string> expected_users;
  for (int i = 0; i < 500; ++i) {
    const std::string user = "user:" + std::to_string(i);
    expected_users.insert(user);
    input += "*3\r\n" + Bulk("SET") + Bulk(user) + Bulk("x");
    input += "*3\r\n" + Bulk("SET") + Bulk("item:" + std::to_string(i)) + Bulk("y");
  }
  ToolResult load = Cli({"--pipe"}, input);
  ASSERT_NE(load.output.find("errors: 0, replies: 1000"), std::string::npos) << load.output;

  ToolResult scan = Cli({"--scan"});
  EXPECT_EQ(scan.exit_code, 0) << scan.output;
  const std::vector<std::string> all = Lines(scan.output);
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 1000u)
      << "--scan returned duplicates";

  ToolResult users = Cli({"--scan", "--pattern", "user:*"});
  EXPECT_EQ(users.exit_code, 0) << users.output;
  const std::vector<std::string> user_lines = Lines(users.output);
  EXPECT_EQ(user_lines.size(), expected_users.size());
  EXPECT_EQ(std::set<std::string>(user_lines.begin(), user_lines.end()), expected_users);
}

TEST_F(RedisCliTest, RedisBenchmarkSetAndGetCompleteWithThroughputFigures) {
  ToolResult bench = RunTool({"redis-benchmark", "-h", "127.0.0.1", "-p",
                              std::to_string(server_->port()), "-t", "set,get", "-n", "2000",
                              "-q"});
  EXPECT_EQ(bench.exit_code, 0) << bench.output;
  // -q prints one line per test, e.g. "SET: 66666.67 requests per second, p50=0.383 msec".
  EXPECT_TRUE(
      std::regex_search(bench.output, std::regex("(^|[\r\n])SET: [0-9.]+ requests per second")))
      << bench.output;
  EXPECT_TRUE(
      std::regex_search(bench.output, std::regex("(^|[\r\n])GET: [0-9.]+ requests per second")))
      << bench.output;
}

}  // namespace
}  // namespace strata::integration
