// The pieces of the script interpreter (server/scripting.cc) that its function libraries
// (server/functions.cc) use too. Internal to the two files.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

struct lua_State;

namespace strata::server::lua_util {

// The error handler of every run: a string error becomes {err = "ERR " .. msg}, and the table
// gets the source and line of the script code that raised it.
int ErrorHandler(lua_State* L);
// Pushes a Lua array of the strings.
void PushStrings(lua_State* L, std::span<const std::string_view> values);
// The text of the error table at `index`, or nullptr if the value is not one.
const char* ErrField(lua_State* L, int index, size_t* len);
// Error texts carry no line end.
void TrimLineEnd(std::string* text);
// The space-separated words of code's first line from offset `from` (the shebang line of an
// EVAL script or a function library).
std::vector<std::string_view> FirstLineWords(std::string_view code, size_t from);
// A Lua error that is its bare text: no position prepended.
[[noreturn]] void RaisePlain(lua_State* L, const char* text);

}  // namespace strata::server::lua_util
