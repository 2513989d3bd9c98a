// Placeholder until the list type lands.
#include "engine/value.h"

namespace strata::engine {

std::unique_ptr<Value> NewList() { return nullptr; }
Status ParseList(std::string_view, std::unique_ptr<Value>*) {
  return Status::Corruption("list values are not implemented yet");
}

}  // namespace strata::engine
