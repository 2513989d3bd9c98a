// strata-inspect: offline inspection, verification and repair of Strata's data files. A thin
// command line over tools/inspect.h; README.md here describes every subcommand.
//
//   strata-inspect info PATH [--json]
//   strata-inspect verify PATH [--all] [--json]
//   strata-inspect keys PATH [--match PATTERN] [--type T] [--db N] [--include-expired]
//   strata-inspect get PATH KEY [--db N] [--raw] [--include-expired]
//   strata-inspect dump PATH [--match PATTERN] [--type T] [--db N] [--include-expired]
//   strata-inspect stats PATH [--top N] [--match PATTERN] [--type T] [--db N] [--json]
//   strata-inspect repair PATH [--json]
//   strata-inspect wal info|verify|dump|repair PATH ...
//
// PATH: a data directory (the server's --dir), a snapshot file or directory, a WAL directory or
// one WAL segment. Results on stdout; progress and notes on stderr. Exit status 0 when all is
// well, 1 when something is damaged, not found or cannot be read, 2 for a usage error.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "base/clock.h"
#include "tools/encoding.h"
#include "tools/inspect.h"
#include "tools/text_output.h"

namespace {

using json = strata::tools::Json;
namespace tools = strata::tools;

void PrintJson(const json& j, int indent) {
  const std::string s = j.dump(indent, ' ', false, json::error_handler_t::replace);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

void PrintText(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

void Note(const std::string& line) { std::fprintf(stderr, "strata-inspect: %s\n", line.c_str()); }

// Prints a document as JSON or text; the exit status is its "ok".
int Finish(const json& doc, bool as_json, std::string (*text)(const json&)) {
  if (as_json) {
    PrintJson(doc, 2);
  } else {
    PrintText(text(doc));
  }
  return doc.value("ok", false) ? 0 : 1;
}

int Fail(const strata::Status& st) {
  Note(st.message());
  return 1;
}

// The options shared by keys, dump and stats.
void AddFilter(CLI::App* cmd, tools::KeyFilter* f, bool expired_flag) {
  cmd->add_option("--match", f->match, "only keys matching this glob (as KEYS)");
  cmd->add_option("--type", f->type, "only keys of this type (string, list, hash, set, zset)");
  cmd->add_option("--db", f->db, "only this database");
  if (expired_flag) {
    cmd->add_flag("--include-expired", f->include_expired,
                  "also keys whose TTL has run out (the server would not return them)");
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "strata-inspect: offline inspection, verification and repair of a Strata data directory "
      "(snapshots and write-ahead log). PATH is the server's --dir, a snapshot file, a snapshot "
      "directory, a WAL directory or a WAL segment."};
  app.require_subcommand(1);
  tools::Context ctx;
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "no progress lines on stderr");
  app.add_option("--snapshot-dirname", ctx.snapshot_dirname,
                 "the server's snapshot-dirname (in a data directory)")
      ->capture_default_str();
  app.add_option("--appenddirname", ctx.wal_dirname,
                 "the server's appenddirname (in a data directory)")
      ->capture_default_str();

  std::string path, key;
  bool as_json = false, all = false, raw = false;
  tools::KeyFilter filter;
  tools::StatsOptions stats_options;
  int get_db = 0;
  uint64_t from = 1, limit = 0;

  CLI::App* info = app.add_subcommand(
      "info",
      "format, shards and LSNs, keys by type and database, sizes; for a data directory "
      "also what recovery would load");
  info->add_option("path", path, "data dir, snapshot or WAL")->required();
  info->add_flag("--json", as_json, "JSON instead of text");

  CLI::App* verify = app.add_subcommand(
      "verify", "check every checksum and structural rule; exit 1 with the first fault");
  verify->add_option("path", path, "data dir, snapshot or WAL")->required();
  verify->add_flag("--all", all, "go on past faults and report every one");
  verify->add_flag("--json", as_json, "JSON instead of text");

  CLI::App* keys = app.add_subcommand(
      "keys", "list keys, one a line (\"<db> <key>\" unless --db; unusual bytes quoted)");
  keys->add_option("path", path, "data dir or snapshot")->required();
  AddFilter(keys, &filter, true);

  CLI::App* get = app.add_subcommand("get", "one key as a JSON line (or its raw bytes)");
  get->add_option("path", path, "data dir or snapshot")->required();
  get->add_option("key", key, "the key")->required();
  get->add_option("--db", get_db, "database")->capture_default_str();
  get->add_flag("--raw", raw, "print the value's bytes only, exactly");
  get->add_flag("--include-expired", filter.include_expired, "also when its TTL has run out");

  CLI::App* dump = app.add_subcommand("dump", "every key as JSON Lines (see README.md)");
  dump->add_option("path", path, "data dir or snapshot")->required();
  AddFilter(dump, &filter, true);

  CLI::App* stats = app.add_subcommand(
      "stats", "types, key and value sizes, TTLs and the largest keys (capacity planning)");
  stats->add_option("path", path, "data dir or snapshot")->required();
  stats->add_option("--top", stats_options.top, "how many of the largest keys")
      ->capture_default_str();
  AddFilter(stats, &stats_options.filter, false);
  stats->add_flag("--json", as_json, "JSON instead of text");

  CLI::App* repair = app.add_subcommand(
      "repair", "cut a damaged WAL at its last valid record, backing up what it cuts");
  repair->add_option("path", path, "data dir or WAL dir")->required();
  repair->add_flag("--json", as_json, "JSON instead of text");

  CLI::App* wal = app.add_subcommand("wal", "the write-ahead log");
  wal->require_subcommand(1);
  CLI::App* wal_info = wal->add_subcommand("info", "segments, LSN ranges, record counts");
  wal_info->add_option("path", path, "data dir, WAL dir or segment")->required();
  wal_info->add_flag("--json", as_json, "JSON instead of text");
  CLI::App* wal_verify =
      wal->add_subcommand("verify", "check every record; exit 1 with the first bad one");
  wal_verify->add_option("path", path, "data dir, WAL dir or segment")->required();
  wal_verify->add_flag("--all", all, "go on with the segments after damage");
  wal_verify->add_flag("--json", as_json, "JSON instead of text");
  CLI::App* wal_dump = wal->add_subcommand("dump", "records and their effects as JSON Lines");
  wal_dump->add_option("path", path, "data dir, WAL dir or segment")->required();
  wal_dump->add_option("--from", from, "first LSN to print")->capture_default_str();
  wal_dump->add_option("--limit", limit, "most records to print (0 = all)")->capture_default_str();
  CLI::App* wal_repair = wal->add_subcommand("repair", "same as `strata-inspect repair`");
  wal_repair->add_option("path", path, "data dir or WAL dir")->required();
  wal_repair->add_flag("--json", as_json, "JSON instead of text");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
  ctx.note = Note;
  ctx.now_ms = strata::NowMs();  // one "now" for every TTL of this run
  if (!quiet) ctx.progress = Note;

  if (info->parsed()) return Finish(tools::Info(path, ctx), as_json, tools::InfoText);
  if (verify->parsed()) return Finish(tools::Verify(path, all, ctx), as_json, tools::VerifyText);
  if (stats->parsed()) {
    return Finish(tools::Stats(path, stats_options, ctx), as_json, tools::StatsText);
  }
  if (repair->parsed() || wal_repair->parsed()) {
    return Finish(tools::RepairWal(path, ctx), as_json, tools::RepairText);
  }
  if (wal_info->parsed()) return Finish(tools::WalInfo(path, ctx), as_json, tools::WalInfoText);
  if (wal_verify->parsed()) {
    return Finish(tools::VerifyWal(path, all, ctx), as_json, [](const json& v) {
      json doc = {{"files", json::array({{{"path", v.value("dir", v.value("path", ""))},
                                          {"kind", "wal"},
                                          {"ok", v.value("ok", false)},
                                          {"segments", v.value("segments", uint64_t{0})},
                                          {"records", v.value("records", uint64_t{0})}}})},
                  {"faults", v["faults"]}};
      if (v.contains("next_lsn")) doc["files"][0]["next_lsn"] = v["next_lsn"];
      return tools::VerifyText(doc);
    });
  }
  if (wal_dump->parsed()) {
    strata::Status st =
        tools::DumpWal(path, from, limit, ctx, [](const json& j) { PrintJson(j, -1); });
    std::fflush(stdout);
    return st.ok() ? 0 : Fail(st);
  }
  if (keys->parsed()) {
    const bool one_db = filter.db.has_value();
    strata::Status st = tools::ForEachKey(path, filter, ctx, [&](const tools::KeyRecord& k) {
      std::string line = one_db ? "" : std::to_string(k.db) + " ";
      line += tools::Quote(k.key);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stdout);
      return strata::Status::Ok();
    });
    std::fflush(stdout);
    return st.ok() ? 0 : Fail(st);
  }
  if (dump->parsed()) {
    strata::Status st = tools::ForEachKey(path, filter, ctx, [&](const tools::KeyRecord& k) {
      PrintJson(tools::KeyJson(k, ctx.now_ms), -1);
      return strata::Status::Ok();
    });
    std::fflush(stdout);
    return st.ok() ? 0 : Fail(st);
  }
  if (get->parsed()) {
    auto r = tools::Get(path, key, get_db, filter.include_expired, ctx);
    if (!r.ok()) return Fail(r.status());
    if (!r->has_value()) {
      Note("(nil): no key " + tools::Quote(key) + " in db " + std::to_string(get_db));
      return 1;
    }
    if (raw) {
      std::fwrite((*r)->value.data(), 1, (*r)->value.size(), stdout);
    } else {
      PrintJson(tools::KeyJson((*r)->view(), ctx.now_ms), -1);
    }
    std::fflush(stdout);
    return 0;
  }
  return 2;
}
