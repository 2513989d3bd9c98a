// Keyspace notifications side by side with redis-server 7.0: each scenario sets
// notify-keyspace-events, runs commands on one connection while another (on the other worker,
// in Strata: connections are dealt out round-robin) is PSUBSCRIBEd to every keyspace and
// keyevent channel, and the subscriber's messages, in order, must be the same on both servers.
// A scenario ends with a PUBLISH on a channel the subscriber's pattern matches, from the
// commands' connection: when that arrives every notification before it has (no waiting on time).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

constexpr char kEndChannel[] = "__keyevent@0__:end-of-scenario";

// Runs `commands` with notify-keyspace-events `classes` on the server at `port`; returns the
// commands' replies and the notifications, one per line.
std::string Transcript(int port, const std::string& classes, const std::vector<Argv>& commands) {
  RawConnection cmd(port), sub(port), blocker(port);
  std::string out;
  auto call = [&](const Argv& argv) {
    cmd.Send(Encode(argv));
    std::optional<RespValue> v = cmd.ReadValue();
    return v ? RenderLine(*v) : "(no reply)";
  };
  call({"CONFIG", "SET", "notify-keyspace-events", ""});
  call({"FLUSHALL"});
  call({"CONFIG", "SET", "notify-keyspace-events", classes});
  sub.Send(Encode({"PSUBSCRIBE", "__key*__:*"}));
  if (!sub.ReadValue()) return "(no psubscribe reply)";
  for (const Argv& argv : commands) {
    if (argv.size() == 2 && argv[0] == "SLEEP-MS") {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(argv[1])));
      continue;
    }
    // BLOCK: sent on a third connection, which blocks; then wait (bounded) until the server
    // shows it blocked. SERVED: that connection's reply.
    if (argv[0] == "BLOCK") {
      blocker.Send(Encode(Argv(argv.begin() + 1, argv.end())));
      for (int i = 0; i < 400; ++i) {
        if (call({"INFO", "clients"}).find("blocked_clients:1") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      out += "> (blocked) " + argv[1] + "\n";
      continue;
    }
    if (argv[0] == "SERVED") {
      std::optional<RespValue> v = blocker.ReadValue();
      out += "  (served) " + (v ? RenderLine(*v) : "(no reply)") + "\n";
      continue;
    }
    // QUIET: a command whose reply is random (SPOP): its reply is not compared.
    const bool quiet = argv[0] == "QUIET";
    const Argv sent(argv.begin() + (quiet ? 1 : 0), argv.end());
    std::string line;
    for (const std::string& a : sent) line += (line.empty() ? "" : " ") + a;
    const std::string reply = call(sent);
    out += "> " + line + "\n  " + (quiet ? "(not compared)" : reply) + "\n";
  }
  call({"PUBLISH", kEndChannel, "end"});
  for (;;) {
    std::optional<RespValue> m = sub.ReadValue();
    if (!m || m->elements.size() != 4) {
      out += "(notification stream ended early)\n";
      break;
    }
    if (m->elements[2].str == kEndChannel) break;
    out += "! " + m->elements[2].str + " " + m->elements[3].str + "\n";
  }
  call({"CONFIG", "SET", "notify-keyspace-events", ""});
  return out;
}

class NotifyCompatTest : public SideBySideTest {
 protected:
  // The transcripts must agree, and redis-server's must contain `fragment` (so a scenario that
  // stopped producing what it is about fails too).
  void Expect(const std::string& classes, const std::vector<Argv>& commands,
              const std::string& fragment) {
    const std::string want = Transcript(redis_->port(), classes, commands);
    EXPECT_NE(want.find(fragment), std::string::npos) << "redis-server's transcript:\n" << want;
    EXPECT_EQ(Transcript(strata_->port(), classes, commands), want);
  }
};

TEST_F(NotifyCompatTest, StringCommands) {
  Expect("KEA",
         {{"SET", "s", "v"},
          {"SET", "s", "v", "EX", "100"},
          {"SET", "s", "w", "NX"},
          {"SET", "s", "w", "XX", "GET"},
          {"SET", "s", "x", "KEEPTTL"},
          {"SETEX", "t", "100", "v"},
          {"PSETEX", "t", "100000", "v"},
          {"SETNX", "u", "1"},
          {"SETNX", "u", "2"},
          {"GETSET", "u", "3"},
          {"MSET", "a", "1", "b", "2"},
          {"MSETNX", "a", "1", "c", "2"},
          {"MSETNX", "c", "1", "d", "2"},
          {"APPEND", "a", "xyz"},
          {"APPEND", "new", "xyz"},
          {"SETRANGE", "a", "1", "Q"},
          {"SETRANGE", "a", "1", ""},
          {"SETRANGE", "nokey", "0", ""},
          {"INCR", "n"},
          {"INCRBY", "n", "5"},
          {"DECR", "n"},
          {"DECRBY", "n", "2"},
          {"INCRBYFLOAT", "n", "1.5"},
          {"INCR", "s"},
          {"GETDEL", "u"},
          {"GETDEL", "u"},
          {"GETEX", "b", "EX", "100"},
          {"GETEX", "b", "PERSIST"},
          {"GETEX", "b", "PERSIST"},
          {"GETEX", "b", "PXAT", "1"},
          {"GET", "b"}},
         "! __keyevent@0__:incrbyfloat n");
}

