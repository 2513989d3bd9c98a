// ACL: users, their passwords and what each may run, as Redis 7.0's ACL has them.
//
// An AclUser is a value: on/off, SHA-256 password hashes (hex, as Redis shows them) or nopass,
// a bitmap over command ids (CommandTable numbers every command and subcommand), key patterns
// with read/write permissions, and channel patterns. Acl is the registry of users. ACL SETUSER
// applies its rules to a copy of the user and publishes the copy: a published AclUser never
// changes, so it is read without a lock.
//
// Threads: Acl's mutex guards the registry and is taken only to change a user or look one up.
// Every change bumps version(). A connection keeps a shared_ptr to the user it runs as and the
// version it read that user at; Server::Execute compares that with version() (one atomic load)
// and looks the user up again only when it moved. Acl is thread safe; AclUser is immutable
// once shared.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::server {

class CommandTable;
struct CommandSpec;

// What a key pattern allows: ~p is both, %R~p reads, %W~p writes.
enum AclKeyPerm : uint8_t { kAclKeyRead = 1, kAclKeyWrite = 2, kAclKeyReadWrite = 3 };

// SHA-256 of `password` as 64 lowercase hex digits: how Redis stores and shows passwords.
std::string AclHashPassword(std::string_view password);
// ACL GENPASS: `bits` random bits as (bits + 3) / 4 hex digits. REQUIRES 0 < bits <= 4096.
std::string AclGeneratePassword(int bits);

// A key or channel pattern (Redis's glob). The shapes most patterns have are matched without
// the glob matcher: a literal ("user:1") and a literal prefix with one '*' ("cache:*").
class AclPattern {
 public:
  explicit AclPattern(std::string_view text);
  const std::string& text() const { return text_; }
  bool Matches(std::string_view s) const;
  bool operator==(const AclPattern& o) const { return text_ == o.text_; }

 private:
  enum class Kind : uint8_t { kGlob, kLiteral, kPrefix };
  std::string text_;
  Kind kind_;
};

class AclUser {
 public:
  // A user as ACL SETUSER creates it: off, no passwords, no commands, keys or channels.
  // `table` numbers the commands; it must be the table every later call passes.
  AclUser(std::string name, const CommandTable& table);
  // The user "default" as Redis starts it: on, nopass, every command, key and channel.
  static AclUser Default(const CommandTable& table);

  // Applies one ACL SETUSER rule ("on", ">secret", "+@read", "~cache:*", ...). On error
  // returns Redis's reason ("Syntax error", ...) and the user may be partly changed: callers
  // apply rules to a copy.
  Status Apply(std::string_view rule, const CommandTable& table);

  const std::string& name() const { return name_; }
  bool enabled() const { return enabled_; }
  bool nopass() const { return nopass_; }
  // Whether `password` opens the user (nopass, or its hash is one of the user's). Compares
  // hashes in constant time. Does not look at enabled().
  bool CheckPassword(std::string_view password) const;

  // The permission checks of every command. With all_commands(), all_keys() and
  // all_channels() (the default user) a command needs nothing more.
  bool all_commands() const { return all_commands_; }
  bool all_keys() const { return all_keys_; }
  bool all_channels() const { return all_channels_; }
  // Whether `spec` (a subcommand's own spec when it has one) may run. `first_arg` is args[1]
  // (or empty), for "+select|0" rules.
  bool CanRun(const CommandSpec& spec, std::string_view first_arg) const;
  // Whether some key pattern grants `perms` (AclKeyPerm bits; 0 = any pattern that matches).
  bool CanAccessKey(std::string_view key, uint8_t perms) const;
  // Whether a channel pattern allows `channel`. `literal`: channel is itself a PSUBSCRIBE
  // pattern, allowed only by an identical pattern (as Redis).
  bool CanAccessChannel(std::string_view channel, bool literal) const;

  // ACL LIST's line: "user default on nopass ~* &* +@all".
  std::string Describe() const;
  // ACL GETUSER's fields.
  std::vector<std::string_view> Flags() const;  // on|off, nopass, [skip-]sanitize-payload
  const std::vector<std::string>& password_hashes() const { return passwords_; }
  std::string CommandRules() const;  // "+@all -keys", "-@all +get"
  std::string KeyRules() const;      // "~*", "%R~a ~b", ""
  std::string ChannelRules() const;  // "&*", "&news.* &alerts", ""

 private:
  struct KeyPattern {
    AclPattern pattern;
    uint8_t perms;  // AclKeyPerm
  };
  // What the command rules allow: one bit per command id, plus "+cmd|firstarg" arguments of
  // commands whose bit is clear.
  struct CommandBits {
    std::vector<uint64_t> bits;
    std::vector<std::pair<uint32_t, std::vector<std::string>>> first_args;  // by command id
    bool operator==(const CommandBits&) const = default;
  };
  enum class Sanitize : uint8_t { kUnset, kSanitize, kSkip };

  // Applies a +/- command or category rule to `bits`; *target gets the rule's normalised form
  // without its sign ("get", "@read", "config|get").
  static Status ApplyCommandRule(std::string_view rule, const CommandTable& table,
                                 CommandBits* bits, std::string* target);
  static void SetCommand(CommandBits* bits, const CommandSpec& spec, bool allow);
  // The command rules: "+@all"/"-@all" then rules_ in order. Keeps rules_ short: a rule
  // replaces an earlier one on the same target and is dropped when it changes nothing.
  Status ApplyCommandRules(std::string_view rule, const CommandTable& table);
  Status AddKeyPattern(std::string_view rule);
  void SetAllCommands(bool allow, const CommandTable& table);

