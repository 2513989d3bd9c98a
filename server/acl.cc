#include "server/acl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

#include "base/string_util.h"
#include "server/commands/command.h"

namespace strata::server {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

// Redis's reasons, after "Error in ACL SETUSER modifier '<rule>': ".
Status SyntaxError() { return Status::InvalidArgument("Syntax error"); }
Status UnknownName() { return Status::InvalidArgument("Unknown command or category name in ACL"); }
Status BadHash() {
  return Status::InvalidArgument(
      "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
      "characters");
}

bool ValidHash(std::string_view h) {
  return h.size() == 64 &&
         std::all_of(h.begin(), h.end(), [](char c) { return kHex.find(c) != kHex.npos; });
}

std::string Hex(const unsigned char* bytes, size_t n) {
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

bool TestBit(const std::vector<uint64_t>& bits, uint32_t id) {
  return (bits[id >> 6] >> (id & 63)) & 1;
}

}  // namespace

std::string AclHashPassword(std::string_view password) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest fails only when the library cannot allocate; an empty hash then opens nothing.
  if (EVP_Digest(password.data(), password.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  return Hex(md, len);
}

std::string AclGeneratePassword(int bits) {
  const size_t chars = (static_cast<size_t>(bits) + 3) / 4;
  std::vector<unsigned char> bytes((chars + 1) / 2);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return {};
  return Hex(bytes.data(), bytes.size()).substr(0, chars);
}

// ---- AclPattern ----

AclPattern::AclPattern(std::string_view text) : text_(text), kind_(Kind::kGlob) {
  const size_t special = text.find_first_of("*?[\\");
  if (special == std::string_view::npos) {
    kind_ = Kind::kLiteral;
  } else if (special > 0 && special == text.size() - 1 && text.back() == '*') {
    kind_ = Kind::kPrefix;  // "cache:*" matches every string that starts with "cache:"
  }
}

bool AclPattern::Matches(std::string_view s) const {
  switch (kind_) {
    case Kind::kLiteral:
      return s == text_;
    case Kind::kPrefix:
      return s.starts_with(std::string_view(text_).substr(0, text_.size() - 1));
    case Kind::kGlob:
      break;
  }
  return GlobMatch(text_, s);
}

// ---- AclUser ----

AclUser::AclUser(std::string name, const CommandTable& table) : name_(std::move(name)) {
  SetAllCommands(false, table);
}

AclUser AclUser::Default(const CommandTable& table) {
  AclUser u("default", table);
  u.enabled_ = true;
  u.nopass_ = true;
  u.SetAllCommands(true, table);
  u.all_keys_ = true;
  u.all_channels_ = true;
  return u;
}

bool AclUser::CheckPassword(std::string_view password) const {
  if (nopass_) return true;
  const std::string hash = AclHashPassword(password);
  bool match = false;
  for (const std::string& h : passwords_) {
    // Every hash is compared in full: the time taken does not tell which one matched.
    if (h.size() == hash.size() && CRYPTO_memcmp(h.data(), hash.data(), h.size()) == 0) {
      match = true;
    }
  }
  return match;
}

bool AclUser::CanRun(const CommandSpec& spec, std::string_view first_arg) const {
  // As Redis: commands allowed before AUTH (AUTH, HELLO, QUIT, RESET) are never denied.
  if (all_commands_ || (spec.flags & kNoAuth) || TestBit(commands_.bits, spec.id)) return true;
  for (const auto& [id, args] : commands_.first_args) {
    if (id != spec.id) continue;
    for (const std::string& a : args) {
      if (EqualsIgnoreCase(a, first_arg)) return true;
    }
  }
  return false;
}

bool AclUser::CanAccessKey(std::string_view key, uint8_t perms) const {
  if (all_keys_) return true;
  for (const KeyPattern& p : keys_) {
    if ((p.perms & perms) == perms && p.pattern.Matches(key)) return true;
  }
  return false;
}

bool AclUser::CanAccessChannel(std::string_view channel, bool literal) const {
  if (all_channels_) return true;
  for (const AclPattern& p : channels_) {
    if (literal ? p.text() == channel : p.Matches(channel)) return true;
  }
  return false;
}

void AclUser::SetAllCommands(bool allow, const CommandTable& table) {
  commands_base_all_ = allow;
  rules_.clear();
  commands_.first_args.clear();
  commands_.bits.assign((table.num_ids() + 63) / 64, 0);
  if (allow) {
    for (uint32_t id = 0; id < table.num_ids(); ++id) commands_.bits[id >> 6] |= 1ull << (id & 63);
  }
  all_commands_ = allow;
}

void AclUser::SetCommand(CommandBits* bits, const CommandSpec& spec, bool allow) {
  const uint64_t mask = 1ull << (spec.id & 63);
  uint64_t& word = bits->bits[spec.id >> 6];
  word = allow ? (word | mask) : (word & ~mask);
  std::erase_if(bits->first_args, [&](const auto& entry) { return entry.first == spec.id; });
}

Status AclUser::ApplyCommandRule(std::string_view rule, const CommandTable& table,
                                 CommandBits* bits, std::string* target) {
  const bool allow = rule[0] == '+';
  const std::string_view body = rule.substr(1);
  if (!body.empty() && body[0] == '@') {
    const uint32_t category = FindAclCategory(body.substr(1));
    if (category == 0) return UnknownName();
    for (uint32_t id = 0; id < table.num_ids(); ++id) {
      const CommandSpec& spec = table.ById(id);
      if (spec.acl_categories & category) SetCommand(bits, spec, allow);
    }
    *target = ToLower(body);
    return Status::Ok();
  }
  const size_t bar = body.find('|');
  const CommandSpec* command = table.Find(body.substr(0, bar));
  if (command == nullptr) return UnknownName();
  if (bar == std::string_view::npos) {  // the command with every subcommand
    SetCommand(bits, *command, allow);
    for (const CommandSpec& sub : command->subcommands) SetCommand(bits, sub, allow);
    *target = command->name;
    return Status::Ok();
  }
  const std::string_view rest = body.substr(bar + 1);
  if (!command->subcommands.empty()) {
    if (rest.find('|') != std::string_view::npos) {
      return Status::InvalidArgument("Allowing first-arg of a subcommand is not supported");
    }
    const CommandSpec* sub = CommandTable::FindSub(*command, rest);
    if (sub == nullptr) return UnknownName();
    SetCommand(bits, *sub, allow);
    *target = sub->name;
    return Status::Ok();
  }
  // "+select|0": the command with this first argument only. Redis 7.0 has no "-" form.
  if (!allow) return UnknownName();
  if (rest.empty()) return SyntaxError();
  std::string arg = ToLower(rest);
  *target = std::string(command->name) + "|" + arg;
  if (TestBit(bits->bits, command->id)) return Status::Ok();  // the whole command is allowed
  auto it = std::find_if(bits->first_args.begin(), bits->first_args.end(),
                         [&](const auto& entry) { return entry.first == command->id; });
  if (it == bits->first_args.end()) {
    bits->first_args.emplace_back(command->id, std::vector<std::string>{});
    it = std::prev(bits->first_args.end());
  }
  if (std::find(it->second.begin(), it->second.end(), arg) == it->second.end()) {
    it->second.push_back(std::move(arg));
  }
  return Status::Ok();
}

Status AclUser::ApplyCommandRules(std::string_view rule, const CommandTable& table) {
  const bool allow = rule[0] == '+';
  if (EqualsIgnoreCase(rule.substr(1), "@all")) {
    SetAllCommands(allow, table);
    return Status::Ok();
  }
  std::string target;
  RETURN_IF_ERROR(ApplyCommandRule(rule, table, &commands_, &target));
  // Keep the rules short, as Redis shows them: a rule wholly overrides an earlier one on the
  // same target, and any rule the others make redundant goes ("+@all -get +get" reads
  // "+@all", "+config|get +config" reads "+config"). Each removal keeps the permissions equal.
  std::erase_if(rules_,
                [&](const std::string& r) { return std::string_view(r).substr(1) == target; });
  rules_.push_back((allow ? "+" : "-") + target);
  for (size_t skip = rules_.size(); skip-- > 0;) {
    AclUser replay("", table);
    replay.SetAllCommands(commands_base_all_, table);
    std::string ignored;
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (i != skip)
        ApplyCommandRule(rules_[i], table, &replay.commands_, &ignored).PermitUnchecked();
    }
    if (replay.commands_ == commands_) rules_.erase(rules_.begin() + static_cast<ptrdiff_t>(skip));
  }
  all_commands_ = true;
  for (uint32_t id = 0; id < table.num_ids() && all_commands_; ++id) {
    all_commands_ = TestBit(commands_.bits, id);
  }
  return Status::Ok();
}

Status AclUser::AddKeyPattern(std::string_view rule) {
  if (all_keys_) {
    return Status::InvalidArgument(
        "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not "
        "have any effect. Try 'resetkeys' to start with an empty list of patterns");
  }
  uint8_t perms = kAclKeyReadWrite;
  size_t at = 1;
  if (rule[0] == '%') {  // %R~, %W~, %RW~: each letter once, then '~' (which may be missing)
    perms = 0;
    for (; at < rule.size(); ++at) {
      const char c = static_cast<char>(toupper(static_cast<unsigned char>(rule[at])));
      if (c == 'R' && !(perms & kAclKeyRead)) {
        perms |= kAclKeyRead;
      } else if (c == 'W' && !(perms & kAclKeyWrite)) {
        perms |= kAclKeyWrite;
      } else if (c == '~') {
        ++at;
        break;
      } else {
        return SyntaxError();
      }
    }
    if (perms == 0) return SyntaxError();
  }
  const std::string_view pattern = rule.substr(std::min(at, rule.size()));
  if (pattern == "*" && perms == kAclKeyReadWrite) {
    all_keys_ = true;
    keys_.clear();
    return Status::Ok();
  }
  for (KeyPattern& p : keys_) {
    if (p.pattern.text() == pattern) {
      p.perms |= perms;
      return Status::Ok();
    }
  }
  keys_.push_back(KeyPattern{AclPattern(pattern), perms});
  return Status::Ok();
}

Status AclUser::Apply(std::string_view rule, const CommandTable& table) {
  auto is = [&](std::string_view word) { return EqualsIgnoreCase(rule, word); };
  if (rule.empty()) return SyntaxError();
  if (is("on")) {
    enabled_ = true;
  } else if (is("off")) {
    enabled_ = false;
  } else if (is("skip-sanitize-payload")) {
    sanitize_ = Sanitize::kSkip;
  } else if (is("sanitize-payload")) {
    sanitize_ = Sanitize::kSanitize;
  } else if (is("nopass")) {
    nopass_ = true;
    passwords_.clear();
  } else if (is("resetpass")) {
    nopass_ = false;
    passwords_.clear();
  } else if (is("allkeys") || rule == "~*") {
    all_keys_ = true;
    keys_.clear();
  } else if (is("resetkeys")) {
    all_keys_ = false;
    keys_.clear();
  } else if (is("allchannels") || rule == "&*") {
    all_channels_ = true;
    channels_.clear();
  } else if (is("resetchannels")) {
    all_channels_ = false;
    channels_.clear();
  } else if (is("allcommands")) {
    SetAllCommands(true, table);
  } else if (is("nocommands")) {
    SetAllCommands(false, table);
  } else if (is("reset")) {
    // As Redis 7.0 with its default acl-pubsub-default (resetchannels).
    enabled_ = false;
    nopass_ = false;
    passwords_.clear();
    all_keys_ = false;
    keys_.clear();
    all_channels_ = false;
    channels_.clear();
    SetAllCommands(false, table);
    sanitize_ = Sanitize::kSanitize;
  } else if (is("clearselectors")) {
    // Selectors are not supported, so there are none to clear.
  } else if (rule[0] == '>' || rule[0] == '#') {
    std::string hash =
        rule[0] == '>' ? AclHashPassword(rule.substr(1)) : std::string(rule.substr(1));
    if (!ValidHash(hash)) return BadHash();
    if (std::find(passwords_.begin(), passwords_.end(), hash) == passwords_.end()) {
      passwords_.push_back(std::move(hash));
    }
    nopass_ = false;
  } else if (rule[0] == '<' || rule[0] == '!') {
    const std::string hash =
        rule[0] == '<' ? AclHashPassword(rule.substr(1)) : std::string(rule.substr(1));
    if (!ValidHash(hash)) return BadHash();
    auto it = std::find(passwords_.begin(), passwords_.end(), hash);
    if (it == passwords_.end()) {
      return Status::InvalidArgument(
          "The password you are trying to remove from the user does not exist");
    }
    passwords_.erase(it);
  } else if (rule[0] == '~' || rule[0] == '%') {
    return AddKeyPattern(rule);
  } else if (rule[0] == '&') {
    if (all_channels_) {
      return Status::InvalidArgument(
          "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
          "does not have any effect. Try 'resetchannels' to start with an empty list of "
          "channels");
    }
    const AclPattern pattern(rule.substr(1));
    if (std::find(channels_.begin(), channels_.end(), pattern) == channels_.end()) {
      channels_.push_back(pattern);
    }
  } else if (rule[0] == '+' || rule[0] == '-') {
    return ApplyCommandRules(rule, table);
  } else {
    return SyntaxError();
  }
  return Status::Ok();
}

std::vector<std::string_view> AclUser::Flags() const {
  std::vector<std::string_view> out = {enabled_ ? "on" : "off"};
  if (nopass_) out.push_back("nopass");
  if (sanitize_ == Sanitize::kSanitize) out.push_back("sanitize-payload");
  if (sanitize_ == Sanitize::kSkip) out.push_back("skip-sanitize-payload");
  return out;
}

std::string AclUser::CommandRules() const {
  std::string out = commands_base_all_ ? "+@all" : "-@all";
  for (const std::string& r : rules_) out += " " + r;
  return out;
}

std::string AclUser::KeyRules() const {
  if (all_keys_) return "~*";
  std::string out;
  for (const KeyPattern& p : keys_) {
    if (!out.empty()) out += ' ';
    out += p.perms == kAclKeyRead ? "%R~" : p.perms == kAclKeyWrite ? "%W~" : "~";
    out += p.pattern.text();
  }
  return out;
}

std::string AclUser::ChannelRules() const {
  if (all_channels_) return "&*";
  std::string out;
  for (const AclPattern& p : channels_) {
    if (!out.empty()) out += ' ';
    out += "&" + p.text();
  }
  return out;
}

std::string AclUser::Describe() const {
  std::string out = "user " + name_;
  for (std::string_view f : Flags()) out += " " + std::string(f);
  for (const std::string& h : passwords_) out += " #" + h;
  if (std::string keys = KeyRules(); !keys.empty()) out += " " + keys;
  out += all_channels_ ? " &*" : " resetchannels";
  if (!all_channels_ && !channels_.empty()) out += " " + ChannelRules();
  out += " " + CommandRules();
  return out;
}

AclDenial AclCheck(const AclUser& user, const CommandSpec& spec,
                   std::span<const std::string_view> args, std::string_view* object) {
  if (!user.CanRun(spec, args.size() > 1 ? args[1] : std::string_view())) {
    *object = spec.name;
    return AclDenial::kCommand;
  }
  if (!user.all_keys() && (spec.first_key > 0 || spec.numkeys_at > 0)) {
    const uint8_t perms = (spec.flags & kWrite)      ? kAclKeyReadWrite
                          : (spec.flags & kReadOnly) ? kAclKeyRead
                                                     : 0;
    int denied = 0;
    CommandTable::ForEachKeyPosition(spec, args, [&](int pos) {
      if (user.CanAccessKey(args[pos], perms)) return true;
      denied = pos;
      return false;
    });
    if (denied > 0) {
      *object = args[denied];
      return AclDenial::kKey;
    }
  }
  if (!user.all_channels() && (spec.flags & kPubSub)) {
    bool patterns = false;
    for (std::string_view channel : ChannelArgs(spec, args, &patterns)) {
      if (!user.CanAccessChannel(channel, patterns)) {
        *object = channel;
        return AclDenial::kChannel;
      }
    }
  }
  return AclDenial::kNone;
}

// ---- Acl ----

Acl::Acl(const CommandTable& table) : table_(table) {
  std::lock_guard<std::mutex> l(mu_);
  PublishLocked(std::make_shared<const AclUser>(AclUser::Default(table)));
}

void Acl::PublishLocked(std::shared_ptr<const AclUser> user) {
  if (user->name() == "default") {
    default_nopass_.store(user->nopass(), std::memory_order_relaxed);
    default_requires_auth_.store(!user->nopass() || !user->enabled(), std::memory_order_relaxed);
  }
  users_[user->name()] = std::move(user);
  version_.fetch_add(1, std::memory_order_release);
}

std::shared_ptr<const AclUser> Acl::Find(std::string_view name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::shared_ptr<const AclUser> Acl::Authenticate(std::string_view name,
                                                 std::string_view password) const {
  std::shared_ptr<const AclUser> user = Find(name);
  if (user == nullptr || !user->enabled() || !user->CheckPassword(password)) return nullptr;
  return user;
}

AclUser Acl::NewUser(std::string_view name) const {
  AclUser user{std::string(name), table_};
  if (pubsub_all_.load()) user.Apply("allchannels", table_).PermitUnchecked();
  return user;
}

Status Acl::SetUser(std::string_view name, std::span<const std::string_view> rules) {
  if (name.find_first_of(std::string_view(" \0", 2)) != std::string_view::npos) {
    return Status::InvalidArgument("Usernames can't contain spaces or null characters");
  }
  std::lock_guard<std::mutex> l(mu_);
  auto it = users_.find(name);
  auto user = std::make_shared<AclUser>(it != users_.end() ? *it->second : NewUser(name));
  for (std::string_view rule : rules) {
    Status st = user->Apply(rule, table_);
    if (st.ok() && EqualsIgnoreCase(rule, "reset") && pubsub_all_.load()) {
      st = user->Apply("allchannels", table_);  // reset gives acl-pubsub-default's channels
    }
    if (!st.ok()) {
      return Status::InvalidArgument("Error in ACL SETUSER modifier '" + std::string(rule) +
                                     "': " + st.message());
    }
  }
  PublishLocked(std::move(user));
  return Status::Ok();
}

Result<std::vector<std::string>> Acl::DeleteUsers(std::span<const std::string_view> names) {
  for (std::string_view n : names) {
    if (n == "default") return Status::InvalidArgument("The 'default' user cannot be removed");
  }
  std::vector<std::string> deleted;
  std::lock_guard<std::mutex> l(mu_);
  for (std::string_view n : names) {
    auto it = users_.find(n);
    if (it == users_.end()) continue;
    users_.erase(it);
    deleted.emplace_back(n);
  }
  if (!deleted.empty()) version_.fetch_add(1, std::memory_order_release);
  return deleted;
}

std::vector<std::shared_ptr<const AclUser>> Acl::Users() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::shared_ptr<const AclUser>> out;
  for (const auto& [name, user] : users_) out.push_back(user);
  return out;
}

void Acl::MirrorRequirepass(std::string_view password) {
  std::lock_guard<std::mutex> l(mu_);
  if (password == mirrored_requirepass_) return;
  mirrored_requirepass_ = password;
  auto user = std::make_shared<AclUser>(*users_.at("default"));
  user->Apply("resetpass", table_).PermitUnchecked();
  if (password.empty()) {
    user->Apply("nopass", table_).PermitUnchecked();
  } else {
    user->Apply(">" + std::string(password), table_).PermitUnchecked();
  }
  PublishLocked(std::move(user));
}

void Acl::Log(AclLogEntry entry) {
  constexpr int64_t kGroupingMs = 60000;  // as Redis: equal denials within a minute are one
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = log_.begin(); it != log_.end(); ++it) {
    if (it->reason == entry.reason && it->context == entry.context && it->object == entry.object &&
        it->username == entry.username && entry.created_ms - it->created_ms < kGroupingMs) {
      entry.count = it->count + 1;
      log_.erase(it);
      break;
    }
  }
  log_.push_front(std::move(entry));
  while (log_.size() > log_max_len_.load(std::memory_order_relaxed)) log_.pop_back();
}

std::vector<AclLogEntry> Acl::LogEntries(size_t count) const {
  std::lock_guard<std::mutex> l(mu_);
  return std::vector<AclLogEntry>(log_.begin(), log_.begin() + std::min(count, log_.size()));
}

void Acl::ResetLog() {
  std::lock_guard<std::mutex> l(mu_);
  log_.clear();
}

}  // namespace strata::server
