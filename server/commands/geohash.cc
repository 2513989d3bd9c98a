#include "server/commands/geohash.h"

#include <algorithm>
#include <cmath>

#include "base/string_util.h"

namespace strata::server::geo {
namespace {

// Degrees to radians as Redis converts: by multiplying with (pi / 180) and dividing by it.
constexpr double kDegToRad = M_PI / 180.0;
double DegRad(double deg) { return deg * kDegToRad; }
double RadDeg(double rad) { return rad / kDegToRad; }

// Redis's bound of a step estimate: half the earth's circumference in Mercator meters.
constexpr double kMercatorMax = 20037726.37;

constexpr uint64_t kEvenBits = 0x5555555555555555ULL;  // latitude
constexpr uint64_t kOddBits = 0xaaaaaaaaaaaaaaaaULL;   // longitude

// The 32 bits of v spread to the even bit positions of a 64-bit word.
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & kEvenBits;
  return x;
}

// The even bits of x gathered into 32 bits (the inverse of Spread).
uint32_t Gather(uint64_t x) {
  x &= kEvenBits;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

uint64_t Interleave(uint32_t lat_index, uint32_t lon_index) {
  return Spread(lat_index) | (Spread(lon_index) << 1);
}

bool InSquare(double lon, double lat) {
  return !(lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin);
}

// One coordinate of a cell moved by +1 or -1, modulo 2^step; the other coordinate's bits are
// kept as they are (a centre on the square's top or right edge has an index of 2^step there).
Cell Move(Cell c, int dlon, int dlat) {
  const uint64_t low = c.step >= 32 ? ~0ULL : (1ULL << (2 * c.step)) - 1;
  if (dlon != 0) {
    const uint64_t lat = c.bits & kEvenBits;
    const uint32_t lon = Gather(c.bits >> 1) + static_cast<uint32_t>(dlon);
    c.bits = ((Spread(lon) << 1) & low) | lat;
  }
  if (dlat != 0) {
    const uint64_t lon = c.bits & kOddBits;
    const uint32_t lat = Gather(c.bits) + static_cast<uint32_t>(dlat);
    c.bits = (Spread(lat) & low) | lon;
  }
  return c;
}

// The search's bounding box in degrees: [min_lon, min_lat, max_lon, max_lat]. Its width is
// taken at the edge nearer the pole of the centre's hemisphere (where degrees of longitude are
// shortest); a centre on the equator counts as northern.
std::array<double, 4> BoundingBox(const Shape& s) {
  const double height = s.conversion * (s.type == Shape::kCircle ? s.radius : s.height / 2);
  const double width = s.conversion * (s.type == Shape::kCircle ? s.radius : s.width / 2);
  const double lat_delta = RadDeg(height / kEarthRadiusM);
  const double lon_delta_top = RadDeg(width / kEarthRadiusM / std::cos(DegRad(s.lat + lat_delta)));
  const double lon_delta_bottom =
      RadDeg(width / kEarthRadiusM / std::cos(DegRad(s.lat - lat_delta)));
  const double lon_delta = s.lat < 0 ? lon_delta_bottom : lon_delta_top;
  return {s.lon - lon_delta, s.lat - lat_delta, s.lon + lon_delta, s.lat + lat_delta};
}

constexpr Range kLonRange{kLonMin, kLonMax};
constexpr Range kLatRange{kLatMin, kLatMax};

}  // namespace

std::optional<Cell> Encode(Range lon_range, Range lat_range, double lon, double lat, int step) {
  if (step < 1 || step > 32) return std::nullopt;
  if (lat_range.min == 0 && lat_range.max == 0) return std::nullopt;
  if (lon_range.min == 0 && lon_range.max == 0) return std::nullopt;
  if (!InSquare(lon, lat)) return std::nullopt;
  if (lon < lon_range.min || lon > lon_range.max || lat < lat_range.min || lat > lat_range.max) {
    return std::nullopt;
  }
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  lon_offset *= static_cast<double>(1ULL << step);
  // Truncated to 32 bits: the top edge of a range gives 2^step, one past the last cell.
  return Cell{Interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset)),
              static_cast<uint8_t>(step)};
}