  std::string name_;
  bool enabled_ = false;
  bool nopass_ = false;
  Sanitize sanitize_ = Sanitize::kUnset;
  std::vector<std::string> passwords_;  // SHA-256 hex, in the order added
  bool commands_base_all_ = false;      // the rules start from +@all (else -@all)
  std::vector<std::string> rules_;      // "+get", "-@string", in order
  CommandBits commands_;
  bool all_commands_ = false;  // every bit of commands_ is set
  bool all_keys_ = false;
  std::vector<KeyPattern> keys_;
  bool all_channels_ = false;
  std::vector<AclPattern> channels_;
};

// One ACL LOG entry: a denied command, key or channel, or a failed AUTH.
struct AclLogEntry {
  int64_t count = 1;
  std::string reason;   // command, key, channel, auth
  std::string context;  // toplevel, multi, lua (a command a script called)
  std::string object;   // the command, key or channel name; "AUTH"
  std::string username;
  int64_t created_ms = 0;   // the latest occurrence
  std::string client_info;  // CLIENT INFO's line for the client, at that time
};

// Why a command line may not run (AclCheck).
enum class AclDenial { kNone, kCommand, kKey, kChannel };

// Whether `user` may run the command line `args`, checked as Redis does: the command (`spec`
// is the subcommand's own spec when it has one), then its keys, then its channels. On a
// denial *object names what was denied: the command's name, the key or the channel.
// Key permissions are approximated from the command's flags (see README: Security): a write
// command needs read and write on each key, a read-only command read, any other command any
// pattern that matches.
AclDenial AclCheck(const AclUser& user, const CommandSpec& spec,
                   std::span<const std::string_view> args, std::string_view* object);

class Acl {
 public:
  // Starts with the user "default" (on, nopass, everything allowed). `table` outlives the Acl.
  explicit Acl(const CommandTable& table);

  // Bumped by every change to any user; readers compare it with the version they read at.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // Whether a new connection must AUTH before running commands: the default user has
  // passwords (no nopass) or is off.
  bool default_requires_auth() const {
    return default_requires_auth_.load(std::memory_order_relaxed);
  }
  // Whether the default user is nopass (protected mode refuses remote clients then).
  bool default_nopass() const { return default_nopass_.load(std::memory_order_relaxed); }

  // The user `name`, or null.
  std::shared_ptr<const AclUser> Find(std::string_view name) const;
  // AUTH: the user if it exists, is on and `password` opens it; else null.
  std::shared_ptr<const AclUser> Authenticate(std::string_view name,
                                              std::string_view password) const;
  // ACL SETUSER: applies `rules` in order to the user (created if missing) and publishes the
  // result only if every rule applied. The error is Redis's full message.
  Status SetUser(std::string_view name, std::span<const std::string_view> rules);
  // ACL DELUSER: deletes the named users that exist and returns their names. "default" cannot
  // be deleted: an error, and nothing is deleted.
  Result<std::vector<std::string>> DeleteUsers(std::span<const std::string_view> names);
  // Every user, sorted by name (ACL LIST, ACL USERS).
  std::vector<std::shared_ptr<const AclUser>> Users() const;
  // The `requirepass` setting, mirrored on the default user as Redis does: its passwords are
  // reset and `password` set, or nopass for "". Applied only when the value differs from the
  // last one mirrored, so that unrelated CONFIG SETs keep ACL SETUSER's changes to "default".
  void MirrorRequirepass(std::string_view password);

  // ACL LOAD, and start-up with an aclfile: every user becomes the file's ("user NAME RULE..."
  // per line, blank lines skipped), all or nothing; without a "default" line the default user
  // is the one Redis starts with. Errors are Redis's texts.
  Status LoadFile(const std::string& path);
  // ACL SAVE: every user's ACL LIST line, to a temporary file fsynced and renamed over `path`.
  Status SaveFile(const std::string& path) const;
  // The config file's `user` lines, applied at start-up to users created as ACL SETUSER
  // creates them (the default user starts as Redis's).
  Status LoadUserLines(const std::vector<std::vector<std::string>>& lines);

  // ACL LOG: records a denial, merged with an equal entry (same reason, context, object and
  // user) of the last 60 seconds as Redis does. Keeps the newest acllog-max-len entries.
  void Log(AclLogEntry entry);
  void set_log_max_len(size_t n) { log_max_len_.store(n, std::memory_order_relaxed); }
  // acl-pubsub-default: whether users created from now on (and `reset`) get every channel.
  void set_pubsub_default_all(bool all) { pubsub_all_.store(all); }
  // The newest `count` entries, newest first.
  std::vector<AclLogEntry> LogEntries(size_t count) const;
  void ResetLog();

 private:
  // REQUIRES: mu_ held.
  void PublishLocked(std::shared_ptr<const AclUser> user);

  const CommandTable& table_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const AclUser>, std::less<>> users_;  // GUARDED_BY(mu_)
  std::string mirrored_requirepass_;                                          // GUARDED_BY(mu_)
  std::atomic<size_t> log_max_len_{128};
  std::atomic<bool> pubsub_all_{false};
  // A user as ACL SETUSER creates one: off, nothing allowed but acl-pubsub-default's channels.
  AclUser NewUser(std::string_view name) const;
  std::deque<AclLogEntry> log_;  // GUARDED_BY(mu_), newest first
  std::atomic<uint64_t> version_{1};
  std::atomic<bool> default_requires_auth_{false};
  std::atomic<bool> default_nopass_{true};
};

}  // namespace strata::server
