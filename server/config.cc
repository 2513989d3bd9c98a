#include "server/config.h"

#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include <fstream>
#include <sstream>

#include "base/string_util.h"
#include "server/config_table.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using config_table::Alias;
using config_table::ParamDef;
using config_table::Support;
using config_table::Type;

std::span<const ParamDef> Table() { return config_table::Params(); }

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

// The table index of a setting by its name or an old name, or -1.
int FindParam(std::string_view name) {
  for (const Alias& a : config_table::Aliases()) {
    if (EqualsIgnoreCase(name, a.old_name)) name = a.name;
  }
  for (size_t i = 0; i < Table().size(); ++i) {
    if (EqualsIgnoreCase(name, Table()[i].name)) return static_cast<int>(i);
  }
  return -1;
}

// A config memory value as Redis reads one: digits then an optional unit (b, k, kb, m, mb, g,
// gb; any case), no sign or spaces; no digits is 0, and too many saturate at 2^64-1.
std::optional<uint64_t> ParseRedisMemory(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  const std::string unit = ToLower(s.substr(digits));
  static constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"", 1},       {"b", 1},           {"k", 1000},      {"kb", 1024},
      {"m", 1000000}, {"mb", 1024 * 1024}, {"g", 1000000000}, {"gb", 1024ULL * 1024 * 1024}};
  uint64_t mul = 0;
  for (const auto& [name, m] : kUnits) {
    if (unit == name) mul = m;
  }
  if (mul == 0) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  return v > UINT64_MAX / mul ? UINT64_MAX : v * mul;
}

Status OutOfRange(const ParamDef& d) {
  return Status::InvalidArgument("argument must be between " + std::to_string(d.min) + " and " +
                                 std::to_string(d.max) + " inclusive");
}

// proc-title-template: text and Redis's {variables}. As Redis, it is refused when it would
// expand to nothing but spaces with an empty title: {port}, {tls-port}, {listen-addr} and
// {unixsocket} always give text (Redis's shows "(null)" without a socket), {title},
// {server-mode} and {config-file} may not.
bool ValidProcTitleTemplate(std::string_view t) {
  static constexpr std::string_view kAlwaysText[] = {"{port}", "{tls-port}", "{listen-addr}",
                                                     "{unixsocket}"};
  static constexpr std::string_view kMaybeEmpty[] = {"{title}", "{server-mode}", "{config-file}"};
  bool text = false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '{' || (i + 1 < t.size() && t[i + 1] == '{')) {  // "{{" is a literal brace
      if (t[i] == '{') ++i;
      text = text || t[i] != ' ';
      continue;
    }
    size_t close = t.find('}', i);
    if (close == std::string_view::npos) return false;
    std::string_view var = t.substr(i, close - i + 1);
    if (std::find(std::begin(kAlwaysText), std::end(kAlwaysText), var) != std::end(kAlwaysText)) {
      text = true;
    } else if (std::find(std::begin(kMaybeEmpty), std::end(kMaybeEmpty), var) ==
               std::end(kMaybeEmpty)) {
      return false;
    }
    i = close;
  }
  return text;
}

