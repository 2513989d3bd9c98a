// DUMP and RESTORE side by side with redis-server 7.0 (both started with list-compress-depth 1
// and sanitize-dump-payload yes, so Redis validates payloads as deeply as Strata always does):
// - random values of every type and encoding (int, short and long compressible strings,
//   intsets, listpacks, hashtables, skiplists, multi-node quicklists, TTLs) DUMPed by
//   redis-server RESTORE in Strata to the same value, and the reverse;
// - the same values built the same way DUMP byte-identical on both servers wherever Redis's
//   payload is deterministic (everything but hashtable-encoded hashes and sets);
// - a corpus of RESTORE argument errors, corrupt payloads and options (REPLACE, ABSTTL, an
//   expired TTL, IDLETIME, FREQ) gives Redis's replies.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "base/rdb_coding.h"
#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

class DumpCompatTest : public SideBySideTest {
 protected:
  static void SetUpTestSuite() {
    StartBoth({"--list-compress-depth", "1", "--sanitize-dump-payload", "yes"});
  }
};

RespValue Call(RawConnection& c, const Argv& argv) {
  EXPECT_TRUE(c.Send(Encode(argv)));
  std::optional<RespValue> v = c.ReadValue();
  EXPECT_TRUE(v.has_value()) << argv[0];
  return v.value_or(RespValue{});
}

// Commands that build random keys of every type and encoding (RPUSH only, so that a list's
// nodes are cut the same way on both servers).
std::vector<Argv> RandomKeys(uint32_t seed, std::vector<std::string>* keys) {
  std::mt19937 rng(seed);
  auto pick = [&](uint32_t n) { return rng() % n; };
  auto element = [&]() -> std::string {
    switch (pick(6)) {
      case 0: return std::to_string(static_cast<int32_t>(rng()) >> pick(31));
      case 1: return std::to_string(static_cast<int64_t>(uint64_t{rng()} << 32 | rng()));
      case 2: return std::string(1 + pick(80), static_cast<char>('a' + pick(3)));
      case 3: {
        std::string s(pick(20), ' ');
        for (char& ch : s) ch = static_cast<char>(rng());
        return s;
      }
      default: return "e" + std::to_string(pick(100000));
    }
  };
  auto count = [&]() { return pick(4) == 0 ? 200 + pick(1500) : 1 + pick(30); };
  std::vector<Argv> out;
  for (int k = 0; k < 40; ++k) {
    const std::string key = "k" + std::to_string(k);
    keys->push_back(key);
    switch (k % 5) {
      case 0: {
        std::string v = pick(3) == 0 ? std::string(21 + pick(5000), 'x') + element() : element();
        out.push_back({"SET", key, v});
        break;
      }
      case 1: {
        Argv a = {"RPUSH", key};
        for (uint32_t n = count(); n > 0; --n) a.push_back(element());
        out.push_back(a);
        break;
      }
      case 2: {
        Argv a = {"HSET", key};
        for (uint32_t n = count(); n > 0; --n) {
          a.push_back("f" + std::to_string(n));
          a.push_back(pick(20) == 0 ? std::string(100, 'v') : element());
        }
        out.push_back(a);
        break;
      }
      case 3: {
        Argv a = {"SADD", key};
        const bool ints = pick(2) == 0;
        for (uint32_t n = count(); n > 0; --n) {
          a.push_back(ints ? std::to_string(static_cast<int64_t>(rng()) - (1LL << 31)) : element());
        }
        out.push_back(a);
        break;
      }
      default: {
        Argv a = {"ZADD", key};
        for (uint32_t n = count(); n > 0; --n) {
          const uint32_t s = pick(10);
          a.push_back(s == 0 ? "inf" : s == 1 ? "-inf" : s < 5 ? std::to_string(pick(100)) :
                      std::to_string(static_cast<int>(pick(100000)) - 50000) + "." +
                      std::to_string(pick(1000)));
          a.push_back(element());
        }
        out.push_back(a);
      }
    }
    if (pick(4) == 0) out.push_back({"PEXPIRE", key, std::to_string(100000 + pick(100000))});
  }
  return out;
}

