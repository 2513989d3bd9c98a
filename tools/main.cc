// strata-inspect: offline inspection and repair of Strata's data files. JSON on stdout.
//
//   strata-inspect wal verify DIR          check every record; exit 1 if the log is damaged
//   strata-inspect wal repair DIR          cut the log at its first damage
//   strata-inspect wal dump DIR [--from LSN] [--limit N]
//
// DIR is the server's WAL directory: <dir>/<appenddirname>, by default data/appendonlydir.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "tools/inspect.h"

int main(int argc, char** argv) {
  CLI::App app{"strata-inspect: inspect, verify and repair Strata's data files (JSON output)"};
  app.require_subcommand(1);
  CLI::App* wal = app.add_subcommand("wal", "the write-ahead log");
  wal->require_subcommand(1);
  std::string dir;
  uint64_t from = 1, limit = 0;
  CLI::App* verify = wal->add_subcommand("verify", "check every record; exit 1 if damaged");
  verify->add_option("dir", dir, "WAL directory")->required();
  CLI::App* repair = wal->add_subcommand("repair", "cut the log at its first damage");
  repair->add_option("dir", dir, "WAL directory")->required();
  CLI::App* dump = wal->add_subcommand("dump", "print records and their effects");
  dump->add_option("dir", dir, "WAL directory")->required();
  dump->add_option("--from", from, "first LSN to print");
  dump->add_option("--limit", limit, "most records to print (0 = all)");
  CLI11_PARSE(app, argc, argv);

  nlohmann::json out;
  if (verify->parsed()) out = strata::tools::VerifyWal(dir);
  if (repair->parsed()) out = strata::tools::RepairWal(dir);
  if (dump->parsed()) out = strata::tools::DumpWal(dir, from, limit);
  std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return out.value("ok", false) ? 0 : 1;
}
