#include "base/status.h"

namespace strata {

std::string Status::ToString() const {
  if (ok()) return "OK";
  return message_.empty() ? "error " + std::to_string(static_cast<int>(code_)) : message_;
}

}  // namespace strata
