// Placeholder until the hash commands land.
#include "server/command.h"

namespace strata::server {

std::vector<CommandSpec> HashFamily() { return {}; }

}  // namespace strata::server
