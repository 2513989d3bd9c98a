// ACL rules (ACL SETUSER's language), how users describe themselves (ACL LIST), the
// permission check of a command line, and the user registry. Expected texts are what Redis
// 7.0.15 answers to the same rules.
#include "server/acl.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "base/string_util.h"
#include "server/commands/command.h"

namespace strata::server {
namespace {

const CommandTable& Table() {
  static const CommandTable table;
  return table;
}

// A user "u" after `rules`; fails the test if one does not apply.
AclUser UserWith(std::initializer_list<std::string_view> rules) {
  AclUser u("u", Table());
  for (std::string_view r : rules) {
    Status st = u.Apply(r, Table());
    EXPECT_TRUE(st.ok()) << r << ": " << st.message();
  }
  return u;
}

// The error of applying `rule` to a user after `before`.
std::string ErrorOf(std::initializer_list<std::string_view> before, std::string_view rule) {
  AclUser u = UserWith(before);
  Status st = u.Apply(rule, Table());
  return st.ok() ? "OK" : st.message();
}

// What AclCheck says of a command line: "OK", "command get", "key x", "channel c".
std::string Check(const AclUser& u, std::vector<std::string_view> args) {
  const CommandSpec* spec = Table().Find(args[0]);
  EXPECT_NE(spec, nullptr) << args[0];
  spec = &CommandTable::Named(*spec, args);
  std::string_view object;
  switch (AclCheck(u, *spec, args, &object)) {
    case AclDenial::kNone:
      return "OK";
    case AclDenial::kCommand:
      return "command " + std::string(object);
    case AclDenial::kKey:
      return "key " + std::string(object);
    case AclDenial::kChannel:
      return "channel " + std::string(object);
  }
  return "?";
}

TEST(AclPasswordTest, HashesAreSha256InLowercaseHex) {
  EXPECT_EQ(AclHashPassword("a"),
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
  EXPECT_EQ(AclHashPassword(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AclPasswordTest, GeneratedPasswordsHaveOneHexDigitPerFourBits) {
  EXPECT_EQ(AclGeneratePassword(256).size(), 64u);
  EXPECT_EQ(AclGeneratePassword(5).size(), 2u);
  EXPECT_EQ(AclGeneratePassword(1).size(), 1u);
  EXPECT_NE(AclGeneratePassword(256), AclGeneratePassword(256));
  for (char c : AclGeneratePassword(4096))
    EXPECT_NE(std::string_view("0123456789abcdef").find(c), std::string_view::npos);
}

TEST(AclPatternTest, LiteralAndPrefixPatternsMatchAsTheGlobMatcher) {
  const std::vector<std::string> patterns = {"",     "key", "key:*",   "*",      "k*y",
                                             "a\\*", "k?y", "[a-k]ey", "key:**", "*:*"};
  const std::vector<std::string> inputs = {"",   "key", "key:",    "key:1",   "kxy",
                                           "a*", "a",   "other:1", "key:1:2", "k"};
  for (const std::string& p : patterns) {
    const AclPattern pattern(p);
    for (const std::string& s : inputs) {
      EXPECT_EQ(pattern.Matches(s), GlobMatch(p, s)) << "pattern '" << p << "' on '" << s << "'";
    }
  }
}

TEST(AclUserTest, NewAndDefaultUsersDescribeThemselvesAsRedis) {
  EXPECT_EQ(AclUser("x", Table()).Describe(), "user x off resetchannels -@all");
  EXPECT_EQ(AclUser::Default(Table()).Describe(), "user default on nopass ~* &* +@all");
}

TEST(AclUserTest, PasswordRulesAddRemoveAndReset) {
  AclUser u = UserWith(
      {"on", ">a", ">a", "#e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"});
  EXPECT_EQ(u.password_hashes().size(), 2u);  // the same password twice is kept once
  EXPECT_TRUE(u.CheckPassword("a"));
  EXPECT_TRUE(u.CheckPassword(""));
  EXPECT_FALSE(u.CheckPassword("b"));
  ASSERT_TRUE(u.Apply("<a", Table()).ok());
  EXPECT_FALSE(u.CheckPassword("a"));
  ASSERT_TRUE(
      u.Apply("!e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Table()).ok());
  EXPECT_FALSE(u.CheckPassword(""));  // no password and not nopass: nothing opens it
  ASSERT_TRUE(u.Apply("nopass", Table()).ok());
  EXPECT_TRUE(u.CheckPassword("anything"));
  EXPECT_EQ(u.Describe(), "user u on nopass resetchannels -@all");
  ASSERT_TRUE(u.Apply(">x", Table()).ok());  // a password ends nopass
  EXPECT_FALSE(u.nopass());
  ASSERT_TRUE(u.Apply("resetpass", Table()).ok());
  EXPECT_FALSE(u.CheckPassword("x"));
}

TEST(AclUserTest, CommandRulesReadAsRedisShowsThem) {
  EXPECT_EQ(UserWith({"+@all", "-get"}).CommandRules(), "+@all -get");
  EXPECT_EQ(UserWith({"+@all", "-get", "+get"}).CommandRules(), "+@all");
  EXPECT_EQ(UserWith({"+@all", "-@string", "+set"}).CommandRules(), "+@all -@string +set");
  EXPECT_EQ(UserWith({"+@all", "-@string", "+set", "+@all"}).CommandRules(), "+@all");
  EXPECT_EQ(UserWith({"+config|get"}).CommandRules(), "-@all +config|get");
  EXPECT_EQ(UserWith({"+config|get", "+config"}).CommandRules(), "-@all +config");
  EXPECT_EQ(UserWith({"+config", "-config|set"}).CommandRules(), "-@all +config -config|set");
  EXPECT_EQ(UserWith({"+@ALL", "-acl", "+acl|whoami", "+GET"}).CommandRules(),
            "+@all -acl +acl|whoami");
  EXPECT_EQ(UserWith({"+select|0"}).CommandRules(), "-@all +select|0");
  EXPECT_EQ(UserWith({"allcommands", "nocommands", "+@READ"}).CommandRules(), "-@all +@read");
}

TEST(AclUserTest, KeyAndChannelRulesReadAsRedisShowsThem) {
  AclUser u = UserWith({"~a", "%R~r*", "%W~w*", "%RW~rw*", "&x", "&y"});
  EXPECT_EQ(u.Describe(), "user u off ~a %R~r* %W~w* ~rw* resetchannels &x &y -@all");
  EXPECT_EQ(u.KeyRules(), "~a %R~r* %W~w* ~rw*");
  EXPECT_EQ(u.ChannelRules(), "&x &y");
  EXPECT_EQ(UserWith({"~a", "allkeys"}).KeyRules(), "~*");
  EXPECT_EQ(UserWith({"~a", "allkeys", "resetkeys", "%r"}).KeyRules(), "%R~");
  EXPECT_EQ(UserWith({"&a", "allchannels"}).Describe(), "user u off &* -@all");
  EXPECT_EQ(UserWith({"allchannels", "resetchannels"}).ChannelRules(), "");
  EXPECT_EQ(UserWith({"on", ">a", "~k", "reset"}).Describe(),
            "user u off sanitize-payload resetchannels -@all");
}

TEST(AclUserTest, BadRulesAreRefusedWithRedisReasons) {
  const std::string kSyntax = "Syntax error";
  const std::string kUnknown = "Unknown command or category name in ACL";
  EXPECT_EQ(ErrorOf({}, "bogus"), kSyntax);
  EXPECT_EQ(ErrorOf({}, "%X~a"), kSyntax);
  EXPECT_EQ(ErrorOf({}, "%~a"), kSyntax);
  EXPECT_EQ(ErrorOf({}, "%RR~a"), kSyntax);
  EXPECT_EQ(ErrorOf({}, "+select|"), kSyntax);
  EXPECT_EQ(ErrorOf({}, "+nosuch"), kUnknown);
  EXPECT_EQ(ErrorOf({}, "+@nosuch"), kUnknown);
  EXPECT_EQ(ErrorOf({}, "+config|nosuch"), kUnknown);
  EXPECT_EQ(ErrorOf({}, "-select|0"), kUnknown);
  EXPECT_EQ(ErrorOf({}, "+|x"), kUnknown);
  EXPECT_EQ(ErrorOf({}, "+config|get|x"), "Allowing first-arg of a subcommand is not supported");
  EXPECT_EQ(ErrorOf({}, "<b"),
            "The password you are trying to remove from the user does not exist");
  EXPECT_EQ(ErrorOf({}, "#abc"),
            "The password hash must be exactly 64 characters and contain only lowercase "
            "hexadecimal characters");
  EXPECT_EQ(ErrorOf({}, "!ABC"), ErrorOf({}, "#abc"));
  EXPECT_EQ(ErrorOf({"allkeys"}, "~foo"),
            "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
            "not have any effect. Try 'resetkeys' to start with an empty list of patterns");
  EXPECT_EQ(ErrorOf({"allkeys"}, "%R~foo"), ErrorOf({"allkeys"}, "~foo"));
  EXPECT_EQ(ErrorOf({"allchannels"}, "&x"),
            "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
            "does not have any effect. Try 'resetchannels' to start with an empty list of "
            "channels");
  EXPECT_EQ(ErrorOf({"allkeys"}, "~*"), "OK");
}

TEST(AclCheckTest, CommandsCategoriesAndSubcommands) {
  AclUser reader = UserWith({"on", "nopass", "allkeys", "+@read"});
  EXPECT_EQ(Check(reader, {"get", "k"}), "OK");
  EXPECT_EQ(Check(reader, {"SET", "k", "v"}), "command set");
  EXPECT_EQ(Check(reader, {"auth", "x"}), "OK");  // allowed before AUTH: never denied

  AclUser no_dangerous = UserWith({"allkeys", "+@all", "-@dangerous"});
  EXPECT_EQ(Check(no_dangerous, {"keys", "*"}), "command keys");
  EXPECT_EQ(Check(no_dangerous, {"flushall"}), "command flushall");
  EXPECT_EQ(Check(no_dangerous, {"config", "get", "x"}), "command config|get");
  EXPECT_EQ(Check(no_dangerous, {"set", "k", "v"}), "OK");

  AclUser config_get = UserWith({"+config|get"});
  EXPECT_EQ(Check(config_get, {"config", "get", "port"}), "OK");
  EXPECT_EQ(Check(config_get, {"config", "set", "port", "1"}), "command config|set");
  // An unknown subcommand is checked as the container itself.
  EXPECT_EQ(Check(config_get, {"config", "nosuch"}), "command config");

  AclUser select0 = UserWith({"+select|0"});
  EXPECT_EQ(Check(select0, {"select", "0"}), "OK");
  EXPECT_EQ(Check(select0, {"select", "1"}), "command select");
}

TEST(AclCheckTest, KeyPatternsAndTheirPermissions) {
  AclUser u = UserWith({"+@all", "~k*", "%R~r*", "%W~w*"});
  EXPECT_EQ(Check(u, {"get", "k1"}), "OK");
  EXPECT_EQ(Check(u, {"get", "x"}), "key x");
  EXPECT_EQ(Check(u, {"mset", "k1", "v", "x", "v"}), "key x");
  EXPECT_EQ(Check(u, {"get", "r1"}), "OK");
  EXPECT_EQ(Check(u, {"set", "r1", "v"}), "key r1");  // a write needs write permission
  EXPECT_EQ(Check(u, {"get", "w1"}), "key w1");
  EXPECT_EQ(Check(u, {"lmpop", "2", "k1", "x", "left"}), "key x");  // numkeys keys
  EXPECT_EQ(Check(u, {"object", "encoding", "x"}), "key x");        // a subcommand's keys
  EXPECT_EQ(Check(u, {"ping"}), "OK");
  EXPECT_EQ(Check(UserWith({"+@all"}), {"get", "k"}), "key k");  // no patterns: no keys
}

TEST(AclCheckTest, ChannelsArePatternsAndPSubscribeNeedsTheSamePattern) {
  AclUser u = UserWith({"+@all", "&news.*"});
  EXPECT_EQ(Check(u, {"publish", "news.x", "m"}), "OK");
  EXPECT_EQ(Check(u, {"publish", "other", "m"}), "channel other");
  EXPECT_EQ(Check(u, {"subscribe", "news.a", "other"}), "channel other");
  EXPECT_EQ(Check(u, {"psubscribe", "news.*"}), "OK");
  EXPECT_EQ(Check(u, {"psubscribe", "news.a*"}), "channel news.a*");
  EXPECT_EQ(Check(u, {"unsubscribe", "other"}), "OK");
  EXPECT_EQ(Check(UserWith({"+@all", "allchannels"}), {"publish", "any", "m"}), "OK");
}

TEST(AclRegistryTest, SetUserAppliesAllRulesOrNone) {
  Acl acl(Table());
  const uint64_t v0 = acl.version();
  ASSERT_TRUE(acl.SetUser("u", std::vector<std::string_view>{"on", ">p", "+get"}).ok());
  EXPECT_GT(acl.version(), v0);
  Status st = acl.SetUser("u", std::vector<std::string_view>{"-@all", "bad", "+set"});
  EXPECT_EQ(st.message(), "Error in ACL SETUSER modifier 'bad': Syntax error");
  EXPECT_EQ(acl.Find("u")->CommandRules(), "-@all +get");  // unchanged
  EXPECT_EQ(acl.SetUser("a b", {}).message(), "Usernames can't contain spaces or null characters");
  EXPECT_NE(acl.Authenticate("u", "p"), nullptr);
  EXPECT_EQ(acl.Authenticate("u", "q"), nullptr);
  EXPECT_EQ(acl.Authenticate("nobody", "p"), nullptr);
  ASSERT_TRUE(acl.SetUser("u", std::vector<std::string_view>{"off"}).ok());
  EXPECT_EQ(acl.Authenticate("u", "p"), nullptr);  // disabled
}

TEST(AclRegistryTest, DeleteUsersNeverDeletesDefault) {
  Acl acl(Table());
  ASSERT_TRUE(acl.SetUser("a", {}).ok());
  ASSERT_TRUE(acl.SetUser("b", {}).ok());
  Result<std::vector<std::string>> r =
      acl.DeleteUsers(std::vector<std::string_view>{"a", "default"});
  EXPECT_EQ(r.status().message(), "The 'default' user cannot be removed");
  EXPECT_NE(acl.Find("a"), nullptr);
  r = acl.DeleteUsers(std::vector<std::string_view>{"a", "nosuch", "b"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(acl.Users().size(), 1u);
  EXPECT_EQ(acl.Users()[0]->name(), "default");
}

TEST(AclRegistryTest, RequirepassIsTheDefaultUsersPassword) {
  Acl acl(Table());
  EXPECT_FALSE(acl.default_requires_auth());
  EXPECT_TRUE(acl.default_nopass());
  acl.MirrorRequirepass("secret");
  EXPECT_TRUE(acl.default_requires_auth());
  EXPECT_FALSE(acl.default_nopass());
  EXPECT_NE(acl.Authenticate("default", "secret"), nullptr);
  EXPECT_EQ(acl.Authenticate("default", "other"), nullptr);
  // The same value again (another CONFIG SET) keeps what ACL SETUSER did to "default".
  ASSERT_TRUE(acl.SetUser("default", std::vector<std::string_view>{">other"}).ok());
  acl.MirrorRequirepass("secret");
  EXPECT_NE(acl.Authenticate("default", "other"), nullptr);
  acl.MirrorRequirepass("");
  EXPECT_FALSE(acl.default_requires_auth());
  EXPECT_EQ(acl.Find("default")->Describe(), "user default on nopass ~* &* +@all");
  ASSERT_TRUE(acl.SetUser("default", std::vector<std::string_view>{"off"}).ok());
  EXPECT_TRUE(acl.default_requires_auth());  // a disabled default user admits no one
}

TEST(AclRegistryTest, LogMergesEqualDenialsWithinAMinute) {
  Acl acl(Table());
  auto entry = [](std::string object, int64_t ms) {
    AclLogEntry e;
    e.reason = "key";
    e.context = "toplevel";
    e.object = std::move(object);
    e.username = "u";
    e.created_ms = ms;
    return e;
  };
  acl.Log(entry("a", 1000));
  acl.Log(entry("b", 2000));
  acl.Log(entry("a", 3000));    // merged with the first, and now the newest
  acl.Log(entry("a", 100000));  // more than a minute later: a new entry
  std::vector<AclLogEntry> log = acl.LogEntries(10);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].count, 1);
  EXPECT_EQ(log[1].object, "a");
  EXPECT_EQ(log[1].count, 2);
  EXPECT_EQ(log[2].object, "b");
  EXPECT_EQ(acl.LogEntries(1).size(), 1u);
  for (int i = 0; i < 200; ++i) acl.Log(entry(std::to_string(i), 0));
  EXPECT_EQ(acl.LogEntries(1000).size(), 128u);  // acllog-max-len's default
  acl.ResetLog();
  EXPECT_TRUE(acl.LogEntries(10).empty());
}

TEST(AclCategoriesTest, CommandsCarryRedisCategories) {
  auto cats = [](std::string_view name) {
    const CommandSpec* spec = Table().Find(name.substr(0, name.find('|')));
    if (name.find('|') != std::string_view::npos) {
      spec = CommandTable::FindSub(*spec, name.substr(name.find('|') + 1));
    }
    std::string out;
    for (const AclCategoryName& c : AclCategoryNames()) {
      if (spec->acl_categories & c.bit) out += (out.empty() ? "@" : " @") + std::string(c.name);
    }
    return out;
  };
  EXPECT_EQ(cats("get"), "@read @string @fast");
  EXPECT_EQ(cats("set"), "@write @string @slow");
  EXPECT_EQ(cats("keys"), "@keyspace @read @slow @dangerous");
  EXPECT_EQ(cats("blpop"), "@write @list @slow @blocking");
  EXPECT_EQ(cats("publish"), "@pubsub @fast");
  EXPECT_EQ(cats("config"), "@slow");
  EXPECT_EQ(cats("config|get"), "@admin @slow @dangerous");
  EXPECT_EQ(cats("client|id"), "@slow @connection");
  EXPECT_EQ(cats("acl|whoami"), "@slow");
  EXPECT_EQ(cats("multi"), "@fast @transaction");
  EXPECT_EQ(FindAclCategory("SortedSet"), kAclSortedSet);
  EXPECT_EQ(FindAclCategory("all"), 0u);
  EXPECT_EQ(AclCategoryNames().size(), 21u);
}

}  // namespace
}  // namespace strata::server
