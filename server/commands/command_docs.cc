#include "server/commands/command_docs.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "base/string_util.h"

namespace strata::server {

extern const std::string_view kRedisCommandsJson;  // redis_commands_json.cc.in

namespace {

using Json = nlohmann::ordered_json;

// The member named `key` of an object, or null (also when `v` is not an object).
const Json* Find(const Json& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  auto it = v.find(key);
  return it != v.end() ? &*it : nullptr;
}

// A string's text; "" for any other value.
std::string_view Str(const Json& v) {
  const std::string* s = v.get_ptr<const std::string*>();
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

// The elements of an array; none for any other value.
std::span<const Json> Elements(const Json* v) {
  const Json::array_t* a = v != nullptr ? v->get_ptr<const Json::array_t*>() : nullptr;
  return a != nullptr ? std::span<const Json>(*a) : std::span<const Json>();
}

int IntField(const Json& spec, std::string_view name) {
  const Json* v = Find(spec, name);
  return v != nullptr && v->is_number_integer() ? static_cast<int>(v->get<int64_t>()) : 0;
}

std::string_view TypeOf(const Json& search) {
  const Json* type = Find(search, "type");
  return type != nullptr ? Str(*type) : std::string_view();
}

KeySpec ParseKeySpec(const Json& json) {
  static const Json kEmpty;
  KeySpec ks;
  for (const Json& f : Elements(Find(json, "flags"))) {
    ks.flags.emplace_back(Str(f));
    if (Str(f) == "variable_flags") ks.variable_flags = true;
  }
  const Json* begin = Find(json, "begin_search");
  const Json* find = Find(json, "find_keys");
  if (begin == nullptr || find == nullptr) return ks;
  const Json* bspec = Find(*begin, "spec");
  const Json* fspec = Find(*find, "spec");
  const Json& b = bspec != nullptr ? *bspec : kEmpty;
  const Json& f = fspec != nullptr ? *fspec : kEmpty;
  if (TypeOf(*begin) == "index") {
    ks.begin = KeySpec::Begin::kIndex;
    ks.index = IntField(b, "index");
  } else if (TypeOf(*begin) == "keyword") {
    ks.begin = KeySpec::Begin::kKeyword;
    if (const Json* kw = Find(b, "keyword")) ks.keyword = Str(*kw);
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
  Json root;
  std::unordered_map<std::string_view, CommandDocs> by_name;  // names point into root
};

Store Load() {
  Store s;
  s.root = Json::parse(kRedisCommandsJson);
  for (const auto& [name, entry] : s.root.get_ref<const Json::object_t&>()) {
    const Json* docs = Find(entry, "docs");
    if (docs == nullptr || !docs->is_object()) continue;  // "_source"
    CommandDocs& d = s.by_name[name];
    d.docs = docs;
    for (const Json& t : Elements(Find(entry, "tips"))) d.tips.emplace_back(Str(t));
    const Json* key_specs = Find(entry, "key_specs");
    if (key_specs != nullptr && key_specs->is_array()) {
      d.key_specs_json = key_specs;
      for (const Json& ks : Elements(key_specs)) d.key_specs.push_back(ParseKeySpec(ks));
    }
  }
  return s;
}

const Store& GetStore() {
  static const Store store = [] {
    // nlohmann_json reports bad input by exceptions: here, once, at start-up.
    try {
      return Load();
    } catch (const Json::exception& e) {  // the file is compiled in: only a bad build gets here
      std::fprintf(stderr, "redis_commands.json: %s\n", e.what());
      std::abort();
    }
  }();
  return store;
}

}  // namespace

const CommandDocs* FindCommandDocs(std::string_view name) {
  const Store& store = GetStore();
  auto it = store.by_name.find(name);
  return it == store.by_name.end() ? nullptr : &it->second;
}

void ReplyDocsValue(ReplyBuilder& r, const Json& v, std::string_view key) {
  switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::binary:  // binary and discarded: never the result of parsing text
    case Json::value_t::discarded: return r.Null();
    case Json::value_t::boolean: return r.Bool(v.get<bool>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return r.Int(v.get<int64_t>());
    case Json::value_t::number_float: return r.Double(v.get<double>());
    case Json::value_t::string: return r.Bulk(Str(v));
    case Json::value_t::object:
      r.Map(v.size());
      for (const auto& [k, value] : v.get_ref<const Json::object_t&>()) {
        r.Bulk(k);
        ReplyDocsValue(r, value, k);
      }
      return;
    case Json::value_t::array:
      if (key == "flags" || key == "doc_flags") {
        r.Set(v.size());
        for (const Json& e : v) r.Simple(Str(e));
        return;
      }
      key == "history" ? r.Set(v.size()) : r.Array(v.size());
      for (const Json& e : v) ReplyDocsValue(r, e, "");
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
