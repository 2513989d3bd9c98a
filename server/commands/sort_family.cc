// SORT and SORT_RO: the elements of a list, set or sorted set, ordered by their own value or
// by the keys a BY pattern names, with LIMIT, ASC/DESC, ALPHA, GET patterns and STORE, as
// Redis 7.0 sorts them.
//
// BY and GET patterns name keys built from the elements ("weight_*", "data_*->field"), which
// no one can know before the sort reads its key: a SORT with such patterns runs under every
// shard's lock, as a transaction does; without them it locks its key and STORE's.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "base/string_util.h"
#include "engine/hash_value.h"
#include "engine/list_value.h"
#include "engine/set_value.h"
#include "engine/zset_value.h"
#include "server/acl.h"
#include "server/commands/command.h"
#include "server/commands/errors.h"
#include "server/notify.h"
#include "server/server.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::ValueType;

struct SortArgs {
  bool desc = false, alpha = false, dont_sort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> by, store;
  std::vector<std::string_view> gets;
};

// Parses SORT's options from args[2] on; false after replying the error.
bool ParseSortArgs(CommandContext& ctx, bool read_only, SortArgs* a) {
  const bool all_keys = ctx.client.user == nullptr || ctx.client.user->all_keys();
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    const size_t left = ctx.args.size() - j - 1;
    std::string_view opt = ctx.args[j];
    if (EqualsIgnoreCase(opt, "asc")) {
      a->desc = false;
    } else if (EqualsIgnoreCase(opt, "desc")) {
      a->desc = true;
    } else if (EqualsIgnoreCase(opt, "alpha")) {
      a->alpha = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      if (!ArgToInt(ctx, ctx.args[j + 1], &a->limit_start) ||
          !ArgToInt(ctx, ctx.args[j + 2], &a->limit_count)) {
        return false;
      }
      j += 2;
    } else if (!read_only && EqualsIgnoreCase(opt, "store") && left >= 1) {
      a->store = ctx.args[++j];
    } else if (EqualsIgnoreCase(opt, "by") && left >= 1) {
      a->by = ctx.args[++j];
      // A pattern without '*' names no key per element: nothing to sort by.
      a->dont_sort = a->by->find('*') == std::string_view::npos;
      if (!all_keys) {
        ctx.reply.Error("ERR BY option of SORT denied due to insufficient ACL permissions.");
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "get") && left >= 1) {
      if (!all_keys) {
        ctx.reply.Error("ERR GET option of SORT denied due to insufficient ACL permissions.");
        return false;
      }
      a->gets.push_back(ctx.args[++j]);
    } else {
      ctx.reply.Error(Status::Syntax());
      return false;
    }
  }
  return true;
}

