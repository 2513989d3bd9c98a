// Differential test of the string and keyspace commands (the shared parts and the comparison
// rules: differential.h).

#include "tests/differential/differential.h"

namespace strata::differential {
namespace {

using namespace std::string_literals;

// --- Random command generation -------------------------------------------------------------------

// Generates a reproducible stream of string/keyspace commands over keys k0..k7 in databases 0..2.
class CommandGenerator : public RandomSource {
 public:
  explicit CommandGenerator(uint64_t seed) : RandomSource(seed) {}

  Argv Next() { return Perturb(Generate(), [this] { return Value(); }); }

 private:
  std::string Key() {
    if (Chance(60)) return "";
    return "k" + std::to_string(Below(8));
  }

  std::string Value() {
    static const std::vector<std::string> kValues = {
        // Integers, canonical and not.
        "0", "1", "-1", "42", "-17", "100", "9223372036854775807", "-9223372036854775808",
        "9223372036854775806", "-9223372036854775807", "007", "+5", "-0", " 3", "3 ",
        // Floats.
        "1.5", "-0.25", "3.0e3", "0.1", "10.5", "5e-3", "inf", "-inf", "nan", "0x10", "1e400",
        // Strings.
        "", "abc", "hello world", "\0\xff\r\n"s, "\xe2\x82\xac", std::string(70, 'x'), "k1"};
    return Pick(kValues);
  }

  std::string Increment() {
    static const std::vector<std::string> kOdd = {"9223372036854775807",
                                                  "-9223372036854775808",
                                                  "9223372036854775808",
                                                  "abc",
                                                  "1.5",
                                                  "",
                                                  "+1",
                                                  "-0",
                                                  "007"};
    if (Chance(6)) return Pick(kOdd);
    return std::to_string(Between(-10, 10));
  }

  std::string FloatIncrement() {
    static const std::vector<std::string> kValues = {"0.1",    "-1.5", "1e3",   "3",     "-0",
                                                     "2.5e-3", "abc",  "inf",   "-inf",  "nan",
                                                     "",       " 1",   "1e400", "0x1p4", "+7"};
    if (Chance(3)) return Pick(kValues);
    return std::to_string(Between(-100, 100)) + "." + std::to_string(Below(100));
  }

  std::string Offset() {
    if (Chance(15)) return Pick(std::vector<std::string>{"-1", "x", "", "1.5"});
    return std::to_string(Between(0, 20));
  }

  std::string RangeIndex() {
    if (Chance(20)) return Pick(std::vector<std::string>{"x", "", "9223372036854775807"});
    return std::to_string(Between(-12, 12));
  }

  // Seconds; all valid values are large so nothing expires during a run.
  std::string Seconds() {
    if (Chance(6)) return Pick(std::vector<std::string>{"0", "-5", "abc", "", "1.5"});
    return std::to_string(Between(1000, 100000));
  }

  std::string Millis() {
    if (Chance(6)) return Pick(std::vector<std::string>{"0", "-5", "abc", ""});
    return std::to_string(Between(1000000, 100000000));
  }

  std::string Db() {
    if (Chance(20)) return Pick(std::vector<std::string>{"16", "-1", "x", "100"});
    return std::to_string(Below(kNumDbs));
  }

  void AppendKeys(Argv* argv, int max) {
    const int n = static_cast<int>(Between(1, max));
    for (int i = 0; i < n; ++i) argv->push_back(Key());
  }

  Argv SetCommand() {
    Argv argv = {"SET", Key(), Value()};
    if (Chance(10)) {
      // Expire times that are out of range, alone so that no syntax error masks them.
      argv.push_back(Chance(2) ? "EX" : "px");
      argv.push_back(Pick(std::vector<std::string>{"0", "-1", "9223372036854775807"}));
      return argv;
    }
    const int options = static_cast<int>(Below(4));
    for (int i = 0; i < options; ++i) {
      switch (Below(7)) {
        case 0:
          argv.push_back("EX");
          if (!Chance(15)) argv.push_back(Seconds());
          break;
        case 1:
          argv.push_back("PX");
          if (!Chance(15)) argv.push_back(Millis());
          break;
        case 2:
          argv.push_back("NX");
          break;
        case 3:
          argv.push_back("XX");
          break;
        case 4:
          argv.push_back("KEEPTTL");
          break;
        case 5:
          argv.push_back("GET");
          break;
        default:
          argv.push_back(Chance(3) ? "FOO" : "get");
          break;
      }
      if (Chance(4)) argv.back() = RandomCase(argv.back());
    }
    return argv;
  }

