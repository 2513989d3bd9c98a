// Geo commands side by side with redis-server 7.0:
// - a corpus of edge cases and errors (data/geo_corpus.txt: poles, the antimeridian, latitudes
//   past 85.05112878, zero and huge radii, every unit, missing members and keys, WRONGTYPE, bad
//   arguments, scores GEOADD never writes) gives the same replies, and the keys it writes the
//   same ZRANGE ... WITHSCORES;
// - random workloads (clusters of random points anywhere, poles and antimeridian included;
//   searches by radius and box from members and coordinates, ASC/DESC/COUNT/ANY, STORE and
//   STOREDIST) give the same replies, results without ASC or DESC in the same order, and the
//   same stored and source sets, score for score;
// - RESP3 replies have Redis's shapes (coordinates as doubles, distances as bulk strings).
//
// The random points are distinct cells: two members at the same distance from a centre (a tie)
// may come in another order than Redis's with COUNT (its partial quicksort), and the random
// workloads would then differ for that reason alone.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// A random workload on a geo index of `points` members around a random centre (at times on a
// pole's edge or the antimeridian), spread over a few meters to the whole world.
std::vector<Argv> RandomWorkload(uint32_t seed, int points, int ops) {
  std::mt19937 rng(seed);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const double centers_lon[] = {-180, 180, 179.95, -179.95, 0, uniform(-180, 180)};
  const double centers_lat[] = {85.05, -85.05, 84, -80.5, 66.5, 0, uniform(-85, 85)};
  const double cx = centers_lon[pick(6)], cy = centers_lat[pick(7)];
  const double spreads[] = {0.001, 0.5, 5, 60, 400};
  const double spread = spreads[pick(5)];
  auto lon_near = [&] {
    for (;;) {
      const double v = cx + uniform(-spread, spread);
      if (v >= -180 && v <= 180) return v;
    }
  };
  auto lat_near = [&] {
    for (;;) {
      const double v = cy + uniform(-spread, spread);
      if (v >= -85.05112878 && v <= 85.05112878) return v;
    }
  };
  auto member = [&] { return "m" + std::to_string(pick(points + 2)); };  // some missing
  std::vector<Argv> out = {{"FLUSHALL"}};
  Argv add = {"GEOADD", "g"};
  for (int i = 0; i < points; ++i) {
    add.insert(add.end(), {Num(lon_near()), Num(lat_near()), "m" + std::to_string(i)});
  }
  out.push_back(add);
  out.push_back({"ZRANGE", "g", "0", "-1", "WITHSCORES"});
  const char* units[] = {"m", "km", "mi", "ft", "KM"};
  const double meters[] = {1, 1000, 1609.34, 0.3048, 1000};
  const double radii[] = {0, 1, 10, 1000, 1e5, 1e6, 5e6, 2e7, 4e7};
  for (int i = 0; i < ops; ++i) {
    const int op = pick(100);
    if (op < 8) {
      Argv a = {"GEOADD", "g"};
      if (pick(3) == 0) a.push_back(pick(2) ? "NX" : "XX");
      if (pick(2)) a.push_back("CH");
      for (int k = 1 + pick(3); k > 0; --k) {
        a.insert(a.end(), {Num(lon_near()), Num(lat_near()), member()});
      }
      out.push_back(a);
      continue;
    }
    if (op < 10) {
      out.push_back({"ZREM", "g", member()});
      continue;
    }
    if (op < 16) {
      const char* reads[] = {"GEOPOS", "GEOHASH"};
      out.push_back({reads[pick(2)], "g", member(), member()});
      out.push_back({"GEODIST", "g", member(), member(), units[pick(5)]});
      continue;
    }
    const int u = pick(5);
    const std::string unit = units[u];
    const double r = radii[pick(9)] * uniform(0, 1) / meters[u];
    const int kind = pick(6);
    Argv a;
    std::string store;
    const bool storing = pick(4) == 0;
    if (kind <= 1) {
      a = kind == 0 ? Argv{"GEOSEARCH", "g"} : Argv{"GEOSEARCHSTORE", "dst", "g"};
      if (pick(2)) {
        a.insert(a.end(), {"FROMMEMBER", member()});
      } else {
        a.insert(a.end(), {"FROMLONLAT", Num(lon_near()), Num(lat_near())});
      }
      if (pick(2)) {
        a.insert(a.end(), {"BYRADIUS", Num(r), unit});
      } else {
        a.insert(a.end(), {"BYBOX", Num(r * uniform(0.2, 3)), Num(r * uniform(0.2, 3)), unit});
      }
      if (kind == 1) store = "dst";
      if (kind == 1 && pick(2)) a.push_back("STOREDIST");
    } else if (kind <= 3) {
      a = {kind == 2 ? "GEORADIUS" : "GEORADIUS_RO",
           "g",
           Num(lon_near()),
           Num(lat_near()),
           Num(r),
           unit};
    } else {
      a = {kind == 4 ? "GEORADIUSBYMEMBER" : "GEORADIUSBYMEMBER_RO", "g", member(), Num(r), unit};
    }
    const int order = pick(10);
    if (order < 3) a.push_back("ASC");
    if (order >= 3 && order < 5) a.push_back("DESC");
    if (pick(3) == 0) {
      a.insert(a.end(), {"COUNT", std::to_string(1 + pick(20))});
      if (pick(3) == 0) a.push_back("ANY");
    }
    if ((kind == 2 || kind == 4) && storing) {
      store = pick(2) ? "dst" : "dst2";
      a.insert(a.end(), {pick(2) ? "STORE" : "STOREDIST", store});
    } else if (kind != 1) {
      const char* with[] = {"WITHDIST", "WITHCOORD", "WITHHASH"};
      for (const char* w : with) {
        if (pick(2)) a.push_back(w);
      }
    }
    out.push_back(a);
    if (!store.empty()) out.push_back({"ZRANGE", store, "0", "-1", "WITHSCORES"});
  }
  out.push_back({"ZRANGE", "g", "0", "-1", "WITHSCORES"});
  return out;
}

