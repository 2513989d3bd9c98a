// Authentication, ACL and protected mode against the real server: what a user may and may not
// run (commands, categories, keys, channels), AUTH and HELLO AUTH, disabled and deleted users,
// requirepass as the default user's password, MULTI/EXEC under ACL, and protected mode's
// refusal of clients from a non-loopback address. Where redis-server 7.0 is installed, the
// same command sequences run against it too and every reply must be identical.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

std::string Cmd(redisContext* c, const std::vector<std::string>& argv) {
  ReplyPtr r = Command(c, argv);
  return r ? Describe(r.get()) : std::string("(connection error)");
}

std::string Resp(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

class AclTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = ServerProcess::StartStrata({"--save", ""}, &error);
    ASSERT_NE(server_, nullptr) << error;
    admin_ = Connect(server_->port());
    ASSERT_NE(admin_, nullptr);
  }

  RedisConnection NewConnection() {
    RedisConnection c = Connect(server_->port());
    EXPECT_NE(c, nullptr);
    return c;
  }

  // A connection authenticated as `user` (password "pw").
  RedisConnection ConnectAs(const std::string& user) {
    RedisConnection c = NewConnection();
    if (c != nullptr) {
      EXPECT_EQ(Cmd(c.get(), {"AUTH", user, "pw"}), "OK");
    }
    return c;
  }

  std::string Admin(const std::vector<std::string>& argv) { return Cmd(admin_.get(), argv); }

  std::unique_ptr<ServerProcess> server_;
  RedisConnection admin_;
};

// --- What a user may run -------------------------------------------------------------------------

TEST_F(AclTest, UserRunsOnlyItsCommandsAndCategories) {
  ASSERT_EQ(Admin({"ACL", "SETUSER", "reader", "on", ">pw", "+@read", "+@connection", "allkeys"}),
            "OK");
  ASSERT_EQ(Admin({"SET", "k", "v"}), "OK");
  RedisConnection c = ConnectAs("reader");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Cmd(c.get(), {"GET", "k"}), "\"v\"");
  EXPECT_EQ(Cmd(c.get(), {"STRLEN", "k"}), "(integer) 1");
  EXPECT_EQ(Cmd(c.get(), {"PING"}), "PONG");  // @connection
  EXPECT_EQ(Cmd(c.get(), {"SET", "k", "w"}),
            "(error) NOPERM this user has no permissions to run the 'set' command");
  EXPECT_EQ(Cmd(c.get(), {"FLUSHALL"}),
            "(error) NOPERM this user has no permissions to run the 'flushall' command");
  // Subcommands are checked by their own name.
  EXPECT_EQ(Cmd(c.get(), {"CONFIG", "GET", "port"}),
            "(error) NOPERM this user has no permissions to run the 'config|get' command");
  EXPECT_EQ(Cmd(c.get(), {"CLIENT", "ID"}).substr(0, 9), "(integer)");  // client|id: @connection
  EXPECT_EQ(Cmd(c.get(), {"ACL", "WHOAMI"}),
            "(error) NOPERM this user has no permissions to run the 'acl|whoami' command");
  EXPECT_EQ(Admin({"GET", "k"}), "\"v\"");  // nothing was written

  // A change to the user applies to its connected clients at their next command.
  ASSERT_EQ(Admin({"ACL", "SETUSER", "reader", "-get", "+set", "+acl|whoami"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"GET", "k"}),
            "(error) NOPERM this user has no permissions to run the 'get' command");
  EXPECT_EQ(Cmd(c.get(), {"SET", "k", "w"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"ACL", "WHOAMI"}), "\"reader\"");
  // The denials are in the ACL log, newest first.
  ReplyPtr log = Command(admin_.get(), {"ACL", "LOG", "1"});
  ASSERT_NE(log, nullptr);
  ASSERT_EQ(log->type, REDIS_REPLY_ARRAY) << Describe(log.get());
  ASSERT_EQ(log->elements, 1u);
  const redisReply* entry = log->element[0];
  ASSERT_EQ(entry->elements, 14u) << Describe(entry);
  std::map<std::string, std::string> fields;
  for (size_t i = 0; i + 1 < entry->elements; i += 2) {
    fields[entry->element[i]->str] = Describe(entry->element[i + 1]);
  }
  EXPECT_EQ(fields["reason"], "\"command\"");
  EXPECT_EQ(fields["object"], "\"get\"");
  EXPECT_EQ(fields["username"], "\"reader\"");
  EXPECT_EQ(fields["context"], "\"toplevel\"");
  EXPECT_NE(fields["client-info"].find("user=reader"), std::string::npos);
}

