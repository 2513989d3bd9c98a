#include "server/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include <fstream>
#include <sstream>

#include "base/string_util.h"

namespace strata::server {
namespace {

enum class Type { kString, kInt, kMemory, kBool, kEnum };

struct ParamDef {
  Param id;
  const char* name;
  Type type;
  const char* default_value;
  bool mutable_at_runtime;
  int64_t min;
  int64_t max;
  const char* enum_values;  // comma-separated, for kEnum
};

constexpr int64_t kIntMax = 2147483647;
constexpr int64_t kLLMax = INT64_MAX;

// The table of settings, in the order CONFIG GET lists them.
const ParamDef kParams[] = {
    {Param::kBind, "bind", Type::kString, "127.0.0.1", false, 0, 0, nullptr},
    {Param::kPort, "port", Type::kInt, "6379", false, 0, 65535, nullptr},
    {Param::kDir, "dir", Type::kString, "./data", false, 0, 0, nullptr},
    {Param::kThreads, "threads", Type::kInt, "0", false, 0, 256, nullptr},
    {Param::kShards, "shards", Type::kInt, "64", false, 1, 1024, nullptr},
    {Param::kDatabases, "databases", Type::kInt, "16", false, 1, kIntMax, nullptr},
    {Param::kRequirepass, "requirepass", Type::kString, "", true, 0, 0, nullptr},
    // Refuse clients that are not on the loopback while the default user has no password.
    {Param::kProtectedMode, "protected-mode", Type::kBool, "yes", true, 0, 0, nullptr},
    {Param::kMaxclients, "maxclients", Type::kInt, "10000", true, 1, kIntMax, nullptr},
    {Param::kTimeout, "timeout", Type::kInt, "0", true, 0, kIntMax, nullptr},
    {Param::kProtoMaxBulkLen, "proto-max-bulk-len", Type::kMemory, "536870912", true, 1024 * 1024,
     kLLMax, nullptr},
    {Param::kClientQueryBufferLimit, "client-query-buffer-limit", Type::kMemory, "1073741824", true,
     1024 * 1024, kLLMax, nullptr},
    // "<class> <hard> <soft> <soft-seconds>" for any of the classes normal, replica (slave),
    // pubsub; CONFIG SET changes only the classes it names.
    {Param::kClientOutputBufferLimit, "client-output-buffer-limit", Type::kString,
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", true, 0, 0, nullptr},
    // Strata's back-pressure: a client whose unsent replies pass this many bytes is not read
    // from until they drain to half of it (0 = never pause).
    {Param::kClientOutputBackpressure, "client-output-backpressure", Type::kMemory, "1048576",
     true, 0, kLLMax, nullptr},
    {Param::kLoglevel, "loglevel", Type::kEnum, "notice", true, 0, 0,
     "debug,verbose,notice,warning"},
    {Param::kLogfile, "logfile", Type::kString, "", false, 0, 0, nullptr},
    {Param::kHz, "hz", Type::kInt, "10", true, 0, kIntMax, nullptr},
    {Param::kIoBackend, "io-backend", Type::kEnum, "auto", false, 0, 0, "auto,uring,epoll"},
    // Turning the log on at run time needs a snapshot of the dataset to start it from: not yet.
    {Param::kAppendonly, "appendonly", Type::kBool, "yes", false, 0, 0, nullptr},
    {Param::kAppendfsync, "appendfsync", Type::kEnum, "everysec", true, 0, 0,
     "always,everysec,no"},
    {Param::kAppenddirname, "appenddirname", Type::kString, "appendonlydir", false, 0, 0, nullptr},
    {Param::kWalSegmentSize, "wal-segment-size", Type::kMemory, "67108864", false, 4096, kLLMax,
     nullptr},
    {Param::kWalIoBackend, "wal-io-backend", Type::kEnum, "auto", false, 0, 0,
     "auto,uring,pwrite"},
    // Snapshots: after `save` "<seconds> <changes>" points (Redis's rule), after
    // snapshot-wal-bytes of log (0 = never), at SAVE/BGSAVE and at a clean shutdown.
    {Param::kSave, "save", Type::kString, "3600 1 300 100 60 10000", true, 0, 0, nullptr},
    {Param::kSnapshotDirname, "snapshot-dirname", Type::kString, "snapshots", false, 0, 0, nullptr},
    {Param::kSnapshotWalBytes, "snapshot-wal-bytes", Type::kMemory, "268435456", true, 0, kLLMax,
     nullptr},
    {Param::kSnapshotKeep, "snapshot-keep", Type::kInt, "2", true, 1, 1000, nullptr},
    // Start even when snapshots exist and none can be read (from the write-ahead log alone).
    {Param::kSnapshotIgnoreUnreadable, "snapshot-ignore-unreadable", Type::kBool, "no", false, 0, 0,
     nullptr},
    // Memory limit of the dataset (0 = none) and what to do when a write would pass it:
    // Redis's names, order and defaults (engine/evict.h).
    {Param::kMaxmemory, "maxmemory", Type::kMemory, "0", true, 0, kLLMax, nullptr},
    {Param::kMaxmemoryPolicy, "maxmemory-policy", Type::kEnum, "noeviction", true, 0, 0,
     "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,"
     "volatile-ttl,noeviction"},
    {Param::kMaxmemorySamples, "maxmemory-samples", Type::kInt, "5", true, 1, 64, nullptr},
    {Param::kLfuLogFactor, "lfu-log-factor", Type::kInt, "10", true, 0, kIntMax, nullptr},
    {Param::kLfuDecayTime, "lfu-decay-time", Type::kInt, "1", true, 0, kIntMax, nullptr},
    // The overflow tier (engine/tier.h): on when tier-dir is set (relative to `dir`). Cold
    // values move there when the dataset passes maxmemory; tier-max-bytes bounds it (0 = no
    // bound); tier-block-cache is RocksDB's block cache.
    {Param::kTierDir, "tier-dir", Type::kString, "", false, 0, 0, nullptr},
    {Param::kTierMaxBytes, "tier-max-bytes", Type::kMemory, "0", true, 0, kLLMax, nullptr},
    {Param::kTierBlockCache, "tier-block-cache", Type::kMemory, "33554432", false, 0, kLLMax,
     nullptr},
    // Compact encodings of small collections (engine/value.h), Redis's names and defaults.
    // list-max-listpack-size: > 0 elements per node, -1..-5 node bytes 4 KB..64 KB.
    {Param::kListMaxListpackSize, "list-max-listpack-size", Type::kInt, "-2", true, -kIntMax - 1,
     kIntMax, nullptr},
    {Param::kHashMaxListpackEntries, "hash-max-listpack-entries", Type::kInt, "512", true, 0,
     kLLMax, nullptr},
    {Param::kHashMaxListpackValue, "hash-max-listpack-value", Type::kInt, "64", true, 0, kLLMax,
     nullptr},
    {Param::kSetMaxIntsetEntries, "set-max-intset-entries", Type::kInt, "512", true, 0, kLLMax,
     nullptr},
    {Param::kSetMaxListpackEntries, "set-max-listpack-entries", Type::kInt, "128", true, 0, kLLMax,
     nullptr},
    {Param::kSetMaxListpackValue, "set-max-listpack-value", Type::kInt, "64", true, 0, kLLMax,
     nullptr},
    {Param::kZSetMaxListpackEntries, "zset-max-listpack-entries", Type::kInt, "128", true, 0,
     kLLMax, nullptr},
    {Param::kZSetMaxListpackValue, "zset-max-listpack-value", Type::kInt, "64", true, 0, kLLMax,
     nullptr},
    // A daemon deployment (server/main.cc): detach, write a pid file, tell systemd when ready.
    {Param::kDaemonize, "daemonize", Type::kBool, "no", false, 0, 0, nullptr},
    {Param::kPidfile, "pidfile", Type::kString, "", false, 0, 0, nullptr},
    {Param::kSupervised, "supervised", Type::kEnum, "no", false, 0, 0, "upstart,systemd,auto,no"},
    {Param::kUnixsocket, "unixsocket", Type::kString, "", false, 0, 0, nullptr},
    // An octal mode such as 700 (0 = leave the umask's).
    {Param::kUnixsocketperm, "unixsocketperm", Type::kInt, "0", false, 0, 0777, nullptr},
    {Param::kTcpBacklog, "tcp-backlog", Type::kInt, "511", false, 0, kIntMax, nullptr},
    {Param::kTcpKeepalive, "tcp-keepalive", Type::kInt, "300", true, 0, kIntMax, nullptr},
    {Param::kSetProcTitle, "set-proc-title", Type::kBool, "yes", false, 0, 0, nullptr},
    {Param::kProcTitleTemplate, "proc-title-template", Type::kString,
     "{title} {listen-addr} {server-mode}", true, 0, 0, nullptr},
    {Param::kOomScoreAdj, "oom-score-adj", Type::kEnum, "no", true, 0, 0,
     "no,yes,relative,absolute"},
    {Param::kOomScoreAdjValues, "oom-score-adj-values", Type::kString, "0 200 800", true, 0, 0,
     nullptr},
};
static_assert(sizeof(kParams) / sizeof(kParams[0]) == static_cast<size_t>(Param::kCount));

// `save`: empty, or pairs "<seconds> <changes>" of non-negative integers.
bool ValidSavePoints(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  int words = 0;
  while (in >> word) {
    std::optional<int64_t> v = ParseInt64(word);
    if (!v || *v < 0) return false;
    ++words;
  }
  return words % 2 == 0;
}

int FindParam(std::string_view name) {
  for (size_t i = 0; i < std::size(kParams); ++i) {
    if (EqualsIgnoreCase(name, kParams[i].name)) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> SplitCommas(const char* s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

// Splits a config line into words with Redis's quoting rules ("..." with escapes, '...').
bool SplitConfigLine(std::string_view line, std::vector<std::string>* words) {
  size_t i = 0;
  while (true) {
    while (i < line.size() && isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) return true;
    std::string w;
    if (line[i] == '"' || line[i] == '\'') {
      char q = line[i++];
      bool closed = false;
      while (i < line.size()) {
        char c = line[i++];
        if (c == '\\' && q == '"' && i < line.size()) {
          char n = line[i++];
          w.push_back(n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n);
        } else if (c == q) {
          closed = true;
          break;
        } else {
          w.push_back(c);
        }
      }
      if (!closed) return false;
    } else {
      while (i < line.size() && !isspace(static_cast<unsigned char>(line[i]))) w.push_back(line[i++]);
    }
    words->push_back(std::move(w));
  }
}

}  // namespace

bool ParseMemory(std::string_view s, int64_t* out) {
  size_t digits = 0;
  if (!s.empty() && s[0] == '-') digits = 1;
  while (digits < s.size() && isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  std::string unit = ToLower(s.substr(digits));
  int64_t mul = 1;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "k") mul = 1000;
  else if (unit == "kb") mul = 1024;
  else if (unit == "m") mul = 1000 * 1000;
  else if (unit == "mb") mul = 1024 * 1024;
  else if (unit == "g") mul = 1000LL * 1000 * 1000;
  else if (unit == "gb") mul = 1024LL * 1024 * 1024;
  else return false;
  auto n = ParseInt64(s.substr(0, digits));
  if (!n || (*n != 0 && (*n > INT64_MAX / mul || *n < INT64_MIN / mul))) return false;
  *out = *n * mul;
  return true;
}

Config::Config() {
  for (size_t i = 0; i < std::size(kParams); ++i) {
    ints_[i] = 0;
    SetLocked(static_cast<int>(i), kParams[i].default_value).PermitUnchecked();
  }
}

std::string Config::String(Param p) const {
  std::lock_guard<std::mutex> l(mu_);
  return strings_[static_cast<int>(p)];
}

Status Config::SetLocked(int index, std::string_view value) {
  const ParamDef& d = kParams[index];
  int64_t n = 0;
  std::string text(value);
  switch (d.type) {
    case Type::kString:
      if (d.id == Param::kSave && !ValidSavePoints(text)) {
        return Status::InvalidArgument("Invalid save parameters");
      }
      if (d.id == Param::kClientOutputBufferLimit) RETURN_IF_ERROR(SetOutputLimits(value, &text));
      break;
    case Type::kInt:
    case Type::kMemory: {
      bool ok = d.type == Type::kInt ? ParseInt64(value).has_value() : ParseMemory(value, &n);
      if (d.type == Type::kInt && ok) n = *ParseInt64(value);
      if (d.id == Param::kUnixsocketperm) {  // octal, as chmod takes it
        char* end = nullptr;
        std::string digits(value);
        n = std::strtoll(digits.c_str(), &end, 8);
        ok = !digits.empty() && *end == '\0';
      }
      if (!ok) {
        return Status::InvalidArgument(d.type == Type::kInt
                                           ? "argument couldn't be parsed into an integer"
                                           : "argument must be a memory value");
      }
      if (n < d.min || n > d.max) {
        return Status::InvalidArgument("argument must be between " + std::to_string(d.min) +
                                       " and " + std::to_string(d.max) + " inclusive");
      }
      if (d.id == Param::kHz && n < 1) n = 1;  // Redis clamps hz to [1, 500]
      if (d.id == Param::kHz && n > 500) n = 500;
      if (d.id == Param::kUnixsocketperm) {
        char octal[24];
        std::snprintf(octal, sizeof(octal), "%llo", static_cast<unsigned long long>(n));
        text = octal;
      } else {
        text = std::to_string(n);
      }
      break;
    }
    case Type::kBool:
      if (EqualsIgnoreCase(value, "yes")) n = 1;
      else if (EqualsIgnoreCase(value, "no")) n = 0;
      else return Status::InvalidArgument("argument must be 'yes' or 'no'");
      text = n ? "yes" : "no";
      break;
    case Type::kEnum: {
      auto values = SplitCommas(d.enum_values);
      int found = -1;
      for (size_t i = 0; i < values.size(); ++i) {
        if (EqualsIgnoreCase(value, values[i])) found = static_cast<int>(i);
      }
      if (found < 0) {
        std::string list;
        for (size_t i = 0; i < values.size(); ++i) list += (i ? ", " : "") + values[i];
        return Status::InvalidArgument("argument(s) must be one of the following: " + list);
      }
      n = found;
      text = values[found];
      break;
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  strings_[index] = std::move(text);
  ints_[index].store(n, std::memory_order_relaxed);
  return Status::Ok();
}

Status Config::SetOutputLimits(std::string_view value, std::string* canonical) {
  std::istringstream in{std::string(value)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(std::move(w));
  if (words.size() % 4 != 0) {
    return Status::InvalidArgument("Wrong number of arguments in buffer limit configuration.");
  }
  // All or nothing: check every class before changing any.
  std::vector<std::pair<int, OutputBufferLimit>> parsed;
  for (size_t i = 0; i < words.size(); i += 4) {
    int cls = EqualsIgnoreCase(words[i], "normal")                                         ? 0
              : EqualsIgnoreCase(words[i], "slave") || EqualsIgnoreCase(words[i], "replica") ? 1
              : EqualsIgnoreCase(words[i], "pubsub")                                        ? 2
                                                                                            : -1;
    if (cls < 0) {
      return Status::InvalidArgument("Invalid client class specified in buffer limit configuration.");
    }
    OutputBufferLimit l;
    std::optional<int64_t> secs = ParseInt64(words[i + 3]);
    if (!ParseMemory(words[i + 1], &l.hard) || !ParseMemory(words[i + 2], &l.soft) || !secs ||
        l.hard < 0 || l.soft < 0 || *secs < 0) {
      return Status::InvalidArgument(
          "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    }
    l.soft_seconds = *secs;
    parsed.emplace_back(cls, l);
  }
  for (const auto& [cls, l] : parsed) {
    obuf_limits_[cls][0].store(l.hard, std::memory_order_relaxed);
    obuf_limits_[cls][1].store(l.soft, std::memory_order_relaxed);
    obuf_limits_[cls][2].store(l.soft_seconds, std::memory_order_relaxed);
  }
  canonical->clear();
  static constexpr const char* kNames[] = {"normal", "slave", "pubsub"};
  for (int cls = 0; cls < static_cast<int>(ClientClass::kCount); ++cls) {
    if (cls > 0) *canonical += " ";
    *canonical += std::string(kNames[cls]) + " " + std::to_string(obuf_limits_[cls][0].load()) +
                  " " + std::to_string(obuf_limits_[cls][1].load()) + " " +
                  std::to_string(obuf_limits_[cls][2].load());
  }
  return Status::Ok();
}

Status Config::Set(std::string_view name, std::string_view value, bool startup) {
  int i = FindParam(name);
  if (i < 0) {
    if (startup) return Status::InvalidArgument("Bad directive or wrong number of arguments");
    return Status::InvalidArgument("Unknown option or number of arguments for CONFIG SET - '" +
                                   std::string(name) + "'");
  }
  std::string prefix = "CONFIG SET failed (possibly related to argument '" +
                       std::string(kParams[i].name) + "') - ";
  if (!startup && !kParams[i].mutable_at_runtime) {
    // Where files go (dir, logfile, the log and snapshot directories) is the operator's choice
    // at start-up only: a client cannot point the server's writes elsewhere.
    return Status::InvalidArgument(prefix + (kParams[i].id == Param::kDir
                                                 ? "can't set protected config"
                                                 : "can't set immutable config"));
  }
  Status st = SetLocked(i, value);
  if (!st.ok()) return Status::InvalidArgument(startup ? st.message() : prefix + st.message());
  return st;
}

std::vector<std::pair<std::string, std::string>> Config::Get(std::string_view pattern) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::lock_guard<std::mutex> l(mu_);
  for (size_t i = 0; i < std::size(kParams); ++i) {
    if (GlobMatch(pattern, kParams[i].name, /*nocase=*/true)) {
      out.emplace_back(kParams[i].name, strings_[i]);
    }
  }
  return out;
}

Status Config::LoadText(std::string_view text, std::string_view origin) {
  size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || isspace(static_cast<unsigned char>(line.back()))))
      line.remove_suffix(1);
    std::vector<std::string> words;
    bool ok = SplitConfigLine(line, &words);
    if (ok && (words.empty() || words[0][0] == '#')) continue;
    auto fail = [&](const std::string& why) {
      return Status::InvalidArgument("\n*** FATAL CONFIG FILE ERROR ***\nReading the configuration " +
                                     std::string(origin) + ", at line " + std::to_string(line_no) +
                                     "\n>>> '" + std::string(line) + "'\n" + why);
    };
    if (!ok) return fail("Unbalanced quotes in configuration line");
    if (words.size() < 2 && !EqualsIgnoreCase(words[0], "save") &&
        !EqualsIgnoreCase(words[0], "requirepass") && !EqualsIgnoreCase(words[0], "logfile")) {
      return fail("Bad directive or wrong number of arguments");
    }
    std::string value;
    for (size_t i = 1; i < words.size(); ++i) value += (i > 1 ? " " : "") + words[i];
    Status st = Set(words[0], value, /*startup=*/true);
    if (!st.ok()) return fail(st.message());
  }
  return Status::Ok();
}

Status Config::LoadArgs(int argc, const char* const* argv) {
  int i = 1;
  if (argc > 1 && argv[1][0] != '-') {
    std::ifstream f(argv[1]);
    if (!f) return Status::InvalidArgument(std::string("Fatal error, can't open config file '") +
                                           argv[1] + "'");
    std::stringstream ss;
    ss << f.rdbuf();
    RETURN_IF_ERROR(LoadText(ss.str(), "file"));
    std::error_code ec;
    std::string path = std::filesystem::absolute(argv[1], ec).string();
    std::lock_guard<std::mutex> l(mu_);
    file_ = ec ? std::string(argv[1]) : path;
    i = 2;
  }
  // "--name v1 v2 --other v" becomes config lines, as redis-server does.
  std::string text;
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.size() > 2 && a.substr(0, 2) == "--") {
      if (!text.empty()) text += "\n";
      text += a.substr(2);
    } else {
      text += " \"";
      for (char c : a) {
        if (c == '"' || c == '\\') text += '\\';
        text += c;
      }
      text += "\"";
    }
  }
  return LoadText(text, "command line");
}

std::string Config::file() const {
  std::lock_guard<std::mutex> l(mu_);
  return file_;
}

namespace {

// A value as a config line carries it: bare when it is one plain word, else double-quoted.
std::string QuoteConfigValue(const std::string& v, bool multi_word) {
  bool plain = !v.empty();
  for (char c : v) {
    if (c == '"' || c == '\\' || c == '\'' || static_cast<unsigned char>(c) < 0x21 ||
        static_cast<unsigned char>(c) > 0x7e) {
      if (!(multi_word && c == ' ')) plain = false;
    }
  }
  if (plain) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

}  // namespace

Status Config::Rewrite() {
  const std::string path = file();
  if (path.empty()) return Status::InvalidArgument("The server is running without a config file");
  std::string old_text;
  {
    std::ifstream f(path);
    if (f) {
      std::stringstream ss;
      ss << f.rdbuf();
      old_text = ss.str();
    }
  }
  std::vector<bool> written(std::size(kParams), false);
  auto line_for = [&](size_t i) {
    // "save" holds several words that are each a value; other settings are one value.
    std::string v = String(kParams[i].id);
    bool multi = kParams[i].id == Param::kSave || kParams[i].id == Param::kBind ||
                 kParams[i].id == Param::kClientOutputBufferLimit;
    return std::string(kParams[i].name) + " " + QuoteConfigValue(v, multi);
  };
  std::string out;
  std::istringstream lines(old_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> words;
    int idx = SplitConfigLine(line, &words) && !words.empty() && words[0][0] != '#'
                  ? FindParam(words[0])
                  : -1;
    if (idx < 0) {
      if (line != "# Generated by CONFIG REWRITE") out += line + "\n";
      continue;
    }
    if (written[idx]) continue;  // a later duplicate: the first line carries the value
    written[idx] = true;
    out += line_for(idx) + "\n";
  }
  bool header = false;
  for (size_t i = 0; i < std::size(kParams); ++i) {
    if (written[i]) continue;
    Config defaults;
    if (String(kParams[i].id) == defaults.String(kParams[i].id)) continue;
    if (!header) {
      if (!out.empty() && out.back() != '\n') out += "\n";
      out += "# Generated by CONFIG REWRITE\n";
      header = true;
    }
    out += line_for(i) + "\n";
  }
  const std::string tmp = path + ".tmp-rewrite";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("Rewriting config file: " + std::string(strerror(errno)));
  bool ok = ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError("Rewriting config file: " + std::string(strerror(err)));
  }
  return Status::Ok();
}

}  // namespace strata::server
