// The latency monitor fed through base/latency_events.h: what a lower layer reports past the
// threshold becomes a sample of its event, what is under it does not, and nothing is reported
// once the sink is cleared.
#include <gtest/gtest.h>

#include "base/latency_events.h"
#include "server/latency.h"

namespace strata::server {
namespace {

TEST(LatencyEvents, ReportsPastTheThresholdBecomeSamples) {
  LatencyMonitor monitor;
  monitor.set_threshold_ms(5);
  SetLatencySink(&monitor);
  ReportLatency("wal-fsync", 7000);
  ReportLatency("tier-read", 4999);  // under the threshold
  ReportLatency("snapshot-step", 12000);
  ClearLatencySink(&monitor);
  ReportLatency("wal-write", 90000);  // no sink: nowhere
  const std::vector<LatencyMonitor::Latest> latest = monitor.LatestAll();
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].event, "snapshot-step");
  EXPECT_EQ(latest[0].max_ms, 12u);
  EXPECT_EQ(latest[1].event, "wal-fsync");
  EXPECT_EQ(latest[1].latest_ms, 7u);
}

TEST(LatencyEvents, ClearingAnotherSinkLeavesTheSetOne) {
  LatencyMonitor a, b;
  a.set_threshold_ms(1);
  SetLatencySink(&a);
  ClearLatencySink(&b);
  ReportLatency("wal-fsync", 2000);
  ClearLatencySink(&a);
  EXPECT_EQ(a.LatestAll().size(), 1u);
}

TEST(LatencyReport, GraphOfOneSampleAndDoctorAdviceForStrataEvents) {
  LatencyMonitor monitor;
  monitor.set_threshold_ms(1);
  monitor.Add("wal-fsync", 40, 1000);
  const std::vector<LatencyMonitor::EventSeries> all = monitor.All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(LatencyGraph(all[0], 1002),
            "wal-fsync - high 40 ms, low 40 ms (all time high 40 ms)\n" + std::string(80, '-') +
                "\n \n \n \n_\n \n2\ns\n");
  DoctorSettings settings;
  settings.appendfsync_always = true;
  const std::string report = LatencyDoctor(monitor, settings, 1002);
  EXPECT_NE(report.find("1. wal-fsync: 1 latency spikes (average 40ms, mean deviation 0ms, "
                        "period 2.00 sec). Worst all time event 40ms."),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("Your fsync policy is set to 'always'"), std::string::npos) << report;
}

}  // namespace
}  // namespace strata::server
