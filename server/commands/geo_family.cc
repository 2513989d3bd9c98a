// Geo commands: GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
// GEORADIUSBYMEMBER and their _RO forms, with Redis 7.0's replies and errors.
//
// A geo index is a sorted set whose scores are 52-bit geohashes (geohash.h): GEOADD is ZADD of
// the encoded scores (a zset_add effect, the "zadd" event); the stores write a whole new sorted
// set (a put, StoreZSet). A search scans the score ranges of the nine cells around its centre
// in Redis's order (the centre, N, S, E, W, NE, NW, SE, SW; a cell equal to the one scanned just
// before is skipped), keeping the members inside the circle or box, so that without ASC or DESC
// the members come in Redis's own order. Ties in distance keep that order with ASC/DESC when
// every result is returned (a stable sort, as glibc's qsort); with COUNT the order among equal
// distances may differ from Redis's partial quicksort.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/string_util.h"
#include "engine/zset_value.h"
#include "server/commands/command.h"
#include "server/commands/errors.h"
#include "server/commands/geohash.h"
#include "server/commands/zset_family.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::RedoOp;
using engine::ZSetValue;

constexpr std::string_view kUnsupportedUnit =
    "ERR unsupported unit provided. please use M, KM, FT, MI";
constexpr std::string_view kCannotDecodeMember = "ERR could not decode requested zset member";

// A double argument as Redis's getDoubleFromObjectOrReply reads it; replies `error` (or "value
// is not a valid float") and returns false on bad input.
bool ArgToDouble(CommandContext& ctx, std::string_view arg, double* out,
                 std::string_view error = {}) {
  std::optional<double> v = ParseDouble(arg, /*allow_inf=*/true);
  if (!v) {
    error.empty() ? ctx.reply.Error(Status::NotFloat()) : ctx.reply.Error(error);
    return false;
  }
  *out = *v;
  return true;
}

// A longitude and latitude inside the Mercator square.
bool ParseLonLat(CommandContext& ctx, size_t at, double* lon, double* lat) {
  if (!ArgToDouble(ctx, ctx.args[at], lon) || !ArgToDouble(ctx, ctx.args[at + 1], lat)) {
    return false;
  }
  if (*lon < geo::kLonMin || *lon > geo::kLonMax || *lat < geo::kLatMin || *lat > geo::kLatMax) {
    char buf[800];
    std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", *lon, *lat);
    ctx.reply.Error(buf);
    return false;
  }
  return true;
}

bool ParseUnit(CommandContext& ctx, std::string_view arg, double* meters) {
  std::optional<double> m = geo::UnitToMeters(arg);
  if (!m) {
    ctx.reply.Error(kUnsupportedUnit);
    return false;
  }
  *meters = *m;
  return true;
}

// BYRADIUS's (and GEORADIUS's) radius unit.
bool ParseRadius(CommandContext& ctx, size_t at, geo::Shape* shape) {
  if (!ArgToDouble(ctx, ctx.args[at], &shape->radius, "ERR need numeric radius")) return false;
  if (shape->radius < 0) {
    ctx.reply.Error("ERR radius cannot be negative");
    return false;
  }
  shape->type = geo::Shape::kCircle;
  return ParseUnit(ctx, ctx.args[at + 1], &shape->conversion);
}

// BYBOX's width height unit.
bool ParseBox(CommandContext& ctx, size_t at, geo::Shape* shape) {
  if (!ArgToDouble(ctx, ctx.args[at], &shape->width, "ERR need numeric width") ||
      !ArgToDouble(ctx, ctx.args[at + 1], &shape->height, "ERR need numeric height")) {
    return false;
  }
  if (shape->height < 0 || shape->width < 0) {
    ctx.reply.Error("ERR height or width cannot be negative");
    return false;
  }
  shape->type = geo::Shape::kBox;
  return ParseUnit(ctx, ctx.args[at + 2], &shape->conversion);
}

// A coordinate as Redis replies it: "%.17Lf" without trailing zeros; a RESP3 double.
void ReplyCoordinate(ReplyBuilder& reply, double v) {
  reply.DoubleText(FormatLongDouble(v).value_or("0"));
}

// A distance as Redis replies it: "%.4f", a bulk string in both protocols.
void ReplyDistance(ReplyBuilder& reply, double d) {
  char buf[400];
  const int n = std::snprintf(buf, sizeof(buf), "%.4f", d);
  reply.Bulk(std::string_view(buf, static_cast<size_t>(std::max(n, 0))));
}

