// Placeholder until the zset type lands.
#include "engine/value.h"

namespace strata::engine {

std::unique_ptr<Value> NewZSet() { return nullptr; }
Status ParseZSet(std::string_view, std::unique_ptr<Value>*) {
  return Status::Corruption("zset values are not implemented yet");
}

}  // namespace strata::engine
