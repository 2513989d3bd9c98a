// LATENCY's event monitor side by side with redis-server 7.0 (both started with
// enable-debug-command yes, for DEBUG SLEEP): with latency-monitor-threshold set, a command
// slower than it leaves a "command" sample; LATEST, HISTORY, RESET and their errors answer as
// Redis's. Times and milliseconds differ by nature: they are checked for sense (the sample's
// time within a minute of now, at least the time slept) and then left out.
#include <gtest/gtest.h>

#include <cctype>
#include <ctime>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

// A reply with each integer that looks like a Unix time (within a minute of now) replaced by
// "T", and each other integer at least `min_ms` replaced by "MS".
std::string Normalized(const RespValue& v, int64_t min_ms) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  switch (v.type) {
    case ':':
      if (v.integer > now - 60 && v.integer <= now + 1) return "T";
      return v.integer >= min_ms ? "MS" : std::to_string(v.integer);
    case '*': {
      std::string out = "[";
      for (size_t i = 0; i < v.elements.size(); ++i) {
        out += (i ? ", " : "") + Normalized(v.elements[i], min_ms);
      }
      return out + "]";
    }
    default: return RenderLine(v);
  }
}

std::string Transcript(int port) {
  RawConnection c(port);
  std::string out;
  for (const Argv& argv : std::vector<Argv>{{"LATENCY", "RESET"},
                                            {"CONFIG", "SET", "latency-monitor-threshold", "25"},
                                            {"DEBUG", "SLEEP", "0"},
                                            {"LATENCY", "LATEST"},
                                            {"DEBUG", "SLEEP", "0.05"},
                                            {"LATENCY", "LATEST"},
                                            {"LATENCY", "HISTORY", "command"},
                                            {"LATENCY", "HISTORY", "nosuch"},
                                            {"LATENCY", "HISTORY"},
                                            {"LATENCY", "RESET", "nosuch", "command"},
                                            {"LATENCY", "LATEST"},
                                            {"CONFIG", "SET", "latency-monitor-threshold", "0"},
                                            {"DEBUG", "SLEEP", "0.05"},
                                            {"LATENCY", "LATEST"},
                                            {"LATENCY", "RESET"},
                                            {"LATENCY", "nope"},
                                            {"LATENCY", "HELP"}}) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    out += "> " + line + "\n  " + (v ? Normalized(*v, 50) : "(no reply)") + "\n";
  }
  return out;
}

class LatencyCompatTest : public SideBySideTest {
 protected:
  static void SetUpTestSuite() { StartBoth({"--enable-debug-command", "yes"}); }
};

TEST_F(LatencyCompatTest, SamplesAndRepliesAsRedis) {
  const std::string want = Transcript(redis_->port());
  EXPECT_NE(want.find("[[\"command\", T, MS, MS]]"), std::string::npos) << want;
  EXPECT_EQ(Transcript(strata_->port()), want);
}

// DOCTOR's and GRAPH's texts with every number written N (times, ages and milliseconds vary).
std::string ReportTranscript(int port) {
  RawConnection c(port);
  std::string out;
  for (const Argv& argv : std::vector<Argv>{
           {"LATENCY", "RESET"},
           {"CONFIG", "SET", "latency-monitor-threshold", "0"},
           {"LATENCY", "DOCTOR"},
           {"CONFIG", "SET", "latency-monitor-threshold", "25"},
           {"LATENCY", "DOCTOR"},
           {"LATENCY", "GRAPH", "command"},
           {"DEBUG", "SLEEP", "0.05"},
           {"LATENCY", "GRAPH", "command"},
           {"LATENCY", "DOCTOR"},
           {"CONFIG", "SET", "slowlog-log-slower-than", "-1"},
           {"LATENCY", "DOCTOR"},
           {"CONFIG", "SET", "slowlog-log-slower-than", "100000"},
           {"LATENCY", "DOCTOR"},
           {"CONFIG", "SET", "slowlog-log-slower-than", "10000"},
           {"CONFIG", "SET", "latency-monitor-threshold", "0"},
           {"LATENCY", "DOCTOR"},
           {"LATENCY", "GRAPH"},
           {"LATENCY", "DOCTOR", "x"},
           {"LATENCY", "RESET"}}) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    std::string text = v ? RenderLine(*v) : "(no reply)";
    std::string normalized;
    for (size_t i = 0; i < text.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(text[i]))) {
        normalized += 'N';
        while (i + 1 < text.size() && (std::isdigit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '.')) ++i;
      } else {
        normalized += text[i];
      }
    }
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    out += "> " + line + "\n" + normalized + "\n";
  }
  return out;
}

TEST_F(LatencyCompatTest, DoctorAndGraphAsRedis) {
  const std::string want = ReportTranscript(redis_->port());
  EXPECT_NE(want.find("command - high N ms, low N ms"), std::string::npos) << want;
  EXPECT_EQ(ReportTranscript(strata_->port()), want);
}

}  // namespace
}  // namespace strata::integration
