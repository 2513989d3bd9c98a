// The geohash arithmetic (geohash.h) against values redis-server 7.0 gives.
#include "server/commands/geohash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "base/string_util.h"

namespace strata::server::geo {
namespace {

std::string Fixed4(double d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4f", d);
  return buf;
}

std::string Human(double d) { return FormatLongDouble(d).value_or("?"); }

TEST(Geohash, ScoresAreRedisScores) {
  // GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
  EXPECT_EQ(ScoreOf(13.361389, 38.115556), 3479099956230698.0);
  EXPECT_EQ(ScoreOf(15.087269, 37.502669), 3479447370796909.0);
  EXPECT_EQ(ScoreOf(-180, -85.05112878), 0.0);
  EXPECT_EQ(ScoreOf(0, 0), 3377699720527872.0);
  // The top edges index one past the last cell (bits 52 and 53), as in Redis.
  EXPECT_EQ(ScoreOf(180, 85.05112878), 13510798882111488.0);
  EXPECT_EQ(ScoreOf(180, 0), 10133099161583616.0);
}

TEST(Geohash, PointsOutsideTheSquareHaveNoScore) {
  EXPECT_FALSE(ScoreOf(180.0000001, 0));
  EXPECT_FALSE(ScoreOf(-181, 0));
  EXPECT_FALSE(ScoreOf(0, 85.05112879));
  EXPECT_FALSE(ScoreOf(0, -85.0511288));
  EXPECT_FALSE(ScoreOf(0, 90));
}

TEST(Geohash, ScoresDecodeToTheCellCentreClamped) {
  LonLat p = Decode(3479099956230698.0);
  EXPECT_EQ(Human(p.lon), "13.36138933897018433");
  EXPECT_EQ(Human(p.lat), "38.11555639549629859");
  p = Decode(0);
  EXPECT_EQ(Human(p.lon), "-179.99999731779098511");
  EXPECT_EQ(Human(p.lat), "-85.05112751263942528");
  p = Decode(13510798882111488.0);  // past the top and right edges: clamped
  EXPECT_EQ(Human(p.lon), "180");
  EXPECT_EQ(Human(p.lat), "85.0511287799999991");
}

TEST(Geohash, AnyScoreConvertsAsRedisCastDoes) {
  EXPECT_EQ(ScoreBits(-5), 0xFFFFFFFFFFFFFFFBULL);
  EXPECT_EQ(ScoreBits(1e19), 10000000000000000000ULL);
  EXPECT_EQ(ScoreBits(1e300), 0u);
  EXPECT_EQ(ScoreBits(-1e300), 1ULL << 63);
  EXPECT_EQ(ScoreBits(3.9), 3u);
  // -5 decodes (all bits set) to the top-right corner, as GEOPOS shows in Redis.
  EXPECT_EQ(Human(Decode(-5).lon), "180");
  EXPECT_EQ(Human(Decode(-5).lat), "85.0511287799999991");
}

TEST(Geohash, DistancesAreRedisDistances) {
  const LonLat a = Decode(3479099956230698.0), b = Decode(3479447370796909.0);
  EXPECT_EQ(Fixed4(Distance(a.lon, a.lat, b.lon, b.lat)), "166274.1516");
  EXPECT_EQ(Fixed4(Distance(a.lon, a.lat, b.lon, b.lat) / 1000), "166.2742");
  // One meridian: the latitude distance exactly (Redis's shortcut).
  EXPECT_EQ(Distance(10, 0, 10, 1), LatDistance(0, 1));
  EXPECT_EQ(Fixed4(Distance(10, 0, 10, 50)), Fixed4(50 * kEarthRadiusM * M_PI / 180));
  EXPECT_EQ(Distance(1, 2, 1, 2), 0);
}

TEST(Geohash, UnitsAreCaseInsensitive) {
  EXPECT_EQ(UnitToMeters("m"), 1);
  EXPECT_EQ(UnitToMeters("KM"), 1000);
  EXPECT_EQ(UnitToMeters("Ft"), 0.3048);
  EXPECT_EQ(UnitToMeters("mI"), 1609.34);
  EXPECT_FALSE(UnitToMeters("mm"));
  EXPECT_FALSE(UnitToMeters(""));
}

TEST(Geohash, StandardHashesReencodeOverNinetyDegrees) {
  EXPECT_EQ(StandardHash(3479099956230698.0), "sqc8b49rny0");
  EXPECT_EQ(StandardHash(3479447370796909.0), "sqdtr74hyu0");
  // The square's corners are not the corners of [-90, 90].
  EXPECT_EQ(StandardHash(0), "00bh0hbj200");
  EXPECT_EQ(StandardHash(13510798882111488.0), "bp05b5048p0");
}

TEST(Geohash, NeighboursWrapAroundTheSquare) {
  const Cell corner = *EncodeWgs84(-180, -85.05112878, 2);  // indexes (0, 0)
  const Neighbors n = NeighborsOf(corner);
  EXPECT_EQ(n.west, *EncodeWgs84(179, -85, 2));
  EXPECT_EQ(n.south, *EncodeWgs84(-180, 85, 2));
  EXPECT_EQ(n.south_west, *EncodeWgs84(179, 85, 2));
  EXPECT_EQ(n.north_east, *EncodeWgs84(-89, -42, 2));
  EXPECT_EQ(n.east, *EncodeWgs84(-89, -85, 2));
  // A centre on the top edge (latitude index 2^step) keeps that bit when it moves east or
  // west, and wraps to the bottom row when it moves north, as Redis's bit arithmetic does.
  const Cell top = *EncodeWgs84(0, 85.05112878, 3);
  EXPECT_EQ(top.bits >> 6, 1u);
  EXPECT_EQ(NeighborsOf(top).east.bits & (1ULL << 6), 1ULL << 6);
  EXPECT_EQ(NeighborsOf(top).north.bits >> 6, 0u);
}

TEST(Geohash, StepsShrinkWithRadiusAndTowardsThePoles) {
  EXPECT_EQ(EstimateSteps(0, 0), 26);
  EXPECT_EQ(EstimateSteps(1000, 0), 14);
  EXPECT_EQ(EstimateSteps(1000, 70), 13);
  EXPECT_EQ(EstimateSteps(1000, -85), 12);
  EXPECT_EQ(EstimateSteps(1e9, 0), 1);
  EXPECT_EQ(EstimateSteps(0.001, 0), 26);
}

TEST(Geohash, SearchesLeaveOutNeighboursBeyondTheBox) {
  Shape s;
  s.lon = 13.361389;
  s.lat = 38.115556;
  s.radius = 1;
  s.conversion = 1000;
  const auto cells = SearchCells(s);
  EXPECT_FALSE(cells[0].none());
  int scanned = 0;
  for (const Cell& c : cells) scanned += c.none() ? 0 : 1;
  EXPECT_LT(scanned, 9);
  EXPECT_GE(scanned, 1);
  // The centre cell holds the centre.
  const Area a = Decode(Range{kLonMin, kLonMax}, Range{kLatMin, kLatMax}, cells[0]);
  EXPECT_LE(a.lon.min, s.lon);
  EXPECT_GT(a.lon.max, s.lon);
  EXPECT_LE(a.lat.min, s.lat);
  EXPECT_GT(a.lat.max, s.lat);
}

TEST(Geohash, CirclesAndBoxesHoldWhatRedisFinds) {
  Shape circle;
  circle.lon = 15;
  circle.lat = 37;
  circle.radius = 200;
  circle.conversion = 1000;
  const LonLat palermo = Decode(3479099956230698.0), catania = Decode(3479447370796909.0);
  double d = 0;
  EXPECT_TRUE(InShape(circle, palermo.lon, palermo.lat, &d));
  EXPECT_EQ(Fixed4(d / 1000), "190.4424");
  EXPECT_TRUE(InShape(circle, catania.lon, catania.lat, &d));
  EXPECT_EQ(Fixed4(d / 1000), "56.4413");
  circle.radius = 190;
  EXPECT_FALSE(InShape(circle, palermo.lon, palermo.lat, &d));
  // A box 400 km wide and 100 km high around (15, 37): Catania is 56 km away, but 55 km north.
  Shape box;
  box.type = Shape::kBox;
  box.lon = 15;
  box.lat = 37;
  box.width = 400;
  box.height = 100;
  box.conversion = 1000;
  EXPECT_FALSE(InShape(box, catania.lon, catania.lat, &d));
  box.height = 120;
  EXPECT_TRUE(InShape(box, catania.lon, catania.lat, &d));
  EXPECT_EQ(Fixed4(d / 1000), "56.4413");
  box.width = 10;  // 7.7 km east of the centre's meridian
  EXPECT_FALSE(InShape(box, catania.lon, catania.lat, &d));
}

}  // namespace
}  // namespace strata::server::geo