TEST_F(AclTest, KeyPatternsLimitWhichKeysAUserTouches) {
  ASSERT_EQ(Admin({"ACL", "SETUSER", "app", "on", ">pw", "+@all", "~app:*", "%R~shared:*"}), "OK");
  ASSERT_EQ(Admin({"SET", "shared:x", "1"}), "OK");
  RedisConnection c = ConnectAs("app");
  ASSERT_NE(c, nullptr);
  const std::string kDenied =
      "(error) NOPERM this user has no permissions to access one of the keys used as arguments";
  EXPECT_EQ(Cmd(c.get(), {"SET", "app:1", "v"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"SET", "other", "v"}), kDenied);
  EXPECT_EQ(Cmd(c.get(), {"MSET", "app:2", "v", "other", "v"}), kDenied);
  EXPECT_EQ(Cmd(c.get(), {"GET", "app:2"}), "(nil)");     // MSET ran not at all
  EXPECT_EQ(Cmd(c.get(), {"GET", "shared:x"}), "\"1\"");  // read-only pattern
  EXPECT_EQ(Cmd(c.get(), {"SET", "shared:x", "2"}), kDenied);
  EXPECT_EQ(Cmd(c.get(), {"RENAME", "app:1", "other"}), kDenied);
  EXPECT_EQ(Cmd(c.get(), {"LMPOP", "2", "app:l", "other", "LEFT"}), kDenied);  // numkeys keys
  EXPECT_EQ(Cmd(c.get(), {"OBJECT", "ENCODING", "other"}), kDenied);           // a subcommand's key
  EXPECT_EQ(Cmd(c.get(), {"DBSIZE"}), "(integer) 2");                          // no key arguments
  EXPECT_EQ(Admin({"ACL", "DRYRUN", "app", "GET", "other"}),
            "\"This user has no permissions to access the 'other' key\"");
  EXPECT_EQ(Admin({"ACL", "DRYRUN", "app", "GET", "app:1"}), "OK");
}

TEST_F(AclTest, ChannelPatternsLimitPublishAndSubscribe) {
  ASSERT_EQ(Admin({"ACL", "SETUSER", "news", "on", ">pw", "+@all", "&news.*"}), "OK");
  RedisConnection c = ConnectAs("news");
  ASSERT_NE(c, nullptr);
  const std::string kDenied =
      "(error) NOPERM this user has no permissions to access one of the channels used as "
      "arguments";
  EXPECT_EQ(Cmd(c.get(), {"PUBLISH", "news.sport", "m"}), "(integer) 0");
  EXPECT_EQ(Cmd(c.get(), {"PUBLISH", "weather", "m"}), kDenied);
  EXPECT_EQ(Cmd(c.get(), {"SUBSCRIBE", "news.a", "weather"}), kDenied);
  // PSUBSCRIBE's pattern must be one of the user's patterns, literally.
  EXPECT_EQ(Cmd(c.get(), {"PSUBSCRIBE", "news.s*"}), kDenied);

  // A subscriber whose channel the user loses is disconnected, as Redis 7.0 does.
  RawConnection sub(server_->port());
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(sub.Send(Resp({"AUTH", "news", "pw"}) + Resp({"SUBSCRIBE", "news.a"})));
  ASSERT_TRUE(sub.ReadValue().has_value());
  std::optional<RespValue> confirm = sub.ReadValue();
  ASSERT_TRUE(confirm.has_value());
  ASSERT_EQ(confirm->elements.size(), 3u);
  EXPECT_EQ(confirm->elements[0].str, "subscribe");
  ASSERT_EQ(Admin({"ACL", "SETUSER", "news", "resetchannels", "&alerts"}), "OK");
  EXPECT_TRUE(sub.WaitForClose());
  EXPECT_EQ(Cmd(c.get(), {"PING"}), "PONG");  // not subscribed: stays
}

// --- AUTH ----------------------------------------------------------------------------------------

