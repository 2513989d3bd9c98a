// Geohashes as Redis 7.0 computes them, for the geo commands (geo_family.cc): a point is a
// sorted-set member whose score is a 52-bit geohash, longitude and latitude interleaved
// (latitude in the even bits, longitude in the odd ones), over longitude [-180, 180] and
// latitude [-85.05112878, 85.05112878] (the Web Mercator square).
//
// Every function reproduces Redis's arithmetic step for step (the same operations on doubles in
// the same order), because what it yields is visible to clients: the scores GEOADD stores, the
// coordinates GEOPOS replies (the centre of the member's cell), the distances, the 11-character
// GEOHASH strings and, for searches, which cells are scanned and which members are in a circle
// or a box. Pure functions, thread safe.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace strata::server::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
// Bits per coordinate of a stored score (26 + 26 = 52, what a double holds exactly).
inline constexpr int kMaxStep = 26;
// Redis's earth radius (the quadratic mean radius of WGS-84), in meters.
inline constexpr double kEarthRadiusM = 6372797.560856;

struct Range {
  double min = 0, max = 0;
};

// A cell: `step` bits of each coordinate interleaved in the low 2*step bits. Step 0 with bits 0
// is "no cell" (a neighbour a search leaves out).
struct Cell {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool none() const { return bits == 0 && step == 0; }
  bool operator==(const Cell&) const = default;
};

// A cell's extent.
struct Area {
  Range lon, lat;
};

struct LonLat {
  double lon = 0, lat = 0;
};

// The cell of step `step` (1..32) holding (lon, lat) within the ranges, or nullopt if the point
// is outside them or outside the Mercator square (Redis's geohashEncode).
std::optional<Cell> Encode(Range lon_range, Range lat_range, double lon, double lat, int step);
// The same over the Mercator square.
std::optional<Cell> EncodeWgs84(double lon, double lat, int step);
// The cell's bits moved to the top of 52 bits (a score, or a score range's bound).
uint64_t Align52(Cell cell);
// The extent of `cell` within the ranges (Redis's geohashDecode).
Area Decode(Range lon_range, Range lat_range, Cell cell);

// The score GEOADD stores for (lon, lat), or nullopt if the pair is outside the square.
std::optional<double> ScoreOf(double lon, double lat);
// The point a score stands for: the centre of its step-26 cell, clamped to the square. Any
// score decodes: it is converted to 64 bits as Redis's (uint64_t) cast does on x86-64.
LonLat Decode(double score);
// The 64 bits Redis's (uint64_t)score cast gives on x86-64 (gcc's code for it), for any score.
uint64_t ScoreBits(double score);

// Haversine distance in meters (with Redis's shortcut for points on one meridian).
// `cos_lat1`, when given, is std::cos of lat1 in radians, computed once by a caller measuring
// from one point many times (the result is the same, bit for bit).
double Distance(double lon1, double lat1, double lon2, double lat2,
                const double* cos_lat1 = nullptr);
// The distance along a meridian between two latitudes, in meters.
double LatDistance(double lat1, double lat2);
// Meters per unit: "m", "km", "ft", "mi" (case-insensitive), else nullopt.
std::optional<double> UnitToMeters(std::string_view unit);

// GEOHASH's string for a score: the point re-encoded with latitude over [-90, 90], in the
// standard base32 alphabet, 10 characters of 52 bits and an 11th that is always '0'.
std::string StandardHash(double score);

// The eight cells around a cell, wrapping around at the edges of the square.
struct Neighbors {
  Cell north, south, east, west, north_east, north_west, south_east, south_west;
};
Neighbors NeighborsOf(Cell cell);

// The step of the cells a search of `radius_m` around latitude `lat` scans.
int EstimateSteps(double radius_m, double lat);

// What a search selects: a circle of `radius` or a box of `width` x `height` (in the unit whose
// meters are `conversion`) around (lon, lat).
struct Shape {
  enum Type { kCircle, kBox };
  Type type = kCircle;
  double lon = 0, lat = 0;
  double radius = 0;
  double width = 0, height = 0;
  double conversion = 1;
  // std::cos of the centre's latitude in radians, once WithCosine() set it (NaN before).
  double cos_lat = std::numeric_limits<double>::quiet_NaN();
  Shape WithCosine() const;
};

// The cells a search scans, in Redis's order: the centre cell, then north, south, east, west,
// north-east, north-west, south-east, south-west; cells it can leave out are none().
std::array<Cell, 9> SearchCells(const Shape& shape);

// Whether the point (lon, lat) is in the shape; if so *distance_m is its distance from the
// shape's centre in meters.
bool InShape(const Shape& shape, double lon, double lat, double* distance_m);

}  // namespace strata::server::geo
