// Fuzz target: the command layer. Decodes the input into command lines, runs them against an
// in-process Server (never started: no sockets, threads or disk) through the command harness
// (tests/util/command_harness.h), as a worker runs what a connection sends, and checks what they
// did.
//
// Input (decoded by Decode() below; past the end every byte reads as 0):
//   command := head:u8 ...
//     head bit 0: which of two clients sends it (WATCH, pub/sub, blocking and CLIENT KILL need
//                 a second one); bit 4: the name in upper case.
//     head bits 5-7 = 7: the name is raw bytes (len:u8, bytes): unknown commands;
//     head bits 5-7 = 6: a command of the table (index:u16) with count:u8 % 16 arguments;
//     otherwise: a command of the table (index:u16) with the arguments its arity asks for
//                (bit 1 of head: a few more or fewer), subcommand names for containers.
//   argument := kind:u8 ... (Arg() below): a key of a small pool (most likely at key
//               positions), a small integer, a keyword of the dictionary, a float-like string,
//               a member name, a value string, or raw bytes (kind % 16 = 14: len:u8 % 48,
//               bytes; 15: len:u8, bytes).
// At most kMaxCommands commands run per input.
//
// The state is fresh for every input: a new Server (appendonly no, 4 shards; its keyspace holds
// its own encoding limits), two new clients. A client that QUITs or is killed is replaced by a
// new one, as a reconnecting client would be. A client left blocked (BLPOP, ...) gets what the
// other client's commands served it, and is timed out (as its worker does when its time is up)
// before its own next command and at the end.
//
// Checked, besides what ASan and UBSan catch:
//   - every reply is well-formed RESP (complete values, lengths that match, no RESP3 type on a
//     RESP2 connection);
//   - every record a command commits to the log replays (engine::ApplyRedo) into a shadow
//     keyspace, and at the end the shadow holds exactly what the live keyspace holds: the log
//     says exactly what the commands did;
//   - the live keyspace survives a snapshot round trip (fuzz_util.h) unchanged.
//
// The server runs with proto-max-bulk-len at 1 MB (kMaxBulk), so that what an argument sizes
// by design (SETRANGE k 500000 x, APPEND, SRANDMEMBER k -100000000) stays small: arguments at
// the int32/int64 limits (kFloats) reach every command, these included.
//
// Not run (dropped from the decoded sequence), because they stop, sleep, write to disk, or
// allocate in proportion to an argument by design (as Redis does):
//   SHUTDOWN (stops the server), SAVE and BGSAVE (write a snapshot file), DEBUG SLEEP, DEBUG
//   POPULATE of more than kMaxPopulate keys or bytes, CONFIG REWRITE (writes the config
//   file), CONFIG SET of proto-max-bulk-len (would lift the bound above), EVAL and its
//   kin (a script may loop or allocate without bound by design), and PFSELFTEST (10 million
//   additions by design: seconds under the sanitizers).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/string_util.h"
#include "engine/keyspace.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "engine/value.h"
#include "tests/fuzz/fuzz_util.h"
#include "server/commands/command.h"
#include "server/server.h"
#include "tests/util/command_harness.h"

