// Per-command latency tracking side by side with redis-server 7.0 (both started with
// enable-debug-command yes, for DEBUG SLEEP): INFO latencystats' lines and LATENCY HISTOGRAM's
// reply have Redis's shape (the same commands, fields, percentile names and bucket labels),
// latency-tracking-info-percentiles and latency-tracking act as in Redis, and CONFIG RESETSTAT
// empties both. Latencies differ by nature: they are checked for sense (ordered, at least the
// time slept, in the buckets where the sleep falls).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

RespValue Send(RawConnection& c, const Argv& argv) {
  c.Send(Encode(argv));
  std::optional<RespValue> v = c.ReadValue();
  return v ? *v : RespValue{};
}

// INFO latencystats as command -> (percentile name -> microseconds).
std::map<std::string, std::map<std::string, double>> Latencystats(RawConnection& c) {
  std::map<std::string, std::map<std::string, double>> out;
  std::istringstream in(Send(c, {"INFO", "latencystats"}).str);
  const std::string prefix = "latency_percentiles_usec_";
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.starts_with(prefix)) continue;
    const size_t colon = line.find(':');
    auto& row = out[line.substr(prefix.size(), colon - prefix.size())];
    std::istringstream fields(line.substr(colon + 1));
    for (std::string f; std::getline(fields, f, ',');) {
      row[f.substr(0, f.find('='))] = std::stod(f.substr(f.find('=') + 1));
    }
  }
  return out;
}

struct Histogram {
  int64_t calls = 0;
  std::vector<std::pair<int64_t, int64_t>> buckets;  // (usec label, cumulative count)
};

// LATENCY HISTOGRAM's reply (RESP3 maps) as command -> histogram; the keys of every map are
// checked on the way.
std::map<std::string, Histogram> Histograms(RawConnection& c, const Argv& args) {
  Argv argv = {"LATENCY", "HISTOGRAM"};
  argv.insert(argv.end(), args.begin(), args.end());
  const RespValue v = Send(c, argv);
  std::map<std::string, Histogram> out;
  EXPECT_EQ(v.type, '%') << RenderLine(v);
  for (size_t i = 0; i + 1 < v.elements.size(); i += 2) {
    const RespValue& h = v.elements[i + 1];
    EXPECT_EQ(h.type, '%');
    EXPECT_EQ(h.elements.size(), 4u);
    if (h.elements.size() != 4) continue;
    EXPECT_EQ(h.elements[0].str, "calls");
    EXPECT_EQ(h.elements[2].str, "histogram_usec");
    EXPECT_EQ(h.elements[3].type, '%');
    Histogram& out_h = out[v.elements[i].str];
    out_h.calls = h.elements[1].integer;
    const auto& b = h.elements[3].elements;
    for (size_t j = 0; j + 1 < b.size(); j += 2) {
      out_h.buckets.emplace_back(b[j].integer, b[j + 1].integer);
    }
  }
  return out;
}

// Redis's bucket labels: the k-th power-of-two bucket of 1024 ns << k, labelled by its largest
// value (HDR's two significant figures: 1/128 of the bucket's start) in whole microseconds.
std::set<int64_t> BucketLabels() {
  std::set<int64_t> out;
  for (int k = 0; k < 21; ++k) {
    const int64_t start = int64_t{1024} << k;
    out.insert((start + start / 128 - 1) / 1000);
  }
  return out;
}

class LatencystatsCompatTest : public SideBySideTest {
 protected:
  static void SetUpTestSuite() { StartBoth({"--enable-debug-command", "yes"}); }

  // The same commands on one server: 50 SETs, one GET, a DEBUG SLEEP of 3 ms.
  static void Workload(RawConnection& c) {
    Send(c, {"CONFIG", "RESETSTAT"});
    for (int i = 0; i < 50; ++i) Send(c, {"SET", "k" + std::to_string(i), "v"});
    Send(c, {"GET", "k1"});
    Send(c, {"DEBUG", "SLEEP", "0.003"});
  }
};