  Argv ExpireCommand(bool millis) {
    Argv argv = {millis ? "PEXPIRE" : "EXPIRE", Key(), millis ? Millis() : Seconds()};
    static const std::vector<std::string> kOptions = {"NX", "XX", "GT", "LT", "nx", "gt", "foo"};
    const int options = Chance(2) ? 0 : static_cast<int>(Between(1, 2));
    for (int i = 0; i < options; ++i) argv.push_back(Pick(kOptions));
    return argv;
  }

  Argv CopyCommand() {
    Argv argv = {"COPY", Key(), Key()};
    if (Chance(2)) {
      argv.push_back("DB");
      argv.push_back(Db());
    }
    if (Chance(3)) argv.push_back("REPLACE");
    if (Chance(25)) argv.push_back("BOGUS");
    return argv;
  }

  Argv Generate() {
    switch (Below(44)) {
      case 0:
      case 1:
        return {"GET", Key()};
      case 2:
      case 3:
      case 4:
        return SetCommand();
      case 5:
        return {"SETNX", Key(), Value()};
      case 6:
        return {"GETSET", Key(), Value()};
      case 7:
        return {"GETDEL", Key()};
      case 8: {
        Argv argv = {"MGET"};
        AppendKeys(&argv, 4);
        return argv;
      }
      case 9:
      case 10: {
        Argv argv = {Chance(2) ? "MSET" : "MSETNX"};
        const int pairs = static_cast<int>(Between(1, 3));
        for (int i = 0; i < pairs; ++i) {
          argv.push_back(Key());
          argv.push_back(Value());
        }
        if (Chance(10)) argv.pop_back();
        return argv;
      }
      case 11:
        return {"APPEND", Key(), Value()};
      case 12:
        return {"STRLEN", Key()};
      case 13:
        return {"GETRANGE", Key(), RangeIndex(), RangeIndex()};
      case 14:
        return {"SETRANGE", Key(), Offset(), Value()};
      case 15:
      case 16:
        return {"INCR", Key()};
      case 17:
        return {"DECR", Key()};
      case 18:
        return {"INCRBY", Key(), Increment()};
      case 19:
        return {"DECRBY", Key(), Increment()};
      case 20:
      case 21:
        return {"INCRBYFLOAT", Key(), FloatIncrement()};
      case 22: {
        Argv argv = {Chance(2) ? "DEL" : "UNLINK"};
        AppendKeys(&argv, 3);
        return argv;
      }
      case 23: {
        Argv argv = {"EXISTS"};
        AppendKeys(&argv, 4);
        return argv;
      }
      case 24:
        return {"TYPE", Key()};
      case 25: {
        Argv argv = {"TOUCH"};
        AppendKeys(&argv, 3);
        return argv;
      }
      case 26:
      case 27:
        return ExpireCommand(/*millis=*/false);
      case 28:
        return ExpireCommand(/*millis=*/true);
      case 29:
      case 30:
        return {Chance(2) ? "TTL" : "PTTL", Key()};
      case 31:
        return {"PERSIST", Key()};
      case 32:
        return {"RENAME", Key(), Key()};
      case 33:
        return {"RENAMENX", Key(), Key()};
      case 34:
      case 35:
        return CopyCommand();
      case 36:
        return {"DBSIZE"};
      case 37:
        return {"SELECT", Db()};
      case 38:
        return {"MOVE", Key(), Db()};
      case 39:
        // FLUSHDB is rare so that keys accumulate state between flushes.
        if (Chance(8)) return {"FLUSHDB"};
        return {"EXISTS", Key()};
      case 40:
        // Non-string values, so that string commands meet WRONGTYPE.
        if (Chance(3)) return {Chance(2) ? "LPUSH" : "SADD", Key(), Value()};
        return {"GET", Key()};
      case 41:
        return {"SETEX", Key(), Seconds(), Value()};
      case 42:
        return {"PSETEX", Key(), Millis(), Value()};
      default:
        if (Chance(4)) return {"FOO", Key()};
        return {"STRLEN", Key()};
    }
  }
};

// --- Tests ---------------------------------------------------------------------------------------

TEST_F(DifferentialTest, RandomStringAndKeyspaceCommandsAgree) {
  constexpr uint64_t kSeeds[] = {1, 2, 3, 5, 8, 13, 21, 34};
  RunRandom<CommandGenerator>(kSeeds, 800);
}

const std::string kDbRange = "(error) ERR DB index is out of range";
const std::string kSameObject = "(error) ERR source and destination objects are the same";
const std::string kExclusive =
    "(error) ERR NX and XX, GT or LT options at the same time are not compatible";

std::string BadExpire(const std::string& command) {
  return "(error) ERR invalid expire time in '" + command + "' command";
}

const std::vector<EdgeCase>& EdgeCases() {
  static const std::vector<EdgeCase> kCases = {
      // Arity, for every command (the command name is reported in lower case).
      {{"GET"}, Arity("get")},
      {{"get", "a", "b"}, Arity("get")},
      {{"SET", "k"}, Arity("set")},
      {{"SETNX", "k"}, Arity("setnx")},
      {{"GETSET", "k"}, Arity("getset")},
      {{"GETDEL"}, Arity("getdel")},
      {{"MGET"}, Arity("mget")},
      {{"MSET", "a"}, Arity("mset")},
      {{"MSET", "a", "1", "b"}, Arity("mset")},
      {{"MSETNX", "a", "1", "b"}, Arity("msetnx")},
      {{"APPEND", "k"}, Arity("append")},
      {{"STRLEN", "k", "x"}, Arity("strlen")},
      {{"GETRANGE", "k", "0", "-1", "x"}, Arity("getrange")},
      {{"SETRANGE", "k", "0"}, Arity("setrange")},
      {{"INCR"}, Arity("incr")},
      {{"DECR", "a", "b"}, Arity("decr")},
      {{"INCRBY", "k"}, Arity("incrby")},
      {{"DECRBY", "k"}, Arity("decrby")},
      {{"INCRBYFLOAT", "k"}, Arity("incrbyfloat")},
      {{"DEL"}, Arity("del")},
      {{"UNLINK"}, Arity("unlink")},
      {{"EXISTS"}, Arity("exists")},
      {{"TYPE", "l", "x"}, Arity("type")},
      {{"TOUCH"}, Arity("touch")},
      {{"EXPIRE", "k"}, Arity("expire")},
      {{"PEXPIRE", "k"}, Arity("pexpire")},
      {{"TTL", "k", "x"}, Arity("ttl")},
      {{"PTTL"}, Arity("pttl")},
      {{"PERSIST", "k", "x"}, Arity("persist")},
      {{"RENAME", "k"}, Arity("rename")},
      {{"RENAMENX", "k"}, Arity("renamenx")},
      {{"COPY", "k"}, Arity("copy")},
      {{"DBSIZE", "x"}, Arity("dbsize")},
      {{"SELECT"}, Arity("select")},
      {{"MOVE", "k"}, Arity("move")},
      {{"SETEX", "k", "10"}, Arity("setex")},
      // Unknown commands: original case kept, each argument quoted, trailing space.
      {{"FOO", "a"}, "(error) ERR unknown command 'FOO', with args beginning with: 'a' "},
      {{"foo"}, "(error) ERR unknown command 'foo', with args beginning with: "},
      {{"FoO", "a", "b", "c"},
       "(error) ERR unknown command 'FoO', with args beginning with: 'a' 'b' 'c' "},
      // SET options.
      {{"SET", "k", "v", "EX", "0"}, BadExpire("set")},
      {{"SET", "k", "v", "EX", "-1"}, BadExpire("set")},
      {{"SET", "k", "v", "PX", "0"}, BadExpire("set")},
      {{"SET", "k", "v", "EX", "9223372036854775807"}, BadExpire("set")},
      {{"SET", "k", "v", "EX", "9223372036854775"}, BadExpire("set")},
      {{"SET", "k", "v", "PX", "9223372036854775807"}, BadExpire("set")},
      {{"SET", "k", "v", "EX", "abc"}, kNotInt},
      {{"SET", "k", "v", "EX", "1.5"}, kNotInt},
      {{"SET", "k", "v", "EX"}, kSyntax},
      {{"SET", "k", "v", "NX", "XX"}, kSyntax},
      {{"SET", "k", "v", "EX", "10", "PX", "100"}, kSyntax},
      {{"SET", "k", "v", "EX", "10", "EX", "20"},
       kOk},  // A repeated option is accepted; last wins.
      {{"DEL", "k"}, "(integer) 1"},
      {{"SET", "k", "v", "KEEPTTL", "EX", "10"}, kSyntax},
      {{"SET", "k", "v", "FOO"}, kSyntax},
      {{"SET", "k", "v", "GET", "NX"}, "(nil)"},
      {{"SET", "k", "w", "get", "xx"}, "\"v\""},
      {{"SET", "k", "v", "NX", "GET"}, "\"w\""},
      {{"SET", "k", "v", "ex", "1000", "get"}, "\"w\""},
      {{"SET", "k", "v", "KEEPTTL"}, kOk},
      {{"TTL", "k"}, "(integer) 0"},  // Class of a positive TTL.
      {{"SET", "k", "v"}, kOk},
      {{"TTL", "k"}, "(integer) -1"},
      {{"SETEX", "k", "0", "v"}, BadExpire("setex")},
      {{"PSETEX", "k", "0", "v"}, BadExpire("psetex")},
      {{"SETEX", "k", "abc", "v"}, kNotInt},
      // Integers.
      {{"INCR", "k"}, kNotInt},
      {{"SET", "n", "9223372036854775807"}, kOk},
      {{"INCR", "n"}, kOverflow},
      {{"INCRBY", "n", "1"}, kOverflow},
      {{"INCRBY", "n", "abc"}, kNotInt},
      {{"DECRBY", "n", "-9223372036854775808"}, "(error) ERR decrement would overflow"},
      {{"DECRBY", "n", "9223372036854775808"}, kNotInt},
      {{"SET", "m", "-9223372036854775808"}, kOk},
      {{"DECR", "m"}, kOverflow},
      {{"SET", "z", "0"}, kOk},
      {{"INCRBY", "z", "-9223372036854775808"}, "(integer) -9223372036854775808"},
      {{"DECRBY", "z", "-9223372036854775807"}, "(integer) -1"},
      {{"INCRBY", "z", "+1"}, kNotInt},
      {{"INCRBY", "z", "-0"}, kNotInt},
      {{"INCRBY", "z", "007"}, kNotInt},
      {{"INCR", "fresh"}, "(integer) 1"},
      {{"INCR", ""}, "(integer) 1"},
      {{"SET", "e", ""}, kOk},
      {{"INCR", "e"}, kNotInt},
      {{"SET", "s", " 1"}, kOk},
      {{"INCR", "s"}, kNotInt},
      {{"SET", "s", "1 "}, kOk},
      {{"INCR", "s"}, kNotInt},
      {{"SET", "s", "-0"}, kOk},
      {{"INCR", "s"}, kNotInt},
      {{"SET", "s", "010"}, kOk},
      {{"DECR", "s"}, kNotInt},
      // Floats.
      {{"SET", "f", "10.5"}, kOk},
      {{"INCRBYFLOAT", "f", "0.1"}, "\"10.6\""},
      {{"SET", "f", "3.0e3"}, kOk},
      {{"INCRBYFLOAT", "f", "0"}, "\"3000\""},
      {{"SET", "f", "5.0e3"}, kOk},
      {{"INCRBYFLOAT", "f", "2.0e2"}, "\"5200\""},
      {{"INCRBYFLOAT", "f", "abc"}, kNotFloat},
      {{"INCRBYFLOAT", "f", "nan"}, kNotFloat},
      {{"INCRBYFLOAT", "f", " 1"}, kNotFloat},
      {{"INCRBYFLOAT", "f", ""}, kNotFloat},
      {{"INCRBYFLOAT", "f", "1e5000"}, kNotFloat},
      {{"INCRBYFLOAT", "f", "inf"}, "(error) ERR increment would produce NaN or Infinity"},
      {{"INCRBYFLOAT", "f", "+1"}, "\"5201\""},
      {{"INCRBYFLOAT", "f", "0x10"}, "\"5217\""},
      {{"INCRBYFLOAT", "f", "-5217"}, "\"0\""},
      {{"SET", "f", "inf"}, kOk},
      {{"INCRBYFLOAT", "f", "1"}, "(error) ERR increment would produce NaN or Infinity"},
      {{"SET", "f", "1"}, kOk},
      {{"INCRBYFLOAT", "f", "1e400"}, {}},
      {{"INCRBYFLOAT", "g", "-0.0"}, "\"0\""},
      {{"INCRBYFLOAT", "g", "1e-20"}, "\"0\""},
      {{"GET", "g"}, "\"0\""},
      // Ranges.
      {{"SET", "r", "Hello World"}, kOk},
      {{"GETRANGE", "r", "a", "1"}, kNotInt},
      {{"GETRANGE", "r", "0", "-1"}, "\"Hello World\""},
      {{"GETRANGE", "r", "-5", "-1"}, "\"World\""},
      {{"GETRANGE", "r", "5", "2"}, "\"\""},
      {{"GETRANGE", "r", "-100", "100"}, "\"Hello World\""},
      {{"GETRANGE", "nokey", "0", "-1"}, "\"\""},
      {{"SETRANGE", "r", "-1", "x"}, "(error) ERR offset is out of range"},
      {{"SETRANGE", "r", "536870912", "x"},
       "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
      {{"SETRANGE", "r", "536870911", ""}, "(integer) 11"},
      {{"SETRANGE", "nokey", "5", ""}, "(integer) 0"},
      {{"EXISTS", "nokey"}, "(integer) 0"},
      {{"SETRANGE", "nokey", "3", "ab"}, "(integer) 5"},
      {{"GET", "nokey"}, "\"\\x00\\x00\\x00ab\""},
      {{"APPEND", "nokey", "\xff"}, "(integer) 6"},
      // Expiry.
      {{"EXPIRE", "k", "100", "NX", "XX"}, kExclusive},
      {{"EXPIRE", "k", "100", "XX", "NX"}, kExclusive},
      {{"EXPIRE", "k", "100", "NX", "GT"}, kExclusive},
      {{"EXPIRE", "k", "100", "GT", "LT"},
       "(error) ERR GT and LT options at the same time are not compatible"},
      {{"EXPIRE", "k", "100", "foo"}, "(error) ERR Unsupported option foo"},
      {{"PEXPIRE", "k", "1", "2"}, "(error) ERR Unsupported option 2"},
      {{"EXPIRE", "k", "abc"}, kNotInt},
      {{"EXPIRE", "k", "9223372036854775807"}, BadExpire("expire")},
      {{"PEXPIRE", "k", "9223372036854775807"}, BadExpire("pexpire")},
      {{"EXPIRE", "k", "5000", "XX"}, "(integer) 0"},
      {{"EXPIRE", "k", "5000", "GT"}, "(integer) 0"},  // No TTL counts as infinite.
      {{"EXPIRE", "k", "5000", "LT"}, "(integer) 1"},
      {{"EXPIRE", "k", "6000", "NX"}, "(integer) 0"},
      {{"EXPIRE", "k", "6000", "GT"}, "(integer) 1"},
      {{"PEXPIRE", "k", "5000000", "LT"}, "(integer) 1"},
      {{"TTL", "k"}, "(integer) 0"},
      {{"PTTL", "k"}, "(integer) 0"},
      {{"EXPIRE", "nokey2", "100"}, "(integer) 0"},
      {{"TTL", "nokey2"}, "(integer) -2"},
      {{"PERSIST", "k"}, "(integer) 1"},
      {{"PERSIST", "k"}, "(integer) 0"},
      {{"TTL", "k"}, "(integer) -1"},
      // Renames, copies, moves and databases.
      {{"RENAME", "missing", "x"}, kNoKey},
      {{"RENAMENX", "missing", "x"}, kNoKey},
      {{"RENAME", "k", "k"}, kOk},
      {{"RENAMENX", "k", "k"}, "(integer) 0"},
      {{"RENAMENX", "k", "r"}, "(integer) 0"},
      {{"COPY", "k", "k"}, kSameObject},
      {{"COPY", "k", "k2", "DB", "abc"}, kNotInt},
      {{"COPY", "k", "k2", "DB", "100"}, kDbRange},
      {{"COPY", "k", "k2", "DB", "-1"}, kDbRange},
      {{"COPY", "k", "k2", "FOO"}, kSyntax},
      {{"COPY", "k", "k2", "REPLACE", "REPLACE"}, "(integer) 1"},
      {{"COPY", "k", "k2"}, "(integer) 0"},
      {{"COPY", "missing", "k3"}, "(integer) 0"},
      {{"COPY", "k", "k", "DB", "1"}, "(integer) 1"},
      {{"MOVE", "k", "0"}, kSameObject},
      {{"MOVE", "k", "100"}, kDbRange},
      {{"MOVE", "k", "-1"}, kDbRange},
      {{"MOVE", "k", "abc"}, kNotInt},
      {{"MOVE", "k", "1"}, "(integer) 0"},  // Already there after the COPY.
      {{"MOVE", "k2", "1"}, "(integer) 1"},
      {{"SELECT", "100"}, kDbRange},
      {{"SELECT", "16"}, kDbRange},
      {{"SELECT", "-1"}, kDbRange},
      {{"SELECT", "abc"}, kNotInt},
      {{"SELECT", "1"}, kOk},
      {{"MGET", "k", "k2"}, "[\"v\", \"v\"]"},
      {{"DBSIZE"}, "(integer) 2"},
      {{"FLUSHDB", "x"}, kSyntax},
      {{"FLUSHDB"}, kOk},
      {{"DBSIZE"}, "(integer) 0"},
      {{"SELECT", "0"}, kOk},
      {{"MSETNX", "k", "1", "new", "2"}, "(integer) 0"},
      {{"EXISTS", "new", "new", "k"}, "(integer) 1"},
      {{"MSET", "a", "1", "a", "2"}, kOk},
      {{"GET", "a"}, "\"2\""},
      {{"TOUCH", "a", "a", "nokey3"}, "(integer) 2"},
      {{"DEL", "a", "a", "k"}, "(integer) 2"},
      {{"UNLINK", "nokey3"}, "(integer) 0"},
      {{"GETDEL", "r"}, "\"Hello World\""},
      {{"GETDEL", "r"}, "(nil)"},
      {{"GETSET", "r", "x"}, "(nil)"},
      {{"TYPE", "r"}, "+string"},
      {{"TYPE", "missing"}, "+none"},
      {{"STRLEN", "missing"}, "(integer) 0"},
      {{"SET", "bin", "\0\r\n\xff"s}, kOk},
      {{"GET", "bin"}, "\"\\x00\\x0d\\x0a\\xff\""},
      {{"STRLEN", "bin"}, "(integer) 4"},
      // Wrong types.
      {{"LPUSH", "l", "a"}, "(integer) 1"},
      {{"GET", "l"}, kWrongType},
      {{"INCR", "l"}, kWrongType},
      {{"INCRBYFLOAT", "l", "1"}, kWrongType},
      {{"APPEND", "l", "x"}, kWrongType},
      {{"STRLEN", "l"}, kWrongType},
      {{"GETRANGE", "l", "0", "1"}, kWrongType},
      {{"SETRANGE", "l", "0", "x"}, kWrongType},
      {{"GETSET", "l", "x"}, kWrongType},
      {{"GETDEL", "l"}, kWrongType},
      {{"SET", "l", "x", "GET"}, kWrongType},
      {{"MGET", "l", "r"}, "[(nil), \"x\"]"},
      {{"TYPE", "l"}, "+list"},
      {{"SETNX", "l", "x"}, "(integer) 0"},
      {{"SET", "l", "x"}, kOk},
      {{"TYPE", "l"}, "+string"},
  };
  return kCases;
}

TEST_F(DifferentialTest, EdgeCaseRepliesAgreeAndMatchRedisTexts) { RunEdgeCases(EdgeCases()); }

// MULTI/EXEC/DISCARD/WATCH on one connection per server: queueing, the errors that abort a
// transaction and those that do not, and what EXEC answers.
TEST_F(DifferentialTest, TransactionRepliesAgree) {
  const std::vector<Argv> script = {
      {"EXEC"},
      {"DISCARD"},
      {"UNWATCH"},
      {"MULTI"},
      {"MULTI"},
      {"SET", "t", "1"},
      {"INCR", "t"},
      {"LPUSH", "t", "x"},  // a run-time error: the rest still runs
      {"GET", "t"},
      {"EXEC"},
      {"MULTI"},
      {"SET", "t"},  // arity: the transaction is aborted
      {"GET", "t"},
      {"EXEC"},
      {"MULTI"},
      {"NOSUCH", "x"},
      {"EXEC"},
      {"MULTI"},
      {"WATCH", "t"},
      {"DISCARD"},
      {"MULTI"},
      {"EXEC"},
      {"WATCH", "t", "u"},
      {"SET", "t", "changed"},  // by this very client: still a change
      {"MULTI"},
      {"GET", "t"},
      {"EXEC"},
      {"WATCH", "t"},
      {"MULTI"},
      {"GET", "t"},
      {"EXEC"},
      {"WATCH"},
      {"MULTI"},
      {"SAVE"},
      {"EXEC"},
  };
  for (size_t i = 0; i < script.size(); ++i) {
    if (!SendBoth(script[i], "transaction step " + std::to_string(i) + ": ")) return;
  }
}

}  // namespace
}  // namespace strata::differential