TEST_F(AclTest, AuthFailuresAnswerAsRedis) {
  RedisConnection c = NewConnection();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "pw"}),
            "(error) ERR AUTH <password> called without any password configured for the default "
            "user. Are you sure your configuration is correct?");
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "a", "b", "c"}), "(error) ERR syntax error");
  const std::string kWrongPass =
      "(error) WRONGPASS invalid username-password pair or user is disabled.";
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "nobody", "pw"}), kWrongPass);
  ASSERT_EQ(Admin({"ACL", "SETUSER", "u", "on", ">pw", "+@all"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "u", "wrong"}), kWrongPass);
  EXPECT_EQ(Cmd(c.get(), {"ACL", "WHOAMI"}), "\"default\"");  // a failed AUTH changes nothing
  // "nopass": any password opens the default user.
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "default", "anything"}), "OK");
  ReplyPtr log = Command(admin_.get(), {"ACL", "LOG"});
  ASSERT_NE(log, nullptr);
  ASSERT_EQ(log->elements, 2u) << Describe(log.get());
  EXPECT_EQ(Describe(log->element[0]->element[3]), "\"auth\"");
  EXPECT_EQ(Describe(log->element[0]->element[7]), "\"AUTH\"");
  EXPECT_EQ(Describe(log->element[0]->element[9]), "\"u\"");
  EXPECT_EQ(Admin({"ACL", "LOG", "RESET"}), "OK");
  EXPECT_EQ(Admin({"ACL", "LOG"}), "[]");
}

TEST_F(AclTest, DisabledUserCannotAuthenticateButItsClientsStay) {
  ASSERT_EQ(Admin({"ACL", "SETUSER", "u", "on", ">pw", "+@all"}), "OK");
  RedisConnection c = ConnectAs("u");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(Admin({"ACL", "SETUSER", "u", "off"}), "OK");
  RedisConnection d = NewConnection();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(Cmd(d.get(), {"AUTH", "u", "pw"}),
            "(error) WRONGPASS invalid username-password pair or user is disabled.");
  // As Redis 7.0: "off" refuses new authentications; connected clients go on.
  EXPECT_EQ(Cmd(c.get(), {"PING"}), "PONG");
}

TEST_F(AclTest, DeletingAUserDisconnectsItsClients) {
  ASSERT_EQ(Admin({"ACL", "SETUSER", "u", "on", ">pw", "+@all"}), "OK");
  ASSERT_EQ(Admin({"ACL", "SETUSER", "v", "on", ">pw", "+@all"}), "OK");
  RedisConnection u1 = ConnectAs("u");
  RedisConnection u2 = ConnectAs("u");
  RedisConnection v = ConnectAs("v");
  ASSERT_TRUE(u1 && u2 && v);
  EXPECT_NE(Cmd(u1.get(), {"CLIENT", "INFO"}).find(" user=u "), std::string::npos);
  EXPECT_EQ(Admin({"ACL", "DELUSER", "u", "nosuch"}), "(integer) 1");
  EXPECT_EQ(Cmd(u1.get(), {"PING"}), "(connection error)");
  EXPECT_EQ(Cmd(u2.get(), {"PING"}), "(connection error)");
  EXPECT_EQ(Cmd(v.get(), {"PING"}), "PONG");
  EXPECT_EQ(Admin({"ACL", "DELUSER", "default"}),
            "(error) ERR The 'default' user cannot be removed");
  // A client deleting its own user gets the reply, then is disconnected.
  EXPECT_EQ(Cmd(v.get(), {"ACL", "DELUSER", "v"}), "(integer) 1");
  EXPECT_EQ(Cmd(v.get(), {"PING"}), "(connection error)");
}

