// What the stream commands share (stream_family.cc: XADD, XRANGE, XDEL, XTRIM, XSETID, XINFO;
// stream_read_family.cc: XREAD, XREADGROUP; stream_group_family.cc: XGROUP, XACK, XPENDING,
// XCLAIM, XAUTOCLAIM).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/stream_value.h"
#include "server/commands/command.h"

namespace strata::server {

namespace err {
inline constexpr std::string_view kInvalidStreamId =
    "ERR Invalid stream ID specified as stream command argument";
}  // namespace err

// The stream at key: null if missing; WrongType if another type.
Result<const engine::StreamValue*> GetStream(engine::DbView& db, std::string_view key, bool read);

// A stream ID argument: "ms-seq" or "ms" (seq = missing_seq); "-" and "+" (the smallest and
// largest IDs) unless `strict`. Replies Redis's error and returns false if malformed.
bool ParseIdArg(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, bool strict,
                engine::StreamId* id);

void ReplyId(ReplyBuilder& reply, engine::StreamId id);
// One entry: [id, [field, value, ...]].
void ReplyEntry(ReplyBuilder& reply, engine::StreamId id, std::span<const std::string_view> fv);
// The entries in [start, end], at most `count` of them (0: all), descending with `reverse`.
// Returns how many.
size_t ReplyRange(ReplyBuilder& reply, const engine::StreamValue& s, engine::StreamId start,
                  engine::StreamId end, size_t count, bool reverse);

// The commands of stream_group_family.cc and stream_read_family.cc; StreamFamily() includes
// them.
std::vector<CommandSpec> StreamGroupCommands();
std::vector<CommandSpec> StreamReadCommands();
// "NOGROUP No such key '<key>' or consumer group '<group>'".
std::string NoGroupError(std::string_view key, std::string_view group);

}  // namespace strata::server
