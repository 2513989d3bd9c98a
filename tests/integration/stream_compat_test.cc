// Streams side by side with redis-server 7.0:
// - a corpus of edge cases and errors (data/stream_corpus.txt) gives the same replies;
// - random sequences of stream and consumer-group commands (several producers, consumers and
//   groups; trimming exact and approximate, deletes, claims, group moves) on streams with small
//   nodes give the same replies and the same final XINFO STREAM FULL, times aside;
// - XINFO STREAM FULL in RESP3 has Redis's shape.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

std::vector<Argv> LoadCorpus() { return LoadCorpusFile(STRATA_STREAM_CORPUS); }

// Replaces what depends on the clock (delivery and seen times, idle times) and the radix-tree
// node count (an estimate in Strata) by 0, wherever they appear in a reply.
void Normalize(RespValue* v, std::string_view context = {}) {
  if (v->type != '*' && v->type != '%') return;
  auto& e = v->elements;
  // A pending entry of XINFO STREAM FULL: [id, consumer, time, count] in a group, [id, time,
  // count] in a consumer; of XPENDING's extended form: [id, consumer, idle, count].
  if (context == "pending" || context == "xpending") {
    for (RespValue& p : e) {
      if (p.type == '*' && (p.elements.size() == 4 || p.elements.size() == 3)) {
        p.elements[p.elements.size() - 2] = RespValue{':', "", 0, false, {}};
      }
    }
    return;
  }
  for (size_t i = 0; i < e.size(); ++i) {
    const bool key = i + 1 < e.size() && e[i].type == '$';
    const std::string name = key ? e[i].str : "";
    if (name == "seen-time" || name == "idle" || name == "radix-tree-nodes") {
      e[i + 1] = RespValue{':', "", 0, false, {}};
      ++i;
    } else if (name == "pending") {
      Normalize(&e[++i], "pending");
    } else {
      Normalize(&e[i]);
    }
  }
}

std::string Transcript(int port, const std::vector<Argv>& corpus) {
  RawConnection c(port);
  std::string out;
  for (const Argv& argv : corpus) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    if (v) Normalize(&*v, argv[0] == "XPENDING" ? "xpending" : "");
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    out += "> " + line + "\n  " + (v ? RenderLine(*v) : "(no reply)") + "\n";
  }
  return out;
}

