// Differential test of the set and zset commands (placeholder until the family lands).
#include "tests/differential/differential.h"