namespace {

using namespace std::string_view_literals;

using strata::Status;
using strata::fuzz::Die;
using strata::fuzz::FuzzInput;
namespace engine = strata::engine;
namespace server = strata::server;
using strata::testing::CommandHarness;

constexpr size_t kMaxCommands = 64;
constexpr const char* kMaxBulk = "1048576";
constexpr int64_t kMaxPopulate = 1000;

// Words commands take as options, and values that reach their special cases.
constexpr std::string_view kWords[] = {
    "NX", "XX", "GT", "LT", "CH", "INCR", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET",
    "PERSIST", "WITHSCORES", "WITHSCORE", "LIMIT", "BYSCORE", "BYLEX", "REV", "MATCH", "COUNT",
    "TYPE", "LEFT", "RIGHT", "BEFORE", "AFTER", "RANK", "MAXLEN", "WEIGHTS", "AGGREGATE", "SUM",
    "MIN", "MAX", "STORE", "REPLACE", "DB", "WITHVALUES", "MINMATCHLEN", "IDX", "LEN", "ASYNC",
    "SYNC", "SCHEDULE", "NOSAVE", "SAVE", "SETNAME", "AUTH", "default", "ID", "ADDR", "LADDR",
    "SKIPME", "yes", "no", "USER", "MAXAGE", "normal", "pubsub", "string", "list", "hash", "set",
    "zset", "*", "k*", "?", "[a-z]*", "h*llo", "3", "2", "requirepass", "maxclients", "timeout",
    "hz", "save", "appendfsync", "always", "everysec", "list-max-listpack-size",
    "hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
    "set-max-listpack-entries", "set-max-listpack-value", "zset-max-listpack-entries",
    "zset-max-listpack-value", "snapshot-keep", "loglevel", "proto-max-bulk-len", "POPULATE",
    "SLEEP", "WITHCODE", "LIBRARYNAME", "FLUSH", "ENCODING", "FREQ", "IDLETIME", "REFCOUNT",
    "USAGE", "SAMPLES", "server", "clients", "memory", "persistence", "stats", "keyspace", "all",
    "everything", "default", "HELP", "LIST", "INFO", "DOCS", "GETKEYS", "CHANNELS", "NUMSUB",
    "NUMPAT", "ch*", "ch1",
    // Streams.
    "NOMKSTREAM", "MINID", "~", "=", "STREAMS", "GROUP", "NOACK", "BLOCK", "MKSTREAM",
    "ENTRIESREAD", "JUSTID", "FORCE", "IDLE", "TIME", "RETRYCOUNT", "LASTID", "ENTRIESADDED",
    "MAXDELETEDID", "FULL", ">", "$", "CREATE", "SETID", "DESTROY", "CREATECONSUMER",
    "DELCONSUMER", "STREAM", "GROUPS", "CONSUMERS", "stream-node-max-entries",
    "stream-node-max-bytes", "g", "1-1", "0-0", "1-*", "5-0", "2-*", "(1-1",
    "18446744073709551615-18446744073709551615", "stream",
    // Bitmaps.
    "AND", "OR", "XOR", "NOT", "BIT", "BYTE", "OVERFLOW", "WRAP", "SAT", "FAIL", "INCRBY", "i8",
    "u8", "i1", "u1", "i64", "u63", "i5", "#1", "#-1",
    // Geo.
    "STOREDIST", "WITHDIST", "WITHCOORD", "WITHHASH", "ANY", "ASC", "DESC", "FROMMEMBER",
    "FROMLONLAT", "BYRADIUS", "BYBOX", "m", "km", "mi", "ft", "KM",
    // HyperLogLog.
    "GETREG", "DECODE", "TODENSE", "hll-sparse-max-bytes",
    // RESTORE.
    "ABSTTL",
};
constexpr std::string_view kFloats[] = {
    "1.5", "-0.5", "+inf", "-inf", "inf", "nan", "(1", "(2.5", "[a", "(a", "-", "+", "0x10",
    "1e3", "3.0", "0", "-0", "1e308", "-1e308", "4.9e-324", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "18446744073709551615", "00", "+1", " 1",
    "1 ", "0.1", "1e-5", "17179869184", "2147483648", "-2147483649", "[", "(", "[b", "(c",
    // Each integer limit and the values just past it (issue 17).
    "-1", "2147483647", "-2147483648", "4294967295", "4294967296", "-4294967296",
    "4611686018427387903", "4611686018427387904", "-4611686018427387904", "9223372036854775",
    "9223372036854776", "9223372036854775806", "-9223372036854775807", "-9223372036854775809",
    "18446744073709551616", "-18446744073709551616", "99999999999999999999999", "536870911",
    "536870912", "1048576", "1048577", "1e400", "-1e400", "1e-400", "-nan", "1e15", "-0.0001",
    "0.0001",
    // Geo: the limits of longitude and latitude, and just past them.
    "180", "-180", "180.0000001", "85.05112878", "-85.05112878", "85.05112879", "13.361389",
    "38.115556",
};
constexpr std::string_view kValues[] = {
    "", "v", "hello", "12", "-3", "3.25", "a", "b", "c", "0",
    "a-value-longer-than-the-listpack-limit-of-64-bytes-so-that-it-converts-its-collection",
    // DUMP payloads from redis-server 7.0, for RESTORE: the string "12345" and an intset.
    "\x00\xc1\x39\x30\x0a\x00\x9d\x94\xea\x27\x93\xfc\x08\xb9"sv,
    "\x0b\x18\x04\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x03\x00\x00\x00\x05\x00\x00\x00\xa0\x86\x01\x00\x0a\x00\x33\x38\x3e\x03\xed\x2d\xac\x3c"sv,
};

// STRATA_FUZZ_TRACE=1 in the environment prints every command and its reply (to see what an
// input does: fuzz_command <file>).
bool Trace() {
  static const bool trace = std::getenv("STRATA_FUZZ_TRACE") != nullptr;
  return trace;
}

// Applies every committed record to a shadow keyspace as recovery would replay it.
class ShadowSink final : public engine::RedoSink {
 public:
  explicit ShadowSink(engine::Keyspace* shadow) : shadow_(shadow) {}
  uint64_t Commit(std::string_view record) override {
    Status st = engine::ApplyRedo(*shadow_, record, ++lsn_);
    if (!st.ok()) Die("a record a command committed does not replay: " + st.message());
    return lsn_;
  }
  uint64_t LastLsn() const override { return lsn_; }