// A random workload on three streams: producers adding with explicit and partial IDs (some
// entries with other fields), consumers of two groups per stream reading, acknowledging and
// claiming, trimming both ways, deletes, group and consumer changes. Only what does not depend
// on the clock: min-idle-time 0, no IDLE or TIME.
std::vector<Argv> RandomWorkload(uint32_t seed, int ops) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const std::vector<std::string> keys = {"sa", "sb", "sc"};
  const std::vector<std::string> groups = {"g1", "g2"};
  const std::vector<std::string> consumers = {"c1", "c2", "c3", "c4"};
  std::vector<Argv> out = {{"FLUSHALL"},
                           {"CONFIG", "SET", "stream-node-max-entries", "7"}};
  std::vector<uint64_t> next_ms(keys.size(), 1);
  auto some_id = [&](size_t k) {
    return std::to_string(1 + pick(static_cast<int>(next_ms[k]) + 2)) + "-" +
           std::to_string(pick(3));
  };
  for (size_t k = 0; k < keys.size(); ++k) {
    for (const std::string& g : groups) {
      out.push_back({"XGROUP", "CREATE", keys[k], g, "0", "MKSTREAM"});
    }
  }
  for (int i = 0; i < ops; ++i) {
    const size_t k = static_cast<size_t>(pick(static_cast<int>(keys.size())));
    const std::string& key = keys[k];
    const std::string& g = groups[static_cast<size_t>(pick(2))];
    const std::string& c = consumers[static_cast<size_t>(pick(4))];
    const int op = pick(100);
    if (op < 35) {
      Argv a = {"XADD", key};
      const int trim = pick(10);
      if (trim == 0) a.insert(a.end(), {"MAXLEN", "~", std::to_string(5 + pick(20))});
      if (trim == 1) a.insert(a.end(), {"MAXLEN", std::to_string(10 + pick(20))});
      if (trim == 2) a.insert(a.end(), {"MINID", "~", some_id(k)});
      if (trim == 3) a.insert(a.end(), {"MAXLEN", "~", "3", "LIMIT", std::to_string(pick(12))});
      next_ms[k] += static_cast<uint64_t>(pick(3));
      a.push_back(pick(3) == 0 ? std::to_string(next_ms[k]) + "-*"
                               : std::to_string(next_ms[k]) + "-" + std::to_string(pick(2)));
      if (pick(4) == 0) {
        a.insert(a.end(), {"other", std::to_string(i), "more", "x"});
      } else {
        a.insert(a.end(), {"f", std::to_string(i), "g", std::to_string(pick(1000))});
      }
      out.push_back(a);
    } else if (op < 50) {
      out.push_back({"XREADGROUP", "GROUP", g, c, "COUNT", std::to_string(1 + pick(4)),
                     "STREAMS", key, ">"});
    } else if (op < 53) {
      out.push_back({"XREADGROUP", "GROUP", g, c, "NOACK", "COUNT", "2", "STREAMS", key, ">"});
    } else if (op < 58) {
      out.push_back({"XREADGROUP", "GROUP", g, c, "COUNT", std::to_string(pick(3)), "STREAMS",
                     key, pick(2) ? "0" : some_id(k)});
    } else if (op < 68) {
      out.push_back({"XACK", key, g, some_id(k), some_id(k)});
    } else if (op < 72) {
      Argv a = {"XCLAIM", key, g, c, "0", some_id(k), some_id(k)};
      if (pick(2)) a.push_back("JUSTID");
      if (pick(3) == 0) a.insert(a.end(), {"RETRYCOUNT", std::to_string(pick(5))});
      if (pick(4) == 0) a.push_back("FORCE");
      if (pick(5) == 0) a.insert(a.end(), {"LASTID", some_id(k)});
      out.push_back(a);
    } else if (op < 76) {
      Argv a = {"XAUTOCLAIM", key, g, c, "0", pick(2) ? "0" : some_id(k), "COUNT",
                std::to_string(1 + pick(5))};
      if (pick(2)) a.push_back("JUSTID");
      out.push_back(a);
    } else if (op < 80) {
      out.push_back({"XDEL", key, some_id(k), some_id(k)});
    } else if (op < 82) {
      out.push_back({"XTRIM", key, "MAXLEN", pick(2) ? "~" : "=", std::to_string(pick(30))});
    } else if (op < 84) {
      out.push_back({"XTRIM", key, "MINID", some_id(k)});
    } else if (op < 86) {
      out.push_back({"XPENDING", key, g});
    } else if (op < 88) {
      out.push_back({"XPENDING", key, g, "-", "+", "10", c});
    } else if (op < 90) {
      out.push_back({"XINFO", "GROUPS", key});
    } else if (op < 92) {
      out.push_back({"XRANGE", key, some_id(k), "+", "COUNT", std::to_string(pick(6))});
      out.push_back({"XREVRANGE", key, "+", some_id(k), "COUNT", std::to_string(pick(6))});
    } else if (op < 94) {
      out.push_back({"XREAD", "COUNT", "3", "STREAMS", key, some_id(k)});
    } else if (op < 95) {
      out.push_back({"XGROUP", "SETID", key, g, pick(2) ? "$" : some_id(k)});
    } else if (op < 96) {
      out.push_back({"XGROUP", pick(2) ? "CREATECONSUMER" : "DELCONSUMER", key, g, c});
    } else if (op < 97) {
      out.push_back({"XGROUP", "DESTROY", key, g});
      out.push_back({"XGROUP", "CREATE", key, g, pick(2) ? "$" : "0"});
    } else if (op < 98) {
      out.push_back({"XINFO", "STREAM", key});
    } else {
      out.push_back({"XLEN", key});
    }
  }
  for (const std::string& key : keys) out.push_back({"XINFO", "STREAM", key, "FULL", "COUNT", "0"});
  out.push_back({"CONFIG", "SET", "stream-node-max-entries", "100"});
  return out;
}