TEST_F(AclTest, RequirepassIsTheDefaultUsersPassword) {
  RedisConnection before = NewConnection();  // authenticated: there was no password
  ASSERT_NE(before, nullptr);
  ASSERT_EQ(Cmd(before.get(), {"PING"}), "PONG");  // the server has taken the connection
  ASSERT_EQ(Admin({"CONFIG", "SET", "requirepass", "s3cret"}), "OK");
  RedisConnection c = NewConnection();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Cmd(c.get(), {"GET", "k"}), "(error) NOAUTH Authentication required.");
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "wrong"}),
            "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "s3cret"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"GET", "k"}), "(nil)");
  EXPECT_EQ(Cmd(before.get(), {"GET", "k"}), "(nil)");  // stays authenticated, as in Redis
  EXPECT_EQ(Cmd(c.get(), {"ACL", "LIST"}),
            "[\"user default on "
            "#1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0 ~* &* +@all\"]");
  // RESET goes back to the default user, which now needs its password.
  EXPECT_EQ(Cmd(c.get(), {"RESET"}), "RESET");
  EXPECT_EQ(Cmd(c.get(), {"PING"}), "(error) NOAUTH Authentication required.");
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "default", "s3cret"}), "OK");
  // ACL SETUSER on "default" is the same password list.
  ASSERT_EQ(Cmd(c.get(), {"ACL", "SETUSER", "default", ">other"}), "OK");
  RedisConnection d = NewConnection();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(Cmd(d.get(), {"AUTH", "other"}), "OK");
  // An empty requirepass makes the default user nopass again: no AUTH needed.
  ASSERT_EQ(Cmd(c.get(), {"CONFIG", "SET", "requirepass", ""}), "OK");
  RedisConnection e = NewConnection();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Cmd(e.get(), {"PING"}), "PONG");
  EXPECT_EQ(Cmd(e.get(), {"ACL", "LIST"}), "[\"user default on nopass ~* &* +@all\"]");
}

TEST_F(AclTest, HelloAuthenticatesAndSwitchesProtocol) {
  ASSERT_EQ(Admin({"ACL", "SETUSER", "u", "on", ">pw", "+@all", "allkeys"}), "OK");
  ASSERT_EQ(Admin({"CONFIG", "SET", "requirepass", "adminpw"}), "OK");
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE(raw.Send(Resp({"HELLO", "3"})));
  std::optional<RespValue> v = raw.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str,
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
            "select the RESP protocol version at the same time");
  ASSERT_TRUE(raw.Send(Resp({"HELLO", "3", "AUTH", "u", "bad"})));
  v = raw.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str, "WRONGPASS invalid username-password pair or user is disabled.");
  ASSERT_TRUE(raw.Send(Resp({"HELLO", "3", "AUTH", "u", "pw"})));
  v = raw.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '%');  // a RESP3 map
  ASSERT_TRUE(raw.Send(Resp({"ACL", "WHOAMI"})));
  v = raw.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str, "u");
}

TEST_F(AclTest, MultiChecksWhenQueuingAndAgainAtExec) {
  ASSERT_EQ(Admin({"ACL", "SETUSER", "u", "on", ">pw", "+@all", "~k*"}), "OK");
  RedisConnection c = ConnectAs("u");
  ASSERT_NE(c, nullptr);
  // Denied while queuing: the transaction is aborted.
  EXPECT_EQ(Cmd(c.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"GET", "other"}),
            "(error) NOPERM this user has no permissions to access one of the keys used as "
            "arguments");
  EXPECT_EQ(Cmd(c.get(), {"EXEC"}),
            "(error) EXECABORT Transaction discarded because of previous errors.");
  // Allowed while queuing, denied at EXEC: the permissions changed in between.
  EXPECT_EQ(Cmd(c.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"SET", "k1", "v"}), "QUEUED");
  EXPECT_EQ(Cmd(c.get(), {"GET", "k1"}), "QUEUED");
  ASSERT_EQ(Admin({"ACL", "SETUSER", "u", "-get"}), "OK");
  ReplyPtr r = Command(c.get(), {"EXEC"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->elements, 2u) << Describe(r.get());
  EXPECT_EQ(Describe(r->element[0]), "OK");
  EXPECT_EQ(Describe(r->element[1]),
            "(error) NOPERM ACLs rules changed between the moment the transaction was "
            "accumulated and the EXEC call. This command is no longer allowed for the following "
            "reason: no permission to execute the command or subcommand");
  // A refused EXEC discards the transaction and says why.
  ASSERT_EQ(Admin({"ACL", "SETUSER", "u", "-exec"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"SET", "k2", "v"}), "QUEUED");
  EXPECT_EQ(Cmd(c.get(), {"EXEC"}),
            "(error) EXECABORT Transaction discarded because of: NOPERM this user has no "
            "permissions to run the 'exec' command");
  EXPECT_EQ(Admin({"EXISTS", "k2"}), "(integer) 0");
  EXPECT_EQ(Cmd(c.get(), {"DISCARD"}), "(error) ERR DISCARD without MULTI");
}

