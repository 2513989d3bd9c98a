// Helpers for the persistence tests (WAL, snapshots): data-dir files, INFO persistence fields,
// and a dump of every key of dbs 0..3.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {

namespace fs = std::filesystem;

// The WAL segments of a data dir, oldest first.
inline std::vector<std::string> Segments(const std::string& data_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(data_dir + "/appendonlydir", ec)) {
    const std::string name = f.path().filename().string();
    if (name.rfind("wal-", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".log") {
      out.push_back(f.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The snapshot files of a data dir, oldest first.
inline std::vector<std::string> SnapshotFiles(const std::string& data_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(data_dir + "/snapshots", ec)) {
    const std::string name = f.path().filename().string();
    if (name.rfind("snapshot-", 0) == 0 && name.size() > 5 &&
        name.substr(name.size() - 5) == ".snap") {
      out.push_back(f.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A field of INFO persistence, "" if absent.
inline std::string InfoField(redisContext* c, const std::string& field) {
  ReplyPtr r = Command(c, {"INFO", "persistence"});
  if (!r || r->type != REDIS_REPLY_STRING) return "";
  return InfoField(std::string_view(r->str, r->len), field);
}

// Every key of dbs 0..3 with its type, value and whether it has a TTL. Collections are read
// whole (hashes and sets sorted, so equal contents compare equal whatever the order; streams as
// XINFO STREAM FULL shows them).
inline std::map<std::string, std::string> DumpDbs(redisContext* c) {
  std::map<std::string, std::string> out;
  for (int db = 0; db < 4; ++db) {
    Command(c, {"SELECT", std::to_string(db)});
    ReplyPtr keys = Command(c, {"KEYS", "*"});
    for (size_t i = 0; keys && i < keys->elements; ++i) {
      std::string k(keys->element[i]->str, keys->element[i]->len);
      ReplyPtr type = Command(c, {"TYPE", k});
      const std::string t = type ? std::string(type->str, type->len) : "?";
      std::string value;
      if (t == "string") {
        value = Describe(Command(c, {"GET", k}).get());
      } else if (t == "list") {
        value = Describe(Command(c, {"LRANGE", k, "0", "-1"}).get());
      } else if (t == "zset") {
        value = Describe(Command(c, {"ZRANGE", k, "0", "-1", "WITHSCORES"}).get());
      } else if (t == "stream") {
        // Everything XINFO STREAM FULL shows (entries, groups, consumers, pending entries with
        // their times and counts) but the node counts, which a reload may change.
        ReplyPtr r = Command(c, {"XINFO", "STREAM", k, "FULL", "COUNT", "0"});
        for (size_t j = 0; r && j + 1 < r->elements; j += 2) {
          const std::string field = Describe(r->element[j]);
          if (field.find("radix-tree") != std::string::npos) continue;
          value += field + "=" + Describe(r->element[j + 1]) + " ";
        }
      } else {
        ReplyPtr r = Command(c, {t == "hash" ? "HGETALL" : "SMEMBERS", k});
        std::vector<std::string> items;
        const size_t step = t == "hash" ? 2 : 1;
        for (size_t j = 0; r && j + step <= r->elements; j += step) {
          std::string item = Describe(r->element[j]);
          if (step == 2) item += "=" + Describe(r->element[j + 1]);
          items.push_back(item);
        }
        std::sort(items.begin(), items.end());
        for (const std::string& item : items) value += item + " ";
      }
      ReplyPtr ttl = Command(c, {"PTTL", k});
      out[std::to_string(db) + "/" + k] =
          t + " " + value + (ttl && ttl->integer > 0 ? " (ttl)" : "");
    }
  }
  Command(c, {"SELECT", "0"});
  return out;
}

}  // namespace strata::integration
