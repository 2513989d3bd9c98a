// Differential test of the set and sorted-set commands against redis-server 7.0: random command
// streams over a small key space (k0..k5) mixing every deterministic set/zset command with
// keyspace and other-type commands on the same keys, then a script of edge cases with Redis's
// exact texts.
//
// Sets and zsets stay small (a pool of 12 members), so both servers keep the compact encodings,
// whose iteration order Redis defines (listpack zsets walk in order, which decides lex ranges
// over members of mixed scores). Unordered replies (SMEMBERS, SINTER, ...) are compared sorted;
// random replies only where they are deterministic (a count covering the whole set, a missing
// key, errors).
#include "tests/differential/differential.h"

namespace strata::differential {
namespace {

enum class Compare { kExact, kSorted, kScan };

struct Step {
  Argv argv;
  Compare compare = Compare::kExact;
};

class SetZSetGenerator : public RandomSource {
 public:
  explicit SetZSetGenerator(uint64_t seed) : RandomSource(seed) {}

  std::string Key() { return "k" + std::to_string(Below(6)); }
  std::string Member() {
    static const std::vector<std::string> kPool = {"a", "b", "c",  "d",  "e", "f",
                                                   "1", "2", "10", "-3", "",  "zz"};
    return Pick(kPool);
  }
  std::string Score() {
    static const std::vector<std::string> kScores = {
        "0",    "1",     "2",   "2.5", "-1",   "-0",    "0.1",  "1e3", "inf",
        "-inf", "+inf",  "3",   "7",   "1e-3", "0x10",  "abc",  "nan", "",
        "1.5",  "-2.25", "100", "5",   " 1",   "1e400", "-0.0", "4",   "6"};
    return Chance(12) ? Pick(kScores) : std::to_string(Between(-3, 8));
  }
  std::string ScoreBound() {
    static const std::vector<std::string> kBounds = {"-inf", "+inf", "inf", "(1",   "(0",  "2",
                                                     "(2.5", "0",    "5",   "(-1",  "abc", "(",
                                                     "nan",  "-1",   "3",   "(inf", "1e3"};
    return Chance(3) ? std::to_string(Between(-2, 8)) : Pick(kBounds);
  }
  std::string LexBound() {
    static const std::vector<std::string> kBounds = {"-",   "+",  "[a", "(a", "[c",  "(c",
                                                     "[zz", "[",  "(",  "[1", "(10", "a",
                                                     "[e",  "(f", "+x", "[-3"};
    return Pick(kBounds);
  }
  std::string Index() { return std::to_string(Between(-8, 8)); }
  std::string Count() { return Chance(10) ? "x" : std::to_string(Between(-2, 6)); }

  void Members(Argv* argv, int max) {
    const int n = static_cast<int>(Between(1, max));
    for (int i = 0; i < n; ++i) argv->push_back(Member());
  }
  void Keys(Argv* argv, int max) {
    const int n = static_cast<int>(Between(1, max));
    for (int i = 0; i < n; ++i) argv->push_back(Key());
  }
  // numkeys then keys (sometimes a wrong numkeys).
  void NumKeys(Argv* argv, int max) {
    const int n = static_cast<int>(Between(1, max));
    if (Chance(15)) {
      argv->push_back(Pick(std::vector<std::string>{"0", "-1", "x", std::to_string(n + 2)}));
    } else {
      argv->push_back(std::to_string(n));
    }
    for (int i = 0; i < n; ++i) argv->push_back(Key());
  }