TEST_F(AclTest, UnknownSubcommandsAreRefusedBeforeAuthAndQueuing) {
  ASSERT_EQ(Admin({"CONFIG", "SET", "requirepass", "pw"}), "OK");
  RedisConnection c = NewConnection();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Cmd(c.get(), {"CONFIG", "NOSUCH"}),
            "(error) ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.");
  EXPECT_EQ(Cmd(c.get(), {"CONFIG", "GET"}),
            "(error) ERR wrong number of arguments for 'config|get' command");
  EXPECT_EQ(Cmd(c.get(), {"CONFIG", "GET", "port"}), "(error) NOAUTH Authentication required.");
  EXPECT_EQ(Cmd(c.get(), {"EXEC"}),
            "(error) EXECABORT Transaction discarded because of: NOAUTH Authentication "
            "required.");
  EXPECT_EQ(Cmd(c.get(), {"AUTH", "pw"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"OBJECT", "NOSUCH"}),
            "(error) ERR unknown subcommand 'NOSUCH'. Try OBJECT HELP.");
  EXPECT_EQ(Cmd(c.get(), {"EXEC"}),
            "(error) EXECABORT Transaction discarded because of previous errors.");
}

// --- Same replies as Redis -----------------------------------------------------------------------

// Runs `steps` ({connection, argv...}) on a server; returns each reply. (Redis 7.0 rebuilds a
// user's command rules from its bitmap, listing single commands in hash order: steps avoid
// showing a user with two or more of them.)
std::vector<std::string> RunSteps(int port, const std::vector<std::vector<std::string>>& steps) {
  std::map<std::string, RedisConnection> conns;
  std::vector<std::string> out;
  for (const std::vector<std::string>& step : steps) {
    RedisConnection& c = conns[step[0]];
    if (c == nullptr) c = Connect(port);
    if (c == nullptr) {
      out.push_back("(connect failed)");
      continue;
    }
    out.push_back(Cmd(c.get(), std::vector<std::string>(step.begin() + 1, step.end())));
  }
  return out;
}

class AclVersusRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    redis_ = ServerProcess::StartRedis({}, &error);
    if (redis_ == nullptr) GTEST_SKIP() << "redis-server 7.0 is not available: " << error;
    strata_ = ServerProcess::StartStrata({"--save", ""}, &error);
    ASSERT_NE(strata_, nullptr) << error;
  }

  void ExpectSameReplies(const std::vector<std::vector<std::string>>& steps) {
    std::vector<std::string> want = RunSteps(redis_->port(), steps);
    std::vector<std::string> got = RunSteps(strata_->port(), steps);
    ASSERT_EQ(want.size(), got.size());
    for (size_t i = 0; i < want.size(); ++i) {
      std::string line;
      for (const std::string& a : steps[i]) line += a + " ";
      EXPECT_EQ(got[i], want[i]) << "step " << i << ": " << line;
    }
  }

  std::unique_ptr<ServerProcess> redis_;
  std::unique_ptr<ServerProcess> strata_;
};

