// Function libraries, as Redis 7.0's FUNCTION LOAD and FCALL: a library is Lua code whose first
// line names it ("#!lua name=mylib") and whose body registers named functions with
// redis.register_function. The code runs once, at load, in an environment of its own where
// `redis` offers only what loading may use (register_function, log, the constants); once
// loaded, its functions see the whole redis library. They run in the interpreter EVAL uses
// (server/scripting.cc), through the same Call: the same conversions, hook and kill rules.
#include <algorithm>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/rdb_coding.h"
#include "base/string_util.h"
#include "server/lua_util.h"
#include "server/scripting.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace strata::server {

namespace {

using lua_util::RaisePlain;

// The functions of the library being loaded: where redis.register_function adds.
thread_local std::vector<Scripting::Function>* t_registering = nullptr;

constexpr char kBadName[] =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

constexpr std::pair<const char*, uint32_t> kFlagNames[] = {
    {"no-writes", Scripting::kNoWrites},
    {"allow-oom", Scripting::kAllowOom},
    {"allow-stale", Scripting::kAllowStale},
    {"no-cluster", Scripting::kNoCluster},
    {"allow-cross-slot-keys", Scripting::kAllowCrossSlotKeys},
};

}  // namespace

bool Scripting::FlagBit(std::string_view name, uint32_t* bit) {
  for (const auto& [flag, value] : kFlagNames) {
    if (name == flag) {
      *bit = value;
      return true;
    }
  }
  return false;
}

namespace {

// The flags table at `index` (an array of flag names).
uint32_t ReadFlags(lua_State* L, int index) {
  if (!lua_istable(L, index)) RaisePlain(L, "flags argument to redis.register_function must be a table representing function flags");
  uint32_t flags = 0;
  for (int i = 1;; ++i) {
    lua_rawgeti(L, index, i);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      return flags;
    }
    const char* name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : nullptr;
    const auto* f = std::find_if(std::begin(kFlagNames), std::end(kFlagNames),
                                 [&](const auto& e) { return name && std::string_view(name) == e.first; });
    if (f == std::end(kFlagNames)) RaisePlain(L, "unknown flag given");
    flags |= f->second;
    lua_pop(L, 1);
  }
}

