// Placeholder until the zset commands land.
#include "server/command.h"

namespace strata::server {

std::vector<CommandSpec> ZSetFamily() { return {}; }

}  // namespace strata::server
