// Placeholder until the set commands land.
#include "server/command.h"

namespace strata::server {

std::vector<CommandSpec> SetFamily() { return {}; }

}  // namespace strata::server