 private:
  engine::Keyspace* shadow_;
  uint64_t lsn_ = 0;
};

// The length of one complete RESP value at the start of s, 0 if it is not one.
size_t RespValue(std::string_view s, bool resp3, int depth = 0) {
  if (s.empty() || depth > 64) return 0;
  const size_t eol = s.find("\r\n");
  if (eol == std::string_view::npos) return 0;
  const std::string_view line = s.substr(1, eol - 1);
  const size_t head = eol + 2;
  auto count = [&](int64_t* n) {
    std::optional<int64_t> v = strata::ParseInt64(line);
    if (!v || *v < -1) return false;
    *n = *v;
    return true;
  };
  auto aggregate = [&](int64_t n) -> size_t {
    size_t at = head;
    for (int64_t i = 0; i < n; ++i) {
      const size_t len = RespValue(s.substr(at), resp3, depth + 1);
      if (len == 0) return 0;
      at += len;
    }
    return at;
  };
  int64_t n = 0;
  switch (s[0]) {
    case '+':
    case '-':
      return line.find('\r') == std::string_view::npos ? head : 0;
    case ':':
      return strata::ParseInt64(line) ? head : 0;
    case '$':
      if (!count(&n)) return 0;
      if (n == -1) return head;
      if (s.size() < head + n + 2 || s.substr(head + n, 2) != "\r\n") return 0;
      return head + n + 2;
    case '*':
      if (!count(&n)) return 0;
      return n == -1 ? head : aggregate(n);
    default:
      break;
  }
  if (!resp3) return 0;
  switch (s[0]) {
    case '_':
      return line.empty() ? head : 0;
    case ',':
    case '(':
      return line.empty() ? 0 : head;
    case '#':
      return line == "t" || line == "f" ? head : 0;
    case '!':
    case '=':
      if (!count(&n) || n < 0) return 0;
      if (s.size() < head + n + 2 || s.substr(head + n, 2) != "\r\n") return 0;
      return head + n + 2;
    case '%':
    case '|':
      if (!count(&n) || n < 0) return 0;
      return aggregate(2 * n);
    case '~':
    case '>':
      if (!count(&n) || n < 0) return 0;
      return aggregate(n);
    default:
      return 0;
  }
}

void CheckReplies(const std::string& out, bool resp3, const std::vector<std::string>& line) {
  std::string_view rest(out);
  while (!rest.empty()) {
    const size_t len = RespValue(rest, resp3);
    if (len == 0) {
      std::string cmd;
      for (const std::string& a : line) cmd += "'" + a.substr(0, 40) + "' ";
      Die("malformed reply to " + cmd + ": '" + std::string(rest.substr(0, 200)) + "'");
    }
    rest.remove_prefix(len);
  }
}

// The command harness (tests/util/command_harness.h) plus what the fuzzer checks: every reply
// well-formed, every committed record replayed into a shadow keyspace, nothing left uncommitted.
class Harness {
 public:
  Harness() {
    engine::Keyspace& live = h_.server().keyspace();
    engine::KeyspaceOptions options;
    options.shards = live.num_shards();
    options.databases = live.num_dbs();
    shadow_ = std::make_unique<engine::Keyspace>(options);
    sink_ = std::make_unique<ShadowSink>(shadow_.get());
    live.set_redo_sink(sink_.get());
  }

