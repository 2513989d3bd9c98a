// Redis's description of its commands (command_docs.h): the compiled-in data is read, and key
// specs are followed as redis-server 7.0.15 follows them for COMMAND GETKEYS (the expected keys
// are its replies), including the keyword searches no command of Strata's uses yet.
#include "server/commands/command_docs.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace strata::server {
namespace {

// The keys `name`'s key specs find in `line`, or "(invalid)".
std::string Keys(std::string_view name, std::vector<std::string_view> line) {
  const CommandDocs* docs = FindCommandDocs(name);
  if (docs == nullptr) return "(no such command)";
  std::vector<FoundKey> found;
  if (!KeysFromSpecs(docs->key_specs, line, &found)) return "(invalid)";
  std::string out;
  for (const FoundKey& k : found) {
    out += (out.empty() ? "" : " ") + std::string(line[k.pos]) + "[";
    for (size_t i = 0; i < k.flags.size(); ++i) out += (i ? "," : "") + k.flags[i];
    out += "]";
  }
  return out;
}

TEST(CommandDocs, EveryRedisCommandIsThere) {
  for (std::string_view name : {"get", "config|get", "client|kill", "xadd", "eval", "migrate"}) {
    const CommandDocs* docs = FindCommandDocs(name);
    ASSERT_NE(docs, nullptr) << name;
    ASSERT_NE(docs->docs, nullptr) << name;
    EXPECT_TRUE(docs->docs->contains("summary")) << name;
  }
  EXPECT_EQ(FindCommandDocs("nosuchcommand"), nullptr);
  EXPECT_EQ(FindCommandDocs("_source"), nullptr);
  EXPECT_EQ(FindCommandDocs("set")->key_specs.size(), 1u);
  EXPECT_TRUE(FindCommandDocs("set")->key_specs[0].variable_flags);
}

TEST(CommandDocs, KeySpecsFindRedisKeys) {
  EXPECT_EQ(Keys("get", {"get", "k"}), "k[RO,access]");
  EXPECT_EQ(Keys("mset", {"mset", "a", "1", "b"}), "a[OW,update] b[OW,update]");
  EXPECT_EQ(Keys("rename", {"rename", "a", "b"}), "a[RW,access,delete] b[OW,update]");
  EXPECT_EQ(Keys("lcs", {"lcs", "a", "b", "len"}), "a[RO,access] b[RO,access]");
  EXPECT_EQ(Keys("zunionstore", {"zunionstore", "d", "2", "a", "b", "weights", "1", "2"}),
            "d[OW,update] a[RO,access] b[RO,access]");
  EXPECT_EQ(Keys("zunionstore", {"zunionstore", "d", "3", "a", "b"}), "(invalid)");
  EXPECT_EQ(Keys("zunionstore", {"zunionstore", "d", "0", "a"}), "(invalid)");
  EXPECT_EQ(Keys("zunionstore", {"zunionstore", "d", "x", "a"}), "(invalid)");
  // Keyword searches with a limit: only the first half of what follows STREAMS are keys.
  EXPECT_EQ(Keys("xread", {"xread", "count", "1", "streams", "a", "b", "0", "0"}),
            "a[RO,access] b[RO,access]");
  EXPECT_EQ(Keys("xread", {"xread", "streams", "streams", "streams", "1", "2"}),
            "streams[RO,access] streams[RO,access]");
  EXPECT_EQ(Keys("xreadgroup", {"xreadgroup", "group", "g", "c", "streams", "a", "0"}),
            "a[RO,access]");
  // A keyword that is absent finds nothing for its spec, the others still count.
  EXPECT_EQ(Keys("georadius", {"georadius", "k", "0", "0", "1", "km", "store", "d", "storedist",
                               "e"}),
            "k[RO,access] d[OW,update] e[OW,update]");
  EXPECT_EQ(Keys("georadius", {"georadius", "k", "0", "0", "1", "km"}), "k[RO,access]");
}

}  // namespace
}  // namespace strata::server