// The key's value read with its type's commands, hashes and sets sorted, and its TTL's class.
std::string Describe(RawConnection& c, const std::string& key) {
  const std::string type = Call(c, {"TYPE", key}).str;
  RespValue v;
  if (type == "string") v = Call(c, {"GET", key});
  if (type == "list") v = Call(c, {"LRANGE", key, "0", "-1"});
  if (type == "hash") v = Call(c, {"HGETALL", key});
  if (type == "set") v = Call(c, {"SMEMBERS", key});
  if (type == "zset") v = Call(c, {"ZRANGE", key, "0", "-1", "WITHSCORES"});
  std::vector<std::string> parts;
  if (type == "hash") {
    for (size_t i = 0; i + 1 < v.elements.size(); i += 2) {
      parts.push_back(v.elements[i].str + "=" + v.elements[i + 1].str);
    }
    std::sort(parts.begin(), parts.end());
  } else if (type == "set") {
    for (const RespValue& e : v.elements) parts.push_back(e.str);
    std::sort(parts.begin(), parts.end());
  }
  std::string out = type + " " + (parts.empty() ? RenderLine(v) : "");
  for (const std::string& p : parts) out += p + "|";
  const int64_t pttl = Call(c, {"PTTL", key}).integer;
  return out + (pttl == -1 ? " persistent" : pttl > 0 ? " expiring" : " ttl?");
}

// Builds the keys on `from`, moves each to `to` by DUMP and RESTORE (with its PTTL), and
// compares the values.
void Transfer(int from_port, int to_port, uint32_t seed) {
  RawConnection from(from_port), to(to_port);
  Call(from, {"FLUSHALL"});
  Call(to, {"FLUSHALL"});
  std::vector<std::string> keys;
  for (const Argv& a : RandomKeys(seed, &keys)) Call(from, a);
  for (const std::string& key : keys) {
    const RespValue payload = Call(from, {"DUMP", key});
    ASSERT_EQ(payload.type, '$') << RenderLine(payload);
    const int64_t pttl = Call(from, {"PTTL", key}).integer;
    const RespValue r =
        Call(to, {"RESTORE", key, std::to_string(pttl > 0 ? pttl : 0), payload.str});
    ASSERT_EQ(RenderLine(r), "OK") << key;
    EXPECT_EQ(Describe(to, key), Describe(from, key)) << key << " seed " << seed;
  }
}

TEST_F(DumpCompatTest, RedisPayloadsRestoreInStrata) {
  for (uint32_t seed = 1; seed <= 6; ++seed) Transfer(redis_->port(), strata_->port(), seed);
}

TEST_F(DumpCompatTest, StrataPayloadsRestoreInRedis) {
  for (uint32_t seed = 11; seed <= 16; ++seed) Transfer(strata_->port(), redis_->port(), seed);
}

TEST_F(DumpCompatTest, PayloadsAreByteIdenticalWhereRedisIsDeterministic) {
  RawConnection r(redis_->port()), s(strata_->port());
  int compared = 0;
  // Lists are cut into nodes by list-max-listpack-size (bytes, or a count): every cut must fall
  // where Redis's does.
  const char* fills[] = {"-2", "-1", "7"};
  for (uint32_t seed = 21; seed <= 29; ++seed) {
    for (RawConnection* c : {&r, &s}) {
      Call(*c, {"CONFIG", "SET", "list-max-listpack-size", fills[seed % 3]});
    }
    Call(r, {"FLUSHALL"});
    Call(s, {"FLUSHALL"});
    std::vector<std::string> keys;
    for (const Argv& a : RandomKeys(seed, &keys)) {
      Call(r, a);
      Call(s, a);
    }
    for (const std::string& key : keys) {
      if (Call(r, {"OBJECT", "ENCODING", key}).str == "hashtable") continue;
      EXPECT_EQ(RenderLine(Call(s, {"DUMP", key})), RenderLine(Call(r, {"DUMP", key})))
          << key << " seed " << seed << " " << Call(r, {"OBJECT", "ENCODING", key}).str;
      ++compared;
    }
  }
  for (RawConnection* c : {&r, &s}) Call(*c, {"CONFIG", "SET", "list-max-listpack-size", "-2"});
  EXPECT_GT(compared, 250);
}

// A payload with its trailer recomputed (a checksum that passes over damaged contents).
std::string Reseal(std::string body) {
  rdb::AppendTrailer(&body);
  return body;
}

