// Prometheus's text exposition format (0.0.4) of the server's statistics, for GET /metrics
// (server/metrics_http.h): the figures INFO reports (clients, memory, keys per database,
// keyspace hits and misses, commands, errors, WAL, snapshots, the tier), each family prefixed
// strata_ with HELP and TYPE lines, and as histograms the per-command latencies
// (strata_command_duration_seconds{cmd="get"}), the WAL's fsync latency and group-commit sizes
// and the tier's cold-read latency.
//
// Thread safety: safe from any thread while the server runs (it reads what INFO reads, taking
// each shard's lock in turn for the key counts).
#pragma once

#include <string>

namespace strata::server {

class Server;

std::string PrometheusText(Server& server);

}  // namespace strata::server