// cluster-announce-hostname: letters, digits, hyphens and dots (or empty).
bool ValidHostname(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

// latency-tracking-info-percentiles: numbers in [0, 100]; Redis's two errors.
Status ValidPercentiles(const std::string& text) {
  std::istringstream in(text);
  for (std::string w; in >> w;) {
    char* end = nullptr;
    double d = std::strtod(w.c_str(), &end);
    if (*end != '\0') {
      return Status::InvalidArgument("Invalid latency-tracking-info-percentiles parameters");
    }
    if (!(d >= 0 && d <= 100)) {
      return Status::InvalidArgument(
          "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
    }
  }
  return Status::Ok();
}

// oom-score-adj-values: three integers in [-2000, 2000] (replica, master, background child).
Status ValidOomScoreAdjValues(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() != 3) return Status::InvalidArgument("wrong number of arguments");
  for (const std::string& w : words) {
    std::optional<int64_t> v = ParseInt64(w);
    if (!v || *v < -2000 || *v > 2000) {
      return Status::InvalidArgument("Invalid oom-score-adj-values, elements must be between "
                                     "-2000 and 2000.");
    }
  }
  return Status::Ok();
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
  // Redis's reading (ParseRedisMemory), with at least one digit and no saturation.
  if (s.empty() || !isdigit(static_cast<unsigned char>(s[0]))) return false;
  std::optional<uint64_t> v = ParseRedisMemory(s);
  if (!v || *v > static_cast<uint64_t>(INT64_MAX)) return false;
  *out = static_cast<int64_t>(*v);
  return true;
}

Config::Config() : ints_(new std::atomic<int64_t>[Table().size()]), strings_(Table().size()) {
  index_.fill(-1);
  for (size_t i = 0; i < Table().size(); ++i) {
    const ParamDef& d = Table()[i];
    if (d.id != Param::kNone) index_[static_cast<int>(d.id)] = static_cast<int>(i);
    ints_[i] = 0;
    SetLocked(static_cast<int>(i), d.default_value).PermitUnchecked();
  }
}

std::string Config::String(Param p) const {
  std::lock_guard<std::mutex> l(mu_);
  return strings_[index_[static_cast<int>(p)]];
}

Status Config::SetLocked(int index, std::string_view value) {
  const ParamDef& d = Table()[index];
  int64_t n = 0;
  std::string text(value);
  switch (d.type) {
    case Type::kString:
      if (d.id == Param::kSave && !ValidSavePoints(text)) {
        return Status::InvalidArgument("Invalid save parameters");
      }
      if (d.id == Param::kClientOutputBufferLimit) RETURN_IF_ERROR(SetOutputLimits(value, &text));
      if (d.id == Param::kNotifyKeyspaceEvents) {
        // The classes as bits in Int() (n included even where the text, as Redis's, omits it).
        std::optional<uint32_t> classes = ParseNotifyClasses(value);
        if (!classes) {
          return Status::InvalidArgument(
              "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        }
        n = *classes;
        text = NotifyClassesString(*classes);
      }
      if (d.id == Param::kOomScoreAdjValues) {
        RETURN_IF_ERROR(ValidOomScoreAdjValues(text));
      }
      if (EqualsIgnoreCase(d.name, "latency-tracking-info-percentiles")) {
        RETURN_IF_ERROR(ValidPercentiles(text));
      }
      if (d.id == Param::kProcTitleTemplate && !ValidProcTitleTemplate(text)) {
        return Status::InvalidArgument("template format is invalid or contains unknown variables");
      }
      if (EqualsIgnoreCase(d.name, "cluster-announce-hostname") && !ValidHostname(text)) {
        return Status::InvalidArgument(
            "Hostnames may only contain alphanumeric characters, hyphens or dots");
      }
      break;
    case Type::kOctal: {
      char* end = nullptr;
      std::string digits(value);
      errno = 0;
      n = std::strtoll(digits.c_str(), &end, 8);
      if (digits.empty() || *end != '\0' || errno != 0) {
        return Status::InvalidArgument("argument couldn't be parsed into an integer");
      }
      if (n < d.min || n > d.max) {
        return Status::InvalidArgument("argument must be between " + std::to_string(d.min) +
                                       " and " + std::to_string(d.max) + " inclusive");
      }
      char octal[24];
      std::snprintf(octal, sizeof(octal), "%llo", static_cast<unsigned long long>(n));
      text = octal;
      break;
    }
    case Type::kInt: {
      std::optional<int64_t> v = ParseInt64(value);
      if (!v) return Status::InvalidArgument("argument couldn't be parsed into an integer");
      n = *v;
      if (n < d.min || n > d.max) return OutOfRange(d);
      if (d.id == Param::kHz && n < 1) n = 1;  // Redis clamps hz to [1, 500]
      if (d.id == Param::kHz && n > 500) n = 500;
      text = std::to_string(n);
      break;
    }
    case Type::kMemory:
    case Type::kMemoryUnsigned:
    case Type::kMemoryPercent: {
      if (d.type == Type::kMemoryPercent && !value.empty() && value.back() == '%') {
        std::optional<int64_t> pct = ParseInt64(value.substr(0, value.size() - 1));
        if (!pct || *pct < 0) {
          return Status::InvalidArgument("argument must be a memory or percent value");
        }
        if (*pct > 100) {
          return Status::InvalidArgument("percentage argument must be less or equal to 100");
        }
        n = -*pct;  // stored as -percent, shown as given
        break;
      }
      std::optional<uint64_t> bytes = ParseRedisMemory(value);
      if (!bytes) {
        return Status::InvalidArgument(d.type == Type::kMemoryPercent
                                           ? "argument must be a memory or percent value"
                                           : "argument must be a memory value");
      }
      const uint64_t max = d.type == Type::kMemoryUnsigned ? UINT64_MAX : uint64_t(d.max);
      if (d.type == Type::kMemoryPercent && *bytes > uint64_t(INT64_MAX)) {
        return Status::InvalidArgument("percentage argument must be less or equal to 100");
      }
      if (*bytes < uint64_t(d.min) || *bytes > max) {
        return Status::InvalidArgument("argument must be between " + std::to_string(d.min) +
                                       " and " + std::to_string(max) + " inclusive");
      }
      if (EqualsIgnoreCase(d.name, "repl-backlog-size")) bytes = std::max<uint64_t>(*bytes, 16384);
      n = static_cast<int64_t>(std::min<uint64_t>(*bytes, INT64_MAX));
      text = std::to_string(*bytes);
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
  if (d.support == Support::kUnsupported && text != d.default_value) {
    return Status::InvalidArgument(std::string(d.note) + " is not supported by Strata yet");
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
  const ParamDef& d = Table()[i];
  std::string prefix =
      "CONFIG SET failed (possibly related to argument '" + std::string(name) + "') - ";
  if (!startup && !d.mutable_at_runtime) {
    // Where files go (dir, logfile, the log and snapshot directories) is the operator's choice
    // at start-up only: a client cannot point the server's writes elsewhere.
    return Status::InvalidArgument(prefix + (d.protected_config ? "can't set protected config"
                                                                : "can't set immutable config"));
  }
  Status st = SetLocked(i, value);
  if (!st.ok()) return Status::InvalidArgument(startup ? st.message() : prefix + st.message());
  return st;
}

std::vector<std::pair<std::string, std::string>> Config::Get(std::string_view pattern) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::lock_guard<std::mutex> l(mu_);
  for (size_t i = 0; i < Table().size(); ++i) {
    if (GlobMatch(pattern, Table()[i].name, /*nocase=*/true)) {
      out.emplace_back(Table()[i].name, strings_[i]);
    }
    for (const Alias& a : config_table::Aliases()) {  // Redis 7.0 lists the old names too
      if (EqualsIgnoreCase(a.name, Table()[i].name) &&
          GlobMatch(pattern, a.old_name, /*nocase=*/true)) {
        out.emplace_back(a.old_name, strings_[i]);
      }
    }
  }
  return out;
}

void Config::NoteIfNoEffect(int index) {
  const ParamDef& d = Table()[index];
  if (d.support != Support::kNoEffect && d.support != Support::kLater) return;
  std::string value;
  {
    std::lock_guard<std::mutex> l(mu_);
    value = strings_[index];
  }
  std::string notice;
  if (value != d.default_value) {
    notice = "'" + std::string(d.name) + " " + value + "' " +
             (d.support == Support::kNoEffect
                  ? "has no effect in Strata: " + std::string(d.note)
                  : "is kept for " + std::string(d.note) + ", which Strata does not have yet");
  }
  // One notice per directive: the last value set is the one that counts.
  std::string key = "'" + std::string(d.name) + " ";
  std::erase_if(notices_, [&](const std::string& n) { return n.starts_with(key); });
  if (!notice.empty()) notices_.push_back(std::move(notice));
}

Status Config::LoadDirective(std::vector<std::string>& words, int depth) {
  const std::string& name = words[0];
  auto rest = [&](size_t from) {
    std::string v;
    for (size_t i = from; i < words.size(); ++i) v += (i > from ? " " : "") + words[i];
    return v;
  };
  if (EqualsIgnoreCase(name, "include")) {
    if (words.size() != 2) return Status::InvalidArgument("Bad directive or wrong number of arguments");
    glob_t g{};
    int rc = ::glob(words[1].c_str(), GLOB_NOCHECK, nullptr, &g);
    std::vector<std::string> paths;
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; ++i) paths.emplace_back(g.gl_pathv[i]);
    globfree(&g);
    for (const std::string& path : paths) {
      std::ifstream f(path);
      if (!f) {
        return Status::InvalidArgument("Fatal error, can't open config file '" + path +
                                       "': " + std::strerror(errno));
      }
      std::stringstream ss;
      ss << f.rdbuf();
      RETURN_IF_ERROR(LoadTextAt(ss.str(), "file " + path, depth + 1));
    }
    return Status::Ok();
  }
  if (EqualsIgnoreCase(name, "rename-command")) {
    if (words.size() != 3) return Status::InvalidArgument("Bad directive or wrong number of arguments");
    renames_.emplace_back(ToLower(words[1]), ToLower(words[2]));
    return Status::Ok();
  }
  if (EqualsIgnoreCase(name, "user")) {
    if (words.size() < 2) return Status::InvalidArgument("Bad directive or wrong number of arguments");
    users_.emplace_back(words.begin() + 1, words.end());
    return Status::Ok();
  }
  if (EqualsIgnoreCase(name, "loadmodule")) {
    return Status::InvalidArgument("Strata has no modules: loadmodule is not supported");
  }
  for (const char* ignored : config_table::IgnoredDirectives()) {
    if (EqualsIgnoreCase(name, ignored)) {
      notices_.push_back("'" + ToLower(name) + "' is deprecated in Redis and ignored");
      return Status::Ok();
    }
  }
  int index = FindParam(name);
  if (index < 0 || (words.size() < 2 && !EqualsIgnoreCase(name, "save") &&
                    Table()[index].type != Type::kString)) {
    return Status::InvalidArgument("Bad directive or wrong number of arguments");
  }
  std::string value = rest(1);
  if (Table()[index].id == Param::kSave && value != "") {
    // Each `save` line adds points; the first line of a load replaces the defaults.
    if (save_loaded_) {
      std::string old = String(Param::kSave);
      if (!old.empty()) value = old + " " + value;
    }
    save_loaded_ = true;
  } else if (Table()[index].id == Param::kSave) {
    save_loaded_ = true;
  }
  Status st = Set(name, value, /*startup=*/true);
  if (!st.ok()) return st;
  NoteIfNoEffect(index);
  return Status::Ok();
}

Status Config::LoadText(std::string_view text, std::string_view origin) {
  return LoadTextAt(text, origin, 0);
}

Status Config::LoadTextAt(std::string_view text, std::string_view origin, int depth) {
  if (depth > 16) return Status::InvalidArgument("include nesting is deeper than 16 files");
  size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || isspace(static_cast<unsigned char>(line.back()))))
      line.remove_suffix(1);
    while (!line.empty() && isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;  // as Redis: before the quotes are read
    std::vector<std::string> words;
    bool ok = SplitConfigLine(line, &words);
    if (ok && words.empty()) continue;
    auto fail = [&](const std::string& why) {
      if (why.starts_with("\n*** FATAL") || why.starts_with("Fatal error")) {
        return Status::InvalidArgument(why);  // from an included file: it names its own line
      }
      return Status::InvalidArgument("\n*** FATAL CONFIG FILE ERROR ***\nReading the configuration " +
                                     std::string(origin) + ", at line " + std::to_string(line_no) +
                                     "\n>>> '" + std::string(line) + "'\n" + why);
    };
    if (!ok) return fail("Unbalanced quotes in configuration line");
    Status st = LoadDirective(words, depth);
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

Status Config::Rewrite(const std::vector<std::string>& users) {
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
  const bool write_users = String(Param::kAclfile).empty();
  std::vector<bool> written(Table().size(), false);
  auto line_for = [&](size_t i) {
    // "save" holds several words that are each a value; other settings are one value.
    const ParamDef& d = Table()[i];
    std::string v;
    {
      std::lock_guard<std::mutex> l(mu_);
      v = strings_[i];
    }
    bool multi = d.id == Param::kSave || d.id == Param::kBind ||
                 d.id == Param::kClientOutputBufferLimit || d.id == Param::kReplicaof ||
                 d.id == Param::kOomScoreAdjValues ||
                 EqualsIgnoreCase(d.name, "latency-tracking-info-percentiles");
    return std::string(d.name) + " " + QuoteConfigValue(v, multi);
  };
  std::string out;
  bool users_written = false;
  auto add_users = [&] {
    if (users_written || !write_users) return;
    users_written = true;
    for (const std::string& u : users) out += u + "\n";
  };
  std::istringstream lines(old_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> words;
    bool directive = SplitConfigLine(line, &words) && !words.empty() && words[0][0] != '#';
    if (directive && EqualsIgnoreCase(words[0], "user") && write_users) {
      add_users();  // the users take the place of the first user line
      continue;
    }
    int idx = directive ? FindParam(words[0]) : -1;
    if (idx < 0) {
      if (line != "# Generated by CONFIG REWRITE") out += line + "\n";
      continue;
    }
    if (written[idx]) continue;  // a later duplicate: the first line carries the value
    written[idx] = true;
    out += line_for(idx) + "\n";
  }
  bool header = false;
  auto start_appending = [&] {
    if (header) return;
    if (!out.empty() && out.back() != '\n') out += "\n";
    out += "# Generated by CONFIG REWRITE\n";
    header = true;
  };
  const Config defaults;
  for (size_t i = 0; i < Table().size(); ++i) {
    if (written[i]) continue;
    std::string v;
    {
      std::lock_guard<std::mutex> l(mu_);
      v = strings_[i];
    }
    if (v == defaults.strings_[i]) continue;
    start_appending();
    out += line_for(i) + "\n";
  }
  // Users that differ from the one default user Redis starts with.
  if (!users_written && write_users &&
      !(users.size() == 1 && users[0] == "user default on nopass ~* &* +@all")) {
    if (!users.empty()) start_appending();
    add_users();
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
