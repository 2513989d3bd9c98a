// COMMAND side by side with redis-server 7.0: for every command and subcommand Strata lists,
// COMMAND INFO (name, arity, flags, first/last/step, ACL categories, tips, key specs) and
// COMMAND DOCS (summary, since, group, complexity, history, arguments, ...) must be Redis's, reply
// type for reply type over RESP3; COUNT, LIST and its filters must count and name as Redis's do
// for the commands Strata has; GETKEYS and GETKEYSANDFLAGS must find the same keys with the same
// flags, and give the same errors, for a set of command lines.
//
// A parent's subcommands are compared one by one where Strata has them: Redis's parents have
// subcommands Strata lacks (CLIENT KILL, OBJECT HELP, ...), and Redis lists them in its hash
// table's order.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

// Commands and subcommands whose COMMAND INFO or DOCS may differ from Redis's, and why. Empty
// today: every command Strata has is Redis's, and Redis's description is its own.
const std::map<std::string, std::string> kExceptions = {};

class Client {
 public:
  Client(int port, bool resp3) : conn_(port) {
    if (resp3) Call({"HELLO", "3"});
  }
  RespValue Call(const Argv& argv) {
    conn_.Send(Encode(argv));
    std::optional<RespValue> v = conn_.ReadValue();
    return v ? *v : RespValue{};
  }

 private:
  RawConnection conn_;
};

// A reply with every type shown: "~[+write, +fast]", "%{$summary: $Get ...}".
std::string Typed(const RespValue& v) {
  if (v.null) return std::string(1, v.type) + "null";
  switch (v.type) {
    case ':': return ":" + std::to_string(v.integer);
    case '*': case '~': case '%': case '>': {
      std::string out(1, v.type);
      out += "[";
      for (size_t i = 0; i < v.elements.size(); ++i) {
        out += (i == 0 ? "" : v.type == '%' && i % 2 == 1 ? ": " : ", ") + Typed(v.elements[i]);
      }
      return out + "]";
    }
    default: return std::string(1, v.type) + v.str;
  }
}

// COMMAND INFO's entry without its subcommands (element 9), and those by name.
std::string InfoHead(const RespValue& entry) {
  RespValue head = entry;
  if (head.elements.size() == 10) head.elements.pop_back();
  return Typed(head);
}
std::map<std::string, const RespValue*> ByName(const RespValue& subcommands) {
  std::map<std::string, const RespValue*> out;
  for (const RespValue& s : subcommands.elements) {
    if (!s.elements.empty()) out[s.elements[0].str] = &s;
  }
  return out;
}

// COMMAND DOCS's map for one command without its "subcommands" entry, and those by name.
std::string DocsHead(const RespValue& docs) {
  RespValue head = docs;
  head.elements.clear();
  for (size_t i = 0; i + 1 < docs.elements.size(); i += 2) {
    if (docs.elements[i].str == "subcommands") continue;
    head.elements.push_back(docs.elements[i]);
    head.elements.push_back(docs.elements[i + 1]);
  }
  return Typed(head);
}
std::map<std::string, const RespValue*> DocsSubcommands(const RespValue& docs) {
  std::map<std::string, const RespValue*> out;
  if (const RespValue* subs = docs.MapGet("subcommands")) {
    for (size_t i = 0; i + 1 < subs->elements.size(); i += 2) {
      out[subs->elements[i].str] = &subs->elements[i + 1];
    }
  }
  return out;
}

