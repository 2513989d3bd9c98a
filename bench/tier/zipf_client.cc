// zipf_client: loads N keys, then reads them with a skewed (zipfian) popularity for a while, over
// several pipelined connections; for bench/tier/tier_bench.sh.
//
//   zipf_client --port P load --keys N --value-size V [--threads T] [--pipeline K]
//   zipf_client --port P read --keys N --seconds S [--theta 0.99] [--threads T] [--pipeline K]
//
// Key i is "key:<i>", its value "<i>:" followed by filler up to V bytes, so a read can tell a
// right value from a wrong one. Key popularity: rank r (0 = hottest) has weight 1/(r+1)^theta;
// ranks map to key numbers through a fixed permutation so hot keys spread over the shards.
// Prints one line: "<mode> ops=<n> seconds=<s> ops_per_sec=<x> hits=<h> misses=<m> wrong=<w>".
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  int port = 6379;
  std::string mode;
  uint64_t keys = 100000;
  size_t value_size = 1000;
  double seconds = 10;
  double theta = 0.99;
  int threads = 4;
  int pipeline = 16;
};

std::string Value(uint64_t i, size_t size) {
  std::string v = std::to_string(i) + ":";
  uint64_t x = 0x9E3779B97F4A7C15ULL * (i + 1);
  while (v.size() < size) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v += static_cast<char>('a' + x % 26);
  }
  return v;
}

// The key number of popularity rank r: a fixed permutation of [0, n).
uint64_t KeyOfRank(uint64_t r, uint64_t n) { return (r * 2654435761ULL + 12345) % n; }

redisContext* Connect(int port) {
  redisContext* c = redisConnect("127.0.0.1", port);
  if (c == nullptr || c->err) {
    fprintf(stderr, "zipf_client: can't connect to port %d: %s\n", port, c ? c->errstr : "?");
    exit(1);
  }
  return c;
}

struct Counts {
  std::atomic<uint64_t> ops{0}, hits{0}, misses{0}, wrong{0}, errors{0};
};

void Load(const Options& o, int t, Counts* counts) {
  redisContext* c = Connect(o.port);
  std::vector<uint64_t> batch;
  for (uint64_t i = t; i < o.keys;) {
    batch.clear();
    for (int p = 0; p < o.pipeline && i < o.keys; ++p, i += o.threads) {
      const std::string k = "key:" + std::to_string(i), v = Value(i, o.value_size);
      redisAppendCommand(c, "SET %b %b", k.data(), k.size(), v.data(), v.size());
      batch.push_back(i);
    }
    for (size_t p = 0; p < batch.size(); ++p) {
      void* r = nullptr;
      if (redisGetReply(c, &r) != REDIS_OK) {
        fprintf(stderr, "zipf_client: %s\n", c->errstr);
        exit(1);
      }
      auto* reply = static_cast<redisReply*>(r);
      if (reply->type == REDIS_REPLY_ERROR) counts->errors.fetch_add(1);
      freeReplyObject(reply);
    }
    counts->ops.fetch_add(batch.size());
  }
  redisFree(c);
}

void Read(const Options& o, const std::vector<double>& cdf, int t, Counts* counts) {
  redisContext* c = Connect(o.port);
  std::mt19937_64 rng(1234 + t);
  std::uniform_real_distribution<double> u(0, 1);
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::microseconds(static_cast<int64_t>(o.seconds * 1e6));
  std::vector<uint64_t> batch;
  while (std::chrono::steady_clock::now() < end) {
    batch.clear();
    for (int p = 0; p < o.pipeline; ++p) {
      const uint64_t rank = std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin();
      const uint64_t i = KeyOfRank(std::min<uint64_t>(rank, o.keys - 1), o.keys);
      const std::string k = "key:" + std::to_string(i);
      redisAppendCommand(c, "GET %b", k.data(), k.size());
      batch.push_back(i);
    }
    for (uint64_t i : batch) {
      void* r = nullptr;
      if (redisGetReply(c, &r) != REDIS_OK) {
        fprintf(stderr, "zipf_client: %s\n", c->errstr);
        exit(1);
      }
      auto* reply = static_cast<redisReply*>(r);
      if (reply->type == REDIS_REPLY_NIL) {
        counts->misses.fetch_add(1);
      } else if (reply->type == REDIS_REPLY_STRING) {
        const std::string prefix = std::to_string(i) + ":";
        const bool ok = reply->len == o.value_size && strncmp(reply->str, prefix.data(), prefix.size()) == 0;
        (ok ? counts->hits : counts->wrong).fetch_add(1);
      } else {
        counts->errors.fetch_add(1);
      }
      freeReplyObject(reply);
    }
    counts->ops.fetch_add(batch.size());
  }
  redisFree(c);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        fprintf(stderr, "zipf_client: %s needs a value\n", a.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (a == "--port") o.port = atoi(next());
    else if (a == "--keys") o.keys = strtoull(next(), nullptr, 10);
    else if (a == "--value-size") o.value_size = strtoull(next(), nullptr, 10);
    else if (a == "--seconds") o.seconds = atof(next());
    else if (a == "--theta") o.theta = atof(next());
    else if (a == "--threads") o.threads = atoi(next());
    else if (a == "--pipeline") o.pipeline = atoi(next());
    else if (a == "load" || a == "read") o.mode = a;
    else {
      fprintf(stderr, "usage: zipf_client --port P (load|read) [--keys N] [--value-size V] "
                      "[--seconds S] [--theta T] [--threads T] [--pipeline K]\n");
      return 2;
    }
  }
  if (o.mode.empty() || o.keys == 0) return 2;
  std::vector<double> cdf;
  if (o.mode == "read") {
    cdf.resize(o.keys);
    double sum = 0;
    for (uint64_t r = 0; r < o.keys; ++r) sum += 1.0 / std::pow(r + 1.0, o.theta);
    double acc = 0;
    for (uint64_t r = 0; r < o.keys; ++r) {
      acc += 1.0 / std::pow(r + 1.0, o.theta) / sum;
      cdf[r] = acc;
    }
  }
  Counts counts;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] { o.mode == "load" ? Load(o, t, &counts) : Read(o, cdf, t, &counts); });
  }
  for (std::thread& t : threads) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  printf("%s ops=%llu seconds=%.2f ops_per_sec=%.0f hits=%llu misses=%llu wrong=%llu errors=%llu\n",
         o.mode.c_str(), static_cast<unsigned long long>(counts.ops.load()), secs,
         counts.ops.load() / secs, static_cast<unsigned long long>(counts.hits.load()),
         static_cast<unsigned long long>(counts.misses.load()),
         static_cast<unsigned long long>(counts.wrong.load()),
         static_cast<unsigned long long>(counts.errors.load()));
  return counts.wrong.load() == 0 && counts.errors.load() == 0 ? 0 : 1;
}