std::optional<Cell> EncodeWgs84(double lon, double lat, int step) {
  return Encode(kLonRange, kLatRange, lon, lat, step);
}

uint64_t Align52(Cell cell) { return cell.bits << (52 - 2 * cell.step); }

Area Decode(Range lon_range, Range lat_range, Cell cell) {
  const uint32_t ilat = Gather(cell.bits);
  const uint32_t ilon = Gather(cell.bits >> 1);
  const double cells = static_cast<double>(1ULL << cell.step);
  const double lat_scale = lat_range.max - lat_range.min;
  const double lon_scale = lon_range.max - lon_range.min;
  // The index past the last wraps to 0 in 32 bits, as in Redis.
  const uint32_t ilat_next = ilat + 1, ilon_next = ilon + 1;
  Area a;
  a.lat.min = lat_range.min + (ilat * 1.0 / cells) * lat_scale;
  a.lat.max = lat_range.min + (ilat_next * 1.0 / cells) * lat_scale;
  a.lon.min = lon_range.min + (ilon * 1.0 / cells) * lon_scale;
  a.lon.max = lon_range.min + (ilon_next * 1.0 / cells) * lon_scale;
  return a;
}

std::optional<double> ScoreOf(double lon, double lat) {
  std::optional<Cell> c = EncodeWgs84(lon, lat, kMaxStep);
  if (!c) return std::nullopt;
  // Redis formats the bits as an integer and ZADD parses it: the nearest double.
  return static_cast<double>(static_cast<int64_t>(Align52(*c)));
}

uint64_t ScoreBits(double score) {
  constexpr double k2to63 = 9223372036854775808.0;
  constexpr uint64_t kTopBit = 1ULL << 63;
  // cvttsd2si: the truncated value if it fits in int64, else 0x8000000000000000.
  auto truncate = [](double d) {
    return d >= -k2to63 && d < k2to63 ? static_cast<uint64_t>(static_cast<int64_t>(d)) : kTopBit;
  };
  if (score < k2to63) return truncate(score);
  return truncate(score - k2to63) ^ kTopBit;
}

LonLat Decode(double score) {
  const Area a = Decode(kLonRange, kLatRange, Cell{ScoreBits(score), kMaxStep});
  LonLat p;
  p.lon = (a.lon.min + a.lon.max) / 2;
  p.lon = std::min(std::max(p.lon, kLonMin), kLonMax);
  p.lat = (a.lat.min + a.lat.max) / 2;
  p.lat = std::min(std::max(p.lat, kLatMin), kLatMax);
  return p;
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusM * std::fabs(DegRad(lat2) - DegRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2, const double* cos_lat1) {
  const double v = std::sin((DegRad(lon2) - DegRad(lon1)) / 2);
  if (v == 0.0) return LatDistance(lat1, lat2);
  const double lat1r = DegRad(lat1), lat2r = DegRad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double c1 = cos_lat1 != nullptr ? *cos_lat1 : std::cos(lat1r);
  const double a = u * u + c1 * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(a));
}

std::optional<double> UnitToMeters(std::string_view unit) {
  if (EqualsIgnoreCase(unit, "m")) return 1;
  if (EqualsIgnoreCase(unit, "km")) return 1000;
  if (EqualsIgnoreCase(unit, "ft")) return 0.3048;
  if (EqualsIgnoreCase(unit, "mi")) return 1609.34;
  return std::nullopt;
}

std::string StandardHash(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  const LonLat p = Decode(score);
  // A decoded point is always inside the square, so it encodes.
  const Cell c = Encode(kLonRange, Range{-90, 90}, p.lon, p.lat, kMaxStep).value_or(Cell{});
  std::string out(11, '0');
  for (int i = 0; i < 10; ++i) out[i] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;
}

Neighbors NeighborsOf(Cell c) {
  Neighbors n;
  n.north = Move(c, 0, 1);
  n.south = Move(c, 0, -1);
  n.east = Move(c, 1, 0);
  n.west = Move(c, -1, 0);
  n.north_east = Move(c, 1, 1);
  n.north_west = Move(c, -1, 1);
  n.south_east = Move(c, 1, -1);
  n.south_west = Move(c, -1, -1);
  return n;
}