// What a BY or GET pattern names for element `e`: "#" is the element itself; otherwise the
// first '*' is replaced by the element and the string at that key, or with "->field" after the
// '*' that field of the hash at that key, is the answer. nullopt when there is none.
std::optional<std::string> Lookup(DbView& db, std::string_view pattern, std::string_view e) {
  if (pattern == "#") return std::string(e);
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view rest = pattern.substr(star + 1), field;
  if (size_t arrow = rest.find("->"); arrow != std::string_view::npos && arrow + 2 < rest.size()) {
    field = rest.substr(arrow + 2);
    rest = rest.substr(0, arrow);
  }
  std::string key(pattern.substr(0, star));
  key.append(e).append(rest);
  const Entry* entry = db.FindRead(key);
  if (entry == nullptr) return std::nullopt;
  if (field.empty()) {
    if (entry->type() != ValueType::kString) return std::nullopt;
    return std::string(entry->str());
  }
  if (entry->type() != ValueType::kHash) return std::nullopt;
  std::optional<std::string_view> v = static_cast<const engine::HashValue*>(entry->value())->Get(field);
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

struct Item {
  explicit Item(std::string_view e) : element(e) {}
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: what the pattern named
};

void Sort(CommandContext& ctx, bool read_only) {
  SortArgs a;
  if (!ParseSortArgs(ctx, read_only, &a)) return;
  const std::string_view key = ctx.args[1];
  const bool patterns = (a.by && !a.dont_sort) || !a.gets.empty();
  engine::ShardLocks lock;
  if (patterns) {
    lock = ctx.LockAll();
  } else if (a.store) {
    const std::string_view keys[] = {key, *a.store};
    lock = ctx.Lock(keys);
  } else {
    lock = ctx.Lock(key);
  }
  DbView db = ctx.db();
  const Entry* e = db.FindRead(key);
  const ValueType type = e ? e->type() : ValueType::kList;
  if (type != ValueType::kList && type != ValueType::kSet && type != ValueType::kZSet) {
    return ctx.reply.Error(Status::WrongType());
  }
  // A set has no order of its own: stored, it is sorted by its elements anyway.
  if (a.dont_sort && type == ValueType::kSet && (a.store || ctx.client.in_script)) {
    a.dont_sort = false;
    a.alpha = true;
    a.by.reset();
  }
  const int64_t size = e == nullptr ? 0 : static_cast<int64_t>(e->value()->size());
  int64_t start = std::max<int64_t>(a.limit_start, 0);
  int64_t end = size - 1;
  // start + count - 1, saturated (a huge count reaches the end, as it does in Redis).
  if (a.limit_count >= 0 && __builtin_add_overflow(start, a.limit_count - 1, &end)) end = INT64_MAX;
  if (start >= size) {
    start = size - 1;
    end = size - 2;
  }
  end = std::min(end, size - 1);

  std::vector<Item> items;
  if (e != nullptr && a.dont_sort && type != ValueType::kSet) {
    // Lists and sorted sets keep their own order (reversed by DESC): only the range is read.
    if (end >= start) {
      const size_t want = static_cast<size_t>(end - start + 1);
      const size_t first = static_cast<size_t>(a.desc ? size - 1 - start : start);
      auto take = [&](std::string_view v) {
        items.emplace_back(v);
        return items.size() < want;
      };
      if (type == ValueType::kList) {
        static_cast<const engine::ListValue*>(e->value())->Walk(a.desc, [&](size_t i, std::string_view v) {
          return (a.desc ? i > first : i < first) || take(v);
        });
      } else {
        static_cast<const engine::ZSetValue*>(e->value())->Walk(first, a.desc, [&](std::string_view m, double) {
          return take(m);
        });
      }
      end -= start;
      start = 0;
    }
  } else if (e != nullptr) {
    items.reserve(static_cast<size_t>(size));
    if (type == ValueType::kList) {
      static_cast<const engine::ListValue*>(e->value())->Walk(false, [&](size_t, std::string_view v) {
        items.emplace_back(v);
        return true;
      });
    } else if (type == ValueType::kSet) {
      static_cast<const engine::SetValue*>(e->value())->ForEach([&](std::string_view m) {
        items.emplace_back(m);
      });
    } else {
      static_cast<const engine::ZSetValue*>(e->value())->Walk(0, false, [&](std::string_view m, double) {
        items.emplace_back(m);
        return true;
      });
    }
  }

  bool bad_score = false;
  if (!a.dont_sort) {
    for (Item& it : items) {
      std::optional<std::string> by = a.by ? Lookup(db, *a.by, it.element) : it.element;
      if (!by) continue;  // scores 0, sorts first
      if (a.alpha) {
        if (a.by) it.by = std::move(by);
        continue;
      }
      errno = 0;
      char* end_ptr = nullptr;
      it.score = std::strtod(by->c_str(), &end_ptr);
      if (*end_ptr != '\0' || errno == ERANGE || std::isnan(it.score)) bad_score = true;
    }
    auto compare_bytes = [](const std::string& x, const std::string& y) { return x.compare(y); };
    auto compare = [&](const Item& x, const Item& y) {
      int c;
      if (!a.alpha) {
        c = x.score > y.score ? 1 : x.score < y.score ? -1 : compare_bytes(x.element, y.element);
      } else if (a.by) {
        c = !x.by || !y.by ? (x.by.has_value() ? 1 : 0) - (y.by.has_value() ? 1 : 0)
                           : compare_bytes(*x.by, *y.by);
      } else {
        c = compare_bytes(x.element, y.element);
      }
      return (a.desc ? -c : c) < 0;
    };
    std::stable_sort(items.begin(), items.end(), compare);
  }

  if (bad_score) return ctx.reply.Error("ERR One or more scores can't be converted into double");
  const size_t count = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  const size_t out_len = a.gets.empty() ? count : a.gets.size() * count;
  if (!a.store) {
    ctx.reply.Array(out_len);
    for (int64_t j = start; j <= end; ++j) {
      const std::string& el = items[static_cast<size_t>(j)].element;
      if (a.gets.empty()) ctx.reply.Bulk(el);
      for (std::string_view g : a.gets) {
        std::optional<std::string> v = Lookup(db, g, el);
        v ? ctx.reply.Bulk(*v) : ctx.reply.Null();
      }
    }
    return;
  }
  std::vector<std::string> values;
  values.reserve(out_len);
  for (int64_t j = start; j <= end; ++j) {
    const std::string& el = items[static_cast<size_t>(j)].element;
    if (a.gets.empty()) values.push_back(el);
    for (std::string_view g : a.gets) values.push_back(Lookup(db, g, el).value_or(""));
  }
  if (values.empty()) {
    if (db.Delete(*a.store)) ctx.Notify(kNotifyGeneric, "del", *a.store);
  } else {
    db.Delete(*a.store);
    std::vector<std::string_view> views(values.begin(), values.end());
    std::string body;
    engine::ListPushBody(&body, engine::ListEnd::kTail, views);
    db.Apply(engine::RedoOp::kListPush, *a.store, body);
    ctx.Notify(kNotifyList, "sortstore", *a.store);
  }
  ctx.reply.Int(static_cast<int64_t>(out_len));
}

void CmdSort(CommandContext& ctx) { Sort(ctx, false); }
void CmdSortRo(CommandContext& ctx) { Sort(ctx, true); }

}  // namespace

std::vector<CommandSpec> SortFamily() {
  constexpr uint32_t kCategories = kAclSet | kAclSortedSet | kAclList | kAclDangerous;
  CommandSpec sort = {"sort", -2, kWrite | kDenyOom | kMovableKeys, 1, 1, 1, CmdSort, "generic",
                      "Sort the elements in a list, set or sorted set"};
  sort.acl_categories = kCategories;
  sort.store_key_from = 2;
  CommandSpec sort_ro = {"sort_ro", -2, kReadOnly | kMovableKeys, 1, 1, 1, CmdSortRo, "generic",
                         "Sort the elements in a list, set or sorted set. Read-only variant of "
                         "SORT."};
  sort_ro.acl_categories = kCategories;
  return {sort, sort_ro};
}

}  // namespace strata::server