// redis.register_function(name, callback) or redis.register_function{function_name = ...,
// callback = ..., flags = {...}, description = ...}.
int LuaRegisterFunction(lua_State* L) {
  if (t_registering == nullptr) {
    RaisePlain(L, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  Scripting::Function f;
  int callback = 0;
  const int argc = lua_gettop(L);
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      RaisePlain(L, "calling redis.register_function with a single argument is only applicable to "
                    "Lua table (representing named arguments).");
    }
    bool named = false;
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {  // key at -2, value at -1
      const std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
      // Names and descriptions may be numbers, read as text (as lua_tostring does for Redis).
      if (key == "function_name" && lua_isstring(L, -1)) {
        f.name = lua_tostring(L, -1);
        named = true;
      } else if (key == "callback" && lua_isfunction(L, -1)) {
        // taken below
      } else if (key == "flags") {
        f.flags = ReadFlags(L, lua_gettop(L));
      } else if (key == "description" && lua_isstring(L, -1)) {
        f.description = lua_tostring(L, -1);
      } else {
        RaisePlain(L, "unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (!named) RaisePlain(L, "redis.register_function must get a function name argument");
    lua_getfield(L, 1, "callback");
    if (!lua_isfunction(L, -1)) RaisePlain(L, "redis.register_function must get a callback argument");
    callback = lua_gettop(L);
  } else if (argc == 2) {
    if (!lua_isstring(L, 1)) {
      RaisePlain(L, "first argument to redis.register_function must be a string");
    }
    if (!lua_isfunction(L, 2)) {
      RaisePlain(L, "second argument to redis.register_function must be a function");
    }
    f.name = lua_tostring(L, 1);
    callback = 2;
  } else {
    RaisePlain(L, "wrong number of arguments to redis.register_function");
  }
  if (!ValidName(f.name)) RaisePlain(L, kBadName);
  for (const Scripting::Function& other : *t_registering) {
    if (other.name == f.name) RaisePlain(L, "Function already exists in the library");
  }
  lua_pushvalue(L, callback);
  f.ref = luaL_ref(L, LUA_REGISTRYINDEX);
  t_registering->push_back(std::move(f));
  return 0;
}

// A table whose reads of missing names and whose writes are errors, as the sandbox's globals.
int MissingName(lua_State* L) {
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}
int ReadOnly(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

void SetGuard(lua_State* L) {  // on the table at the top
  lua_newtable(L);
  lua_pushcfunction(L, MissingName);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadOnly);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
}

}  // namespace

std::string Scripting::CompileLibrary(std::string_view code, Library* lib) {
  if (!code.starts_with("#!")) return "ERR Missing library metadata";
  const std::vector<std::string_view> words = lua_util::FirstLineWords(code, 2);
  if (words.empty()) return "ERR Invalid library metadata";
  if (!EqualsIgnoreCase(words[0], "lua")) return "ERR Engine '" + std::string(words[0]) + "' not found";
  bool named = false;
  for (size_t i = 1; i < words.size(); ++i) {
    if (!words[i].starts_with("name=")) {
      return "ERR Invalid metadata value given: " + std::string(words[i]);
    }
    if (named) return "ERR Invalid metadata value, name argument was given multiple times";
    lib->name = words[i].substr(5);
    named = true;
  }
  if (!named) return "ERR Invalid library metadata";
  if (!ValidName(lib->name)) return std::string("ERR ") + kBadName;
  lib->code = code;
  lua_State* L = lua_;
  // The first line becomes a comment: line numbers stay those of the code as given.
  const std::string body = "--" + std::string(code.substr(2));
  lua_pushcfunction(L, lua_util::ErrorHandler);
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_function") != 0) {
    std::string error = std::string("ERR Error compiling function: ") +
                        (lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "");
    lua_settop(L, 0);
    return error;
  }
  // The library's environment. While it loads, as in Redis 7.0, it holds only a `redis` that
  // registers and logs (any other name is an error); then its functions read every global.
  // Nothing is ever written to it.
  lua_newtable(L);
  lua_newtable(L);
  lua_pushcfunction(L, LuaRegisterFunction);
  lua_setfield(L, -2, "register_function");
  lua_getfield(L, LUA_GLOBALSINDEX, "redis");  // the whole library: what loading may take of it
  for (const char* name : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                           "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, -1, name);  // through the readonly view (server/lua_readonly.h)
    lua_setfield(L, -3, name);
  }
  lua_pop(L, 1);
  SetGuard(L);
  lua_setfield(L, -2, "redis");
  SetGuard(L);
  lua_pushvalue(L, -1);
  lua_setfenv(L, -3);  // stack: handler, chunk, env
  lua_insert(L, 1);    // env, handler, chunk
  t_registering = &lib->functions;
  const int status = lua_pcall(L, 0, 0, 2);
  t_registering = nullptr;
  std::string error;
  if (status != 0) {
    size_t n = 0;
    const char* err = lua_util::ErrField(L, -1, &n);
    error = "ERR Error registering functions: " +
            (err != nullptr ? std::string(err, n) : std::string("ERR unknown error"));
    lua_util::TrimLineEnd(&error);
  } else if (lib->functions.empty()) {
    error = "ERR No functions registered";
  } else {
    // Loaded: from now on its functions see the globals and the whole redis library.
    lua_getfield(L, LUA_GLOBALSINDEX, "redis");
    lua_pushstring(L, "redis");
    lua_insert(L, -2);
    lua_rawset(L, 1);
    lua_getmetatable(L, 1);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, -2, "__index");
  }
  lua_settop(L, 0);
  if (!error.empty()) Unref(*lib);
  return error;
}

void Scripting::Unref(const Library& lib) {
  for (const Function& f : lib.functions) luaL_unref(lua_, LUA_REGISTRYINDEX, f.ref);
}

std::string Scripting::Install(std::vector<Library>& libs, bool replace, bool restoring) {
  // Redis names the library in quotes for FUNCTION LOAD, without for FUNCTION RESTORE.
  auto exists = [&](const std::string& name) {
    return restoring ? "ERR Library " + name + " already exists"
                     : "ERR Library '" + name + "' already exists";
  };
  auto replaced = [&](const Library& old) {
    return replace && std::any_of(libs.begin(), libs.end(),
                                  [&](const Library& l) { return l.name == old.name; });
  };
  for (size_t i = 0; i < libs.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (libs[j].name == libs[i].name) return exists(libs[i].name);
    }
    for (const Library& old : libraries_) {
      if (old.name == libs[i].name && !replace) return exists(libs[i].name);
    }
  }
  // A function name may be in one library only (of those that stay and those that come).
  for (size_t i = 0; i < libs.size(); ++i) {
    for (const Function& f : libs[i].functions) {
      auto has = [&](const Library& l) {
        return std::any_of(l.functions.begin(), l.functions.end(),
                           [&](const Function& g) { return g.name == f.name; });
      };
      for (const Library& old : libraries_) {
        if (!replaced(old) && has(old)) return "ERR Function " + f.name + " already exists";
      }
      for (size_t j = 0; j < i; ++j) {
        if (has(libs[j])) return "ERR Function " + f.name + " already exists";
      }
    }
  }
  for (auto it = libraries_.begin(); it != libraries_.end();) {
    if (replaced(*it)) {
      Unref(*it);
      it = libraries_.erase(it);
    } else {
      ++it;
    }
  }
  for (Library& lib : libs) libraries_.push_back(std::move(lib));
  libs.clear();
  Recount();
  return {};
}

