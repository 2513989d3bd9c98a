// Replay: applies redo records (engine/redo.h) to a keyspace, as recovery replays the WAL and
// loads snapshot batches. Effects go through the same Shard operations live commands use
// (Shard::ApplyEffect for collections), so a replayed record does what the command did.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"
#include "engine/keyspace.h"

namespace strata::engine {

// Applies one record to ks, taking each touched shard's lock. Effects are applied as recorded,
// with no expiry checks and nothing logged. Returns Corruption on a malformed record or one that
// names a database ks does not have; the effects before the bad one stay applied.
// `applied_through`, when not empty, holds for each shard of ks the LSN its state already
// includes (a snapshot's): an effect on shard s is applied only when `lsn` is past it, and a
// flush or swap changes only such shards.
Status ApplyRedo(Keyspace& ks, std::string_view record, uint64_t lsn = 0,
                 std::span<const uint64_t> applied_through = {});

}  // namespace strata::engine
