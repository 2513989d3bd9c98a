// Placeholder until the set type lands.
#include "engine/value.h"

namespace strata::engine {

std::unique_ptr<Value> NewSet() { return nullptr; }
Status ParseSet(std::string_view, std::unique_ptr<Value>*) {
  return Status::Corruption("set values are not implemented yet");
}

}  // namespace strata::engine
