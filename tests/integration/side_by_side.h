// A fixture for tests that send the same commands to redis-server 7.0 and to Strata and compare
// what comes back: both servers are started once per test suite (Strata with `--save ""`), and
// every test is skipped where redis-server is not installed.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {

// A reply on one line: simple strings bare, errors "(error) ...", integers as numbers, bulk
// strings quoted, arrays in brackets.
inline std::string RenderLine(const RespValue& v) {
  switch (v.type) {
    case '+': return v.str;
    case '-': return "(error) " + v.str;
    case ':': return std::to_string(v.integer);
    case '$': return v.null ? "(nil)" : "\"" + v.str + "\"";
    case '*': {
      if (v.null) return "(nil array)";
      std::string out = "[";
      for (size_t i = 0; i < v.elements.size(); ++i) out += (i ? ", " : "") + RenderLine(v.elements[i]);
      return out + "]";
    }
    default: return std::string(1, v.type) + v.str;
  }
}

// argv as a RESP array of bulk strings.
inline std::string Encode(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Sends each command line of `corpus` in turn on one connection to `port`; returns every line
// and its rendered reply ("> SET k v\n  OK\n"), the transcript two servers' are compared by.
inline std::string CorpusTranscript(int port, const std::vector<std::vector<std::string>>& corpus) {
  RawConnection c(port);
  std::string out;
  for (const std::vector<std::string>& argv : corpus) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    out += "> " + line + "\n  " + (v ? RenderLine(*v) : "(no reply)") + "\n";
  }
  return out;
}

// The command lines of a corpus file: one per line, arguments split on spaces; empty lines and
// lines starting with '#' are skipped.
inline std::vector<std::vector<std::string>> LoadCorpusFile(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::vector<std::string> argv;
    for (std::string w; words >> w;) argv.push_back(w);
    out.push_back(std::move(argv));
  }
  return out;
}

// Where two transcripts first differ: the command and the two replies (whole transcripts are
// too long to read), or "" when they are equal.
inline std::string FirstDifference(const std::string& want, const std::string& got) {
  if (want == got) return "";
  std::istringstream a(want), b(got);
  std::string la, lb, command;
  while (std::getline(a, la) && std::getline(b, lb)) {
    if (la.starts_with("> ")) command = la;
    if (la != lb) break;
  }
  return "after " + command + "\n redis:  " + la + "\n strata: " + lb;
}

class SideBySideTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { StartBoth({}); }
  // Starts both servers with `flags` (a suite that needs more defines its own SetUpTestSuite).
  static void StartBoth(const std::vector<std::string>& flags) {
    std::string error;
    redis_ = ServerProcess::StartRedis(flags, &error).release();
    if (redis_ == nullptr) return;
    std::vector<std::string> strata_flags = {"--save", ""};
    strata_flags.insert(strata_flags.end(), flags.begin(), flags.end());
    strata_ = ServerProcess::StartStrata(strata_flags, &error).release();
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
