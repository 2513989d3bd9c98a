// The error replies of the command layer, named: Redis 7.0's texts byte for byte (clients match
// on them). The commonest errors are Status codes instead (base/status.h: syntax, WRONGTYPE, not
// an integer, not a float, overflow, no such key), mapped to their text in one place
// (ErrorText in server/net/reply_builder.cc). Texts with a part that varies are built by the
// functions at the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::server::err {

inline constexpr std::string_view kBgsaveInProgress = "ERR Background save already in progress";
inline constexpr std::string_view kBadDataFormat = "ERR Bad data format";
inline constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
inline constexpr std::string_view kClientIdPositive = "ERR client-id should be greater than 0";
inline constexpr std::string_view kClientNameChars =
    "ERR Client names cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
inline constexpr std::string_view kCountPositive = "ERR count should be greater than 0";
inline constexpr std::string_view kDumpChecksum = "ERR DUMP payload version or checksum are wrong";
// Strata's own: streams are not in DUMP payloads yet (engine/rdb_value.h).
inline constexpr std::string_view kDumpStream =
    "ERR DUMP and RESTORE of stream values are not supported by this server yet";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kDecrOverflow = "ERR decrement would overflow";
inline constexpr std::string_view kDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr std::string_view kExecWithoutMulti = "ERR EXEC without MULTI";
inline constexpr std::string_view kFunctionFlushMode =
    "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
inline constexpr std::string_view kGtAndLt =
    "ERR GT and LT options at the same time are not compatible";
inline constexpr std::string_view kGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr std::string_view kHashValueNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kHashValueNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHllCorrupt = "INVALIDOBJ Corrupted HLL object detected";
inline constexpr std::string_view kHllKeyMissing = "ERR The specified key does not exist";
inline constexpr std::string_view kHllNotHll =
    "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kHllNotSparse = "ERR HLL encoding is not sparse";
inline constexpr std::string_view kIncrNanOrInfinity =
    "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kInvalidFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255";
inline constexpr std::string_view kInvalidIdleTime = "ERR Invalid IDLETIME value, must be >= 0";
inline constexpr std::string_view kInvalidTtl = "ERR Invalid TTL value, must be >= 0";
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kInvalidArgCount =
    "ERR Invalid number of arguments specified for command";
inline constexpr std::string_view kInvalidClientId = "ERR Invalid client ID";
inline constexpr std::string_view kInvalidCommand = "ERR Invalid command specified";
inline constexpr std::string_view kInvalidArgsForCommand =
    "ERR Invalid arguments specified for command";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kInvalidFirstDb = "ERR invalid first DB index";
inline constexpr std::string_view kInvalidSecondDb = "ERR invalid second DB index";
inline constexpr std::string_view kLimitNeedsByScoreOrLex =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
inline constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
inline constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";
inline constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kMinMaxNotLexRange = "ERR min or max not valid string range item";
inline constexpr std::string_view kMultiNested = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kNanOrInfinity = "ERR value is NaN or Infinity";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kNoKeyArguments = "ERR The command has no key arguments";
inline constexpr std::string_view kNoPermKeys =
    "NOPERM this user has no permissions to access one of the keys used as arguments";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kNoShutdown = "ERR No shutdown in progress.";
inline constexpr std::string_view kNoSuchClient = "ERR No such client";
inline constexpr std::string_view kUnblockReason =
    "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
inline constexpr std::string_view kUnblockedByClient =
    "UNBLOCKED client unblocked via CLIENT UNBLOCK";
inline constexpr std::string_view kNotInMulti = "ERR Command not allowed inside a transaction";
inline constexpr std::string_view kNotInt32 =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
inline constexpr std::string_view kNumkeysPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kNxWithXxGtLt =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kOutOfRange = "ERR value is out of range";
inline constexpr std::string_view kProtocolVersion =
    "ERR Protocol version is not an integer or out of range";
// Strata's own: a reply of repeated random picks longer than proto-max-bulk-len (shapes.h).
inline constexpr std::string_view kReplyTooLong =
    "ERR value is out of range, the reply would be longer than proto-max-bulk-len";
inline constexpr std::string_view kRandomBytes = "ERR Failed to generate random bytes";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kScoreNan = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kTooManyKeys =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kWatchInMulti = "ERR WATCH inside MULTI is not allowed";
inline constexpr std::string_view kWeightNotFloat = "ERR weight value is not a float";
inline constexpr std::string_view kWithscoresByLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kXxAndNx =
    "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kZaddIncrPair =
    "ERR INCR option supports a single increment-element pair";

inline constexpr std::string_view kAclGenpassBits =
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
    "number up to 4096";
inline constexpr std::string_view kAuthWithoutPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
    "RESP protocol version at the same time";
inline constexpr std::string_view kLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";
// What a script's redis.call may not run, in Redis 7.0's words.
inline constexpr std::string_view kScriptUnknownCommand =
    "ERR Unknown Redis command called from script";
inline constexpr std::string_view kScriptWrongArgs =
    "ERR Wrong number of args calling Redis command from script";