int EstimateSteps(double radius_m, double lat) {
  if (radius_m == 0) return kMaxStep;
  int step = 1;
  while (radius_m < kMercatorMax) {
    radius_m *= 2;
    ++step;
  }
  step -= 2;  // so that most radii fit in the 3x3 cells around the centre
  // Degrees of longitude shrink towards the poles: wider cells there.
  if (lat > 66 || lat < -66) {
    --step;
    if (lat > 80 || lat < -80) --step;
  }
  return std::min(std::max(step, 1), kMaxStep);
}

std::array<Cell, 9> SearchCells(const Shape& shape) {
  const auto [min_lon, min_lat, max_lon, max_lat] = BoundingBox(shape);
  double radius_m = shape.type == Shape::kCircle
                        ? shape.radius
                        : std::sqrt((shape.width / 2) * (shape.width / 2) +
                                    (shape.height / 2) * (shape.height / 2));
  radius_m *= shape.conversion;
  int step = EstimateSteps(radius_m, shape.lat);
  auto around = [&](int s, Cell* centre, Neighbors* n, Area* area) {
    *centre = EncodeWgs84(shape.lon, shape.lat, s).value_or(Cell{});
    *n = NeighborsOf(*centre);
    *area = Decode(kLonRange, kLatRange, *centre);
  };
  Cell centre;
  Neighbors n;
  Area area;
  around(step, &centre, &n, &area);
  // A centre near its cell's edge may reach past the neighbour on that side: one step coarser.
  const bool too_small = Decode(kLonRange, kLatRange, n.north).lat.max < max_lat ||
                         Decode(kLonRange, kLatRange, n.south).lat.min > min_lat ||
                         Decode(kLonRange, kLatRange, n.east).lon.max < max_lon ||
                         Decode(kLonRange, kLatRange, n.west).lon.min > min_lon;
  if (step > 1 && too_small) around(--step, &centre, &n, &area);
  // Neighbours beyond the bounding box need no scan.
  if (step >= 2) {
    if (area.lat.min < min_lat) n.south = n.south_west = n.south_east = Cell{};
    if (area.lat.max > max_lat) n.north = n.north_east = n.north_west = Cell{};
    if (area.lon.min < min_lon) n.west = n.south_west = n.north_west = Cell{};
    if (area.lon.max > max_lon) n.east = n.south_east = n.north_east = Cell{};
  }
  return {centre,       n.north,      n.south,      n.east,      n.west,
          n.north_east, n.north_west, n.south_east, n.south_west};
}

Shape Shape::WithCosine() const {
  Shape s = *this;
  s.cos_lat = std::cos(DegRad(lat));
  return s;
}

namespace {
const double* CosLat(const Shape& shape) {
  return std::isnan(shape.cos_lat) ? nullptr : &shape.cos_lat;
}
}  // namespace

bool InShape(const Shape& shape, double lon, double lat, double* distance_m) {
  if (shape.type == Shape::kCircle) {
    const double radius_m = shape.radius * shape.conversion;
    // No way is shorter than along the meridian: a point further than the radius in latitude
    // alone is out, found without trigonometry (most of a search's cells are outside the
    // circle). The margin is far above the rounding of the full formula, so the answer is the
    // one the full formula gives.
    if (LatDistance(shape.lat, lat) > radius_m * (1 + 1e-9)) return false;
    *distance_m = Distance(shape.lon, shape.lat, lon, lat, CosLat(shape));
    return !(*distance_m > radius_m);
  }
  // A box: its height along the centre's meridian, its width along the point's parallel.
  const double width_m = shape.width * shape.conversion;
  const double height_m = shape.height * shape.conversion;
  if (LatDistance(lat, shape.lat) > height_m / 2) return false;
  if (Distance(lon, lat, shape.lon, lat) > width_m / 2) return false;
  *distance_m = Distance(shape.lon, shape.lat, lon, lat, CosLat(shape));
  return true;
}

}  // namespace strata::server::geo