class GeoCompatTest : public SideBySideTest {};

TEST_F(GeoCompatTest, CorpusRepliesAsRedis) {
  const std::vector<Argv> corpus = LoadCorpusFile(STRATA_GEO_CORPUS);
  ASSERT_GT(corpus.size(), 200u);
  const std::string want = CorpusTranscript(redis_->port(), corpus);
  // The corpus still reaches what it is about.
  ASSERT_NE(want.find("> GEODIST Edges east west km\n  \"0.0006\""), std::string::npos) << want;
  ASSERT_NE(want.find("(error) ERR invalid longitude,latitude pair 181.000000,0.000000"),
            std::string::npos);
  ASSERT_NE(want.find("\"Catania\", \"56.441257870158204\""), std::string::npos) << want;
  EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "");
}

TEST_F(GeoCompatTest, RandomWorkloadsAsOnRedis) {
  int found = 0;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    // Small sets are listpacks, large ones skip lists in both servers.
    const std::vector<Argv> corpus = RandomWorkload(seed, seed % 3 == 0 ? 300 : 40, 300);
    const std::string want = CorpusTranscript(redis_->port(), corpus);
    for (size_t at = want.find("> GEO"); at != std::string::npos; at = want.find("> GEO", at + 1)) {
      const size_t reply = want.find("\n  ", at) + 3;
      if (want.compare(reply, 2, "[\"") == 0 || want.compare(reply, 2, "[[") == 0) ++found;
    }
    EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "")
        << "seed " << seed;
  }
  EXPECT_GT(found, 500) << "too few searches found anything";
}

TEST_F(GeoCompatTest, Resp3RepliesAsRedis) {
  const std::vector<Argv> corpus = {
      {"HELLO", "3"},
      {"FLUSHALL"},
      {"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
      {"GEOPOS", "g", "Palermo", "missing"},
      {"GEOPOS", "missing", "a"},
      {"GEODIST", "g", "Palermo", "Catania", "km"},
      {"GEODIST", "g", "Palermo", "missing"},
      {"GEODIST", "missing", "a", "b"},
      {"GEOHASH", "g", "Palermo", "missing"},
      {"GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC", "WITHCOORD",
       "WITHDIST", "WITHHASH"},
      {"GEORADIUS", "g", "15", "37", "200", "km", "WITHCOORD"},
      {"GEORADIUSBYMEMBER", "g", "Palermo", "1", "km"},
      {"GEOSEARCH", "missing", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
  };
  const std::string want = CorpusTranscript(redis_->port(), corpus);
  ASSERT_NE(want.find(",13.36138933897018433"), std::string::npos) << want;
  EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "");
}

}  // namespace
}  // namespace strata::integration