inline constexpr std::string_view kScriptNotAllowed =
    "ERR This Redis command is not allowed from script";
inline constexpr std::string_view kScriptWriteInReadOnly =
    "ERR Write commands are not allowed from read-only scripts.";
inline constexpr std::string_view kScriptKilled = "ERR Script killed by user with SCRIPT KILL...";
inline constexpr std::string_view kScriptNoPermCommand =
    "ERR The user executing the script can't run this command or subcommand";
inline constexpr std::string_view kScriptNoPermKeys =
    "ERR The user executing the script can't access at least one of the keys mentioned in the "
    "command arguments";
inline constexpr std::string_view kScriptNoPermChannels =
    "ERR The user executing the script can't publish to the channel mentioned in the command";
inline constexpr std::string_view kNoPermChannels =
    "NOPERM this user has no permissions to access one of the channels used as arguments";
inline constexpr std::string_view kNotInt64 =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
inline constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";

// Texts with a part that varies; `name` is a command's name as Redis shows it (lowercase).
inline std::string WrongArgs(std::string_view name) {
  return "ERR wrong number of arguments for '" + std::string(name) + "' command";
}
inline std::string UnknownCommandPrefix(std::string_view name) {
  return "ERR unknown command '" + std::string(name) + "', with args beginning with: ";
}
// `sub` as sent, `command` in upper case.
inline std::string UnknownSubcommand(std::string_view sub, std::string_view command) {
  return "ERR unknown subcommand '" + std::string(sub) + "'. Try " + std::string(command) +
         " HELP.";
}
inline constexpr std::string_view kSlowlogCount = "ERR count should be greater than or equal to -1";
inline std::string UnknownSubcommandOrArgs(std::string_view sub, std::string_view command) {
  return "ERR unknown subcommand or wrong number of arguments for '" + std::string(sub) +
         "'. Try " + std::string(command) + " HELP.";
}
inline std::string InvalidExpireTime(std::string_view name) {
  return "ERR invalid expire time in '" + std::string(name) + "' command";
}
inline std::string NotBetween(int64_t lo, int64_t hi) {
  return "ERR value is out of range, must be between " + std::to_string(lo) + " and " +
         std::to_string(hi);
}
inline std::string UnknownClientType(std::string_view type) {
  return "ERR Unknown client type '" + std::string(type) + "'";
}
inline std::string NotInSubscribedContext(std::string_view name) {
  return "ERR Can't execute '" + std::string(name) +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
         "context";
}
inline std::string NoPermCommand(std::string_view name) {
  return "NOPERM this user has no permissions to run the '" + std::string(name) + "' command";
}
// An ACL check that fails at EXEC for a command queued before the rules changed.
inline std::string NoPermAtExec(std::string_view why) {
  return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the "
         "EXEC call. This command is no longer allowed for the following reason: " +
         std::string(why);
}
// A command refused before it ran, when it was EXEC: `error` without its "ERR " word.
inline std::string ExecAbort(std::string_view error) {
  return "EXECABORT Transaction discarded because of: " + std::string(error);
}
// A command that failed by an exception (an allocation that failed, a bug): the server goes on.
inline std::string OutOfMemory(std::string_view name) {
  return "ERR out of memory running '" + std::string(name) + "'";
}
inline std::string InternalError(std::string_view name, std::string_view what) {
  return "ERR internal error running '" + std::string(name) + "': " + std::string(what);
}
inline constexpr std::string_view kDebugNotAllowed =
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
    "can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.";
inline constexpr std::string_view kNoReplicas = "NOREPLICAS Not enough good replicas to write.";
inline constexpr std::string_view kMisconfSnapshot =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
inline std::string Misconf(std::string_view log_error) {
  return "MISCONF Errors writing to the AOF file: " + std::string(log_error);
}
inline std::string AtLeastOneKey(std::string_view name) {
  return "ERR at least 1 input key is needed for '" + std::string(name) + "' command";
}
inline std::string HelloSyntax(std::string_view option) {
  return "ERR Syntax error in HELLO option '" + std::string(option) + "'";
}
inline std::string NoSuchUser(std::string_view user) {
  return "ERR No such user '" + std::string(user) + "'";
}
inline std::string UserNotFound(std::string_view user) {
  return "ERR User '" + std::string(user) + "' not found";
}
inline std::string CommandNotFound(std::string_view name) {
  return "ERR Command '" + std::string(name) + "' not found";
}
inline std::string UnknownCategory(std::string_view category) {
  return "ERR Unknown category '" + std::string(category) + "'";
}
inline std::string UnsupportedOption(std::string_view option) {
  return "ERR Unsupported option " + std::string(option);
}
inline std::string UnknownArgument(std::string_view arg) {
  return "ERR Unknown argument " + std::string(arg);
}
inline std::string ConfigSetDuplicate(std::string_view name) {
  return "ERR CONFIG SET failed (possibly related to argument '" + std::string(name) +
         "') - duplicate parameter";
}

}  // namespace strata::server::err