class StreamCompatTest : public SideBySideTest {};

TEST_F(StreamCompatTest, CorpusRepliesAsRedis) {
  const std::vector<Argv> corpus = LoadCorpus();
  ASSERT_GT(corpus.size(), 250u);
  const std::string want = Transcript(redis_->port(), corpus);
  ASSERT_NE(want.find("> XADD s 5-* f v g w\n  \"5-6\""), std::string::npos) << want;
  EXPECT_EQ(FirstDifference(want, Transcript(strata_->port(), corpus)), "");
}

TEST_F(StreamCompatTest, RandomWorkloadsEndAsOnRedis) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    const std::vector<Argv> corpus = RandomWorkload(seed, 600);
    const std::string want = Transcript(redis_->port(), corpus);
    ASSERT_NE(want.find("\"entries-read\""), std::string::npos);
    if (const char* dump = std::getenv("STRATA_STREAM_CORPUS_DUMP")) {
      std::ofstream out(std::string(dump) + "." + std::to_string(seed));
      for (const Argv& argv : corpus) {
        for (size_t i = 0; i < argv.size(); ++i) out << (i ? " " : "") << argv[i];
        out << "\n";
      }
    }
    EXPECT_EQ(FirstDifference(want, Transcript(strata_->port(), corpus)), "") << "seed " << seed;
  }
}

// RESP3: XINFO STREAM FULL is a map of maps, XREAD a map of key to entries.
TEST_F(StreamCompatTest, Resp3RepliesAsRedis) {
  const std::vector<Argv> corpus = {
      {"HELLO", "3"},
      {"FLUSHALL"},
      {"XADD", "r", "1-1", "a", "1"},
      {"XADD", "r", "2-1", "b", "2"},
      {"XGROUP", "CREATE", "r", "g", "0"},
      {"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "r", ">"},
      {"XREAD", "STREAMS", "r", "nokey", "0", "0"},
      {"XREAD", "STREAMS", "nokey", "0"},
      {"XINFO", "STREAM", "r"},
      {"XINFO", "STREAM", "r", "FULL"},
      {"XINFO", "GROUPS", "r"},
      {"XPENDING", "r", "g"},
      {"XAUTOCLAIM", "r", "g", "d", "0", "0"},
  };
  const std::string want = Transcript(redis_->port(), corpus);
  EXPECT_EQ(FirstDifference(want, Transcript(strata_->port(), corpus)), "");
}

// BullMQ, unchanged (tests/clients/node/bullmq_jobs.mjs, installed by scripts/install-deps.sh):
// plain, delayed, prioritized, retried and failing jobs, a flow with children, QueueEvents on
// the events stream, pause, resume and obliterate give the same results as on redis-server.
TEST_F(StreamCompatTest, BullmqJobsRunAsOnRedis) {
  using namespace std::chrono_literals;
  const std::string script = std::string(STRATA_NODE_CLIENTS_DIR) + "/bullmq_jobs.mjs";
  ToolResult want = RunTool({"node", script, std::to_string(redis_->port())}, {}, 90s);
  ASSERT_EQ(want.exit_code, 0) << want.output;
  ASSERT_NE(want.output.find("\"events\",\"completed\":25"), std::string::npos) << want.output;
  ToolResult got = RunTool({"node", script, std::to_string(strata_->port())}, {}, 90s);
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(got.output, want.output);
}

}  // namespace
}  // namespace strata::integration
