// Human-readable renderings of the JSON documents inspect.h returns (strata-inspect's output
// without --json). Each takes the document as its operation returned it and returns text
// ending in a newline.
#pragma once

#include <string>

#include "tools/encoding.h"

namespace strata::tools {

std::string InfoText(const Json& info);
std::string VerifyText(const Json& verify);
std::string StatsText(const Json& stats);
std::string WalInfoText(const Json& wal);
std::string RepairText(const Json& repair);

}  // namespace strata::tools