void Scripting::Recount() {
  size_t functions = 0;
  uint64_t bytes = 0;
  for (const Library& lib : libraries_) {
    functions += lib.functions.size();
    bytes += lib.name.size() + lib.code.size();
    for (const Function& f : lib.functions) bytes += f.name.size() + f.description.size();
  }
  library_count_.store(libraries_.size(), std::memory_order_relaxed);
  function_count_.store(functions, std::memory_order_relaxed);
  library_bytes_.store(bytes, std::memory_order_relaxed);
}

Scripting::FunctionsMemory Scripting::functions_memory() const {
  FunctionsMemory m;
  m.functions = function_count_.load(std::memory_order_relaxed);
  m.libraries = library_count_.load(std::memory_order_relaxed);
  m.bytes = library_bytes_.load(std::memory_order_relaxed);
  return m;
}

std::string Scripting::LoadLibrary(std::string_view code, bool replace, std::string* name) {
  InterruptibleLock l(mu_);
  Library lib;
  std::string error = CompileLibrary(code, &lib);
  if (!error.empty()) return error;
  *name = lib.name;
  std::vector<Library> one;
  one.push_back(std::move(lib));
  error = Install(one, replace, false);
  if (!error.empty()) Unref(one[0]);
  return error;
}

bool Scripting::DeleteLibrary(std::string_view name) {
  InterruptibleLock l(mu_);
  auto it = std::find_if(libraries_.begin(), libraries_.end(),
                         [&](const Library& lib) { return lib.name == name; });
  if (it == libraries_.end()) return false;
  Unref(*it);
  libraries_.erase(it);
  Recount();
  return true;
}

void Scripting::FlushLibraries() {
  InterruptibleLock l(mu_);
  for (const Library& lib : libraries_) Unref(lib);
  libraries_.clear();
  Recount();
  lua_gc(lua_, LUA_GCCOLLECT, 0);
}

std::vector<std::string> Scripting::LibraryCodes() {
  InterruptibleLock l(mu_);
  std::vector<std::string> out;
  for (const Library& lib : libraries_) out.push_back(lib.code);
  return out;
}

std::string Scripting::RestoreLibraries(const std::vector<std::string>& codes, bool flush,
                                        bool replace) {
  InterruptibleLock l(mu_);
  std::vector<Library> libs(codes.size());
  std::string error;
  for (size_t i = 0; i < codes.size() && error.empty(); ++i) {
    error = CompileLibrary(codes[i], &libs[i]);
    if (!error.empty()) libs.resize(i);  // CompileLibrary unreferenced the failed one
  }
  if (error.empty()) {
    std::vector<Library> kept;
    if (flush) kept.swap(libraries_);
    error = Install(libs, replace || flush, true);
    if (error.empty()) {
      for (const Library& lib : kept) Unref(lib);
      return {};
    }
    libraries_.swap(kept);
  }
  for (const Library& lib : libs) Unref(lib);
  Recount();
  return error;
}

namespace {
constexpr uint8_t kOpFunctionPreGa = 246, kOpFunction = 245;  // RDB opcodes
}  // namespace

std::string Scripting::DumpPayload(const std::vector<std::string>& codes) {
  std::string out;
  for (const std::string& code : codes) {
    out.push_back(static_cast<char>(kOpFunction));
    rdb::AppendString(&out, code);
  }
  rdb::AppendTrailer(&out);
  return out;
}

std::string Scripting::ParsePayload(std::string_view payload, std::vector<std::string>* codes) {
  std::string_view body;
  if (!rdb::CheckTrailer(payload, &body)) return "ERR DUMP payload version or checksum are wrong";
  for (size_t pos = 0; pos < body.size();) {
    const uint8_t op = static_cast<uint8_t>(body[pos++]);
    if (op == kOpFunctionPreGa) return "ERR Pre-GA function format not supported";
    if (op != kOpFunction) return "ERR given type is not a function";
    std::string code;
    if (!rdb::ReadString(body, &pos, &code)) return "ERR Failed loading library payload";
    codes->push_back(std::move(code));
  }
  return {};
}

