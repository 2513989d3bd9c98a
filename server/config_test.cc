#include "server/config.h"

#include <gtest/gtest.h>

namespace strata::server {
namespace {

TEST(ConfigTest, DefaultsAreRedisLike) {
  Config c;
  EXPECT_EQ(c.String(Param::kBind), "127.0.0.1");
  EXPECT_EQ(c.Int(Param::kPort), 6379);
  EXPECT_EQ(c.String(Param::kDir), "./data");
  EXPECT_EQ(c.String(Param::kAppendfsync), "everysec");
  EXPECT_EQ(c.Int(Param::kProtoMaxBulkLen), 512LL * 1024 * 1024);
  EXPECT_EQ(c.Int(Param::kClientQueryBufferLimit), 1024LL * 1024 * 1024);
}

TEST(ConfigTest, FileThenFlagsOverride) {
  Config c;
  ASSERT_TRUE(c.LoadText("# comment\nport 7000\n  dir \"/tmp/x y\"\nmaxclients 10\n", "file").ok());
  const char* argv[] = {"strata-server", "--port", "7001", "--save", ""};
  ASSERT_TRUE(c.LoadArgs(5, argv).ok());
  EXPECT_EQ(c.Int(Param::kPort), 7001);
  EXPECT_EQ(c.String(Param::kDir), "/tmp/x y");
  EXPECT_EQ(c.Int(Param::kMaxclients), 10);
  EXPECT_EQ(c.String(Param::kSave), "");
}

TEST(ConfigTest, BadDirectiveNamesTheLine) {
  Config c;
  Status st = c.LoadText("port 7000\nbogus 1\n", "file");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("at line 2"), std::string::npos);
  EXPECT_NE(st.message().find("Bad directive"), std::string::npos);
  EXPECT_FALSE(c.LoadText("port notanumber\n", "file").ok());
  EXPECT_FALSE(c.LoadText("port 70000\n", "file").ok());
}

TEST(ConfigTest, MemoryUnitsAsRedis) {
  int64_t v;
  ASSERT_TRUE(ParseMemory("1k", &v));
  EXPECT_EQ(v, 1000);
  ASSERT_TRUE(ParseMemory("1kb", &v));
  EXPECT_EQ(v, 1024);
  ASSERT_TRUE(ParseMemory("2GB", &v));
  EXPECT_EQ(v, 2LL * 1024 * 1024 * 1024);
  EXPECT_FALSE(ParseMemory("12xb", &v));
}

TEST(ConfigTest, RuntimeSetRefusesImmutableAndBadValuesWithRedisText) {
  Config c;
  EXPECT_EQ(c.Set("port", "1", false).message(),
            "CONFIG SET failed (possibly related to argument 'port') - can't set immutable config");
  EXPECT_EQ(c.Set("maxclients", "abc", false).message(),
            "CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be "
            "parsed into an integer");
  EXPECT_EQ(c.Set("nope", "1", false).message(),
            "Unknown option or number of arguments for CONFIG SET - 'nope'");
  EXPECT_TRUE(c.Set("MAXCLIENTS", "50", false).ok());
  EXPECT_EQ(c.Int(Param::kMaxclients), 50);
  EXPECT_TRUE(c.Set("appendfsync", "ALWAYS", false).ok());
  EXPECT_EQ(c.String(Param::kAppendfsync), "always");
}

TEST(ConfigTest, GetMatchesGlobPatterns) {
  Config c;
  auto all = c.Get("*");
  EXPECT_GT(all.size(), 10u);
  auto some = c.Get("max*");
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].first, "maxclients");
}

}  // namespace
}  // namespace strata::server
