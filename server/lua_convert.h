// The conversions between replies and Lua values that scripts see, as Redis 7.0 makes them:
// a command's reply bytes to the Lua value redis.call returns, and a script's Lua value to its
// reply. Used by Scripting (server/scripting.h) under its mutex; stateless.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/net/reply_builder.h"

struct lua_State;

namespace strata::server::lua {

// Nesting of tables converted either way; deeper is an error.
inline constexpr int kMaxDepth = 64;

// Pushes a Lua error object as Redis makes them: a table {err = "CODE message"}.
void PushErrorTable(lua_State* L, std::string_view text);
// Error texts carry no line end (Redis trims the one a ready-made error reply has).
void TrimLineEnd(std::string* text);
// The text of the error table at `index`, or nullptr if the value is not one. The string lives
// as long as the table does.
const char* ErrField(lua_State* L, int index, size_t* len);

// Pushes the reply at in[*pos] (RESP2, as our own ReplyBuilder writes it) as Redis converts it:
// status -> {ok=}, error -> {err=}, integer -> number, bulk -> string, null -> false, array ->
// table. Advances *pos past it; false on malformed or too deeply nested input.
bool PushReply(lua_State* L, std::string_view in, size_t* pos, int depth = 0);

// Replies the value on top of the stack (left there) as Redis converts a script's result.
void ReplyValue(lua_State* L, ReplyBuilder& reply, int depth = 0);

}  // namespace strata::server::lua