TEST_F(NotifyCompatTest, GenericCommands) {
  Expect("KEA",
         {{"MSET", "a", "1", "b", "2", "c", "3", "d", "4"},
          {"DEL", "a", "missing", "b"},
          {"UNLINK", "c"},
          {"EXPIRE", "d", "100"},
          {"EXPIRE", "d", "50", "NX"},
          {"PEXPIRE", "d", "100000", "XX"},
          {"EXPIREAT", "d", "99999999999"},
          {"PERSIST", "d"},
          {"PERSIST", "d"},
          {"EXPIRE", "missing", "10"},
          {"RENAME", "d", "e"},
          {"RENAME", "e", "e"},
          {"SET", "f", "1"},
          {"RENAMENX", "e", "f"},
          {"RENAMENX", "e", "g"},
          {"RENAME", "g", "f"},
          {"COPY", "f", "h"},
          {"COPY", "f", "h"},
          {"COPY", "f", "h", "REPLACE"},
          {"COPY", "f", "h", "DB", "1"},
          {"MOVE", "h", "2"},
          {"MOVE", "f", "1"},
          {"PEXPIRE", "f", "-1"},
          {"EXPIRE", "missing", "-1"}},
         "! __keyspace@2__:h move_to");
}

TEST_F(NotifyCompatTest, ListCommands) {
  Expect("KEA",
         {{"LPUSH", "l", "a", "b"},
          {"RPUSH", "l", "c"},
          {"LPUSHX", "nolist", "a"},
          {"RPUSHX", "l", "d"},
          {"LINSERT", "l", "BEFORE", "c", "x"},
          {"LINSERT", "l", "AFTER", "nothere", "x"},
          {"LSET", "l", "0", "B"},
          {"LPOP", "l"},
          {"RPOP", "l", "2"},
          {"LPOP", "nolist"},
          {"RPUSH", "r", "x", "y", "x", "z"},
          {"LREM", "r", "0", "x"},
          {"LREM", "r", "0", "absent"},
          {"LTRIM", "r", "0", "-1"},
          {"LTRIM", "r", "5", "10"},
          {"LTRIM", "nolist", "0", "1"},
          {"RPUSH", "src", "1", "2"},
          {"LMOVE", "src", "dst", "LEFT", "RIGHT"},
          {"RPOPLPUSH", "src", "dst"},
          {"RPOPLPUSH", "src", "dst"},
          {"RPUSH", "one", "x"},
          {"LMOVE", "one", "one", "LEFT", "LEFT"},
          {"LMPOP", "2", "nolist", "dst", "RIGHT", "COUNT", "5"},
          {"LLEN", "l"},
          {"LPOP", "l", "5"}},
         "! __keyevent@0__:linsert l");
}

TEST_F(NotifyCompatTest, HashAndSetCommands) {
  Expect("KEA",
         {{"HSET", "h", "f", "1", "g", "2"},
          {"HSET", "h", "f", "1"},
          {"HMSET", "h", "x", "y"},
          {"HSETNX", "h", "f", "9"},
          {"HSETNX", "h", "n", "9"},
          {"HINCRBY", "h", "f", "2"},
          {"HINCRBYFLOAT", "h", "f", "0.5"},
          {"HDEL", "h", "absent"},
          {"HDEL", "h", "f", "g"},
          {"HDEL", "h", "x", "n"},
          {"SADD", "s", "a", "b", "c"},
          {"SADD", "s", "a"},
          {"SREM", "s", "absent"},
          {"SREM", "s", "a"},
          {"SMOVE", "s", "t", "b"},
          {"SADD", "t", "c"},
          {"SMOVE", "s", "t", "c"},
          {"SMOVE", "s", "t", "c"},
          {"SADD", "u", "1", "2", "3"},
          {"QUIET", "SPOP", "u"},
          {"QUIET", "SPOP", "u", "5"},
          {"SADD", "p", "1", "2"},
          {"SADD", "q", "2", "3"},
          {"SINTERSTORE", "i", "p", "q"},
          {"SUNIONSTORE", "un", "p", "q"},
          {"SDIFFSTORE", "di", "p", "q"},
          {"SINTERSTORE", "i", "p", "absent"},
          {"SINTERSTORE", "i", "p", "absent"}},
         "! __keyevent@0__:sdiffstore di");
}

