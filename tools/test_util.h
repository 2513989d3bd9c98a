// Shared by the strata-inspect tests: a fixed "now" and the Context that carries it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/inspect.h"

namespace strata::tools {

// "Now" for every test: TTLs are relative to it.
inline constexpr int64_t kNow = 1'800'000'000'000;
inline constexpr int64_t kMinute = 60'000;

// A Context at kNow; notes, when given, collects every note.
inline Context TestContext(std::vector<std::string>* notes = nullptr) {
  Context ctx;
  ctx.now_ms = kNow;
  if (notes != nullptr) ctx.note = [notes](const std::string& n) { notes->push_back(n); };
  return ctx;
}

}  // namespace strata::tools