// ---- GEOADD, GEOPOS, GEODIST, GEOHASH ----

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
void CmdGeoAdd(CommandContext& ctx) {
  bool nx = false, xx = false, ch = false;
  size_t first = 2;
  for (; first < ctx.args.size(); ++first) {
    const std::string_view o = ctx.args[first];
    if (EqualsIgnoreCase(o, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(o, "xx")) {
      xx = true;
    } else if (EqualsIgnoreCase(o, "ch")) {
      ch = true;
    } else {
      break;
    }
  }
  const size_t rest = ctx.args.size() - first;
  // As Redis: options with no triple at all reach ZADD, which refuses them the same way.
  if (rest % 3 != 0 || rest == 0 || (xx && nx)) return ctx.reply.Error(Status::Syntax());
  const size_t elements = rest / 3;
  std::vector<double> scores(elements);
  for (size_t j = 0; j < elements; ++j) {
    double lon, lat;
    if (!ParseLonLat(ctx, first + 3 * j, &lon, &lat)) return;
    scores[j] = geo::ScoreOf(lon, lat).value_or(0);
  }
  const std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto zr = FindCollection<ZSetValue>(db, key, false);
  if (!zr.ok()) return ctx.reply.Error(zr.status());
  const ZSetValue* z = *zr;
  size_t added = 0, updated = 0;
  std::vector<std::pair<std::string_view, double>> changes;
  if (z != nullptr || !xx) {
    // Scores this command already set, for members named twice.
    std::unordered_map<std::string_view, double> pending;
    for (size_t j = 0; j < elements; ++j) {
      const std::string_view member = ctx.args[first + 3 * j + 2];
      std::optional<double> cur;
      if (auto it = pending.find(member); it != pending.end()) cur = it->second;
      if (!cur && z != nullptr) cur = z->Score(member);
      if (cur ? nx : xx) continue;
      if (cur && *cur == scores[j]) continue;
      ++(cur ? updated : added);
      changes.emplace_back(member, scores[j]);
      pending[member] = scores[j];
    }
  }
  if (!changes.empty()) {
    db.Apply(RedoOp::kZSetAdd, key, engine::ZAddBody(changes));
    ctx.Notify(kNotifyZset, "zadd", key);
  }
  ctx.reply.Int(static_cast<int64_t>(ch ? added + updated : added));
}

// GEOPOS and GEOHASH: for each member named after the key, reply_one(score), or `missing`
// for a member (or key) that is not there.
template <typename Fn>
void ReplyPerMember(CommandContext& ctx, void (ReplyBuilder::*missing)(), Fn&& reply_one) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto z = FindCollection<ZSetValue>(db, ctx.args[1], true);
  if (!z.ok()) return ctx.reply.Error(z.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<double> score = *z ? (*z)->Score(ctx.args[i]) : std::nullopt;
    score ? reply_one(*score) : (ctx.reply.*missing)();
  }
}

// GEOPOS key [member ...]
void CmdGeoPos(CommandContext& ctx) {
  ReplyPerMember(ctx, &ReplyBuilder::NullArray, [&](double score) {
    const geo::LonLat p = geo::Decode(score);
    ctx.reply.Array(2);
    ReplyCoordinate(ctx.reply, p.lon);
    ReplyCoordinate(ctx.reply, p.lat);
  });
}

// GEODIST key member1 member2 [M|KM|FT|MI]
void CmdGeoDist(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.args.size() == 5) {
    if (!ParseUnit(ctx, ctx.args[4], &to_meters)) return;
  } else if (ctx.args.size() > 5) {
    return ctx.reply.Error(Status::Syntax());
  }
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto z = FindCollection<ZSetValue>(db, ctx.args[1], true);
  if (!z.ok()) return ctx.reply.Error(z.status());
  if (*z == nullptr) return ctx.reply.Null();
  std::optional<double> s1 = (*z)->Score(ctx.args[2]);
  std::optional<double> s2 = s1 ? (*z)->Score(ctx.args[3]) : std::nullopt;
  if (!s2) return ctx.reply.Null();
  const geo::LonLat a = geo::Decode(*s1), b = geo::Decode(*s2);
  ReplyDistance(ctx.reply, geo::Distance(a.lon, a.lat, b.lon, b.lat) / to_meters);
}

