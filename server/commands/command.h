// Commands: the declared data of every command (name, arity, flags, key positions) and the
// context a handler runs in.
//
// Each family (string, generic, connection, server) ends in one registration table of
// CommandSpec; CommandTable gathers them at start-up. The table drives dispatch, arity errors,
// COMMAND (command_family.cc), key extraction for shard locking and, later, which commands
// are logged. Handlers parse arguments (CmdX) and call operations on the keyspace (OpX).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/string_util.h"
#include "engine/db_view.h"
#include "engine/value.h"
#include "server/net/reply_builder.h"

namespace strata::server {

class Server;
struct ClientState;
struct CommandDocs;

enum CommandFlag : uint32_t {
  kWrite = 1 << 0,
  kReadOnly = 1 << 1,
  kFast = 1 << 2,
  kAdmin = 1 << 3,
  kNoAuth = 1 << 4,  // allowed before AUTH
  kDenyOom = 1 << 5,
  kLoading = 1 << 6,  // allowed while loading
  kStale = 1 << 7,
  kNoScript = 1 << 8,
  kPubSub = 1 << 9,
  kBlocking = 1 << 10,
  kSentinel = 1 << 11,
  kNoMulti = 1 << 12,         // refused inside MULTI
  kMultiControl = 1 << 13,    // runs at once inside MULTI (EXEC, DISCARD, MULTI, WATCH, ...)
  kPubSubContext = 1 << 14,   // allowed to a RESP2 client in subscribed mode
  kMovableKeys = 1 << 15,     // keys found by parsing (numkeys_at), not only first/last/step
  kKeysOnly = 1 << 16,        // needs its keys' type and TTL, never their values: a value in
                              // the overflow tier is not read for it (Strata's own flag)
  // Redis 7.0's other flags, shown by COMMAND INFO as Redis shows them.
  kSkipMonitor = 1 << 17,
  kSkipSlowlog = 1 << 18,  // not logged itself (EXEC: its commands are)
  kMayReplicate = 1 << 19,
  kNoMandatoryKeys = 1 << 20,  // may name no key: COMMAND GETKEYS then replies an empty array
  kNoAsyncLoading = 1 << 21,
  kAllowBusy = 1 << 22,
  // Its first/last/step positions name shard channels, not keys (Redis's not_key key specs:
  // SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH): COMMAND INFO shows them, nothing else takes them for
  // keys (no ACL key check, no lock, no COMMAND GETKEYS).
  kNotKey = 1 << 23,
};

// Redis's flag names, in COMMAND INFO order, for the set bits of `flags` (sentinel is not
// shown, as in Redis).
std::vector<std::string_view> FlagNames(uint32_t flags);

// Redis's ACL categories (ACL CAT), one bit each, in Redis's order.
enum AclCategory : uint32_t {
  kAclKeyspace = 1 << 0,
  kAclRead = 1 << 1,
  kAclWrite = 1 << 2,
  kAclSet = 1 << 3,
  kAclSortedSet = 1 << 4,
  kAclList = 1 << 5,
  kAclHash = 1 << 6,
  kAclString = 1 << 7,
  kAclBitmap = 1 << 8,
  kAclHyperLogLog = 1 << 9,
  kAclGeo = 1 << 10,
  kAclStream = 1 << 11,
  kAclPubSub = 1 << 12,
  kAclAdmin = 1 << 13,
  kAclFast = 1 << 14,
  kAclSlow = 1 << 15,
  kAclBlocking = 1 << 16,
  kAclDangerous = 1 << 17,
  kAclConnection = 1 << 18,
  kAclTransaction = 1 << 19,
  kAclScripting = 1 << 20,
  // Not a category: in a spec as declared, "the category of the command's group" (string ->
  // @string, generic -> @keyspace, ...), which is what Redis gives nearly every command.
  kAclGroupCategory = 1u << 31,
};

struct AclCategoryName {
  AclCategory bit;
  std::string_view name;  // without the '@'
};
// Every category, in ACL CAT order.
std::span<const AclCategoryName> AclCategoryNames();
// The category named `name` (without '@', case-insensitive), or 0.
uint32_t FindAclCategory(std::string_view name);
// A command's full category set as Redis derives it: `declared` (kAclGroupCategory resolved
// with `group`), plus what the flags imply: write -> @write, readonly -> @read, admin -> @admin
// and @dangerous, pubsub -> @pubsub, blocking -> @blocking, fast -> @fast, else @slow.
uint32_t ResolveAclCategories(uint32_t declared, uint32_t flags, std::string_view group);

struct CommandContext {
  Server& server;
  ClientState& client;
  ReplyBuilder& reply;
  std::span<const std::string_view> args;  // args[0] is the command name as sent
  int64_t now_ms;                          // the command's time for every expiry decision
  // Where the command's effects are recorded for the WAL (the worker's, reused), or null when
  // nothing is logged. Handlers reach it only through Lock*() and db(): what a DbView changes
  // under those locks is committed to the log when they are released.
  engine::RedoRecord* redo = nullptr;
  // Set when a blocked client's command runs again to be served (server/blocking.h): the one
  // key it pops from now; its other keys are not looked at.
  const std::string* serve_key = nullptr;
  // Set by a handler that counted its reply's errors in errorstats itself (a script's reply may
  // hold errors at any depth, and errors its commands counted already): the dispatcher then
  // counts none, and counts the call failed if `failed`.
  bool errors_counted = false;
  bool failed = false;