void Scripting::ListLibraries(std::string_view pattern, bool with_code, ReplyBuilder& reply) {
  InterruptibleLock l(mu_);
  std::vector<const Library*> shown;
  for (const Library& lib : libraries_) {
    if (pattern.empty() || GlobMatch(pattern, lib.name)) shown.push_back(&lib);
  }
  reply.Array(shown.size());
  for (const Library* lib : shown) {
    reply.Map(with_code ? 4 : 3);
    reply.Bulk("library_name");
    reply.Bulk(lib->name);
    reply.Bulk("engine");
    reply.Bulk("LUA");
    reply.Bulk("functions");
    reply.Array(lib->functions.size());
    for (const Function& f : lib->functions) {
      reply.Map(3);
      reply.Bulk("name");
      reply.Bulk(f.name);
      reply.Bulk("description");
      f.description.empty() ? reply.Null() : reply.Bulk(f.description);
      reply.Bulk("flags");
      size_t n = 0;
      for (const auto& [name, bit] : kFlagNames) n += (f.flags & bit) ? 1 : 0;
      reply.Set(n);
      for (const auto& [name, bit] : kFlagNames) {
        if (f.flags & bit) reply.Simple(name);  // status strings, as Redis
      }
    }
    if (with_code) {
      reply.Bulk("library_code");
      reply.Bulk(lib->code);
    }
  }
}

void Scripting::Stats(ReplyBuilder& reply) {
  reply.Map(2);
  reply.Bulk("running_script");
  {
    std::lock_guard<std::mutex> l(running_mu_);
    if (running() != Kind::kFunction || running_name_.empty()) {
      reply.Null();
    } else {
      reply.Map(3);
      reply.Bulk("name");
      reply.Bulk(running_name_);
      reply.Bulk("command");
      reply.Array(running_command_.size());
      for (const std::string& a : running_command_) reply.Bulk(a);
      reply.Bulk("duration_ms");
      reply.Int(MonotonicUs() / 1000 - running_since_ms_);
    }
  }
  // Counted without mu_ (FUNCTION STATS runs while a function does): sizes read racily are
  // what INFO shows too.
  reply.Bulk("engines");
  reply.Map(1);
  reply.Bulk("LUA");
  reply.Map(2);
  reply.Bulk("libraries_count");
  reply.Int(static_cast<int64_t>(library_count_.load(std::memory_order_relaxed)));
  reply.Bulk("functions_count");
  reply.Int(static_cast<int64_t>(function_count_.load(std::memory_order_relaxed)));
}

size_t Scripting::num_libraries() { return library_count_.load(std::memory_order_relaxed); }
size_t Scripting::num_functions() { return function_count_.load(std::memory_order_relaxed); }

bool Scripting::FunctionFlags(std::string_view name, uint32_t* flags) {
  InterruptibleLock l(mu_);
  for (const Library& lib : libraries_) {
    for (const Function& f : lib.functions) {
      if (f.name == name) {
        *flags = f.flags;
        return true;
      }
    }
  }
  return false;
}

Scripting::RunResult Scripting::RunFunction(std::string_view name,
                                            std::span<const std::string_view> keys,
                                            std::span<const std::string_view> args,
                                            std::span<const std::string_view> command,
                                            const RunContext& run, ReplyBuilder& reply) {
  InterruptibleLock l(mu_);
  const Function* fn = nullptr;
  for (const Library& lib : libraries_) {
    for (const Function& f : lib.functions) {
      if (f.name == name) fn = &f;
    }
  }
  if (fn == nullptr) return {};
  {
    std::lock_guard<std::mutex> g(running_mu_);
    running_name_ = fn->name;
    running_command_.assign(command.begin(), command.end());
    running_since_ms_ = MonotonicUs() / 1000;
  }
  lua_State* L = lua_;
  lua_pushcfunction(L, lua_util::ErrorHandler);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn->ref);
  lua_util::PushStrings(L, keys);
  lua_util::PushStrings(L, args);
  RunResult result = Call(2, fn->name, Kind::kFunction, run, reply);
  std::lock_guard<std::mutex> g(running_mu_);
  running_name_.clear();
  running_command_.clear();
  return result;
}

}  // namespace strata::server
