#include "server/commands/command_docs.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <unordered_map>

#include "base/string_util.h"

namespace strata::server {

extern const std::string_view kRedisCommandsJson;  // redis_commands_json.cc.in

namespace {

int IntField(const JsonValue& spec, std::string_view name) {
  const JsonValue* v = spec.Find(name);
  return v != nullptr && v->kind == JsonValue::Kind::kInt ? static_cast<int>(v->integer) : 0;
}

std::string_view TypeOf(const JsonValue& search) {
  const JsonValue* type = search.Find("type");
  return type != nullptr ? std::string_view(type->string) : std::string_view();
}

KeySpec ParseKeySpec(const JsonValue& json) {
  static const JsonValue kEmpty;
  KeySpec ks;
  if (const JsonValue* flags = json.Find("flags")) {
    for (const JsonValue& f : flags->array) {
      ks.flags.push_back(f.string);
      if (f.string == "variable_flags") ks.variable_flags = true;
    }
  }
  const JsonValue* begin = json.Find("begin_search");
  const JsonValue* find = json.Find("find_keys");
  if (begin == nullptr || find == nullptr) return ks;
  const JsonValue* bspec = begin->Find("spec");
  const JsonValue* fspec = find->Find("spec");
  const JsonValue& b = bspec != nullptr ? *bspec : kEmpty;
  const JsonValue& f = fspec != nullptr ? *fspec : kEmpty;
  if (TypeOf(*begin) == "index") {
    ks.begin = KeySpec::Begin::kIndex;
    ks.index = IntField(b, "index");
  } else if (TypeOf(*begin) == "keyword") {
    ks.begin = KeySpec::Begin::kKeyword;
    if (const JsonValue* kw = b.Find("keyword")) ks.keyword = kw->string;
    ks.startfrom = IntField(b, "startfrom");
  }
  if (TypeOf(*find) == "range") {
    ks.find = KeySpec::Find::kRange;
    ks.lastkey = IntField(f, "lastkey");
    ks.keystep = IntField(f, "keystep");
    ks.limit = IntField(f, "limit");
  } else if (TypeOf(*find) == "keynum") {
    ks.find = KeySpec::Find::kKeynum;
    ks.keynumidx = IntField(f, "keynumidx");
    ks.firstkey = IntField(f, "firstkey");
    ks.keystep = IntField(f, "keystep");
  }
  if (ks.keystep < 1) ks.keystep = 1;
  return ks;
}

struct Store {
  JsonValue root;
  std::unordered_map<std::string_view, CommandDocs> by_name;  // names point into root
};

const Store& GetStore() {
  static const Store store = [] {
    Store s;
    Result<JsonValue> parsed = ParseJson(kRedisCommandsJson);
    if (!parsed.ok()) {  // the file is compiled in: only a bad build gets here
      std::fprintf(stderr, "redis_commands.json: %s\n", parsed.status().message().c_str());
      std::abort();
    }
    s.root = std::move(parsed).value();
    for (const auto& [name, entry] : s.root.object) {
      const JsonValue* docs = entry.Find("docs");
      if (docs == nullptr) continue;  // "_source"
      CommandDocs& d = s.by_name[name];
      d.docs = docs;
      if (const JsonValue* tips = entry.Find("tips")) {
        for (const JsonValue& t : tips->array) d.tips.push_back(t.string);
      }
      d.key_specs_json = entry.Find("key_specs");
      if (d.key_specs_json != nullptr) {
        for (const JsonValue& ks : d.key_specs_json->array) d.key_specs.push_back(ParseKeySpec(ks));
      }
    }
    return s;
  }();
  return store;
}

}  // namespace

const CommandDocs* FindCommandDocs(std::string_view name) {
  const Store& store = GetStore();
  auto it = store.by_name.find(name);
  return it == store.by_name.end() ? nullptr : &it->second;
}

void ReplyDocsValue(ReplyBuilder& r, const JsonValue& v, std::string_view key) {
  switch (v.kind) {
    case JsonValue::Kind::kNull: return r.Null();
    case JsonValue::Kind::kBool: return r.Bool(v.boolean);
    case JsonValue::Kind::kInt: return r.Int(v.integer);
    case JsonValue::Kind::kString: return r.Bulk(v.string);
    case JsonValue::Kind::kObject:
      r.Map(v.object.size());
      for (const auto& [k, value] : v.object) {
        r.Bulk(k);
        ReplyDocsValue(r, value, k);
      }
      return;
    case JsonValue::Kind::kArray:
      if (key == "flags" || key == "doc_flags") {
        r.Set(v.array.size());
        for (const JsonValue& e : v.array) r.Simple(e.string);
        return;
      }
      key == "history" ? r.Set(v.array.size()) : r.Array(v.array.size());
      for (const JsonValue& e : v.array) ReplyDocsValue(r, e, "");
      return;
  }
}

bool KeysFromSpecs(std::span<const KeySpec> specs, std::span<const std::string_view> args,
                   std::vector<FoundKey>* out) {
  const int argc = static_cast<int>(args.size());
  for (const KeySpec& ks : specs) {
    int first = -1;
    switch (ks.begin) {
      case KeySpec::Begin::kIndex:
        first = ks.index;
        break;
      case KeySpec::Begin::kKeyword: {
        const int step = ks.startfrom >= 0 ? 1 : -1;
        for (int i = ks.startfrom >= 0 ? ks.startfrom : argc + ks.startfrom; i > 0 && i < argc;
             i += step) {
          if (EqualsIgnoreCase(args[i], ks.keyword)) {
            first = i + 1;
            break;
          }
        }
        break;
      }
      case KeySpec::Begin::kUnknown:
        return false;
    }
    if (first < 0 || first >= argc) continue;  // no keys of this spec in this line
    int last = first - 1;
    switch (ks.find) {
      case KeySpec::Find::kRange:
        if (ks.lastkey >= 0) {
          last = first + ks.lastkey;
        } else if (ks.limit <= 1) {
          last = argc + ks.lastkey;
        } else {
          last = first + (argc - first) / ks.limit + ks.lastkey;
        }
        break;
      case KeySpec::Find::kKeynum: {
        const int at = first + ks.keynumidx;
        std::optional<int64_t> n = at < argc ? ParseInt64(args[at]) : std::nullopt;
        if (!n || *n <= 0 || *n > argc) return false;
        first += ks.firstkey;
        last = first + (static_cast<int>(*n) - 1) * ks.keystep;
        if (last >= argc) return false;
        break;
      }
      case KeySpec::Find::kUnknown:
        return false;
    }
    for (int i = first; i <= last && i < argc; i += ks.keystep) out->push_back({i, ks.flags});
  }
  return true;
}

}  // namespace strata::server