  engine::Keyspace& keyspace();
  // A keyspace notification of `event` (class `cls`, server/notify.h) on `key` of the client's
  // database (or database `db`), sent if its class is enabled. Call it under the key's lock,
  // where the change is made, as Redis does.
  void Notify(uint32_t cls, std::string_view event, std::string_view key);
  void Notify(uint32_t cls, std::string_view event, std::string_view key, int db);
  // The client's selected database, or database `index`.
  engine::DbView db();
  engine::DbView db(int index);
  engine::ShardLocks Lock(std::string_view key) { return keyspace().Lock(key, redo); }
  engine::ShardLocks Lock(std::span<const std::string_view> keys) {
    return keyspace().Lock(keys, redo);
  }
  engine::ShardLocks LockAll() { return keyspace().LockAll(redo); }
  engine::ShardLocks LockShard(uint32_t shard) {
    return engine::ShardLocks(&keyspace(), shard, redo);
  }
};

using Handler = void (*)(CommandContext& ctx);

struct CommandSpec {
  std::string_view name;  // lowercase; "config|get" for a subcommand
  int arity;              // > 0 exact argument count (name included); < 0 at least -arity
  uint32_t flags;
  int first_key;  // 0 = no keys
  int last_key;   // negative counts from the end: -1 = last argument
  int key_step;
  Handler handler;
  std::string_view group;    // COMMAND DOCS group: string, generic, connection, server
  std::string_view summary;  // COMMAND DOCS summary
  std::vector<CommandSpec> subcommands = {};
  // With kMovableKeys: the argument holding numkeys; that many keys follow it (LMPOP's 1,
  // BLMPOP's 2, ZUNIONSTORE's 2, ...). 0 = none.
  int numkeys_at = 0;
  // ACL categories (AclCategory bits) beyond those the flags imply; the default is the group's
  // own category. CommandTable resolves it to the full set (ResolveAclCategories) when it
  // registers the spec, so a registered spec holds every category COMMAND INFO shows.
  uint32_t acl_categories = kAclGroupCategory;
  // With kMovableKeys: the keys are the first half of the arguments after the first argument
  // from `keys_keyword_from` on that equals this keyword (XREAD's and XREADGROUP's STREAMS).
  std::string_view keys_keyword = {};
  int keys_keyword_from = 0;
  // With kMovableKeys: the argument after the last STORE or STOREDIST from this position on is
  // a key too (GEORADIUS's destination, found as Redis's georadiusGetKeys finds it). 0 = none.
  int store_key_from = 0;
  // Set by CommandTable: a dense number for the command or subcommand (ACL bitmaps).
  uint32_t id = 0;
  // Set by CommandTable: Redis's tips, key specs and documentation of the command
  // (command_docs.h), or null for a command Redis lacks.
  const CommandDocs* docs = nullptr;
};

class CommandTable {
 public:
  CommandTable();  // registers every family