TEST_F(AclVersusRedisTest, AclCommandsAndTheirErrors) {
  ExpectSameReplies({
      {"adm", "ACL", "SETUSER", "alice", "on", ">pw1", "+@read", "~k*", "&ch*"},
      {"adm", "ACL", "SETUSER", "bob", "on", ">pw2", "+@all", "-@dangerous", "allkeys"},
      {"adm", "ACL", "SETUSER", "carol", "on", "nopass", "+get", "~a*", "&x"},
      {"adm", "ACL", "LIST"},
      {"adm", "ACL", "USERS"},
      {"adm", "ACL", "GETUSER", "alice"},
      {"adm", "ACL", "GETUSER", "nosuch"},
      {"a", "AUTH", "alice", "pw1"},
      {"a", "GET", "k1"},
      {"a", "GET", "x1"},
      {"a", "SET", "k1", "v"},
      {"a", "ACL", "WHOAMI"},
      {"a", "PUBLISH", "ch1", "m"},
      {"b", "AUTH", "bob", "wrong"},
      {"b", "AUTH", "bob", "pw2"},
      {"b", "KEYS", "*"},
      {"b", "FLUSHALL"},
      {"b", "CONFIG", "GET", "port"},
      {"b", "ACL", "WHOAMI"},
      {"adm", "ACL", "DRYRUN", "bob", "keys", "*"},
      {"adm", "ACL", "DRYRUN", "carol", "get", "b"},
      {"adm", "ACL", "DRYRUN", "carol", "set", "a", "b"},
      {"adm", "ACL", "DRYRUN", "carol", "publish", "y", "m"},
      {"adm", "ACL", "DRYRUN", "carol", "get", "a"},
      {"adm", "ACL", "DRYRUN", "carol", "nosuch", "x"},
      {"adm", "ACL", "DRYRUN", "nosuch", "get", "x"},
      {"adm", "ACL", "DRYRUN", "carol", "get"},
      {"adm", "ACL", "SETUSER", "x", "bogus"},
      {"adm", "ACL", "SETUSER", "x", "+nosuch"},
      {"adm", "ACL", "SETUSER", "x", "+@nosuch"},
      {"adm", "ACL", "SETUSER", "x", "+config|nosuch"},
      {"adm", "ACL", "SETUSER", "x", "+config|get|x"},
      {"adm", "ACL", "SETUSER", "x", "-select|0"},
      {"adm", "ACL", "SETUSER", "x", "+select|"},
      {"adm", "ACL", "SETUSER", "x", "%X~a"},
      {"adm", "ACL", "SETUSER", "x", "<nope"},
      {"adm", "ACL", "SETUSER", "x", "#abc"},
      {"adm", "ACL", "SETUSER", "x", "allkeys", "~more"},
      {"adm", "ACL", "SETUSER", "x", "allchannels", "&more"},
      {"adm", "ACL", "SETUSER", "a b"},
      {"adm", "ACL", "SETUSER", "y", "-@all", "+get", "bad", "+set"},
      {"adm", "ACL", "GETUSER", "y"},
      {"adm", "ACL", "SETUSER", "z", "reset", "+@all", "-get", "+get", "-@string", "+set", "%R~r*",
       "%W~w*", "~rw*", "+select|0", "+config|get"},
      {"adm", "ACL", "GETUSER", "z"},
      {"adm", "ACL", "LIST"},
      {"adm", "ACL", "DELUSER", "default"},
      {"adm", "ACL", "DELUSER", "alice", "nosuch"},
      {"a", "PING"},
      {"adm", "ACL", "CAT", "nosuch"},
      {"adm", "ACL", "CAT", "a", "b"},
      {"adm", "ACL", "GENPASS", "0"},
      {"adm", "ACL", "GENPASS", "x"},
      {"adm", "ACL", "GENPASS", "5000"},
      {"adm", "ACL", "SAVE"},
      {"adm", "ACL", "LOAD"},
      {"adm", "ACL", "WHOAMI", "x"},
      {"adm", "ACL", "NOSUCH"},
      {"adm", "ACL"},
      {"adm", "ACL", "HELP"},
      {"adm", "ACL", "LOG", "x"},
      {"adm", "ACL", "LOG", "-1"},
      {"adm", "ACL", "LOG", "RESET"},
      {"adm", "CLIENT", "KILL", "USER", "nosuch"},
      {"adm", "CONFIG", "GET", "protected-mode"},
  });
}