  void Run(size_t who, std::vector<std::string> line) {
    const int c = static_cast<int>(who), other = 1 - c;
    if (h_.client(c).blocked) TimeOut(c);
    const bool resp3 = h_.client(c).resp.load() == 3;
    Check(c, line, resp3, h_.RunRaw(line, c));
    if (h_.client(c).close_after_reply || h_.client(c).killed) h_.Reconnect(c);
    if (h_.client(other).blocked) Woken(other);
    if (h_.client(other).killed) h_.Reconnect(other);
  }

  void Finish() {
    for (int c = 0; c < CommandHarness::kClients; ++c) {
      if (h_.client(c).blocked) TimeOut(c);
    }
    std::vector<strata::fuzz::DumpEntry> live, replayed;
    Status st = strata::fuzz::Dump(h_.server().keyspace(), &live);
    if (!st.ok()) Die("dumping the live keyspace: " + st.message());
    st = strata::fuzz::Dump(*shadow_, &replayed);
    if (!st.ok()) Die("dumping the replayed keyspace: " + st.message());
    const std::string diff = strata::fuzz::FirstDifference(live, replayed);
    if (!diff.empty()) Die("the log replays to another keyspace (live first): " + diff);
    strata::fuzz::CheckSnapshotRoundTrip(h_.server().keyspace(), "the live keyspace");
  }

  const server::CommandTable& commands() { return h_.server().commands(); }

 private:
  // After a command ran for client c: the trace, nothing left uncommitted, well-formed replies
  // (HELLO may switch protocols in its own reply: RESP3 types pass if either side is 3).
  void Check(int c, const std::vector<std::string>& line, bool resp3, const std::string& out) {
    if (Trace()) {
      std::fprintf(stderr, "client %llu:", static_cast<unsigned long long>(h_.client(c).id));
      for (const std::string& a : line) std::fprintf(stderr, " '%s'", a.c_str());
      std::fprintf(stderr, "\n  -> %s\n", out.substr(0, 300).c_str());
    }
    if (!h_.redo().empty()) Die("a command left effects in its redo record uncommitted");
    CheckReplies(out, resp3 || h_.client(c).resp.load() == 3, line);
  }

  // A blocked command's reply, if the last command served it.
  void Woken(int c) {
    const std::vector<std::string> line = h_.blocked_line(c);
    const bool resp3 = h_.client(c).resp.load() == 3;
    const std::string out = h_.WokenRaw(c);
    if (!h_.client(c).blocked) Check(c, line, resp3, out);
  }

  // The worker's cron for a blocked client whose time is up.
  void TimeOut(int c) {
    const std::vector<std::string> line = h_.blocked_line(c);
    const bool resp3 = h_.client(c).resp.load() == 3;
    Check(c, line, resp3, h_.TimeOutRaw(c));
    if (h_.client(c).blocked) Die("a blocked client is still blocked after its time-out");
  }

