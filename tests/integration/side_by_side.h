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
    case '*':
    case '%':
    case '~':
    case '>': {
      if (v.null) return "(nil array)";
      // RESP3's aggregates carry their type: %[...] a map (keys and values alternate), ~[...]
      // a set, >[...] a push.
      std::string out = v.type == '*' ? "[" : std::string(1, v.type) + "[";
      for (size_t i = 0; i < v.elements.size(); ++i) out += (i ? ", " : "") + RenderLine(v.elements[i]);
      return out + "]";
    }
    case '_': return "(null)";
    default: return std::string(1, v.type) + v.str;
  }
}

// argv as a RESP array of bulk strings.
inline std::string Encode(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// A corpus file: one command per line, arguments split on spaces; blank lines and lines
// starting with '#' are skipped. In an argument, "\xHH" is the byte 0xHH and "\s" a space; an
// argument "" is the empty string.
inline std::vector<std::vector<std::string>> LoadCorpusFile(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> out;
  std::string line;
  auto unescape = [](const std::string& w) {
    std::string r;
    if (w == "\"\"") return r;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == '\\' && i + 3 < w.size() && w[i + 1] == 'x') {
        r += static_cast<char>(std::stoi(w.substr(i + 2, 2), nullptr, 16));
        i += 3;
      } else if (w[i] == '\\' && i + 1 < w.size() && w[i + 1] == 's') {
        r += ' ';
        ++i;
      } else {
        r += w[i];
      }
    }
    return r;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::vector<std::string> argv;
    for (std::string w; words >> w;) argv.push_back(unescape(w));
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
  return "after " + command + "\n redis:  " + la.substr(0, 400) + "\n strata: " + lb.substr(0, 400);
}

// Bytes as a corpus writes them: printable ASCII as is, the rest \xNN.
inline std::string Printable(const std::string& s) {
  std::string out;
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// Sends each command line of `corpus` in turn on one connection to `port`; returns every line
// and its rendered reply ("> SET k v\n  OK\n"), the transcript two servers' are compared by.
// HELLO's reply is left out of it (it names the connection's id).
inline std::string CorpusTranscript(int port, const std::vector<std::vector<std::string>>& corpus) {
  RawConnection c(port);
  std::string out;
  for (const std::vector<std::string>& argv : corpus) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    if (v && (argv[0] == "HELLO" || argv[0] == "hello")) v->elements.clear();
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + Printable(a);
    out += "> " + line + "\n  " + (v ? Printable(RenderLine(*v)) : "(no reply)") + "\n";
  }
  return out;
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