  // The command named `name` (case-insensitive), or null: its own name, whatever
  // rename-command did.
  const CommandSpec* Find(std::string_view name) const;
  // The command a client's args[0] names (case-insensitive), or null: after rename-command,
  // the new name finds the command and the old one nothing.
  const CommandSpec* Lookup(std::string_view name) const {
    return client_index_.empty() ? Find(name) : LookupRenamed(name);
  }
  // rename-command: clients call `name` as `new_name` from now on ("" removes it). Errors are
  // Redis's start-up messages.
  Status Rename(std::string_view name, std::string_view new_name);
  bool renamed() const { return !client_index_.empty(); }
  // The subcommand `sub` of parent, or null.
  static const CommandSpec* FindSub(const CommandSpec& parent, std::string_view sub);
  // The spec a command line runs as: spec's subcommand named by args[1] if there is one
  // ("client|list"), else spec itself.
  static const CommandSpec& Named(const CommandSpec& spec, std::span<const std::string_view> args) {
    if (spec.subcommands.empty() || args.size() < 2) return spec;
    const CommandSpec* sub = FindSub(spec, args[1]);
    return sub != nullptr ? *sub : spec;
  }
  const std::vector<CommandSpec>& all() const { return commands_; }
  // Commands and subcommands are numbered 0..num_ids()-1 (CommandSpec::id).
  size_t num_ids() const { return by_id_.size(); }
  const CommandSpec& ById(uint32_t id) const { return *by_id_[id]; }

  // Positions of the key arguments of a command line: the spec's first/last/step, then the
  // numkeys-counted keys of a kMovableKeys command (none if numkeys does not parse).
  static std::vector<int> KeyPositions(const CommandSpec& spec,
                                       std::span<const std::string_view> args);
  // The same positions without allocating: calls fn(position) for each until fn returns
  // false, and returns whether every call returned true.
  template <typename Fn>
  static bool ForEachKeyPosition(const CommandSpec& spec, std::span<const std::string_view> args,
                                 Fn&& fn);
  // Redis's arity check.
  static bool ArityOk(const CommandSpec& spec, size_t argc) {
    return spec.arity > 0 ? argc == static_cast<size_t>(spec.arity)
                          : argc >= static_cast<size_t>(-spec.arity);
  }

  void Register(std::vector<CommandSpec> specs);

