// The conversions between replies and Lua values that scripts see, as Redis 7.0 makes them:
// a command's reply bytes to the Lua value redis.call returns, and a script's Lua value to its
// reply. Used by Scripting (server/scripting.h) under its mutex; stateless.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "server/net/reply_builder.h"

struct lua_State;

namespace strata::server::lua {

// Nesting of tables converted either way; deeper is an error.
inline constexpr int kMaxDepth = 64;

// The field Redis sets in the error table of a command's error reply: that error was counted
// in errorstats when the command replied it, and is not counted again when a script passes it
// on as its own reply.
inline constexpr char kErrorCounted[] = "ignore_error_stats_update";

// Pushes a Lua error object as Redis makes them: a table {err = "CODE message"}.
void PushErrorTable(lua_State* L, std::string_view text);
// Raises {err = text} as a Lua error.
[[noreturn]] void RaiseError(lua_State* L, std::string_view text);
// Error texts carry no line end (Redis trims the one a ready-made error reply has).
void TrimLineEnd(std::string* text);
// The text of the error table at `index`, or nullptr if the value is not one. The string lives
// as long as the table does.
const char* ErrField(lua_State* L, int index, size_t* len);
// Whether the table at `index` is an error table marked kErrorCounted.
bool ErrorCounted(lua_State* L, int index);

// Pushes the reply at in[*pos] as Redis converts it, whichever protocol it is in. RESP2's:
// status -> {ok=}, error -> {err=, ignore_error_stats_update=true}, integer -> number, bulk ->
// string, null bulk or array -> false, array -> table. RESP3's: null -> nil, boolean ->
// boolean, double -> {double=}, big number -> {big_number=}, verbatim string ->
// {verbatim_string={format=, string=}}, map -> {map={[k]=v}}, set -> {set={[m]=true}}; an
// attribute is skipped. Advances *pos past it; false on malformed or too deeply nested input.
bool PushReply(lua_State* L, std::string_view in, size_t* pos, int depth = 0);

// The arguments of redis.call (and pcall, acl_check_cmd) as a command line: strings as they
// are, numbers as "%.17g" writes them, as Redis does. Raises Redis's errors when there is none
// or one is of another type.
std::vector<std::string> CommandArgs(lua_State* L);

// What a converted value replied of errors, for INFO's statistics.
struct ReplyErrors {
  bool any = false;                // an error reply at some depth: the call counts as failed
  std::vector<std::string> fresh;  // the texts of those not counted yet (see kErrorCounted)
};

// Replies the value on top of the stack (left there) as Redis converts a script's result: a
// table with err, ok, double, big_number, verbatim_string, map or set (looked for in that
// order) is that reply, another table an array of its elements up to the first nil; RESP3's
// kinds reach a RESP2 client as `reply` downgrades them. `resp` is the script's protocol
// (redis.setresp): under 2 true is 1 and false a null, under 3 they are booleans.
void ReplyValue(lua_State* L, ReplyBuilder& reply, int resp, ReplyErrors* errors, int depth = 0);

}  // namespace strata::server::lua