TEST_F(LatencystatsCompatTest, InfoLatencystatsHasRedisLines) {
  for (ServerProcess* s : {redis_, strata_}) {
    RawConnection c(s->port());
    Workload(c);
    const auto stats = Latencystats(c);
    for (const char* cmd : {"set", "get", "debug", "config|resetstat"}) {
      ASSERT_TRUE(stats.count(cmd)) << cmd << " on port " << s->port();
      const auto& p = stats.at(cmd);
      ASSERT_EQ(p.size(), 3u);
      ASSERT_TRUE(p.count("p50") && p.count("p99") && p.count("p99.9"));
      EXPECT_GT(p.at("p50"), 0);
      EXPECT_LE(p.at("p50"), p.at("p99"));
      EXPECT_LE(p.at("p99"), p.at("p99.9"));
    }
    EXPECT_GE(stats.at("debug").at("p50"), 3000);
    EXPECT_LT(stats.at("set").at("p50"), 3000);
    // Not in INFO's default sections; in INFO all.
    EXPECT_EQ(Send(c, {"INFO"}).str.find("latency_percentiles_usec_"), std::string::npos);
    EXPECT_NE(Send(c, {"INFO", "all"}).str.find("# Latencystats"), std::string::npos);

    Send(c, {"CONFIG", "SET", "latency-tracking-info-percentiles", "0 12.5 100"});
    const auto other = Latencystats(c);
    ASSERT_TRUE(other.count("debug"));
    std::set<std::string> names;
    for (const auto& [name, value] : other.at("debug")) names.insert(name);
    EXPECT_EQ(names, (std::set<std::string>{"p0", "p12.5", "p100"}));
    EXPECT_LE(other.at("set").at("p0"), other.at("set").at("p100"));
    Send(c, {"CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"});

    Send(c, {"CONFIG", "RESETSTAT"});
    const auto reset = Latencystats(c);
    EXPECT_EQ(reset.size(), 1u) << "only CONFIG RESETSTAT itself, after the reset";
    EXPECT_TRUE(reset.count("config|resetstat"));
  }
}

TEST_F(LatencystatsCompatTest, LatencyHistogramHasRedisShape) {
  const std::set<int64_t> labels = BucketLabels();
  std::map<std::string, std::string> shapes;  // server -> rendering without counts
  for (ServerProcess* s : {redis_, strata_}) {
    RawConnection c(s->port());
    Send(c, {"HELLO", "3"});
    Workload(c);
    const auto h = Histograms(c, {"set", "debug", "nosuch", "config"});
    ASSERT_EQ(h.size(), 3u) << s->port();  // set, debug, config|resetstat
    ASSERT_TRUE(h.count("set") && h.count("debug") && h.count("config|resetstat"));
    EXPECT_EQ(h.at("set").calls, 50);
    EXPECT_EQ(h.at("debug").calls, 1);
    for (const auto& [cmd, hist] : h) {
      ASSERT_FALSE(hist.buckets.empty()) << cmd;
      int64_t previous = 0;
      for (const auto& [label, count] : hist.buckets) {
        EXPECT_TRUE(labels.count(label)) << cmd << " bucket " << label << " on " << s->port();
        EXPECT_GT(count, previous) << "cumulative, and only where it grows";
        previous = count;
      }
      EXPECT_EQ(previous, hist.calls) << cmd;
    }
    // 3 ms falls past the 2,113 us bucket.
    EXPECT_GE(h.at("debug").buckets.front().first, 2113);
    EXPECT_TRUE(Histograms(c, {"nosuch"}).empty());
    EXPECT_EQ(Histograms(c, {}).count("set"), 1u);

    // latency-tracking no: nothing more is recorded, what was stays.
    Send(c, {"CONFIG", "SET", "latency-tracking", "no"});
    Send(c, {"SET", "k", "v"});
    EXPECT_EQ(Histograms(c, {"set"}).at("set").calls, 50);
    Send(c, {"CONFIG", "SET", "latency-tracking", "yes"});
    Send(c, {"SET", "k", "v"});
    EXPECT_EQ(Histograms(c, {"set"}).at("set").calls, 51);

    Send(c, {"CONFIG", "RESETSTAT"});
    EXPECT_TRUE(Histograms(c, {"set", "debug"}).empty());
    // RESP2: the same maps as flat arrays.
    Send(c, {"HELLO", "2"});
    Send(c, {"SET", "k", "v"});
    const RespValue flat = Send(c, {"LATENCY", "HISTOGRAM", "set"});
    shapes[s == redis_ ? "redis" : "strata"] =
        flat.type == '*' && flat.elements.size() == 2 && flat.elements[1].elements.size() == 4
            ? flat.elements[0].str + " " + flat.elements[1].elements[0].str + " " +
                  flat.elements[1].elements[2].str + " " +
                  std::to_string(flat.elements[1].elements[3].elements.size())
            : RenderLine(flat);
  }
  EXPECT_EQ(shapes["strata"], shapes["redis"]);
  EXPECT_EQ(shapes["redis"], "set calls histogram_usec 2");
}

}  // namespace
}  // namespace strata::integration