  Step Next() {
    switch (Below(60)) {
      case 0:
      case 1:
      case 2:
      case 3: {
        Argv a = {RandomCase("SADD"), Key()};
        Members(&a, 4);
        return {a};
      }
      case 4: {
        Argv a = {"SREM", Key()};
        Members(&a, 3);
        return {a};
      }
      case 5:
        return {{"SCARD", Key()}};
      case 6:
        return {{"SISMEMBER", Key(), Member()}};
      case 7: {
        Argv a = {"SMISMEMBER", Key()};
        Members(&a, 3);
        return {a};
      }
      case 8:
        return {{"SMEMBERS", Key()}, Compare::kSorted};
      case 9: {
        // SPOP / SRANDMEMBER only where the reply is deterministic.
        if (Chance(3)) return {{"SPOP", "nokey"}};
        if (Chance(2)) return {{"SPOP", Key(), Chance(5) ? "-1" : "1000"}, Compare::kSorted};
        return {{"SRANDMEMBER", Key(), Chance(5) ? "0" : "1000"}, Compare::kSorted};
      }
      case 10:
        return {{"SMOVE", Key(), Key(), Member()}};
      case 11:
      case 12: {
        Argv a = {Pick(std::vector<std::string>{"SINTER", "SUNION", "SDIFF"})};
        Keys(&a, 3);
        return {a, Compare::kSorted};
      }
      case 13: {
        Argv a = {Pick(std::vector<std::string>{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}),
                  Key()};
        Keys(&a, 3);
        return {a};
      }
      case 14: {
        Argv a = {"SINTERCARD"};
        NumKeys(&a, 3);
        if (Chance(2)) a.insert(a.end(), {"LIMIT", Count()});
        return {a};
      }
      case 15: {
        Argv a = {"SSCAN", Key(), Chance(10) ? "x" : "0"};
        if (Chance(2))
          a.insert(a.end(), {"MATCH", Pick(std::vector<std::string>{"*", "[a-c]", "1*", "?"})});
        a.insert(a.end(), {"COUNT", Chance(8) ? "0" : "1000"});
        return {a, Compare::kScan};
      }
      case 16:
      case 17:
      case 18:
      case 19:
      case 20:
        return {ZAdd()};
      case 21:
        return {{"ZINCRBY", Key(), Score(), Member()}};
      case 22: {
        Argv a = {"ZREM", Key()};
        Members(&a, 3);
        return {a};
      }
      case 23:
        return {{"ZCARD", Key()}};
      case 24:
        return {{"ZSCORE", Key(), Member()}};
      case 25: {
        Argv a = {"ZMSCORE", Key()};
        Members(&a, 3);
        return {a};
      }
      case 26:
        return {{Chance(2) ? "ZRANK" : "ZREVRANK", Key(), Member()}};
      case 27:
        return {{"ZCOUNT", Key(), ScoreBound(), ScoreBound()}};
      case 28:
        return {{"ZLEXCOUNT", Key(), LexBound(), LexBound()}};
      case 29:
      case 30:
      case 31:
      case 32:
        return {ZRange(/*store=*/false)};
      case 33:
        return {ZRange(/*store=*/true)};
      case 34: {
        Argv a = {"ZREVRANGE", Key(), Index(), Index()};
        if (Chance(2)) a.push_back("WITHSCORES");
        return {a};
      }
      case 35:
      case 36: {
        const bool rev = Chance(2);
        Argv a = {rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", Key(), ScoreBound(), ScoreBound()};
        if (Chance(2)) a.push_back("WITHSCORES");
        if (Chance(2)) a.insert(a.end(), {"LIMIT", Count(), Count()});
        return {a};
      }
      case 37:
      case 38: {
        const bool rev = Chance(2);
        Argv a = {rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", Key(), LexBound(), LexBound()};
        if (Chance(3)) a.insert(a.end(), {"LIMIT", Count(), Count()});
        return {a};
      }
      case 39:
        return {{"ZREMRANGEBYRANK", Key(), Index(), Index()}};
      case 40:
        return {{"ZREMRANGEBYSCORE", Key(), ScoreBound(), ScoreBound()}};
      case 41:
        return {{"ZREMRANGEBYLEX", Key(), LexBound(), LexBound()}};
      case 42: {
        Argv a = {Chance(2) ? "ZPOPMIN" : "ZPOPMAX", Key()};
        if (Chance(2)) a.push_back(Count());
        return {a};
      }
      case 43: {
        Argv a = {"ZMPOP"};
        NumKeys(&a, 3);
        a.push_back(Pick(std::vector<std::string>{"MIN", "max", "MIN", "foo"}));
        if (Chance(2)) a.insert(a.end(), {"COUNT", Count()});
        return {a};
      }
      case 44: {
        if (Chance(3)) return {{"ZRANDMEMBER", "nokey"}};
        return {{"ZRANDMEMBER", Key(), Chance(6) ? "0" : "1000"}, Compare::kSorted};
      }
      case 45:
      case 46:
      case 47:
        return {SetOp()};
      case 48: {
        Argv a = {"ZINTERCARD"};
        NumKeys(&a, 3);
        if (Chance(2)) a.insert(a.end(), {"LIMIT", Count()});
        return {a};
      }
      case 49: {
        Argv a = {"ZSCAN", Key(), "0"};
        if (Chance(2))
          a.insert(a.end(), {"MATCH", Pick(std::vector<std::string>{"*", "[a-c]", "1*"})});
        if (Chance(2)) a.insert(a.end(), {"COUNT", Chance(8) ? "-1" : "100"});
        return {a};
      }
      case 50:
        return {{"DEL", Key()}};
      case 51:
        return {{"EXISTS", Key()}};
      case 52:
        return {{"TYPE", Key()}};
      case 53:
        return {{"SET", Key(), Member()}};
      case 54:
        return {{"GET", Key()}};
      case 55:
        return {{"LPUSH", Key(), Member()}};
      case 56: {
        // Odd arities.
        static const std::vector<Argv> kOdd = {{"SADD", "k0"},
                                               {"ZADD", "k0", "1"},
                                               {"ZADD", "k0", "1", "a", "2"},
                                               {"SCARD"},
                                               {"ZRANGE", "k0", "0"},
                                               {"ZINCRBY", "k0", "1"},
                                               {"SMOVE", "k0", "k1"},
                                               {"ZSCORE", "k0"},
                                               {"SINTERCARD", "1"},
                                               {"ZMPOP", "1", "k0"},
                                               {"ZUNIONSTORE", "d", "1"},
                                               {"ZRANGESTORE", "d", "k0", "0"},
                                               {"ZREMRANGEBYRANK", "k0", "0"},
                                               {"SPOP", "k0", "1", "2"}};
        return {Pick(kOdd)};
      }
      default:
        return {ZAdd()};
    }
  }

  Argv ZAdd() {
    Argv a = {RandomCase("ZADD"), Key()};
    static const std::vector<std::string> kOpts = {"NX", "XX", "GT", "LT", "CH", "INCR"};
    while (Chance(3)) a.push_back(RandomCase(Pick(kOpts)));
    const int n = Chance(4) ? 1 : static_cast<int>(Between(1, 4));
    for (int i = 0; i < n; ++i) {
      a.push_back(Score());
      a.push_back(Member());
    }
    if (Chance(20)) a.pop_back();
    return a;
  }

  Argv ZRange(bool store) {
    Argv a = store ? Argv{"ZRANGESTORE", Key(), Key()} : Argv{"ZRANGE", Key()};
    const int kind = static_cast<int>(Below(3));
    if (kind == 0) {
      a.insert(a.end(), {Index(), Index()});
    } else if (kind == 1) {
      a.insert(a.end(), {ScoreBound(), ScoreBound(), "BYSCORE"});
    } else {
      a.insert(a.end(), {LexBound(), LexBound(), "BYLEX"});
    }
    if (Chance(2)) a.push_back("REV");
    if (Chance(3)) a.insert(a.end(), {"LIMIT", Count(), Count()});
    if (Chance(2)) a.push_back("WITHSCORES");
    if (Chance(12)) std::swap(a[a.size() - 1], a[a.size() - 2]);
    return a;
  }

  Argv SetOp() {
    static const std::vector<std::string> kOps = {"ZUNION",      "ZINTER",      "ZDIFF",
                                                  "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"};
    const std::string op = Pick(kOps);
    const bool store = op.size() > 6;
    Argv a = {op};
    if (store) a.push_back(Key());
    const int n = static_cast<int>(Between(1, 3));
    a.push_back(Chance(20) ? Pick(std::vector<std::string>{"0", "x", "9"}) : std::to_string(n));
    for (int i = 0; i < n; ++i) a.push_back(Key());
    if (Chance(3)) {
      a.push_back("WEIGHTS");
      for (int i = 0; i < n; ++i) {
        a.push_back(Pick(std::vector<std::string>{"1", "2", "0", "-1", "0.5", "inf", "x"}));
      }
    }
    if (Chance(3)) {
      a.insert(a.end(), {"AGGREGATE", Pick(std::vector<std::string>{"SUM", "min", "MAX", "avg"})});
    }
    if (!store && Chance(2)) a.push_back("WITHSCORES");
    return a;
  }
};

// Big values (hundreds of members): hashtable sets and skiplist sorted sets, whose replies are
// ordered the same whatever the encoding. Lex commands go to "lex", whose scores are all 0
// (Redis leaves lex ranges over mixed scores undefined on a skiplist).
class LargeGenerator : public RandomSource {
 public:
  explicit LargeGenerator(uint64_t seed) : RandomSource(seed) {}

  std::string ZKey() { return "z" + std::to_string(Below(3)); }
  std::string SKey() { return "s" + std::to_string(Below(2)); }
  std::string Member() { return "m" + std::to_string(Below(400)); }
  std::string Score() { return Chance(10) ? "1.5" : std::to_string(Between(0, 20)); }
  std::string Bound() {
    std::string b = std::to_string(Between(-1, 21));
    return Chance(3) ? "(" + b : b;
  }
  std::string Lex() {
    if (Chance(10)) return Chance(2) ? "-" : "+";
    return (Chance(2) ? "[" : "(") + Member();
  }
  std::string Index() { return std::to_string(Between(-450, 450)); }

  Step Next() {
    switch (Below(24)) {
      case 0:
      case 1:
      case 2:
      case 3: {
        Argv a = {"ZADD", Chance(6) ? "lex" : ZKey()};
        const bool lex = a[1] == "lex";
        if (Chance(6)) a.push_back(Chance(2) ? "GT" : "CH");
        for (int i = 0; i < 20; ++i) {
          a.push_back(lex ? "0" : Score());
          a.push_back(Member());
        }
        return {a};
      }
      case 4: {
        Argv a = {"ZREM", ZKey()};
        for (int i = 0; i < 5; ++i) a.push_back(Member());
        return {a};
      }
      case 5:
        return {{"ZINCRBY", ZKey(), Score(), Member()}};
      case 6: {
        Argv a = {"ZRANGE", ZKey(), Index(), Index()};
        if (Chance(2)) a.push_back("REV");
        if (Chance(2)) a.push_back("WITHSCORES");
        return {a};
      }
      case 7:
      case 8: {
        Argv a = {"ZRANGE", ZKey(), Bound(), Bound(), "BYSCORE"};
        if (Chance(2)) a.push_back("REV");
        if (Chance(2))
          a.insert(a.end(),
                   {"LIMIT", std::to_string(Between(-1, 50)), std::to_string(Between(-1, 30))});
        if (Chance(2)) a.push_back("WITHSCORES");
        return {a};
      }
      case 9:
        return {{Chance(2) ? "ZRANK" : "ZREVRANK", ZKey(), Member()}};
      case 10:
        return {{"ZCOUNT", ZKey(), Bound(), Bound()}};
      case 11:
        return {{"ZSCORE", ZKey(), Member()}};
      case 12: {
        Argv a = {Chance(2) ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX", "lex", Lex(), Lex()};
        if (a[0] == "ZREVRANGEBYLEX") std::swap(a[2], a[3]);
        if (Chance(2)) a.insert(a.end(), {"LIMIT", std::to_string(Between(0, 20)), "10"});
        return {a};
      }
      case 13:
        return {{"ZLEXCOUNT", "lex", Lex(), Lex()}};
      case 14:
        return {{"ZREMRANGEBYLEX", "lex", Lex(), Lex()}};
      case 15: {
        const std::string b = std::to_string(Between(0, 20));
        return {{"ZREMRANGEBYSCORE", ZKey(), b, b}};
      }
      case 16: {
        const int64_t start = Between(-300, 300);
        return {{"ZREMRANGEBYRANK", ZKey(), std::to_string(start), std::to_string(start + 3)}};
      }
      case 17:
        return {{Chance(2) ? "ZPOPMIN" : "ZPOPMAX", ZKey(), std::to_string(Between(1, 4))}};
      case 18: {
        Argv a = {Chance(2) ? "ZUNIONSTORE" : "ZINTERSTORE", "d", "2", ZKey(), ZKey()};
        if (Chance(2)) a.insert(a.end(), {"AGGREGATE", Chance(2) ? "MIN" : "MAX"});
        return {a};
      }
      case 19:
        return {{"ZRANGE", "d", "0", "30", "WITHSCORES"}};
      case 20: {
        Argv a = {"SADD", SKey()};
        for (int i = 0; i < 30; ++i) a.push_back(Member());
        return {a};
      }
      case 21: {
        Argv a = {"SREM", SKey()};
        for (int i = 0; i < 5; ++i) a.push_back(Member());
        return {a};
      }
      case 22:
        return {{"SINTERCARD", "2", "s0", "s1"}};
      default:
        return {{"SINTER", "s0", "s1"}, Compare::kSorted};
    }
  }
};

class SetZSetDifferentialTest : public DifferentialTest {
 protected:
  // SSCAN: [cursor, [members]] with the members compared sorted.
  bool SendBothScan(const Argv& argv, const std::string& context) {
    const std::optional<Reply> ours = Send(strata_.get(), argv);
    const std::optional<Reply> theirs = Send(redis_.get(), argv);
    if (!ours || !theirs) {
      ADD_FAILURE() << context << "connection error on " << RenderCommand(argv);
      return false;
    }
    auto norm = [](Reply r) {
      if (r.kind == Reply::Kind::kArray && r.elements.size() == 2) {
        auto& v = r.elements[1].elements;
        std::sort(v.begin(), v.end(),
                  [](const Reply& a, const Reply& b) { return Render(a) < Render(b); });
      }
      return r;
    };
    last_reply_ = *theirs;
    if (!(norm(*ours) == norm(*theirs))) {
      ADD_FAILURE() << context
                    << "replies differ (members compared sorted) for: " << RenderCommand(argv)
                    << "\n  strata: " << Render(*ours) << "\n  redis:  " << Render(*theirs)
                    << History();
      return false;
    }
    Remember(argv, *theirs);
    return true;
  }

  template <typename Generator>
  bool RunSteps(std::span<const uint64_t> seeds, int steps) {
    for (uint64_t seed : seeds) {
      history_.clear();
      if (!SendBoth({"FLUSHALL"}) || !SendBoth({"SELECT", "0"})) return false;
      Generator gen(seed);
      for (int step = 0; step < steps; ++step) {
        const Step s = gen.Next();
        const std::string context =
            "seed " + std::to_string(seed) + ", step " + std::to_string(step) + ": ";
        std::string name = s.argv[0];
        for (char& ch : name) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
        if (!Supported(name)) continue;
        bool ok = true;
        switch (s.compare) {
          case Compare::kExact:
            ok = SendBoth(s.argv, context);
            break;
          case Compare::kSorted:
            ok = SendBothSorted(s.argv, context);
            break;
          case Compare::kScan:
            ok = SendBothScan(s.argv, context);
            break;
        }
        if (!ok) return false;
      }
      if (!CompareKeyspaces("seed " + std::to_string(seed) + ", final keyspace: ")) return false;
    }
    return true;
  }
};

TEST_F(SetZSetDifferentialTest, RandomSetAndZSetCommandsAgree) {
  constexpr uint64_t kSeeds[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
  EXPECT_TRUE(RunSteps<SetZSetGenerator>(kSeeds, 2000));
}

TEST_F(SetZSetDifferentialTest, RandomCommandsOnLargeValuesAgree) {
  constexpr uint64_t kSeeds[] = {1, 2, 3, 4};
  EXPECT_TRUE(RunSteps<LargeGenerator>(kSeeds, 1500));
}

const std::string kMinMaxFloat = "(error) ERR min or max is not a float";
const std::string kMinMaxLex = "(error) ERR min or max not valid string range item";

const std::vector<EdgeCase>& EdgeCases() {
  static const std::vector<EdgeCase> kCases = {
      {{"SADD", "s"}, Arity("sadd")},
      {{"SREM", "s"}, Arity("srem")},
      {{"SCARD"}, Arity("scard")},
      {{"SMOVE", "a", "b"}, Arity("smove")},
      {{"SINTERCARD", "1"}, Arity("sintercard")},
      {{"ZADD", "z", "1"}, Arity("zadd")},
      {{"ZINCRBY", "z", "1"}, Arity("zincrby")},
      {{"ZRANGESTORE", "d", "z", "0"}, Arity("zrangestore")},
      {{"ZUNIONSTORE", "d", "1"}, Arity("zunionstore")},
      {{"ZMPOP", "1", "z"}, Arity("zmpop")},
      {{"SET", "str", "x"}, "+OK"},
      {{"SADD", "s", "1", "2", "3", "2"}, "(integer) 3"},
      {{"OBJECT", "ENCODING", "s"}, "\"intset\""},
      {{"SADD", "str", "a"}, kWrongType},
      {{"SINTER", "nokey", "str"}, kWrongType},
      {{"SINTERSTORE", "d", "nokey", "str"}, kWrongType},
      {{"SMOVE", "nokey", "str", "a"}, "(integer) 0"},
      {{"SMOVE", "s", "str", "1"}, kWrongType},
      {{"SMOVE", "s", "s", "1"}, "(integer) 1"},
      {{"SPOP", "s", "1", "2"}, kSyntax},
      {{"SPOP", "s", "-1"}, kPositive},
      {{"SPOP", "s", "x"}, kPositive},
      {{"SPOP", "nokey"}, "(nil)"},
      {{"SPOP", "nokey", "3"}, "[]"},
      {{"SPOP", "s", "0"}, "[]"},
      {{"SRANDMEMBER", "s", "-9223372036854775808"},
       "(error) ERR value is out of range, value must between -9223372036854775807 and "
       "9223372036854775807"},
      {{"SRANDMEMBER", "s", "1", "2"}, kSyntax},
      {{"SINTERCARD", "0", "s"}, "(error) ERR numkeys should be greater than 0"},
      {{"SINTERCARD", "x", "s"}, "(error) ERR numkeys should be greater than 0"},
      {{"SINTERCARD", "2", "s"}, "(error) ERR Number of keys can't be greater than number of args"},
      {{"SINTERCARD", "1", "s", "LIMIT"}, kSyntax},
      {{"SINTERCARD", "1", "s", "LIMIT", "-1"}, "(error) ERR LIMIT can't be negative"},
      {{"SINTERCARD", "1", "s", "LIMIT", "1", "LIMIT", "2"}, "(integer) 2"},
      {{"SSCAN", "s", "x"}, "(error) ERR invalid cursor"},
      {{"SSCAN", "s", "0", "COUNT", "0"}, kSyntax},
      {{"SSCAN", "s", "0", "MATCH"}, kSyntax},
      {{"SSCAN", "nokey", "0", "foo"}, "[\"0\", []]"},
      {{"SSCAN", "s", "0"}, "[\"0\", [\"1\", \"2\", \"3\"]]"},
      {{"ZADD", "z", "0.1", "a", "1e20", "b", "3.0", "c", "-0.0", "d", "inf", "e"}, "(integer) 5"},
      {{"ZRANGE", "z", "0", "-1", "WITHSCORES"},
       "[\"d\", \"0\", \"a\", \"0.10000000000000001\", \"c\", \"3\", \"b\", \"1e+20\", \"e\", "
       "\"inf\"]"},
      {{"ZADD", "z", "nan", "x"}, kNotFloat},
      {{"ZADD", "z", "XX", "NX", "1", "a"},
       "(error) ERR XX and NX options at the same time are not compatible"},
      {{"ZADD", "z", "GT", "LT", "1", "a"},
       "(error) ERR GT, LT, and/or NX options at the same time are not compatible"},
      {{"ZADD", "z", "GT", "NX", "1", "a"},
       "(error) ERR GT, LT, and/or NX options at the same time are not compatible"},
      {{"ZADD", "z", "INCR", "1", "a", "2", "b"},
       "(error) ERR INCR option supports a single increment-element pair"},
      {{"ZADD", "z", "1", "a", "2"}, kSyntax},
      {{"ZADD", "z", "INCR", "-inf", "e"}, "(error) ERR resulting score is not a number (NaN)"},
      {{"ZADD", "z", "XX", "INCR", "1", "nomember"}, "(nil)"},
      {{"ZADD", "z", "CH", "GT", "0", "a", "5", "b", "7", "new"}, "(integer) 1"},
      {{"ZADD", "z", "CH", "LT", "0", "a", "5", "c"}, "(integer) 1"},
      {{"ZADD", "z", "GT", "INCR", "0", "a"}, "(nil)"},
      {{"ZADD", "z", "LT", "INCR", "0", "a"}, "(nil)"},
      {{"ZADD", "z", "GT", "INCR", "1", "a"}, "\"1\""},
      {{"ZADD", "z", "NX", "INCR", "1", "a"}, "(nil)"},
      {{"ZADD", "z", "XX", "CH", "1", "a", "9", "c", "1", "nomember"}, "(integer) 1"},
      {{"ZADD", "z", "CH", "2", "a", "3", "a", "3", "a"}, "(integer) 2"},
      {{"ZADD", "z", "0", "a", "3", "c"}, "(integer) 0"},
      {{"ZINCRBY", "z", "abc", "a"}, kNotFloat},
      {{"ZINCRBY", "z", "-0.0", "d"}, "\"0\""},
      {{"ZADD", "str", "1", "a"}, kWrongType},
      {{"ZSCORE", "z", "e"}, "\"inf\""},
      {{"ZMSCORE", "z", "e", "nomember", "a"}, "[\"inf\", (nil), \"0\"]"},
      {{"ZRANK", "z", "nomember"}, "(nil)"},
      {{"ZREVRANK", "z", "e"}, "(integer) 0"},
      {{"ZRANGEBYSCORE", "z", "a", "b"}, kMinMaxFloat},
      {{"ZRANGEBYLEX", "z", "a", "b"}, kMinMaxLex},
      {{"ZRANGE", "z", "0", "-1", "BYLEX", "WITHSCORES"},
       "(error) ERR syntax error, WITHSCORES not supported in combination with BYLEX"},
      {{"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"},
       "(error) ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
       "BYLEX"},
      {{"ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"}, ""},
      {{"ZREVRANGE", "z", "0", "-1", "REV"}, kSyntax},
      {{"ZRANGEBYSCORE", "z", "-inf", "+inf", "BYSCORE"}, kSyntax},
      {{"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0"}, kSyntax},
      {{"ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"}, kSyntax},
      {{"ZRANGE", "z", "", "(", "BYSCORE"}, "[]"},
      {{"ZRANGE", "z", "( 1", "5", "BYSCORE"}, ""},
      {{"ZRANGEBYLEX", "z", "+", "-"}, "[]"},
      {{"ZRANGEBYLEX", "z", "[", "+"}, ""},
      {{"ZRANGEBYSCORE", "z", "0", "10", "LIMIT", "-1", "5"}, "[]"},
      {{"ZRANGEBYSCORE", "z", "0", "10", "LIMIT", "1", "-1"}, ""},
      {{"ZREMRANGEBYRANK", "nokey", "x", "1"}, kNotInt},
      {{"ZREMRANGEBYSCORE", "str", "1", "x"}, kMinMaxFloat},
      {{"ZPOPMIN", "str", "0"}, kWrongType},
      {{"ZPOPMIN", "nokey", "0"}, "[]"},
      {{"ZPOPMIN", "z", "-1"}, kPositive},
      {{"ZPOPMIN", "z", "1", "2"}, kSyntax},
      {{"ZMPOP", "0", "z", "MIN"}, "(error) ERR numkeys should be greater than 0"},
      {{"ZMPOP", "x", "z", "MIN"}, "(error) ERR numkeys should be greater than 0"},
      {{"ZMPOP", "1", "z", "foo"}, kSyntax},
      {{"ZMPOP", "1", "z", "MIN", "COUNT", "0"}, "(error) ERR count should be greater than 0"},
      {{"ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "2"}, kSyntax},
      {{"ZMPOP", "2", "nokey", "nokey2", "MAX"}, "(nil)"},
      {{"ZRANDMEMBER", "z", "-5", "WITHSCORES", "x"}, kSyntax},
      {{"ZRANDMEMBER", "z", "x"}, kNotInt},
      {{"ZRANDMEMBER", "nokey"}, "(nil)"},
      {{"ZRANDMEMBER", "nokey", "3"}, "[]"},
      {{"ZINTERCARD", "0", "z"},
       "(error) ERR at least 1 input key is needed for 'zintercard' command"},
      {{"ZINTERCARD", "x", "z"}, kNotInt},
      {{"ZINTERCARD", "3", "z"}, kSyntax},
      {{"ZINTERCARD", "1", "z", "LIMIT", "-1"}, "(error) ERR LIMIT can't be negative"},
      {{"ZUNION", "0", "z"}, "(error) ERR at least 1 input key is needed for 'zunion' command"},
      {{"ZUNION", "-1", "z"}, "(error) ERR at least 1 input key is needed for 'zunion' command"},
      {{"ZUNION", "x", "z"}, kNotInt},
      {{"ZUNION", "3", "z"}, kSyntax},
      {{"ZINTER", "1", "z", "WEIGHTS", "nan"}, "(error) ERR weight value is not a float"},
      {{"ZDIFF", "1", "z", "WEIGHTS", "1"}, kSyntax},
      {{"ZUNION", "1", "z", "WEIGHTS", "1", "2"}, kSyntax},
      {{"ZUNIONSTORE", "d", "1", "z", "WITHSCORES"}, kSyntax},
      {{"ZINTER", "1", "nokey", "str"}, kSyntax},
      {{"ZUNION", "1", "str"}, kWrongType},
      {{"ZUNION", "2", "z", "s", "WITHSCORES", "AGGREGATE", "MAX"}, ""},
      {{"ZINTER", "2", "z", "s", "WEIGHTS", "0", "inf"}, ""},
      {{"ZADD", "inf1", "-inf", "m", "1", "x", "2", "y"}, "(integer) 3"},
      {{"ZADD", "inf2", "inf", "m"}, "(integer) 1"},
      {{"ZUNIONSTORE", "d", "3", "inf1", "inf2", "inf2"}, "(integer) 3"},
      {{"ZSCORE", "d", "m"}, "\"0\""},
      {{"ZDIFFSTORE", "d", "2", "z", "z"}, "(integer) 0"},
      {{"EXISTS", "d"}, "(integer) 0"},
      {{"ZSCAN", "z", "x"}, "(error) ERR invalid cursor"},
      {{"ZSCAN", "z", "0", "COUNT", "0"}, kSyntax},
      {{"ZSCAN", "z", "0", "MATCH", "e"}, "[\"0\", [\"e\", \"inf\"]]"},
  };
  return kCases;
}

TEST_F(SetZSetDifferentialTest, EdgeCaseRepliesAgreeAndMatchRedisTexts) {
  // SRANDMEMBER's replies come in random order: compared sorted.
  RunEdgeCases(EdgeCases(), [](const Argv& argv) { return argv[0] == "SRANDMEMBER"; });
}

}  // namespace
}  // namespace strata::differential
