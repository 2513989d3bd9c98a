// The geo family (geo_family.cc) in-process: its replies in both protocols and its key
// positions. tests/integration/geo_compat_test.cc compares it with redis-server at length.
#include <gtest/gtest.h>

#include "server/commands/command.h"
#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(GeoFamily, AddStoresGeohashScoresWithZaddRules) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
                   "Catania"}),
            "(integer) 2");
  EXPECT_EQ(h.Run({"ZSCORE", "g", "Palermo"}), "\"3479099956230698\"");
  EXPECT_EQ(h.Run({"GEOADD", "g", "XX", "CH", "15", "37", "Catania", "1", "1", "New"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"ZCARD", "g"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GEOADD", "g", "NX", "XX", "1", "1", "a"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"GEOADD", "g", "181", "0", "a"}),
            "(error) ERR invalid longitude,latitude pair 181.000000,0.000000");
  h.Run({"SET", "s", "x"});
  EXPECT_EQ(h.Run({"GEOADD", "s", "1", "1", "a"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST(GeoFamily, PositionsAreHumanDoublesAndDistancesFourDecimals) {
  CommandHarness h;
  h.Run({"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"});
  EXPECT_EQ(h.Run({"GEOPOS", "g", "Palermo", "nope"}),
            "[[\"13.36138933897018433\", \"38.11555639549629859\"], (nil)]");
  EXPECT_EQ(h.Run({"GEODIST", "g", "Palermo", "Catania", "km"}), "\"166.2742\"");
  EXPECT_EQ(h.Run({"GEOHASH", "g", "Palermo", "nope"}), "[\"sqc8b49rny0\", (nil)]");
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"GEOPOS", "g", "Catania", "nope"}),
            "*2\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n_\r\n");
  // Distances stay bulk strings in RESP3, as in Redis.
  EXPECT_EQ(h.RunRaw({"GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC",
                      "WITHDIST", "WITHHASH"}),
            "*2\r\n*3\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n"
            "*3\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n");
}

TEST(GeoFamily, SearchesStoreMembersOrDistances) {
  CommandHarness h;
  h.Run({"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"});
  EXPECT_EQ(h.Run({"GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "d"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}),
            "[\"Catania\", \"56.441257870158204\", \"Palermo\", \"190.44242984775784\"]");
  EXPECT_EQ(h.Run({"GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Palermo", "BYBOX", "10", "10", "km"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), "[\"Palermo\", \"3479099956230698\"]");
  EXPECT_EQ(h.Run({"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"}),
            "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GEORADIUS_RO", "g", "15", "37", "200", "km", "STORE", "d"}),
            "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"GEOSEARCH", "g", "FROMMEMBER", "x", "BYRADIUS", "1", "km"}),
            "(error) ERR could not decode requested zset member");
  EXPECT_EQ(h.Run({"geosearch", "g", "BYRADIUS", "1", "km", "COUNT", "1"}),
            "(error) ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch");
}

TEST(GeoFamily, GeoradiusStoreKeyIsAKey) {
  const CommandTable table;
  const CommandSpec* spec = table.Find("georadius");
  ASSERT_NE(spec, nullptr);
  const std::vector<std::string_view> line = {"georadius", "k",     "0", "0",         "1",
                                              "km",        "store", "a", "STOREDIST", "b"};
  EXPECT_EQ(CommandTable::KeyPositions(*spec, line), (std::vector<int>{1, 9}));
  const std::vector<std::string_view> plain = {"georadius", "k", "0", "0", "1", "km", "store"};
  EXPECT_EQ(CommandTable::KeyPositions(*spec, plain), (std::vector<int>{1}));
}

}  // namespace
}  // namespace strata::server
