// Writes the seed corpora of the fuzz targets from the real code: fuzz_make_seeds <corpus dir>
// (tests/fuzz/corpus), files named <NN>-<what>, in four subdirectories:
//   resp/      each command set as a pipelined multibulk stream, plus inline and malformed
//              requests (the first byte of each file picks the parser's limits: fuzz_resp.cc);
//   command/   each command set in fuzz_command's input encoding (Encode() below mirrors its
//              Decode(): literal arguments, so the commands are exactly these);
//   wal/       the log an in-process Server with appendonly yes wrote for each command set
//              through the real Persistence and wal::Writer (4 KiB segments), every segment
//              file back to back;
//   snapshot/  the snapshot the same Server then wrote with SAVE's code (Snapshots::Save).
// Records and snapshots carry the time they were made (absolute expiry times, creation time),
// so a rerun writes different bytes with the same structure.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/net/client.h"
#include "server/commands/command.h"
#include "server/config.h"
#include "server/net/reply_builder.h"
#include "server/server.h"

namespace {

namespace fs = std::filesystem;
namespace server = strata::server;
using strata::Status;
using Line = std::vector<std::string>;

struct CommandSet {
  const char* name;
  std::vector<Line> lines;
};

std::string Long(char c) { return std::string(70, c); }  // past the listpack value limit

std::vector<Line> ManySegments();

std::vector<CommandSet> CommandSets() {
  return {
      {"strings",
       {{"SET", "k0", "hello"}, {"SET", "k1", "12", "EX", "100"}, {"INCR", "k1"},
        {"APPEND", "k0", " world"}, {"SETRANGE", "k0", "2", "XY"}, {"MSET", "a", "1", "b", "2"},
        {"GETDEL", "a"}, {"SETEX", "k2", "50", "v"}, {"PERSIST", "k2"},
        {"INCRBYFLOAT", "f", "1.5"}, {"GETEX", "k0", "PX", "500000"}, {"DECRBY", "b", "7"},
        {"SET", "{k}3", "v", "NX"}, {"GETSET", "k2", "w"}, {"MSETNX", "x", "1", "y", "2"}}},
      {"lists",
       {{"RPUSH", "l", "a", "b", "c", "d", "e"}, {"LPUSH", "l", "z"}, {"LSET", "l", "0", "y"},
        {"LINSERT", "l", "BEFORE", "c", "x"}, {"LREM", "l", "1", "a"}, {"LTRIM", "l", "1", "-2"},
        {"RPOP", "l"}, {"LMOVE", "l", "l2", "LEFT", "RIGHT"}, {"RPUSH", "l3", Long('q'), "1"},
        {"LPUSHX", "l3", "2"}, {"LPOP", "l3", "2"}, {"RPOPLPUSH", "l", "l2"}, {"LPOS", "l", "c"}}},
      {"hashes",
       {{"HSET", "h", "f1", "v1", "f2", "v2"}, {"HINCRBY", "h", "n", "5"},
        {"HINCRBYFLOAT", "h", "x", "0.5"}, {"HDEL", "h", "f1"}, {"HSETNX", "h", "f3", "v3"},
        {"HSET", "h2", "big", Long('h')}, {"HMSET", "h2", "a", "1"}, {"HDEL", "h2", "zz"}}},
      {"sets",
       {{"SADD", "s", "1", "2", "3"}, {"SADD", "s2", "a", "b", "c"}, {"SADD", "s3", Long('s')},
        {"SREM", "s", "2"}, {"SMOVE", "s2", "s", "a"}, {"SINTERSTORE", "d", "s", "s2"},
        {"SUNIONSTORE", "u", "s", "s2", "s3"}, {"SDIFFSTORE", "e", "u", "s"}}},
      {"zsets",
       {{"ZADD", "z", "1", "a", "2", "b", "3.5", "c"}, {"ZINCRBY", "z", "2", "a"},
        {"ZREM", "z", "b"}, {"ZADD", "z2", "-inf", "x", "+inf", "y", "0", Long('m')},
        {"ZUNIONSTORE", "zu", "2", "z", "z2", "WEIGHTS", "1", "2"}, {"ZPOPMIN", "z"},
        {"ZADD", "z", "GT", "CH", "9", "c"}, {"ZREMRANGEBYSCORE", "zu", "(1", "3"},
        {"ZRANGESTORE", "zr", "z2", "0", "-1"}, {"ZADD", "zi", "1", "m1", "2", "m2"}}},
      {"streams",
       {{"CONFIG", "SET", "stream-node-max-entries", "2"}, {"XADD", "x", "1-1", "a", "1"},
        {"XADD", "x", "1-*", "a", "2", "b", "3"}, {"XADD", "x", "MAXLEN", "~", "2", "2-0", "a", "4"},
        {"XGROUP", "CREATE", "x", "g", "0"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"},
        {"XACK", "x", "g", "1-1"}, {"XDEL", "x", "1-2"}, {"XCLAIM", "x", "g", "d", "0", "2-0"},
        {"XAUTOCLAIM", "x", "g", "e", "0", "0"}, {"XTRIM", "x", "MAXLEN", "1"},
        {"XSETID", "x", "9-9"}, {"XGROUP", "CREATECONSUMER", "x", "g", "f"},
        {"XGROUP", "DELCONSUMER", "x", "g", "c"}, {"XGROUP", "SETID", "x", "g", "$"},
        {"XGROUP", "DESTROY", "x", "g"}, {"XGROUP", "CREATE", "y", "g", "$", "MKSTREAM"}}},
      {"keyspace",
       {{"SET", "k", "v"}, {"SELECT", "1"}, {"SET", "k", "w"}, {"MOVE", "k", "2"},
        {"SWAPDB", "1", "2"}, {"SELECT", "0"}, {"COPY", "k", "k9", "DB", "3"},
        {"RENAME", "k", "k8"}, {"EXPIRE", "k8", "1000"}, {"PEXPIREAT", "k9", "1"},
        {"SET", "gone", "x"}, {"FLUSHDB"}, {"SET", "after", "flush"}, {"SELECT", "3"},
        {"FLUSHALL"}, {"SET", "k", "last"}}},
      {"transaction",
       {{"WATCH", "k"}, {"MULTI"}, {"SET", "k", "1"}, {"INCR", "k"}, {"LPUSH", "l", "a"},
        {"SADD", "s", "m"}, {"EXEC"}, {"MULTI"}, {"DEL", "k"}, {"DISCARD"}, {"UNWATCH"}}},
      {"mixed",
       {{"HELLO", "3"}, {"SET", "k0", "v", "PX", "100000"}, {"LPUSH", "k1", "a", "b"},
        {"HSET", "k2", "f", "v"}, {"SADD", "{k}3", "m1"}, {"TYPE", "k1"}, {"OBJECT", "ENCODING", "k1"},
        {"SCAN", "0", "MATCH", "k*", "COUNT", "10"}, {"ZADD", "k3", "1", "m"}, {"RENAME", "k1", "k9"},
        {"DBSIZE"}, {"TTL", "k0"}, {"CLIENT", "SETNAME", "fuzz"}, {"CONFIG", "SET", "hz", "20"},
        {"INFO", "keyspace"}, {"COMMAND", "INFO", "get"}, {"MEMORY", "USAGE", "k2"}}},
      {"segments", ManySegments()},
  };
}

// Enough log for three 4 KiB segments: records never span segments, so the log rolls.
std::vector<Line> ManySegments() {
  std::vector<Line> lines;
  for (int i = 0; i < 40; ++i) {
    lines.push_back({"SET", "key" + std::to_string(i), std::string(200, static_cast<char>('a' + i % 26))});
  }
  lines.push_back({"RPUSH", "list", std::string(250, 'l'), std::string(250, 'm')});
  lines.push_back({"DEL", "key1", "key2"});
  return lines;
}

// Multibulk encoding of a pipeline of lines.
std::string Resp(const std::vector<Line>& lines) {
  std::string out;
  for (const Line& line : lines) {
    out += "*" + std::to_string(line.size()) + "\r\n";
    for (const std::string& a : line) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  }
  return out;
}

// fuzz_command's input for `lines` sent by `client` (0 or 1): each command in its literal mode
// (head 6 << 5), the name as a table index, then every argument as raw bytes (kind 239, which
// is raw at key positions too). Keep in step with Decode() in fuzz_command.cc.
std::string Encode(const server::CommandTable& table, const std::vector<Line>& lines,
                   int client = 0) {
  std::string out;
  for (const Line& line : lines) {
    std::string name = line[0];
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto& all = table.all();
    size_t index = 0;
    while (index < all.size() && all[index].name != name) ++index;
    if (index == all.size()) {
      std::fprintf(stderr, "make_seeds: no command %s\n", name.c_str());
      std::exit(1);
    }
    out.push_back(static_cast<char>((6 << 5) | client));
    out.push_back(static_cast<char>(index & 0xff));
    out.push_back(static_cast<char>(index >> 8));
    size_t first_arg = 1;
    if (!all[index].subcommands.empty()) {
      out.push_back(0);  // 0 % 8 == 0: no subcommand chosen; it comes as an argument
    }
    out.push_back(static_cast<char>(line.size() - first_arg));
    for (size_t i = first_arg; i < line.size(); ++i) {
      if (line[i].size() > 255) {
        std::fprintf(stderr, "make_seeds: argument too long for the encoding\n");
        std::exit(1);
      }
      out.push_back(static_cast<char>(239));
      out.push_back(static_cast<char>(line[i].size()));
      out += line[i];
    }
  }
  return out;
}

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) {
    std::fprintf(stderr, "make_seeds: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

std::string ReadFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void Check(const Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "make_seeds: %s: %s\n", what, st.message().c_str());
    std::exit(1);
  }
}

// Runs `lines` on an in-process server logging to <work>/wal, then snapshots it into
// <work>/snap. Returns the log's segments back to back and the snapshot file's bytes.
std::pair<std::string, std::string> LogAndSnapshot(const fs::path& work,
                                                   const std::vector<Line>& lines) {
  fs::remove_all(work);
  fs::create_directories(work);
  auto config = std::make_unique<server::Config>();
  const std::pair<const char*, std::string> settings[] = {
      {"shards", "4"},
      {"appendonly", "yes"},
      {"appenddirname", (work / "wal").string()},
      {"snapshot-dirname", (work / "snap").string()},
      {"wal-segment-size", "4096"},
      {"wal-io-backend", "pwrite"},
      {"save", ""},
      {"snapshot-wal-bytes", "0"},
  };
  for (const auto& [name, value] : settings) Check(config->Set(name, value, true), name);
  server::Server srv(std::move(config));
  srv.ApplyConfig();
  srv.stats().InitWorkers(1);
  Check(srv.persistence().Recover(srv.keyspace(), {}, 0, [](uint64_t) {}), "opening the log");
  server::ClientState client;
  client.counters = &srv.stats().worker(0);
  client.authenticated = true;
  srv.clients().Add(&client);
  std::string out;
  server::ReplyBuilder reply(&out);
  strata::engine::RedoRecord redo;
  for (const Line& line : lines) {
    std::vector<std::string_view> args(line.begin(), line.end());
    reply.set_resp3(client.resp.load() == 3);
    srv.Execute(client, std::span<const std::string_view>(args), reply, &redo);
  }
  srv.watches().UnwatchAll(&client);
  srv.clients().Remove(&client);
  Check(srv.persistence().Close(), "closing the log");
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(work / "wal")) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("wal-") && name.ends_with(".log")) segments.push_back(e.path());
  }
  std::sort(segments.begin(), segments.end());
  std::string log;
  for (const fs::path& p : segments) log += ReadFile(p);
  Check(srv.snapshots().Save("seed"), "saving the snapshot");
  std::string snap;
  for (const auto& e : fs::directory_iterator(work / "snap")) {
    if (e.path().extension() == ".snap") snap = ReadFile(e.path());
  }
  return {log, snap};
}