  CommandHarness h_{{std::pair<std::string, std::string>("proto-max-bulk-len", kMaxBulk),
                     std::pair<std::string, std::string>("enable-debug-command", "yes")}};
  std::unique_ptr<engine::Keyspace> shadow_;
  std::unique_ptr<ShadowSink> sink_;
};

bool IsKeyPosition(const server::CommandSpec& spec, size_t i, size_t argc) {
  if (spec.first_key <= 0 || i < static_cast<size_t>(spec.first_key)) return false;
  const int64_t last = spec.last_key < 0 ? static_cast<int64_t>(argc) + spec.last_key
                                         : spec.last_key;
  if (static_cast<int64_t>(i) > last) return false;
  const int step = spec.key_step > 0 ? spec.key_step : 1;
  return (i - spec.first_key) % step == 0;
}

std::string Key(FuzzInput& in) {
  static constexpr std::string_view kKeys[] = {"k0", "k1", "k2", "{k}3"};
  return std::string(kKeys[in.Byte() % 4]);
}

std::string Arg(FuzzInput& in, bool key_position) {
  const uint8_t kind = in.Byte();
  if (key_position && kind < 224) return Key(in);
  switch (kind % 16) {
    case 0:
    case 1:
    case 2:
      return Key(in);
    case 3:
    case 4:
    case 5:
      return std::to_string(static_cast<int>(in.Byte()) - 8);
    case 6:
      return std::to_string(static_cast<int>(in.U16()) - 1000);
    case 7:
    case 8:
    case 9:
      return std::string(kWords[in.Byte() % std::size(kWords)]);
    case 10:
      return std::string(kFloats[in.Byte() % std::size(kFloats)]);
    case 11:
    case 12:
      return "m" + std::to_string(in.Byte() % 8);
    case 13:
      return std::string(kValues[in.Byte() % std::size(kValues)]);
    case 14:
      return std::string(in.Bytes(in.Byte() % 48));
    default:
      return std::string(in.Bytes(in.Byte()));
  }
}

std::vector<std::string> Decode(FuzzInput& in, const server::CommandTable& table) {
  const auto& all = table.all();
  const uint8_t head = in.Byte();
  const uint8_t mode = head >> 5;
  std::vector<std::string> line;
  if (mode == 7) {
    line.emplace_back(in.Bytes(in.Byte() % 32));
    const size_t n = in.Byte() % 8;
    for (size_t i = 0; i < n; ++i) line.push_back(Arg(in, false));
    return line;
  }
  const server::CommandSpec& spec = all[in.U16() % all.size()];
  line.emplace_back(spec.name);
  const server::CommandSpec* shape = &spec;
  if (!spec.subcommands.empty() && in.Byte() % 8 != 0) {
    shape = &spec.subcommands[in.Byte() % spec.subcommands.size()];
    const std::string_view full = shape->name;
    line.emplace_back(full.substr(full.find('|') + 1));
  }
  size_t argc;
  if (mode == 6) {
    argc = line.size() + in.Byte() % 16;
  } else {
    argc = shape->arity > 0 ? static_cast<size_t>(shape->arity)
                            : static_cast<size_t>(-shape->arity) + in.Byte() % 6;
    if (head & 2) argc = argc + in.Byte() % 3 > 1 ? argc + in.Byte() % 3 - 1 : 1;
  }
  for (size_t i = line.size(); i < argc; ++i) {
    line.push_back(Arg(in, IsKeyPosition(*shape, i, argc)));
  }
  if (head & 0x10) {
    for (char& ch : line[0]) ch = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 32) : ch;
  }
  return line;
}

bool BigInteger(std::string_view arg, int64_t limit) {
  std::optional<int64_t> v = strata::ParseInt64(arg);
  return v && (*v > limit || *v < -limit);
}

// The commands this harness does not run (see the top of the file).
bool Excluded(const std::vector<std::string>& line) {
  const std::string name = strata::ToLower(line[0]);
  if (name == "shutdown" || name == "save" || name == "bgsave") return true;
  // 10 million additions by design: seconds under the sanitizers (hll_compat_test runs it).
  if (name == "pfselftest") return true;
  // A script or function may loop or allocate without bound by design (only another client's
  // SCRIPT KILL stops it): scripts are fuzzed through fuzz_lua_reply, fuzz_lua_libs and
  // fuzz_function_payload, and the compat corpora.
  if (name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro" ||
      name == "fcall" || name == "fcall_ro" || name == "function") {
    return true;
  }
  const std::string sub = line.size() > 1 ? strata::ToLower(line[1]) : "";
  if (name == "config" && sub == "rewrite") return true;
  if (name == "debug" && sub != "populate") return true;
  if (name == "config" && sub == "set") {
    for (size_t i = 2; i < line.size(); ++i) {
      if (strata::EqualsIgnoreCase(line[i], "proto-max-bulk-len")) return true;
    }
  }
  if (name == "debug") {
    for (size_t i = 1; i < line.size(); ++i) {
      if (BigInteger(line[i], kMaxPopulate)) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  Harness harness;
  for (size_t n = 0; n < kMaxCommands && !in.empty();) {
    const size_t who = in.remaining() > 0 ? (data[size - in.remaining()] & 1) : 0;
    std::vector<std::string> line = Decode(in, harness.commands());
    if (line.empty() || Excluded(line)) continue;
    harness.Run(who, std::move(line));
    ++n;
  }
  harness.Finish();
  return 0;
}
