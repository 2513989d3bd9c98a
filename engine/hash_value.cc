// Placeholder until the hash type lands.
#include "engine/value.h"

namespace strata::engine {

std::unique_ptr<Value> NewHash() { return nullptr; }
Status ParseHash(std::string_view, std::unique_ptr<Value>*) {
  return Status::Corruption("hash values are not implemented yet");
}

}  // namespace strata::engine