std::string Name(int n, std::string_view what) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02d-", n);
  return buf + std::string(what);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir, e.g. tests/fuzz/corpus>\n", argv[0]);
    return 2;
  }
  const fs::path corpus = argv[1];
  for (const char* t : {"resp", "command", "wal", "snapshot"}) fs::create_directories(corpus / t);
  char tmpl[] = "/tmp/strata-make-seeds-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  const fs::path work = tmpl;

  const std::vector<CommandSet> sets = CommandSets();
  server::CommandTable table;
  int n = 0;
  for (const CommandSet& set : sets) {
    ++n;
    WriteFile(corpus / "resp" / Name(n, set.name), std::string(1, '\0') + Resp(set.lines));
    WriteFile(corpus / "command" / Name(n, set.name), Encode(table, set.lines));
    auto [log, snap] = LogAndSnapshot(work / set.name, set.lines);
    WriteFile(corpus / "wal" / Name(n, set.name), log);
    WriteFile(corpus / "snapshot" / Name(n, set.name), snap);
  }

  // RESP requests beyond well-formed multibulk: inline, quoting, empty commands, limits, errors.
  // The first byte picks the limits (0 Redis's, 1 small, 2 one byte, 3 4-byte lines).
  const std::pair<const char*, std::string> resp[] = {
      {"inline", std::string(1, '\0') + "PING\r\nSET k v\r\nGET k\n\r\n  \r\n"},
      {"inline-quotes", std::string(1, '\0') + "SET \"a\\x41\\n\\\"\" 'b\\'c' \"\"\r\nECHO x\"y\"\r\n"},
      {"empty-commands", std::string(1, '\0') + "*0\r\n*-1\r\n\r\n*1\r\n$4\r\nPING\r\n"},
      {"partial", std::string(1, '\0') + "*2\r\n$3\r\nGET\r\n$100\r\nabc"},
      {"bad-count", std::string(1, '\0') + "*abc\r\n"},
      {"bad-bulk", std::string(1, '\0') + "*1\r\n$-5\r\n"},
      {"expected-dollar", std::string(1, '\0') + "*1\r\n:5\r\n"},
      {"small-limits", std::string(1, '\1') + "*9\r\n$17\r\n" + std::string(17, 'x') + "\r\n"},
      {"one-byte-limits", std::string(1, '\2') + "*2\r\n$1\r\na\r\n$1\r\nb\r\nPI\r\n"},
      {"long-inline", std::string(1, '\3') + "GET k\r\n"},
      {"unbalanced", std::string(1, '\0') + "SET \"k v\r\n"},
  };
  for (const auto& [what, bytes] : resp) WriteFile(corpus / "resp" / Name(++n, what), bytes);

  // Two clients: blocking pops woken by a push, pub/sub across clients, RESP3 and MULTI.
  const std::vector<std::pair<int, Line>> two[] = {
      {{1, {"BLPOP", "q", "0"}}, {0, {"RPUSH", "q", "a", "b"}}, {1, {"BLMOVE", "q", "r", "LEFT", "RIGHT", "1"}},
       {1, {"BZPOPMIN", "z", "0.1"}}, {0, {"ZADD", "z", "1", "m"}}, {1, {"BLMPOP", "0", "1", "q", "LEFT"}},
       {1, {"XREAD", "BLOCK", "0", "STREAMS", "x", "$"}}, {0, {"XADD", "x", "*", "f", "v"}},
       {0, {"XGROUP", "CREATE", "x", "g", "$"}},
       {1, {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "x", ">"}},
       {0, {"XADD", "x", "*", "f", "w"}}},
      {{1, {"SUBSCRIBE", "ch1", "ch2"}}, {0, {"PUBLISH", "ch1", "hi"}}, {1, {"PSUBSCRIBE", "ch*"}},
       {0, {"PUBSUB", "NUMSUB", "ch1"}}, {1, {"PING"}}, {1, {"UNSUBSCRIBE"}}, {1, {"RESET"}}},
      {{0, {"HELLO", "3"}}, {0, {"WATCH", "k"}}, {1, {"SET", "k", "x"}}, {0, {"MULTI"}},
       {0, {"GET", "k"}}, {0, {"EXEC"}}, {0, {"CLIENT", "LIST"}}, {1, {"CLIENT", "KILL", "ID", "1"}}},
  };
  const char* two_names[] = {"blocking", "pubsub", "watch-resp3"};
  for (size_t i = 0; i < std::size(two); ++i) {
    std::string bytes;
    for (const auto& [client, line] : two[i]) bytes += Encode(table, {line}, client);
    WriteFile(corpus / "command" / Name(++n, two_names[i]), bytes);
  }
  fs::remove_all(work);
  return 0;
}
