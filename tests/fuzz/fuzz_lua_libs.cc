// Fuzz target: the script libraries that decode bytes a script may have from anywhere,
// cmsgpack's unpack, unpack_one and unpack_limit and struct's unpack and size
// (server/lua_cmsgpack.h, server/lua_struct.h), run by a script in a fresh interpreter as EVAL
// runs it (server/scripting.h: sandbox, libraries, readonly tables).
//
// Input: a control byte (struct's offset, cmsgpack's offset and limit), a length byte, that
// many format bytes (a byte that is not a struct option character becomes one), then the data.
// Checked, beyond no crash, leak or undefined behaviour however the bytes nest or end:
//   - what cmsgpack.unpack reads, cmsgpack.pack packs again into bytes that unpack reads as
//     the same number of values, when both succeed (a nil map key, which a table nested past
//     pack's 16 levels becomes, fails the second unpack, as in Redis);
//   - struct.unpack from offset 1 ends where struct.size says, when both accept the format;
//   - nothing a library raises escapes the script's pcall (the reply is the script's own).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "server/net/reply_builder.h"
#include "server/scripting.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

constexpr std::string_view kScript = R"lua(
local data, fmt = ARGV[1], ARGV[2]
local s_off, m_off, limit = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local function pack_n(...) return {n = select('#', ...), ...} end

local r = pack_n(pcall(cmsgpack.unpack, data))
if r[1] and r.n > 1 then
  local ok, packed = pcall(function() return cmsgpack.pack(unpack(r, 2, r.n)) end)
  local again = ok and pack_n(pcall(cmsgpack.unpack, packed))
  if again and again[1] and again.n ~= r.n then
    return redis.error_reply('FINDING cmsgpack: ' .. (again.n - 1) .. ' values from ' .. (r.n - 1))
  end
end
pcall(cmsgpack.unpack_one, data, m_off)
pcall(cmsgpack.unpack_limit, data, limit, m_off)

local u = pack_n(pcall(struct.unpack, fmt, data, s_off))
local z = pack_n(pcall(struct.size, fmt))
if s_off == 1 and u[1] and z[1] and u[u.n] ~= z[2] + 1 then
  return redis.error_reply('FINDING struct: unpack ended at ' .. tostring(u[u.n]) ..
                           ', size is ' .. tostring(z[2]))
end
return 'ok'
)lua";

// struct's option characters (and digits, and two it rejects).
constexpr std::string_view kFormatChars = "<>! xbBhHlLTiIfdcs0123456789=z";

std::string Format(std::string_view raw) {
  std::string out(raw);
  for (char& c : out) {
    if (kFormatChars.find(c) == std::string_view::npos) {
      c = kFormatChars[static_cast<unsigned char>(c) % kFormatChars.size()];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::fuzz::FuzzInput in(data, size);
  const uint8_t control = in.Byte();
  const size_t format_len = std::min<size_t>(in.Byte(), in.remaining());
  const std::string format = Format(in.Bytes(format_len));
  const std::string bytes(in.Bytes(in.remaining()));
  const std::string struct_offset = std::to_string(control % 4 + 1);
  const std::string msgpack_offset = std::to_string(control / 4 % 4);
  const std::string limit = std::to_string(control / 16 % 8);

  strata::server::Scripting scripting;
  std::string sha;
  if (const std::string error = scripting.Load(kScript, &sha, /*by_eval=*/false);
      !error.empty()) {
    strata::fuzz::Die("the script does not compile: " + error);
  }
  const std::string_view argv[] = {bytes, format, struct_offset, msgpack_offset, limit};
  std::string out;
  strata::server::ReplyBuilder reply(&out);
  strata::server::Scripting::RunContext no_commands;
  no_commands.call = [](std::span<const std::string_view>, bool) {
    return std::string("+OK\r\n");
  };
  scripting.Run(sha, {}, argv, no_commands, reply);
  if (out != "$2\r\nok\r\n") strata::fuzz::Die("the script replied " + out);
  return 0;
}