// GEOHASH key [member ...]
void CmdGeoHash(CommandContext& ctx) {
  ReplyPerMember(ctx, &ReplyBuilder::Null, [&](double score) {
    ctx.reply.Bulk(geo::StandardHash(score));
  });
}

// ---- Searches ----

enum SearchFlags : uint32_t {
  kFromCoords = 1 << 0,   // GEORADIUS: longitude latitude radius unit
  kFromMember = 1 << 1,   // GEORADIUSBYMEMBER: member radius unit
  kNoStore = 1 << 2,      // the _RO forms
  kGeoSearch = 1 << 3,    // GEOSEARCH: FROM... BY... options
  kSearchStore = 1 << 4,  // GEOSEARCHSTORE
};

struct Found {
  std::string member;
  double score;
  double dist;  // meters, then in the unit asked for
  double lon, lat;
};

// The members of the score range [min, max) inside the shape, in the set's order, appended to
// `out` until it holds `limit` (0: no limit).
void FoundInRange(const ZSetValue& z, double min, double max, const geo::Shape& shape, size_t limit,
                  std::vector<Found>* out) {
  z.Walk(z.CountBelow(min, false), false, [&](std::string_view m, double score) {
    if (!(score < max)) return false;
    const geo::LonLat p = geo::Decode(score);
    double dist = 0;
    if (geo::InShape(shape, p.lon, p.lat, &dist)) {
      out->push_back(Found{std::string(m), score, dist, p.lon, p.lat});
      if (limit != 0 && out->size() >= limit) return false;
    }
    return true;
  });
}

// The members in the shape, scanning the cells as Redis does.
std::vector<Found> Search(const ZSetValue& z, const geo::Shape& search, size_t limit) {
  const geo::Shape shape = search.WithCosine();
  const std::array<geo::Cell, 9> cells = geo::SearchCells(shape);
  std::vector<Found> out;
  size_t last = 0;  // as Redis: the centre (0) is never compared with the cell after it
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].none()) continue;
    // With huge radii neighbours coincide: a cell equal to the last one scanned is skipped.
    if (last != 0 && cells[i] == cells[last]) continue;
    if (!out.empty() && limit != 0 && out.size() >= limit) break;
    geo::Cell next = cells[i];
    ++next.bits;
    FoundInRange(z, static_cast<double>(geo::Align52(cells[i])),
                 static_cast<double>(geo::Align52(next)), shape, limit, &out);
    last = i;
  }
  return out;
}

// GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH and GEOSEARCHSTORE, as Redis's
// georadiusGeneric: the source's type is checked first, then the arguments in order.
void SearchGeneric(CommandContext& ctx, uint32_t flags) {
  const size_t src_at = (flags & kSearchStore) ? 2 : 1;
  const std::string_view src = ctx.args[src_at];
  size_t base = 0;
  if (flags & kFromCoords) base = 6;
  if (flags & kFromMember) base = 5;
  if (flags & kGeoSearch) base = src_at + 1;
  // Lock the source and every key the command may store to (the argument after any STORE or
  // STOREDIST); the parse below decides which one it is.
  std::vector<std::string_view> keys = {src};
  if (flags & kSearchStore) keys.push_back(ctx.args[1]);
  if (!(flags & (kNoStore | kGeoSearch))) {
    for (size_t i = base; i + 1 < ctx.args.size(); ++i) {
      if (EqualsIgnoreCase(ctx.args[i], "store") || EqualsIgnoreCase(ctx.args[i], "storedist")) {
        keys.push_back(ctx.args[i + 1]);
      }
    }
  }
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  auto zr = FindCollection<ZSetValue>(db, src, true);
  if (!zr.ok()) return ctx.reply.Error(zr.status());
  const ZSetValue* z = *zr;

  geo::Shape shape;
  auto center_of = [&](std::string_view member) {
    std::optional<double> score = z->Score(member);
    if (!score) {
      ctx.reply.Error(kCannotDecodeMember);
      return false;
    }
    const geo::LonLat p = geo::Decode(*score);
    shape.lon = p.lon;
    shape.lat = p.lat;
    return true;
  };
  std::optional<std::string_view> store;
  if (flags & kSearchStore) store = ctx.args[1];
  if (flags & kFromCoords) {
    if (!ParseLonLat(ctx, 2, &shape.lon, &shape.lat) || !ParseRadius(ctx, 4, &shape)) return;
  } else if ((flags & kFromMember) && z != nullptr) {
    if (!center_of(ctx.args[2]) || !ParseRadius(ctx, 3, &shape)) return;
  }
  // (GEORADIUSBYMEMBER of a missing key reads neither its member nor its radius, as Redis.)

  bool withdist = false, withhash = false, withcoord = false, storedist = false;
  bool frommember = false, fromlonlat = false, byradius = false, bybox = false, any = false;
  enum { kNone, kAsc, kDesc } sort = kNone;
  int64_t count = 0;
  const size_t argc = ctx.args.size();
  for (size_t i = base; i < argc; ++i) {
    const std::string_view o = ctx.args[i];
    const size_t left = argc - i - 1;
    if (EqualsIgnoreCase(o, "withdist")) {
      withdist = true;
    } else if (EqualsIgnoreCase(o, "withhash")) {
      withhash = true;
    } else if (EqualsIgnoreCase(o, "withcoord")) {
      withcoord = true;
    } else if (EqualsIgnoreCase(o, "any")) {
      any = true;
    } else if (EqualsIgnoreCase(o, "asc")) {
      sort = kAsc;
    } else if (EqualsIgnoreCase(o, "desc")) {
      sort = kDesc;
    } else if (EqualsIgnoreCase(o, "count") && left >= 1) {
      if (!ArgToInt(ctx, ctx.args[++i], &count)) return;
      if (count <= 0) return ctx.reply.Error("ERR COUNT must be > 0");
    } else if ((EqualsIgnoreCase(o, "store") || EqualsIgnoreCase(o, "storedist")) && left >= 1 &&
               !(flags & (kNoStore | kGeoSearch))) {
      storedist = EqualsIgnoreCase(o, "storedist");
      store = ctx.args[++i];
    } else if (EqualsIgnoreCase(o, "storedist") && (flags & kSearchStore)) {
      storedist = true;
    } else if (EqualsIgnoreCase(o, "frommember") && left >= 1 && (flags & kGeoSearch) &&
               !fromlonlat) {
      ++i;
      if (z != nullptr && !center_of(ctx.args[i])) return;
      frommember = true;
    } else if (EqualsIgnoreCase(o, "fromlonlat") && left >= 2 && (flags & kGeoSearch) &&
               !frommember) {
      if (!ParseLonLat(ctx, i + 1, &shape.lon, &shape.lat)) return;
      fromlonlat = true;
      i += 2;
    } else if (EqualsIgnoreCase(o, "byradius") && left >= 2 && (flags & kGeoSearch) && !bybox) {
      if (!ParseRadius(ctx, i + 1, &shape)) return;
      byradius = true;
      i += 2;
    } else if (EqualsIgnoreCase(o, "bybox") && left >= 3 && (flags & kGeoSearch) && !byradius) {
      if (!ParseBox(ctx, i + 1, &shape)) return;
      bybox = true;
      i += 3;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  const std::string name(ctx.args[0]);
  if (store && (withdist || withhash || withcoord)) {
    return ctx.reply.Error(
        std::string("ERR ") +
        ((flags & kSearchStore) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
        " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  }
  if ((flags & kGeoSearch) && !(frommember || fromlonlat)) {
    return ctx.reply.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                           name);
  }
  if ((flags & kGeoSearch) && !(byradius || bybox)) {
    return ctx.reply.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + name);
  }
  if (any && count == 0) return ctx.reply.Error("ERR the ANY argument requires COUNT argument");

  std::vector<Found> found;
  if (z != nullptr) {
    if (count != 0 && sort == kNone && !any) sort = kAsc;  // COUNT means the nearest
    found = Search(*z, shape, any ? static_cast<size_t>(count) : 0);
  }
  const size_t returned = count == 0 || found.size() < static_cast<uint64_t>(count)
                              ? found.size()
                              : static_cast<size_t>(count);
  if (sort != kNone) {
    auto nearer = [](const Found& a, const Found& b) { return a.dist < b.dist; };
    auto farther = [](const Found& a, const Found& b) { return a.dist > b.dist; };
    if (returned == found.size()) {
      sort == kAsc ? std::stable_sort(found.begin(), found.end(), nearer)
                   : std::stable_sort(found.begin(), found.end(), farther);
    } else {
      const auto mid = found.begin() + static_cast<std::ptrdiff_t>(returned);
      sort == kAsc ? std::partial_sort(found.begin(), mid, found.end(), nearer)
                   : std::partial_sort(found.begin(), mid, found.end(), farther);
    }
  }
  found.resize(returned);
  for (Found& f : found) f.dist /= shape.conversion;

  if (store) {
    std::vector<std::pair<std::string_view, double>> items;
    items.reserve(found.size());
    for (const Found& f : found) items.emplace_back(f.member, storedist ? f.dist : f.score);
    StoreZSet(ctx, db, *store, items, (flags & kGeoSearch) ? "geosearchstore" : "georadiusstore");
    return ctx.reply.Int(static_cast<int64_t>(found.size()));
  }
  const size_t options = (withdist ? 1 : 0) + (withhash ? 1 : 0) + (withcoord ? 1 : 0);
  ctx.reply.Array(found.size());
  for (const Found& f : found) {
    if (options > 0) ctx.reply.Array(options + 1);
    ctx.reply.Bulk(f.member);
    if (withdist) ReplyDistance(ctx.reply, f.dist);
    if (withhash) ctx.reply.Int(static_cast<int64_t>(f.score));
    if (withcoord) {
      ctx.reply.Array(2);
      ReplyCoordinate(ctx.reply, f.lon);
      ReplyCoordinate(ctx.reply, f.lat);
    }
  }
}

void CmdGeoRadius(CommandContext& ctx) { SearchGeneric(ctx, kFromCoords); }
void CmdGeoRadiusRo(CommandContext& ctx) { SearchGeneric(ctx, kFromCoords | kNoStore); }
void CmdGeoRadiusByMember(CommandContext& ctx) { SearchGeneric(ctx, kFromMember); }
void CmdGeoRadiusByMemberRo(CommandContext& ctx) { SearchGeneric(ctx, kFromMember | kNoStore); }
void CmdGeoSearch(CommandContext& ctx) { SearchGeneric(ctx, kGeoSearch); }
void CmdGeoSearchStore(CommandContext& ctx) { SearchGeneric(ctx, kGeoSearch | kSearchStore); }

}  // namespace

std::vector<CommandSpec> GeoFamily() {
  constexpr uint32_t kR = kReadOnly;
  constexpr uint32_t kW = kWrite | kDenyOom;
  // GEORADIUS and GEORADIUSBYMEMBER may store: their destination follows STORE or STOREDIST
  // (Redis's movablekeys, found by store_key_from); the handler locks it.
  CommandSpec georadius{"georadius",
                        -6,
                        kW | kMovableKeys,
                        1,
                        1,
                        1,
                        CmdGeoRadius,
                        "geo",
                        "Query a sorted set representing a geospatial index to fetch members "
                        "matching a given maximum distance from a point"};
  georadius.store_key_from = 5;
  CommandSpec georadiusbymember{
      "georadiusbymember",
      -5,
      kW | kMovableKeys,
      1,
      1,
      1,
      CmdGeoRadiusByMember,
      "geo",
      "Query a sorted set representing a geospatial index to fetch members matching a given "
      "maximum distance from a member"};
  georadiusbymember.store_key_from = 5;
  return {
      {"geoadd", -5, kW, 1, 1, 1, CmdGeoAdd, "geo",
       "Add one or more geospatial items in the geospatial index represented using a sorted "
       "set"},
      {"geodist", -4, kR, 1, 1, 1, CmdGeoDist, "geo",
       "Returns the distance between two members of a geospatial index"},
      {"geohash", -2, kR, 1, 1, 1, CmdGeoHash, "geo",
       "Returns members of a geospatial index as standard geohash strings"},
      {"geopos", -2, kR, 1, 1, 1, CmdGeoPos, "geo",
       "Returns longitude and latitude of members of a geospatial index"},
      georadius,
      {"georadius_ro", -6, kR, 1, 1, 1, CmdGeoRadiusRo, "geo", "A read-only variant for GEORADIUS"},
      georadiusbymember,
      {"georadiusbymember_ro", -5, kR, 1, 1, 1, CmdGeoRadiusByMemberRo, "geo",
       "A read-only variant for GEORADIUSBYMEMBER"},
      {"geosearch", -7, kR, 1, 1, 1, CmdGeoSearch, "geo",
       "Query a sorted set representing a geospatial index to fetch members inside an area of a "
       "box or a circle."},
      {"geosearchstore", -8, kW, 1, 2, 1, CmdGeoSearchStore, "geo",
       "Query a sorted set representing a geospatial index to fetch members inside an area of a "
       "box or a circle, and store the result in another key."},
  };
}

}  // namespace strata::server