TEST_F(NotifyCompatTest, SortedSetCommands) {
  Expect("KEA",
         {{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
          {"ZADD", "z", "1", "a"},
          {"ZADD", "z", "INCR", "1", "a"},
          {"ZINCRBY", "z", "1", "b"},
          {"ZADD", "z", "NX", "9", "a"},
          {"ZREM", "z", "absent"},
          {"ZREM", "z", "e"},
          {"ZREMRANGEBYSCORE", "z", "100", "200"},
          {"ZREMRANGEBYSCORE", "z", "0", "2"},
          {"ZADD", "y", "0", "p", "0", "q", "0", "r"},
          {"ZREMRANGEBYLEX", "y", "[p", "[p"},
          {"ZREMRANGEBYRANK", "y", "0", "0"},
          {"ZPOPMIN", "z"},
          {"ZPOPMAX", "z", "10"},
          {"ZADD", "w", "1", "m", "2", "n"},
          {"ZMPOP", "2", "absent", "w", "MIN", "COUNT", "5"},
          {"ZADD", "p", "1", "a", "2", "b"},
          {"ZADD", "q", "2", "b", "3", "c"},
          {"ZUNIONSTORE", "o", "2", "p", "q"},
          {"ZINTERSTORE", "o2", "2", "p", "q"},
          {"ZDIFFSTORE", "o3", "2", "p", "q"},
          {"ZRANGESTORE", "o4", "p", "0", "0"},
          {"ZINTERSTORE", "o", "2", "p", "absent"},
          {"ZRANGESTORE", "o4", "p", "5", "6"},
          {"ZRANGESTORE", "o4", "p", "5", "6"}},
         "! __keyevent@0__:zrangestore o4");
}

// GEOADD is ZADD ("zadd"); the stores fire "georadiusstore" or "geosearchstore", or "del"
// when nothing is found and the destination existed.
// A bit write that changes nothing (and does not grow the string) sends no event, as in Redis
// 7.0.15; neither does a BITFIELD whose writes all fail, though it creates the key.
TEST_F(NotifyCompatTest, BitmapAndHllCommands) {
  Expect("KEA",
         {{"SET", "b", "x"},
          {"SETBIT", "b", "1", "1"},
          {"SETBIT", "b", "0", "1"},
          {"SETBIT", "b", "20", "0"},
          {"BITFIELD", "b", "SET", "u8", "0", "248"},
          {"BITFIELD", "b", "INCRBY", "u8", "0", "1", "GET", "u8", "0"},
          {"BITFIELD", "n", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"},
          {"BITFIELD", "n", "INCRBY", "u8", "0", "300"},
          {"BITFIELD_RO", "b", "GET", "u8", "0"},
          {"BITOP", "OR", "d", "b", "n"},
          {"BITOP", "AND", "d", "nokey"},
          {"SETRANGE", "b", "1", "yz"},
          {"PFADD", "h", "a", "b"},
          {"PFADD", "h", "a"},
          {"PFCOUNT", "h"},
          {"PFMERGE", "h2", "h"}},
         "! __keyevent@0__:setbit n\n");
}

TEST_F(NotifyCompatTest, GeoCommands) {
  Expect("KEA",
         {{"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
           "Catania"},
          {"GEOADD", "g", "13.361389", "38.115556", "Palermo"},
          {"GEOADD", "g", "XX", "CH", "13", "38", "Palermo", "1", "1", "New"},
          {"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d1"},
          {"GEORADIUSBYMEMBER", "g", "Catania", "1", "km", "STOREDIST", "d2"},
          {"GEOSEARCHSTORE", "d3", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "500", "km"},
          {"GEOSEARCHSTORE", "d3", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"},
          {"GEORADIUS", "absent", "0", "0", "1", "km", "STORE", "d1"},
          {"GEOSEARCHSTORE", "d3", "absent", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"},
          {"GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "500", "km"}},
         "! __keyevent@0__:geosearchstore d3");
}

TEST_F(NotifyCompatTest, StreamCommands) {
  Expect("KEA",
         {{"XADD", "s", "1-1", "f", "v"},
          {"XADD", "s", "2-1", "f", "v"},
          {"XADD", "s", "NOMKSTREAM", "MAXLEN", "5", "3-1", "f", "v"},
          {"XADD", "s", "MAXLEN", "1", "4-1", "f", "v"},
          {"XADD", "s", "5-1", "f", "v"},
          {"XGROUP", "CREATE", "s", "g", "0"},
          {"XGROUP", "CREATECONSUMER", "s", "g", "c0"},
          {"XGROUP", "CREATECONSUMER", "s", "g", "c0"},
          {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
          {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
          {"XACK", "s", "g", "4-1"},
          {"XCLAIM", "s", "g", "d", "0", "5-1"},
          {"XAUTOCLAIM", "s", "g", "e", "0", "0"},
          {"XCLAIM", "s", "g", "nobody", "0", "9-9"},
          {"XDEL", "s", "4-1", "absent-is-not-an-id"},
          {"XDEL", "s", "4-1"},
          {"XTRIM", "s", "MAXLEN", "0"},
          {"XTRIM", "s", "MAXLEN", "0"},
          {"XSETID", "s", "9-9"},
          {"XGROUP", "SETID", "s", "g", "0"},
          {"XGROUP", "DELCONSUMER", "s", "g", "c"},
          {"XGROUP", "DELCONSUMER", "s", "g", "c"},
          {"XGROUP", "DESTROY", "s", "g"},
          {"XGROUP", "CREATE", "t", "g", "$", "MKSTREAM"},
          {"DEL", "s"},
          {"XADD", "u", "MAXLEN", "0", "1-1", "f", "v"}},
         "! __keyevent@0__:xadd u");
}

// Only the classes asked for, on the channels asked for; new keys with n.
TEST_F(NotifyCompatTest, ClassesFilterWhatIsSent) {
  const std::vector<Argv> commands = {{"SET", "a", "1"},       {"LPUSH", "l", "x"},
                                      {"EXPIRE", "a", "100"},  {"HSET", "h", "f", "v"},
                                      {"SADD", "s", "m"},      {"ZADD", "z", "1", "m"},
                                      {"RENAME", "l", "l2"},   {"COPY", "h", "h2"},
                                      {"DEL", "a", "s", "z"},  {"INCR", "n"}};
  Expect("Kl", commands, "! __keyspace@0__:l lpush");
  Expect("Eg", commands, "! __keyevent@0__:rename_to l2");
  Expect("K$h", commands, "! __keyspace@0__:h hset");
  Expect("KEsz", commands, "! __keyevent@0__:zadd z");
  Expect("En", commands, "! __keyevent@0__:new h2");
  Expect("AKEn", commands, "! __keyevent@0__:new n");
  Expect("gK", {{"SET", "a", "1"}}, "> SET a 1");  // K alone with g: no set event
  Expect("A", commands, "> INCR n");                // neither K nor E: nothing at all
}

// keymiss for a read that finds no key (m), never for a write.
TEST_F(NotifyCompatTest, KeyMissOnReads) {
  Expect("Em",
         {{"SET", "a", "1"},
          {"GET", "missing"},
          {"GET", "a"},
          {"MGET", "a", "m1", "m2"},
          {"EXISTS", "m3"},
          {"TYPE", "m4"},
          {"STRLEN", "m5"},
          {"LRANGE", "m6", "0", "-1"},
          {"HGET", "m7", "f"},
          {"SMEMBERS", "m8"},
          {"ZSCORE", "m9", "x"},
          {"TTL", "m10"},
          {"SET", "m11", "1"},
          {"LPUSH", "m12", "x"},
          {"INCR", "m13"},
          {"DEL", "m14"}},
         "! __keyevent@0__:keymiss missing");
}

// A transaction's events come as its commands run, in order; expired keys (lazily, on
// access, or by the active cycle) send expired, then the read's keymiss.
TEST_F(NotifyCompatTest, TransactionsAndExpiry) {
  Expect("KEA",
         {{"MULTI"},
          {"SET", "a", "1"},
          {"LPUSH", "l", "x", "y"},
          {"DEL", "a"},
          {"RPOP", "l", "2"},
          {"EXEC"},
          {"SET", "e", "v", "PX", "1"},
          {"SLEEP-MS", "20"},
          {"GET", "e"},
          {"EXISTS", "e"}},
         "! __keyevent@0__:expired e");
}

// A blocked client's pop (or move) is notified when it is served, after the push that served
// it.
TEST_F(NotifyCompatTest, BlockedClientsWhenServed) {
  Expect("KEA",
         {{"BLOCK", "BLPOP", "q", "0"},
          {"RPUSH", "q", "job1", "job2"},
          {"SERVED"},
          {"BLOCK", "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"},
          {"LPUSH", "src", "x"},
          {"SERVED"},
          {"BLOCK", "BZPOPMIN", "z", "0"},
          {"ZADD", "z", "1", "m"},
          {"SERVED"}},
         "! __keyevent@0__:zpopmin z");
}

}  // namespace
}  // namespace strata::integration
