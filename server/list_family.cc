// Placeholder until the list commands land.
#include "server/command.h"

namespace strata::server {

std::vector<CommandSpec> ListFamily() { return {}; }

}  // namespace strata::server
