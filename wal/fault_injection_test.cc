// Fault-injection tests: see below.
