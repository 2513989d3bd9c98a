// Throughput of RespParser over a pipeline of small multibulk commands, as redis-benchmark -P
// sends them: alternating "SET key:<12 digits> <32-byte value>" and "GET key:<12 digits>".
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "server/net/resp_parser.h"

namespace strata::server {
namespace {

std::string Bulk(std::string_view arg) {
  return "$" + std::to_string(arg.size()) + "\r\n" + std::string(arg) + "\r\n";
}

// `commands` commands, half SETs and half GETs of the same keys.
std::string Pipeline(int commands) {
  std::string out;
  const std::string value(32, 'v');
  for (int i = 0; i < commands; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "key:%012d", i / 2 + 1);
    if (i % 2 == 0) {
      out += "*3\r\n" + Bulk("SET") + Bulk(key) + Bulk(value);
    } else {
      out += "*2\r\n" + Bulk("GET") + Bulk(key);
    }
  }
  return out;
}

void BM_ParsePipelinedSetGet(benchmark::State& state) {
  const int commands = static_cast<int>(state.range(0));
  const std::string buf = Pipeline(commands);
  RespParser parser;
  for (auto _ : state) {
    std::string_view rest = buf;
    int parsed = 0;
    while (parser.Parse(rest) == RespParser::State::kCommand) {
      benchmark::DoNotOptimize(parser.args().data());
      rest.remove_prefix(parser.consumed());
      ++parsed;
    }
    if (parsed != commands) {
      state.SkipWithError("pipeline did not parse");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(buf.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * commands);
}
BENCHMARK(BM_ParsePipelinedSetGet)->Arg(16)->Arg(1024);

}  // namespace
}  // namespace strata::server