TEST_F(AclVersusRedisTest, AuthRequirepassMultiAndExec) {
  ExpectSameReplies({
      {"adm", "ACL", "SETUSER", "u", "on", ">pw", "+@all", "~k*", "&*"},
      {"a", "AUTH", "u", "pw"},
      {"a", "MULTI"},
      {"a", "GET", "k1"},
      {"a", "SET", "k1", "v"},
      {"adm", "ACL", "SETUSER", "u", "-get", "resetkeys", "~x"},
      {"a", "EXEC"},
      {"a", "MULTI"},
      {"a", "GET", "zz"},
      {"a", "EXEC"},
      {"a", "EXEC", "x"},
      {"adm", "ACL", "SETUSER", "u", "-exec"},
      {"a", "MULTI"},
      {"a", "EXEC"},
      {"a", "RESET"},
      {"a", "ACL", "WHOAMI"},
      {"adm", "CONFIG", "SET", "requirepass", "pp"},
      {"n", "PING"},
      {"n", "CONFIG", "NOSUCH"},
      {"n", "CONFIG", "GET"},
      {"n", "EXEC"},
      {"n", "AUTH", "u", "bad"},
      {"n", "AUTH", "pp"},
      {"n", "CONFIG", "GET", "requirepass"},
      {"n", "ACL", "GETUSER", "default"},
      {"n", "ACL", "SETUSER", "default", ">zz"},
      {"n", "CONFIG", "GET", "requirepass"},
      {"n", "CONFIG", "SET", "requirepass", ""},
      {"n", "ACL", "GETUSER", "default"},
      {"m", "AUTH", "x"},
      {"m", "AUTH", "default", "whatever"},
      {"adm", "ACL", "SETUSER", "d", "on", "nopass", "+@all"},
      {"d", "AUTH", "d", "x"},
      {"adm", "ACL", "SETUSER", "d", "off"},
      {"d", "PING"},
      {"e", "AUTH", "d", "x"},
      {"adm", "ACL", "DELUSER", "d"},
      {"d", "PING"},
      {"adm", "ACL", "SETUSER", "f", "on", "nopass", "-@all", "+select|0", "+config|get"},
      {"f", "AUTH", "f", "x"},
      {"f", "SELECT", "0"},
      {"f", "SELECT", "1"},
      {"f", "CONFIG", "SET", "port", "1"},
      {"f", "CONFIG", "NOSUCH"},
      {"f", "CLIENT", "ID"},
      {"f", "PUBSUB", "NUMPAT"},
  });
}

TEST_F(AclVersusRedisTest, CommandInfoReportsRedisCategories) {
  RedisConnection s = Connect(strata_->port());
  RedisConnection r = Connect(redis_->port());
  ASSERT_TRUE(s && r);
  ReplyPtr all = Command(s.get(), {"COMMAND", "LIST"});
  ASSERT_NE(all, nullptr);
  ASSERT_GT(all->elements, 100u);
  int compared = 0;
  for (size_t i = 0; i < all->elements; ++i) {
    const std::string name = all->element[i]->str;
    ReplyPtr ours = Command(s.get(), {"COMMAND", "INFO", name});
    ReplyPtr theirs = Command(r.get(), {"COMMAND", "INFO", name});
    ASSERT_TRUE(ours && theirs);
    const redisReply* a = ours->element[0];
    const redisReply* b = theirs->element[0];
    ASSERT_EQ(a->type, REDIS_REPLY_ARRAY) << name;
    ASSERT_EQ(b->type, REDIS_REPLY_ARRAY) << name << " is not in Redis 7.0";
    EXPECT_EQ(Describe(a->element[6]), Describe(b->element[6])) << name;
    ++compared;
    // Subcommands, in the order each server lists them.
    std::map<std::string, std::string> sub_a, sub_b;
    for (size_t j = 0; j < a->element[9]->elements; ++j) {
      const redisReply* s = a->element[9]->element[j];
      sub_a[s->element[0]->str] = Describe(s->element[6]);
    }
    for (size_t j = 0; j < b->element[9]->elements; ++j) {
      const redisReply* s = b->element[9]->element[j];
      sub_b[s->element[0]->str] = Describe(s->element[6]);
    }
    for (const auto& [sub, cats] : sub_a) {
      ASSERT_TRUE(sub_b.count(sub)) << sub << " is not in Redis 7.0";
      EXPECT_EQ(cats, sub_b[sub]) << sub;
      ++compared;
    }
  }
  EXPECT_GT(compared, 150);

  // ACL CAT <category>: the same commands (Redis lists them in hash order; it also has
  // commands Strata has not).
  auto names = [](redisContext* c, const std::string& category) {
    std::set<std::string> out;
    ReplyPtr r = Command(c, {"ACL", "CAT", category});
    for (size_t i = 0; r && i < r->elements; ++i) out.insert(r->element[i]->str);
    return out;
  };
  std::set<std::string> ours_all = names(s.get(), "fast");
  ours_all.merge(names(s.get(), "slow"));
  ReplyPtr categories = Command(s.get(), {"ACL", "CAT"});
  ASSERT_NE(categories, nullptr);
  EXPECT_EQ(Describe(categories.get()), Describe(Command(r.get(), {"ACL", "CAT"}).get()));
  for (size_t i = 0; i < categories->elements; ++i) {
    const std::string category = categories->element[i]->str;
    std::set<std::string> want;
    for (const std::string& n : names(r.get(), category)) {
      if (ours_all.count(n)) want.insert(n);
    }
    EXPECT_EQ(names(s.get(), category), want) << category;
  }
}