std::vector<std::string> Strings(const RespValue& v) {
  std::vector<std::string> out;
  for (const RespValue& e : v.elements) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

class CommandCompatTest : public SideBySideTest {
 protected:
  void SetUp() override {
    SideBySideTest::SetUp();
    if (IsSkipped()) return;
    redis3_ = std::make_unique<Client>(redis_->port(), true);
    strata3_ = std::make_unique<Client>(strata_->port(), true);
    names_ = Strings(strata3_->Call({"COMMAND", "LIST"}));
    ASSERT_GT(names_.size(), 150u);
  }
  // The same command to both servers, RESP2 and RESP3, replies compared with their types.
  void ExpectSame(const Argv& argv) {
    for (bool resp3 : {false, true}) {
      Client redis(redis_->port(), resp3), strata(strata_->port(), resp3);
      const std::string want = Typed(redis.Call(argv));
      EXPECT_EQ(Typed(strata.Call(argv)), want)
          << (resp3 ? "RESP3: " : "RESP2: ") << RenderLine(redis.Call(argv));
    }
  }

  // `argv` (COMMAND INFO|DOCS name) to both servers over RESP3; each reply must hold `n`
  // elements.
  void Both(const Argv& argv, size_t n, RespValue* want, RespValue* got) {
    *want = redis3_->Call(argv);
    *got = strata3_->Call(argv);
    ASSERT_EQ(want->elements.size(), n) << argv[2] << ": " << Typed(*want);
    ASSERT_EQ(got->elements.size(), n) << argv[2] << ": " << Typed(*got);
  }

  std::unique_ptr<Client> redis3_, strata3_;
  std::vector<std::string> names_;  // COMMAND LIST on Strata, sorted
};

TEST_F(CommandCompatTest, InfoAsRedisForEveryCommand) {
  int compared = 0;
  for (const std::string& name : names_) {
    if (kExceptions.count(name) != 0) continue;
    RespValue want, got;
    ASSERT_NO_FATAL_FAILURE(Both({"COMMAND", "INFO", name}, 1, &want, &got));
    const RespValue& w = want.elements[0];
    const RespValue& g = got.elements[0];
    ASSERT_FALSE(w.null) << name << " is not a command of redis-server";
    EXPECT_EQ(InfoHead(g), InfoHead(w)) << name;
    ++compared;
    if (w.elements.size() != 10 || g.elements.size() != 10) continue;
    const auto want_subs = ByName(w.elements[9]);
    for (const auto& [sub, entry] : ByName(g.elements[9])) {
      auto it = want_subs.find(sub);
      if (it == want_subs.end()) {
        ADD_FAILURE() << name << ": Redis has no subcommand " << sub;
        continue;
      }
      EXPECT_EQ(InfoHead(*entry), InfoHead(*it->second)) << name << " / " << sub;
      EXPECT_EQ(entry->elements.size(), 10u);
    }
    EXPECT_EQ(g.elements[9].type, w.elements[9].type) << name;
  }
  EXPECT_GT(compared, 200);  // commands and subcommands
}

TEST_F(CommandCompatTest, DocsAsRedisForEveryCommand) {
  for (const std::string& name : names_) {
    if (kExceptions.count(name) != 0) continue;
    RespValue want, got;
    ASSERT_NO_FATAL_FAILURE(Both({"COMMAND", "DOCS", name}, 2, &want, &got));
    EXPECT_EQ(got.elements[0].str, want.elements[0].str);
    const RespValue& w = want.elements[1];
    const RespValue& g = got.elements[1];
    // Named first for a clear message; MONITOR, for one, has no complexity.
    for (std::string_view field : {"summary", "since", "group", "complexity"}) {
      auto text = [&](const RespValue& docs) {
        const RespValue* v = docs.MapGet(field);
        return v != nullptr ? Typed(*v) : "(absent)";
      };
      EXPECT_EQ(text(g), text(w)) << name << " " << field;
    }
    EXPECT_EQ(DocsHead(g), DocsHead(w)) << name;  // history, arguments, doc_flags, ...
    const auto want_subs = DocsSubcommands(w);
    for (const auto& [sub, docs] : DocsSubcommands(g)) {
      auto it = want_subs.find(sub);
      ASSERT_NE(it, want_subs.end()) << name << ": Redis has no subcommand " << sub;
      EXPECT_EQ(DocsHead(*docs), DocsHead(*it->second)) << name << " / " << sub;
    }
  }
}

// COUNT counts the top-level commands, LIST names the subcommands too, and the filters keep
// what Redis's keep among the commands Strata has.
TEST_F(CommandCompatTest, CountAndListAsRedis) {
  for (Client* c : {redis3_.get(), strata3_.get()}) {
    const std::vector<std::string> all = Strings(c->Call({"COMMAND", "LIST"}));
    const auto top = std::count_if(all.begin(), all.end(), [](const std::string& n) {
      return n.find('|') == std::string::npos;
    });
    EXPECT_EQ(c->Call({"COMMAND", "COUNT"}).integer, top);
    EXPECT_EQ(static_cast<int64_t>(c->Call({"COMMAND"}).elements.size()), top);
    EXPECT_NE(std::find(all.begin(), all.end(), "config|get"), all.end());
  }
  const std::vector<std::string> redis_all = Strings(redis3_->Call({"COMMAND", "LIST"}));
  for (const std::string& n : names_) {
    EXPECT_TRUE(std::binary_search(redis_all.begin(), redis_all.end(), n)) << n;
  }
  const std::set<std::string> ours(names_.begin(), names_.end());
  std::vector<Argv> filters;
  for (const RespValue& cat : redis3_->Call({"ACL", "CAT"}).elements) {
    filters.push_back({"ACLCAT", cat.str});
  }
  for (std::string p : {"conf*", "*|get", "CLIENT|*", "z*store", "[bs]*pop", "*", "nope"}) {
    filters.push_back({"PATTERN", p});
  }
  for (const Argv& f : filters) {
    std::vector<std::string> want;
    for (const std::string& n :
         Strings(redis3_->Call({"COMMAND", "LIST", "FILTERBY", f[0], f[1]}))) {
      if (ours.count(n) != 0) want.push_back(n);
    }
    EXPECT_EQ(Strings(strata3_->Call({"COMMAND", "LIST", "FILTERBY", f[0], f[1]})), want)
        << f[0] << " " << f[1];
  }
}

TEST_F(CommandCompatTest, GetKeysAndFlagsAsRedis) {
  const std::vector<Argv> lines = {
      {"get", "k"},
      {"GET", "k"},
      {"set", "k", "v"},
      {"set", "k", "v", "GET"},
      {"set", "k", "v", "px", "10", "get"},
      {"getex", "k", "persist"},
      {"mset", "a", "1", "b", "2"},
      {"mset", "a", "1", "b"},
      {"msetnx", "a", "1", "b", "2"},
      {"mget", "a", "b", "c"},
      {"del", "a", "b", "c"},
      {"unlink", "a"},
      {"exists", "a", "a"},
      {"rename", "a", "b"},
      {"copy", "a", "b", "replace"},
      {"smove", "a", "b", "m"},
      {"lmove", "a", "b", "left", "right"},
      {"blmove", "a", "b", "left", "right", "0"},
      {"brpoplpush", "a", "b", "0"},
      {"blpop", "a", "b", "0"},
      {"bzpopmin", "a", "b", "1.5"},
      {"hset", "h", "f", "v"},
      {"sinterstore", "d", "a", "b"},
      {"sintercard", "2", "a", "b", "limit", "1"},
      {"sintercard", "3", "a", "b"},
      {"zunionstore", "d", "2", "a", "b", "weights", "1", "2"},
      {"zunionstore", "d", "1", "a", "b"},
      {"zunionstore", "d", "0", "a"},
      {"zunionstore", "d", "-1", "a"},
      {"zunionstore", "d", "x", "a"},
      {"zinter", "2", "a", "b"},
      {"zdiffstore", "d", "1", "a"},
      {"zrangestore", "d", "s", "0", "-1"},
      {"lmpop", "2", "a", "b", "left"},
      {"lmpop", "0", "a", "left"},
      {"blmpop", "0", "2", "a", "b", "right", "count", "2"},
      {"bzmpop", "0", "1", "z", "min"},
      {"zmpop", "3", "a", "b", "min"},
      {"watch", "a", "b"},
      {"object", "encoding", "k"},
      {"object", "help"},
      {"memory", "usage", "k"},
      {"memory", "usage"},
      {"config", "get", "x"},
      {"config", "nope"},
      {"config"},
      {"client", "list"},
      {"ping"},
      {"publish", "c", "m"},
      {"get"},
      {"get", "a", "b"},
      {"nosuchcommand", "a"},
      {"get|x", "a"},
      {"touch", "a", "b"},
  };
  for (const Argv& line : lines) {
    for (std::string sub : {"GETKEYS", "GETKEYSANDFLAGS"}) {
      Argv argv = {"COMMAND", sub};
      argv.insert(argv.end(), line.begin(), line.end());
      std::string text;
      for (const std::string& a : argv) text += a + " ";
      SCOPED_TRACE(text);
      ExpectSame(argv);
    }
  }
}

TEST_F(CommandCompatTest, SubcommandsAndErrorsAsRedis) {
  for (const Argv& argv : std::vector<Argv>{
           {"COMMAND", "HELP"},
           {"COMMAND", "HELP", "x"},
           {"COMMAND", "nope"},
           {"COMMAND", "COUNT", "x"},
           {"COMMAND", "GETKEYS"},
           {"COMMAND", "GETKEYS", "get"},
           {"COMMAND", "INFO", "get", "nosuch", "CONFIG|GET", "config|nope", "get|x", "a|b|c"},
           {"COMMAND", "INFO", "config|get|x", "|", "config|"},
           {"COMMAND", "DOCS", "get", "nosuch", "config|GET", "get|x"},
           {"COMMAND", "DOCS", "nosuch"},
           {"COMMAND", "LIST", "FILTERBY"},
           {"COMMAND", "LIST", "FILTERBY", "nope", "x"},
           {"COMMAND", "LIST", "FILTERBY", "MODULE", "x"},
           {"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nope"},
           {"COMMAND", "LIST", "x"},
       }) {
    SCOPED_TRACE(argv[1] + (argv.size() > 2 ? " " + argv[2] : ""));
    ExpectSame(argv);
  }
}

}  // namespace
}  // namespace strata::integration