 private:
  std::vector<CommandSpec> commands_;
  std::vector<const CommandSpec*> by_id_;  // into commands_ and their subcommands
  std::unordered_map<std::string, size_t> index_;
  // After a rename-command, the names clients use (else empty, and Lookup is Find).
  std::unordered_map<std::string, size_t> client_index_;
  const CommandSpec* LookupRenamed(std::string_view name) const;
};

template <typename Fn>
bool CommandTable::ForEachKeyPosition(const CommandSpec& spec,
                                      std::span<const std::string_view> args, Fn&& fn) {
  const int argc = static_cast<int>(args.size());
  if (spec.first_key > 0 && !(spec.flags & kNotKey)) {
    const int last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
    for (int i = spec.first_key; i <= last && i < argc; i += spec.key_step) {
      if (!fn(i)) return false;
    }
  }
  if (!spec.keys_keyword.empty()) {
    for (int i = spec.keys_keyword_from; i > 0 && i < argc; ++i) {
      if (!EqualsIgnoreCase(args[i], spec.keys_keyword)) continue;
      const int n = (argc - i - 1) / 2;
      for (int k = 1; k <= n; ++k) {
        if (!fn(i + k)) return false;
      }
      break;
    }
  }
  if (spec.store_key_from > 0) {
    int store = 0;
    for (int i = spec.store_key_from; i + 1 < argc; ++i) {
      if (EqualsIgnoreCase(args[i], "store") || EqualsIgnoreCase(args[i], "storedist")) store = ++i;
    }
    if (store > 0 && !fn(store)) return false;
  }
  if (spec.numkeys_at > 0 && spec.numkeys_at < argc) {
    std::optional<int64_t> n = ParseInt64(args[spec.numkeys_at]);
    if (n && *n > 0 && *n < argc - spec.numkeys_at) {
      for (int i = 1; i <= *n; ++i) {
        if (!fn(spec.numkeys_at + i)) return false;
      }
    }
  }
  return true;
}

// Family registration tables.
std::vector<CommandSpec> ConnectionFamily();
std::vector<CommandSpec> StringFamily();
std::vector<CommandSpec> BitmapFamily();
std::vector<CommandSpec> SortFamily();
std::vector<CommandSpec> GenericFamily();
std::vector<CommandSpec> ServerFamily();
std::vector<CommandSpec> CommandFamily();
std::vector<CommandSpec> DiagnosticsFamily();
std::vector<CommandSpec> ListFamily();
std::vector<CommandSpec> HashFamily();
std::vector<CommandSpec> SetFamily();
std::vector<CommandSpec> ZSetFamily();
std::vector<CommandSpec> TransactionFamily();
std::vector<CommandSpec> ScriptingFamily();
std::vector<CommandSpec> PubSubFamily();
std::vector<CommandSpec> BlockingFamily();
std::vector<CommandSpec> AclFamily();
std::vector<CommandSpec> StreamFamily();
std::vector<CommandSpec> GeoFamily();
std::vector<CommandSpec> HllFamily();
std::vector<CommandSpec> DumpFamily();

// The arguments of a pub/sub command line that name channels (PUBLISH, SUBSCRIBE), or channel
// patterns (PSUBSCRIBE: *patterns is set), for ACL checks; empty for other commands.
std::span<const std::string_view> ChannelArgs(const CommandSpec& spec,
                                              std::span<const std::string_view> args,
                                              bool* patterns);

// The collection of type T (engine::ListValue, HashValue, SetValue, ZSetValue) at key: null if
// missing, WrongType if the key holds another type. `read`: a read command's lookup (counts a
// keyspace hit or miss). REQUIRES: key's shard locked.
template <typename T>
Result<const T*> FindCollection(engine::DbView& db, std::string_view key, bool read) {
  engine::Entry* e = read ? db.FindRead(key) : db.Find(key);
  if (e == nullptr) return static_cast<const T*>(nullptr);
  if (e->type() != T::kType) return Status::WrongType();
  return static_cast<const T*>(e->value());
}

// Shared argument helpers: each replies with Redis's error and returns false on bad input.
bool ArgToInt(CommandContext& ctx, std::string_view arg, int64_t* out);
// "ERR wrong number of arguments for '<name>' command" for the current command.
void ReplyWrongArity(CommandContext& ctx);
// The handler of a container command (OBJECT, MEMORY, SLOWLOG): runs the subcommand args[1]
// after its arity check, or replies Redis's unknown-subcommand error.
void DispatchSubcommand(CommandContext& ctx);
// Redis's HELP reply of a container command: a title line, `lines`, then HELP's own entry.
void ReplyHelp(CommandContext& ctx, std::string_view command,
               std::span<const std::string_view> lines);
// "ERR unknown subcommand '<sub>'. Try <CMD> HELP." for args[1] of the container args[0].
std::string UnknownSubcommandError(std::span<const std::string_view> args);
void ReplyUnknownSubcommand(CommandContext& ctx);
// A SCAN-family cursor, as Redis's strtoul-based parseScanCursorOrReply reads it ("", "+5" and
// "-1" pass; leading spaces and trailing garbage do not): "ERR invalid cursor" otherwise.
bool ParseScanCursor(CommandContext& ctx, std::string_view arg, uint64_t* cursor);
// HSCAN/SSCAN/ZSCAN's [MATCH pattern] [COUNT count] from args[first] on. *pattern stays empty
// for none or "*" (everything matches). Replies Redis's error and returns false on bad input.
bool ParseScanOptions(CommandContext& ctx, size_t first, int64_t* count,
                      std::optional<std::string_view>* pattern);

}  // namespace strata::server