// --- Protected mode ------------------------------------------------------------------------------

// An IPv4 address of this machine that is not on the loopback, or "".
std::string NonLoopbackAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) != nullptr) found = text;
  }
  freeifaddrs(list);
  return found;
}

// Connects from `from` (bound as the source address) to `to`:port, sends PING unless the
// server is expected to refuse the connection (a refusal comes unasked, and bytes it did not
// read would make its close a reset that may destroy the refusal before we read it), and
// returns everything the server sends until it closes the connection, answers or a bound passes.
std::string PingFrom(const std::string& from, const std::string& to, int port, bool ping = true) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "(socket failed)";
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, from.c_str(), &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, to.c_str(), &dst.sin_addr);
  std::string out;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src)) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof(dst)) != 0) {
    ::close(fd);
    return "(connect failed)";
  }
  const std::string kPing = "PING\r\n";
  if (ping && ::send(fd, kPing.data(), kPing.size(), MSG_NOSIGNAL) < 0) out = "(send failed)";
  pollfd p{fd, POLLIN, 0};
  char buf[4096];
  while (::poll(&p, 1, 5000) > 0) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      out += "<closed>";
      break;
    }
    out.append(buf, static_cast<size_t>(n));
    if (out == "+PONG\r\n" || out.starts_with("-NOAUTH")) break;
  }
  ::close(fd);
  return out;
}

TEST(ProtectedModeTest, RemoteClientsAreRefusedWhileTheDefaultUserHasNoPassword) {
  const std::string remote = NonLoopbackAddress();
  if (remote.empty()) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
  std::string error;
  auto server = ServerProcess::StartStrata({"--save", "", "--bind", "* -::*"}, &error);
  ASSERT_NE(server, nullptr) << error;
  const std::string kDenied =
      "-DENIED Redis is running in protected mode because protected mode is enabled and no "
      "password is set for the default user. In this mode connections are only accepted from "
      "the loopback interface. If you want to connect from external computers to Redis you may "
      "adopt one of the following solutions: 1) Just disable protected mode sending the command "
      "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
      "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
      "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
      "Alternatively you can just disable the protected mode by editing the Redis "
      "configuration file, and setting the protected mode option to 'no', and then restarting "
      "the server. 3) If you started the server manually just for testing, restart it with the "
      "'--protected-mode no' option. 4) Setup a an authentication password for the default "
      "user. NOTE: You only need to do one of the above things in order for the server to "
      "start accepting connections from the outside.\r\n<closed>";
  EXPECT_EQ(PingFrom(remote, remote, server->port(), /*ping=*/false), kDenied);
  // As Redis 7.0, only 127.0.0.1 and ::1 count as local, not the rest of 127.0.0.0/8.
  EXPECT_EQ(PingFrom("127.0.0.2", "127.0.0.1", server->port(), /*ping=*/false), kDenied);
  EXPECT_EQ(PingFrom("127.0.0.1", "127.0.0.1", server->port()), "+PONG\r\n");

  RedisConnection admin = Connect(server->port());
  ASSERT_NE(admin, nullptr);
  ReplyPtr info = Command(admin.get(), {"INFO", "stats"});
  ASSERT_NE(info, nullptr);
  EXPECT_NE(std::string(info->str, info->len).find("rejected_connections:2"), std::string::npos);
  // protected-mode no: remote clients are served.
  EXPECT_EQ(Cmd(admin.get(), {"CONFIG", "GET", "protected-mode"}), "[\"protected-mode\", \"yes\"]");
  ASSERT_EQ(Cmd(admin.get(), {"CONFIG", "SET", "protected-mode", "no"}), "OK");
  EXPECT_EQ(PingFrom(remote, remote, server->port()), "+PONG\r\n");
  // A password for the default user: remote clients connect, and must AUTH.
  ASSERT_EQ(Cmd(admin.get(), {"CONFIG", "SET", "protected-mode", "yes"}), "OK");
  ASSERT_EQ(Cmd(admin.get(), {"CONFIG", "SET", "requirepass", "pw"}), "OK");
  EXPECT_EQ(PingFrom(remote, remote, server->port()), "-NOAUTH Authentication required.\r\n");
}

}  // namespace
}  // namespace strata::integration
