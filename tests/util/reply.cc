#include "tests/util/reply.h"

#include <hiredis/read.h>

namespace strata::testing {

std::optional<std::vector<Reply>> ParseReplies(std::string_view bytes) {
  redisReader* reader = redisReaderCreate();
  if (reader == nullptr) return std::nullopt;
  // No cap on the buffer hiredis keeps (it frees an idle one past 16 KB by default).
  reader->maxbuf = 0;
  std::optional<std::vector<Reply>> out;
  if (redisReaderFeed(reader, bytes.data(), bytes.size()) == REDIS_OK) {
    out.emplace();
    while (true) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
        out.reset();
        break;
      }
      if (raw == nullptr) break;
      out->push_back(ToReply(static_cast<redisReply*>(raw)));
      freeReplyObject(raw);
    }
    // Bytes left over are a reply cut short.
    if (out && reader->pos != reader->len) out.reset();
  }
  redisReaderFree(reader);
  return out;
}

}  // namespace strata::testing
