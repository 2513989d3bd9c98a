// Differential test of the list and hash commands (placeholder until the family lands).
#include "tests/differential/differential.h"
