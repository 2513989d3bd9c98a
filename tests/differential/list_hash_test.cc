// Differential test of the list and hash commands (the shared parts and the comparison rules:
// differential.h).

#include "tests/differential/differential.h"

namespace strata::differential {
namespace {

using namespace std::string_literals;

class ListHashDifferentialTest : public DifferentialTest {};

// Generates a reproducible stream of list and hash commands over keys k0..k5 of database 0,
// mixed with keyspace and string commands on the same keys (WRONGTYPE paths), broken arities,
// negative and out-of-range indexes and non-integer counts. Hash fields and values stay short,
// so every hash keeps the listpack encoding in both servers and HSCAN's reply is comparable.
class ListHashGenerator : public RandomSource {
 public:
  explicit ListHashGenerator(uint64_t seed) : RandomSource(seed) {}

  Argv Next() { return Perturb(Generate(), [this] { return Element(); }); }

 private:
  std::string Key() { return "k" + std::to_string(Below(6)); }

  std::string Element() {
    static const std::vector<std::string> kValues = {"a",
                                                     "b",
                                                     "c",
                                                     "a",
                                                     "b",
                                                     "1",
                                                     "-2",
                                                     "10",
                                                     "",
                                                     "hello world",
                                                     "\0\xff\r\n"s,
                                                     "a",
                                                     std::string(80, 'x')};
    return Pick(kValues);
  }

  std::string Field() {
    if (Chance(30)) return Pick(std::vector<std::string>{"", "f\r\n", "F0"});
    return "f" + std::to_string(Below(10));
  }

  std::string HashValue() {
    static const std::vector<std::string> kValues = {"v",
                                                     "0",
                                                     "1",
                                                     "-5",
                                                     "42",
                                                     "9223372036854775807",
                                                     "-9223372036854775808",
                                                     "1.5",
                                                     "abc",
                                                     "",
                                                     "007",
                                                     "3.0e3",
                                                     "inf",
                                                     " 1"};
    return Pick(kValues);
  }

  std::string Index() {
    if (Chance(15)) {
      return Pick(std::vector<std::string>{"x", "", "1.5", "9223372036854775807",
                                           "-9223372036854775808", "+1"});
    }
    return std::to_string(Between(-8, 8));
  }

  std::string Count() {
    if (Chance(6)) return Pick(std::vector<std::string>{"-1", "x", "", "0", "9223372036854775807"});
    return std::to_string(Between(1, 5));
  }

  std::string End() {
    if (Chance(15)) return Pick(std::vector<std::string>{"UP", "", "head"});
    return RandomCase(Chance(2) ? "left" : "right");
  }

  std::string Increment() {
    if (Chance(6)) {
      return Pick(std::vector<std::string>{"9223372036854775807", "-9223372036854775808", "abc",
                                           "1.5", "", "+1", "007"});
    }
    return std::to_string(Between(-10, 10));
  }

  // No "1e400": its 400-digit result would turn the hash into a hashtable, whose HSCAN order
  // depends on redis-server's per-process hash seed (the edge cases test it instead).
  std::string FloatIncrement() {
    if (Chance(4)) {
      return Pick(std::vector<std::string>{"0.1", "-1.5", "1e3", "abc", "inf", "nan", "", " 1",
                                           "1e30", "+7", "-0"});
    }
    return std::to_string(Between(-100, 100)) + "." + std::to_string(Below(100));
  }