TEST_F(DumpCompatTest, RestoreErrorsAndOptionsReplyAsRedis) {
  RawConnection r(redis_->port());
  Call(r, {"FLUSHALL"});
  Call(r, {"SADD", "src", "a", "b", "c"});
  Call(r, {"SADD", "isrc", "1", "2", "3"});
  Call(r, {"HSET", "hsrc", "f", "v", "g", "w"});
  const std::string set = Call(r, {"DUMP", "src"}).str;
  const std::string iset = Call(r, {"DUMP", "isrc"}).str;
  const std::string hash = Call(r, {"DUMP", "hsrc"}).str;
  std::string bad_crc = set;
  bad_crc.back() ^= 1;
  std::string v11 = set;
  v11[v11.size() - 10] = 11;
  std::string body = set.substr(0, set.size() - 10);
  std::string dup = body;  // "a", "b", "c" -> "a", "b", "a"
  dup[dup.rfind('c')] = 'a';
  std::string ibody = iset.substr(0, iset.size() - 10);
  std::string unsorted = ibody;  // the intset's first value raised above the second
  unsorted[unsorted.size() - 6] = 9;
  std::string hbody = hash.substr(0, hash.size() - 10);
  std::string lp_count = hbody;  // the listpack's element count
  lp_count[7] = 5;
  const std::vector<Argv> corpus = {
      {"RESTORE", "k"},
      {"RESTORE", "k", "0"},
      {"RESTORE", "k", "0", set},
      {"RESTORE", "k", "0", set},
      {"TYPE", "k"},
      {"RESTORE", "k", "0", set, "REPLACE"},
      {"RESTORE", "k", "-1", set, "REPLACE"},
      {"RESTORE", "k", "abc", set, "REPLACE"},
      {"RESTORE", "k", "0", set, "REPLACE", "IDLETIME"},
      {"RESTORE", "k", "0", set, "REPLACE", "IDLETIME", "-1"},
      {"RESTORE", "k", "0", set, "REPLACE", "IDLETIME", "x"},
      {"RESTORE", "k", "0", set, "REPLACE", "FREQ", "256"},
      {"RESTORE", "k", "0", set, "REPLACE", "FREQ", "-1"},
      {"RESTORE", "k", "0", set, "REPLACE", "IDLETIME", "5", "FREQ", "5"},
      {"RESTORE", "k", "0", set, "REPLACE", "FREQ", "5", "IDLETIME", "5"},
      {"RESTORE", "k", "0", set, "REPLACE", "BOGUS"},
      {"RESTORE", "k2", "0", "", "REPLACE"},
      {"RESTORE", "k2", "0", "0123456789", "REPLACE"},
      {"RESTORE", "k2", "0", bad_crc},
      {"RESTORE", "k2", "0", v11},
      {"RESTORE", "k2", "0", Reseal(dup)},
      {"RESTORE", "k2", "0", Reseal(unsorted)},
      {"RESTORE", "k2", "0", Reseal(lp_count)},
      {"RESTORE", "k2", "0", Reseal(body.substr(0, body.size() - 2))},
      {"RESTORE", "k2", "0", Reseal(std::string("\x06", 1))},
      {"RESTORE", "k2", "0", Reseal(std::string("\x14\x01\x00", 3))},
      {"RESTORE", "k2", "0", Reseal(std::string("\x02\x00", 2))},
      {"EXISTS", "k2"},
      {"RESTORE", "k", "1", set, "REPLACE", "ABSTTL"},
      {"EXISTS", "k"},
      {"RESTORE", "k", "0", set, "IDLETIME", "1000"},
      {"OBJECT", "IDLETIME", "k"},
      {"RESTORE", "k", "4000000000000", hash, "REPLACE", "ABSTTL"},
      {"PEXPIRETIME", "k"},
      {"RESTORE", "k", "9223372036854775807", hash, "REPLACE"},
      {"EXISTS", "k"},
      {"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"},
      {"RESTORE", "k", "0", iset, "REPLACE", "FREQ", "100"},
      {"OBJECT", "FREQ", "k"},
      {"OBJECT", "ENCODING", "k"},
      {"CONFIG", "SET", "maxmemory-policy", "noeviction"},
      {"DUMP", "nokey"},
      {"DUMP"},
  };
  Call(r, {"FLUSHALL"});
  const std::string want = CorpusTranscript(redis_->port(), corpus);
  RawConnection s(strata_->port());
  Call(s, {"FLUSHALL"});
  EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "");
}

}  // namespace
}  // namespace strata::integration