  Argv Generate() {
    const std::string k = Key();
    switch (Below(46)) {
      case 0:
      case 1: {
        Argv argv = {Chance(2) ? "LPUSH" : "RPUSH", k};
        for (int64_t i = Between(1, 4); i > 0; --i) argv.push_back(Element());
        return argv;
      }
      case 2:
        return {Chance(2) ? "LPUSHX" : "RPUSHX", k, Element(), Element()};
      case 3:
      case 4: {
        Argv argv = {Chance(2) ? "LPOP" : "RPOP", k};
        if (Chance(2)) argv.push_back(Count());
        return argv;
      }
      case 5:
        return {"LLEN", k};
      case 6:
      case 7:
        return {"LRANGE", k, Index(), Index()};
      case 8:
        return {"LINDEX", k, Index()};
      case 9:
        return {"LSET", k, Index(), Element()};
      case 10:
        return {"LINSERT", k, Pick(std::vector<std::string>{"BEFORE", "after", "middle"}),
                Element(), Element()};
      case 11:
        return {"LREM", k, Chance(8) ? "x" : std::to_string(Between(-3, 3)), Element()};
      case 12:
        return {"LTRIM", k, Index(), Index()};
      case 13: {
        Argv argv = {"LPOS", k, Element()};
        for (int64_t i = Below(3); i > 0; --i) {
          switch (Below(4)) {
            case 0:
              argv.push_back("RANK");
              argv.push_back(Chance(5)
                                 ? Pick(std::vector<std::string>{"0", "x", "-9223372036854775808"})
                                 : std::to_string(Between(-3, 3)));
              break;
            case 1:
              argv.push_back("COUNT");
              argv.push_back(Chance(5) ? "-1" : std::to_string(Between(0, 3)));
              break;
            case 2:
              argv.push_back("MAXLEN");
              argv.push_back(Chance(5) ? "-2" : std::to_string(Between(0, 6)));
              break;
            default:
              argv.push_back("BOGUS");
          }
        }
        return argv;
      }
      case 14:
        return {"LMOVE", k, Key(), End(), End()};
      case 15:
        return {"RPOPLPUSH", k, Key()};
      case 16: {
        const int64_t n = Between(1, 3);
        Argv argv = {"LMPOP", Chance(10) ? Pick(std::vector<std::string>{"0", "-1", "x", "9"})
                                         : std::to_string(n)};
        for (int64_t i = 0; i < n; ++i) argv.push_back(Key());
        argv.push_back(End());
        if (Chance(2)) {
          argv.push_back("COUNT");
          argv.push_back(Count());
        }
        return argv;
      }
      case 17:
      case 18:
      case 19: {
        Argv argv = {Chance(5) ? "HMSET" : "HSET", k};
        for (int64_t i = Between(1, 3); i > 0; --i) {
          argv.push_back(Field());
          argv.push_back(HashValue());
        }
        return argv;
      }
      case 20:
        return {"HSETNX", k, Field(), HashValue()};
      case 21:
      case 22:
        return {"HGET", k, Field()};
      case 23:
        return {"HMGET", k, Field(), Field(), Field()};
      case 24: {
        Argv argv = {"HDEL", k};
        for (int64_t i = Between(1, 3); i > 0; --i) argv.push_back(Field());
        return argv;
      }
      case 25:
        return {"HLEN", k};
      case 26:
        return {"HSTRLEN", k, Field()};
      case 27:
        return {"HEXISTS", k, Field()};
      case 28:
        return {Pick(std::vector<std::string>{"HKEYS", "HVALS", "HGETALL"}), k};
      case 29:
      case 30:
        return {"HINCRBY", k, Field(), Increment()};
      case 31:
        return {"HINCRBYFLOAT", k, Field(), FloatIncrement()};
      case 32: {
        // Only replies that do not depend on randomness: a missing key, count 0, errors, and
        // counts of at least the hash's size (the whole hash, compared sorted).
        const std::string missing = "nokey" + std::to_string(Below(2));
        switch (Below(5)) {
          case 0:
            return {"HRANDFIELD", missing};
          case 1:
            return {"HRANDFIELD", Chance(2) ? k : missing, "0"};
          case 2:
            return {"HRANDFIELD", k, Pick(std::vector<std::string>{"x", "", "1.5"})};
          case 3:
            return {"HRANDFIELD", k, "1", "WITHSCORES"};
          default:
            return {"HRANDFIELD", missing, "-3", "WITHVALUES"};
        }
      }
      case 33: {
        Argv argv = {"HSCAN", k, Chance(10) ? "x" : "0"};
        if (Chance(2)) {
          argv.push_back("MATCH");
          argv.push_back(Pick(std::vector<std::string>{"*", "f1*", "f[0-4]", "?", "nothing"}));
        }
        if (Chance(3)) {
          argv.push_back("COUNT");
          argv.push_back(Pick(std::vector<std::string>{"1", "100", "0", "x"}));
        }
        return argv;
      }
      case 34:
        return {"DEL", k};
      case 35:
        return {"EXISTS", k};
      case 36:
        return {"TYPE", k};
      case 37:
        return {"SET", k, Element()};
      case 38:
        return {"GET", k};
      case 39:
        return {"SADD", k, Element()};
      case 40:
        return {"EXPIRE", k, std::to_string(Between(1000, 100000))};
      case 41:
        return {"TTL", k};
      case 42:
        return {"LPUSH", k};  // arity
      case 43:
        return {Pick(std::vector<std::string>{"LPOP", "HGETALL", "LLEN", "HLEN"}), k, k, k};
      case 44:
        return {"LMOVE", k, k, End(), End()};
      default:
        return {"RENAME", k, Key()};
    }
  }
};

TEST_F(ListHashDifferentialTest, RandomListAndHashCommandsAgree) {
  constexpr uint64_t kSeeds[] = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89};
  RunRandom<ListHashGenerator>(kSeeds, 1500);
}

// Long lists (many quicklist nodes in Strata): random reads and changes at random depths.
TEST_F(ListHashDifferentialTest, LongListCommandsAgree) {
  RandomSource rng(3);
  for (int batch = 0; batch < 30; ++batch) {
    Argv push = {"RPUSH", "big"};
    for (int i = 0; i < 100; ++i) {
      push.push_back(rng.Chance(10) ? std::string(100 + rng.Below(300), 'y')
                                    : "e" + std::to_string(rng.Below(50)));
    }
    ASSERT_TRUE(SendBoth(push));
  }
  auto index = [&] { return std::to_string(rng.Between(-3200, 3200)); };
  auto element = [&] { return "e" + std::to_string(rng.Below(60)); };
  for (int step = 0; step < 1500; ++step) {
    Argv argv;
    switch (rng.Below(14)) {
      case 0:
        argv = {"LINDEX", "big", index()};
        break;
      case 1:
        argv = {"LRANGE", "big", index(), index()};
        break;
      case 2:
        argv = {"LSET", "big", index(), element()};
        break;
      case 3:
        argv = {"LINSERT", "big", rng.Chance(2) ? "BEFORE" : "AFTER", element(), element()};
        break;
      case 4:
        argv = {"LREM", "big", std::to_string(rng.Between(-2, 2)), element()};
        break;
      case 5:
        argv = {"LPOS",
                "big",
                element(),
                "RANK",
                std::to_string(rng.Between(-3, 3) | 1),
                "COUNT",
                std::to_string(rng.Below(4))};
        break;
      case 6:
        argv = {"LPOP", "big", std::to_string(rng.Below(40))};
        break;
      case 7:
        argv = {"RPOP", "big", std::to_string(rng.Below(40))};
        break;
      case 8:
        argv = {rng.Chance(2) ? "LPUSH" : "RPUSH", "big", element(), element(), element()};
        break;
      case 9:
        argv = {"LMOVE", "big", "big", rng.Chance(2) ? "LEFT" : "RIGHT",
                rng.Chance(2) ? "LEFT" : "RIGHT"};
        break;
      case 10:
        argv = {"LMPOP",
                "2",
                "none",
                "big",
                rng.Chance(2) ? "LEFT" : "RIGHT",
                "COUNT",
                std::to_string(1 + rng.Below(20))};
        break;
      case 11:
        if (rng.Chance(20)) {
          argv = {"LTRIM", "big", std::to_string(rng.Below(50)),
                  std::to_string(-1 - rng.Below(50))};
        } else {
          argv = {"LLEN", "big"};
        }
        break;
      case 12:
        argv = {"RPOPLPUSH", "big", "other"};
        break;
      default:
        argv = {"LRANGE", "big", "0", "-1"};
        break;
    }
    ASSERT_TRUE(SendBoth(argv, "step " + std::to_string(step) + ": "));
  }
  ASSERT_TRUE(CompareKeyspaces("final: "));
}

// The unordered replies (HKEYS, HVALS, HGETALL, and HRANDFIELD with a count past the size) of a
// random history, compared sorted.
TEST_F(ListHashDifferentialTest, UnorderedHashRepliesAgreeSorted) {
  RandomSource rng(7);
  for (int step = 0; step < 400; ++step) {
    const std::string k = "h" + std::to_string(rng.Below(3));
    const std::string f = "f" + std::to_string(rng.Below(80));
    const std::string v = rng.Chance(10) ? std::string(70, 'v') : std::to_string(rng.Below(100));
    ASSERT_TRUE(SendBoth({"HSET", k, f, v}));
    if (rng.Chance(4)) {
      ASSERT_TRUE(SendBoth({"HDEL", k, "f" + std::to_string(rng.Below(80))}));
    }
    if (step % 20 == 0) {
      for (const char* cmd : {"HKEYS", "HVALS", "HGETALL"}) ASSERT_TRUE(SendBothSorted({cmd, k}));
      ASSERT_TRUE(SendBothSorted({"HRANDFIELD", k, "1000"}));
      ASSERT_TRUE(SendBoth({"OBJECT", "ENCODING", k}));
      ASSERT_TRUE(SendBoth({"HLEN", k}));
    }
  }
  ASSERT_TRUE(CompareKeyspaces("final: "));
}

const std::string kNil = "(nil)";
const std::string kEmpty = "[]";

const std::vector<EdgeCase>& EdgeCases() {
  static const std::vector<EdgeCase> kCases = {
      // Arity.
      {{"LPUSH", "l"}, Arity("lpush")},
      {{"RPUSHX", "l"}, Arity("rpushx")},
      {{"LPOP"}, Arity("lpop")},
      {{"LPOP", "l", "1", "2"}, Arity("lpop")},
      {{"RPOP", "l", "1", "2"}, Arity("rpop")},
      {{"LRANGE", "l", "0"}, Arity("lrange")},
      {{"LINSERT", "l", "before", "a"}, Arity("linsert")},
      {{"LMOVE", "a", "b", "left"}, Arity("lmove")},
      {{"LMPOP", "1", "l"}, Arity("lmpop")},
      {{"HSET", "h", "f"}, Arity("hset")},
      {{"HSET", "h", "f", "v", "g"}, Arity("hset")},
      {{"HMSET", "h", "f", "v", "g"}, Arity("hmset")},
      {{"HGETALL"}, Arity("hgetall")},
      {{"HRANDFIELD"}, Arity("hrandfield")},
      {{"HSCAN", "h"}, Arity("hscan")},
      // Pops: nil vs empty array.
      {{"LPOP", "nolist"}, kNil},
      {{"LPOP", "nolist", "2"}, kNil},
      {{"LPOP", "nolist", "0"}, kNil},
      {{"LPOP", "nolist", "-1"}, kPositive},
      {{"LPOP", "nolist", "x"}, kPositive},
      {{"RPUSH", "l", "a", "b", "c", "a", "b", "c"}, "(integer) 6"},
      {{"LPOP", "l", "0"}, kEmpty},
      {{"LPOP", "l"}, "\"a\""},
      {{"RPOP", "l", "2"}, "[\"c\", \"b\"]"},
      {{"LRANGE", "l", "0", "-1"}, "[\"b\", \"c\", \"a\"]"},
      {{"LRANGE", "l", "-100", "100"}, "[\"b\", \"c\", \"a\"]"},
      {{"LRANGE", "l", "2", "1"}, kEmpty},
      {{"LRANGE", "l", "x", "1"}, kNotInt},
      {{"LINDEX", "l", "-1"}, "\"a\""},
      {{"LINDEX", "l", "3"}, kNil},
      {{"LSET", "l", "3", "x"}, "(error) ERR index out of range"},
      {{"LSET", "nolist", "0", "x"}, kNoKey},
      {{"LSET", "l", "-3", "B"}, kOk},
      {{"LINSERT", "l", "before", "zz", "x"}, "(integer) -1"},
      {{"LINSERT", "nolist", "before", "a", "x"}, "(integer) 0"},
      {{"LINSERT", "l", "after", "a", "z"}, "(integer) 4"},
      {{"LINSERT", "l", "inside", "a", "z"}, kSyntax},
      {{"LRANGE", "l", "0", "-1"}, "[\"B\", \"c\", \"a\", \"z\"]"},
      {{"LPOS", "l", "a", "RANK", "0"},
       "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
       "... or use negative to start from the end of the list"},
      {{"LPOS", "l", "a", "COUNT", "-1"}, "(error) ERR COUNT can't be negative"},
      {{"LPOS", "l", "a", "MAXLEN", "-1"}, "(error) ERR MAXLEN can't be negative"},
      {{"LPOS", "l", "a", "FOO", "1"}, kSyntax},
      {{"LPOS", "l", "a"}, "(integer) 2"},
      {{"LPOS", "l", "zz"}, kNil},
      {{"LPOS", "l", "zz", "COUNT", "0"}, kEmpty},
      {{"LPOS", "nolist", "a", "COUNT", "1"}, kEmpty},
      {{"LPOS", "l", "a", "MAXLEN", "2"}, kNil},
      {{"RPUSH", "p", "a", "b", "a", "c", "a"}, "(integer) 5"},
      {{"LPOS", "p", "a", "RANK", "-1", "COUNT", "2"}, "[(integer) 4, (integer) 2]"},
      {{"LPOS", "p", "a", "RANK", "2", "COUNT", "0"}, "[(integer) 2, (integer) 4]"},
      {{"LREM", "p", "-2", "a"}, "(integer) 2"},
      {{"LRANGE", "p", "0", "-1"}, "[\"a\", \"b\", \"c\"]"},
      {{"LREM", "p", "x", "a"}, kNotInt},
      {{"LTRIM", "p", "1", "1"}, kOk},
      {{"LRANGE", "p", "0", "-1"}, "[\"b\"]"},
      {{"LTRIM", "p", "5", "10"}, kOk},
      {{"EXISTS", "p"}, "(integer) 0"},
      {{"LMOVE", "l", "m", "LEFT", "middle"}, kSyntax},
      {{"LMOVE", "nolist", "m", "LEFT", "RIGHT"}, kNil},
      {{"LMOVE", "l", "m", "LEFT", "RIGHT"}, "\"B\""},
      {{"RPOPLPUSH", "l", "m"}, "\"z\""},
      {{"LRANGE", "m", "0", "-1"}, "[\"z\", \"B\"]"},
      {{"SET", "s", "x"}, kOk},
      {{"LMOVE", "l", "s", "LEFT", "RIGHT"}, kWrongType},
      {{"LRANGE", "l", "0", "-1"}, "[\"c\", \"a\"]"},
      {{"RPUSH", "one", "x"}, "(integer) 1"},
      {{"EXPIRE", "one", "1000"}, "(integer) 1"},
      {{"LMOVE", "one", "one", "LEFT", "RIGHT"}, "\"x\""},
      {{"TTL", "one"}, "(integer) 0"},
      {{"LMPOP", "0", "l", "LEFT"}, "(error) ERR numkeys should be greater than 0"},
      {{"LMPOP", "2", "l", "LEFT"}, kSyntax},
      {{"LMPOP", "1", "l", "LEFT", "COUNT", "0"}, "(error) ERR count should be greater than 0"},
      {{"LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1"}, kSyntax},
      {{"LMPOP", "2", "nolist", "s", "LEFT"}, kWrongType},
      {{"LMPOP", "3", "nolist", "l", "s", "RIGHT", "COUNT", "5"}, "[\"l\", [\"a\", \"c\"]]"},
      {{"LMPOP", "1", "nolist", "LEFT"}, kNil},
      {{"LPUSH", "s", "a"}, kWrongType},
      {{"LLEN", "s"}, kWrongType},
      {{"LPUSHX", "nolist", "a"}, "(integer) 0"},
      // Hashes.
      {{"HSET", "h", "a", "1", "b", "2", "a", "3"}, "(integer) 2"},
      {{"HGET", "h", "a"}, "\"3\""},
      {{"HSETNX", "h", "a", "x"}, "(integer) 0"},
      {{"HSETNX", "h", "c", "x"}, "(integer) 1"},
      {{"HMSET", "h", "d", "4"}, kOk},
      {{"HMGET", "h", "a", "zz", "d"}, "[\"3\", (nil), \"4\"]"},
      {{"HMGET", "nohash", "a"}, "[(nil)]"},
      {{"HINCRBY", "h", "c", "1"}, "(error) ERR hash value is not an integer"},
      {{"HINCRBY", "h", "a", "x"}, kNotInt},
      {{"HINCRBY", "h", "a", "9223372036854775807"}, kOverflow},
      {{"HINCRBY", "h", "n", "-5"}, "(integer) -5"},
      {{"HINCRBYFLOAT", "h", "c", "1"}, "(error) ERR hash value is not a float"},
      {{"HINCRBYFLOAT", "h", "a", "x"}, kNotFloat},
      {{"HINCRBYFLOAT", "h", "a", "inf"}, "(error) ERR value is NaN or Infinity"},
      {{"HINCRBYFLOAT", "h", "a", "0.1"}, "\"3.1\""},
      {{"HINCRBYFLOAT", "h", "fl", "1.5e3"}, "\"1500\""},
      {{"HINCRBYFLOAT", "huge", "f", "1e400"}, ""},  // 401 digits of the long double
      {{"OBJECT", "ENCODING", "huge"}, "\"hashtable\""},
      {{"HSTRLEN", "h", "a"}, "(integer) 3"},
      {{"HSTRLEN", "h", "zz"}, "(integer) 0"},
      {{"HEXISTS", "h", "fl"}, "(integer) 1"},
      {{"HDEL", "h", "a", "zz", "b"}, "(integer) 2"},
      {{"HLEN", "h"}, "(integer) 4"},
      {{"HSCAN", "h", "0"},
       "[\"0\", [\"c\", \"x\", \"d\", \"4\", \"n\", \"-5\", \"fl\", \"1500\"]]"},
      {{"HSCAN", "h", "0", "MATCH", "?", "COUNT", "1"},
       "[\"0\", [\"c\", \"x\", \"d\", \"4\", \"n\", \"-5\"]]"},
      {{"HSCAN", "h", "0", "COUNT", "0"}, kSyntax},
      {{"HSCAN", "h", "0", "TYPE", "string"}, kSyntax},
      {{"HSCAN", "h", "-1x"}, "(error) ERR invalid cursor"},
      {{"HSCAN", "nohash", "0"}, "[\"0\", []]"},
      {{"HRANDFIELD", "nohash"}, kNil},
      {{"HRANDFIELD", "nohash", "5"}, kEmpty},
      {{"HRANDFIELD", "h", "0"}, kEmpty},
      {{"HRANDFIELD", "h", "1", "WITHSCORES"}, kSyntax},
      {{"HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"},
       "(error) ERR value is out of range"},
      // -2^63, as SRANDMEMBER and ZRANDMEMBER say it (Redis 7.0's text).
      {{"HRANDFIELD", "h", "-9223372036854775808"},
       "(error) ERR value is out of range, value must between -9223372036854775807 and "
       "9223372036854775807"},
      {{"HGET", "s", "a"}, kWrongType},
      {{"HSET", "s", "a", "b"}, kWrongType},
      {{"HGETALL", "s"}, kWrongType},
      {{"OBJECT", "ENCODING", "h"}, "\"listpack\""},
      {{"HSET", "h", "long", std::string(65, 'x')}, "(integer) 1"},
      {{"OBJECT", "ENCODING", "h"}, "\"hashtable\""},
      {{"HDEL", "h", "long"}, "(integer) 1"},
      {{"OBJECT", "ENCODING", "h"}, "\"hashtable\""},
      {{"HGET", "h", "fl"}, "\"1500\""},
      {{"HDEL", "h", "c", "d", "n", "fl"}, "(integer) 4"},
      {{"EXISTS", "h"}, "(integer) 0"},
      {{"TYPE", "l"}, "+none"},
  };
  return kCases;
}

TEST_F(ListHashDifferentialTest, EdgeCaseRepliesAgreeAndMatchRedisTexts) {
  RunEdgeCases(EdgeCases());
}

}  // namespace
}  // namespace strata::differential
