#include "engine/list_value.h"

#include <algorithm>
#include <atomic>

#include "base/coding.h"

namespace strata::engine {
namespace {

// Redis's optimization_level: node byte caps for list-max-listpack-size -1..-5.
constexpr size_t kNodeBytes[] = {4096, 8192, 16384, 32768, 65536};
// Redis's SIZE_SAFETY_LIMIT: the byte cap of a node when the limit is an element count.
constexpr size_t kSafetyBytes = 8192;

bool GetEnd(std::string_view* in, ListEnd* where) {
  if (in->empty() || static_cast<uint8_t>((*in)[0]) > 1) return false;
  *where = static_cast<ListEnd>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

Status Bad(const char* what) { return Status::Corruption(std::string("list effect: ") + what); }

}  // namespace

void ListPushBody(std::string* out, ListEnd where, std::span<const std::string_view> elements) {
  out->clear();
  out->push_back(static_cast<char>(where));
  PutVarint64(out, elements.size());
  for (std::string_view e : elements) PutLengthPrefixed(out, e);
}

void ListPopBody(std::string* out, ListEnd where, uint64_t count) {
  out->clear();
  out->push_back(static_cast<char>(where));
  PutVarint64(out, count);
}

void ListSetBody(std::string* out, uint64_t index, std::string_view element) {
  out->clear();
  PutVarint64(out, index);
  PutLengthPrefixed(out, element);
}

void ListInsertBody(std::string* out, uint64_t index, std::string_view element) {
  ListSetBody(out, index, element);
}

void ListRemBody(std::string* out, ListEnd where, uint64_t count, std::string_view element) {
  out->clear();
  out->push_back(static_cast<char>(where));
  PutVarint64(out, count);
  PutLengthPrefixed(out, element);
}

void ListTrimBody(std::string* out, uint64_t start, uint64_t stop) {
  out->clear();
  PutVarint64(out, start);
  PutVarint64(out, stop);
}

bool ListValue::Exceeds(int64_t fill, size_t bytes, size_t count, bool half) {
  if (fill >= 0) {
    const uint64_t limit = fill == 0 ? 1 : static_cast<uint64_t>(fill);
    if (half) return count > limit / 2;
    return bytes > kSafetyBytes || count > limit;
  }
  const uint64_t level = std::min<uint64_t>(static_cast<uint64_t>(-(fill + 1)), 4);
  const size_t limit = kNodeBytes[level];
  return bytes > (half ? limit / 2 : limit);
}

size_t ListValue::bytes() const {
  return sizeof(ListValue) + lp_bytes_ + nodes_.capacity() * sizeof(Listpack);
}

void ListValue::Serialize(std::string* out) const {
  PutVarint64(out, size_);
  Walk(false, [&](size_t, std::string_view v) {
    PutLengthPrefixed(out, v);
    return true;
  });
}

void ListValue::Locate(size_t index, size_t* node, size_t* offset) const {
  if (index < size_ / 2) {
    size_t i = 0;
    while (index >= nodes_[i].size()) {
      index -= nodes_[i].size();
      ++i;
    }
    *node = i;
    *offset = index;
    return;
  }
  size_t from_tail = size_ - index;  // >= 1
  size_t i = nodes_.size() - 1;
  while (from_tail > nodes_[i].size()) {
    from_tail -= nodes_[i].size();
    --i;
  }
  *node = i;
  *offset = nodes_[i].size() - from_tail;
}

uint64_t ListValue::NextVersion() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::string_view ListValue::At(size_t index) const {
  size_t node, offset;
  Locate(index, &node, &offset);
  const Listpack* lp = &nodes_[node];
  if (lp->compressed()) {
    // A plain copy of the last compressed node this thread read by index (LINDEX walking a
    // list reads the same node again and again).
    thread_local struct {
      uint64_t version = 0;
      size_t node = 0;
      Listpack lp;
    } cache;
    if (cache.version != version_ || cache.node != node) {
      lp->DecompressTo(&cache.lp);
      cache.version = version_;
      cache.node = node;
    }
    lp = &cache.lp;
  }
  return lp->At(lp->Seek(offset));
}

size_t ListValue::compressed_nodes() const {
  return static_cast<size_t>(
      std::count_if(nodes_.begin(), nodes_.end(), [](const Listpack& lp) { return lp.compressed(); }));
}

const Listpack& ListValue::Readable(size_t i, Listpack* scratch) const {
  const Listpack& lp = nodes_[i];
  if (!lp.compressed()) return lp;
  lp.DecompressTo(scratch);
  return *scratch;
}

Listpack& ListValue::Plain(size_t i) {
  Listpack& lp = nodes_[i];
  if (lp.compressed()) {
    Account(lp, -1);
    lp.Decompress();
    Account(lp, +1);
    reshaped_ = true;
  }
  return lp;
}

void ListValue::Shape(size_t i, bool compress) {
  Listpack& lp = nodes_[i];
  if (compress == lp.compressed()) return;
  Account(lp, -1);
  if (compress) {
    (void)lp.Compress();  // a node not worth compressing stays plain
  } else {
    lp.Decompress();
  }
  Account(lp, +1);
}

void ListValue::Settle(int64_t depth) {
  if (depth < 0) depth = 0;
  if (depth == 0 && depth_ == 0) {
    reshaped_ = false;  // nothing is compressed
    return;
  }
  const size_t n = nodes_.size();
  const size_t d = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(depth), n));
  auto middle = [&](size_t i) { return d > 0 && i >= d && i + d < n; };
  if (depth != depth_ || reshaped_) {
    for (size_t i = 0; i < n; ++i) Shape(i, middle(i));
    depth_ = depth;
    reshaped_ = false;
    return;
  }
  // Only pushes and pops at the ends since the last Settle: the nodes that may have crossed
  // the boundary are the d + 1 nearest each end.
  const size_t k = std::min(d + 1, n);
  for (size_t i = 0; i < k; ++i) {
    Shape(i, middle(i));
    Shape(n - 1 - i, middle(n - 1 - i));
  }
}

void ListValue::Push(ListEnd where, std::string_view v, int64_t fill) {
  const bool head = where == ListEnd::kHead;
  bool fresh = nodes_.empty();
  if (!fresh && quicklist_) {
    const Listpack& lp = head ? nodes_.front() : nodes_.back();
    fresh = Exceeds(fill, NodeBytes(lp) + Listpack::ElementSize(v.size()), lp.size() + 1);
  }
  if (fresh) {
    // The end node is full: give back its spare capacity once, not on every push.
    if (!nodes_.empty()) {
      Listpack& full = Plain(head ? 0 : nodes_.size() - 1);
      Account(full, -1);
      full.Shrink();
      Account(full, +1);
    }
    if (head) {
      nodes_.emplace(nodes_.begin());
    } else {
      nodes_.emplace_back();
    }
    Account(head ? nodes_.front() : nodes_.back(), +1);
  }
  Listpack& lp = Plain(head ? 0 : nodes_.size() - 1);
  Account(lp, -1);
  if (head) {
    lp.PushFront(v);
  } else {
    lp.PushBack(v);
  }
  Account(lp, +1);
  ++size_;
}

void ListValue::PopN(ListEnd where, uint64_t count) {
  const bool head = where == ListEnd::kHead;
  while (count > 0 && !nodes_.empty()) {
    Listpack& lp = head ? nodes_.front() : nodes_.back();
    const size_t k = static_cast<size_t>(std::min<uint64_t>(count, lp.size()));
    if (k < lp.size()) Plain(head ? 0 : nodes_.size() - 1);
    Account(lp, -1);
    if (k == lp.size()) {
      if (head) {
        nodes_.erase(nodes_.begin());
      } else {
        nodes_.pop_back();
      }
    } else {
      lp.Erase(head ? lp.begin() : lp.Seek(lp.size() - k), k);
      Account(lp, +1);
    }
    size_ -= k;
    count -= k;
  }
}

void ListValue::FixGrown(size_t i, int64_t fill) {
  if (!Exceeds(fill, NodeBytes(nodes_[i]), nodes_[i].size())) return;
  quicklist_ = true;
  if (nodes_[i].size() < 2) return;
  reshaped_ = true;
  Listpack right;
  {
    Listpack& lp = Plain(i);
    const size_t keep = lp.size() / 2;
    const size_t pos = lp.Seek(keep);
    for (size_t p = pos; p < lp.end(); p = lp.Next(p)) right.PushBack(lp.At(p));
    Account(lp, -1);
    lp.Erase(pos, lp.size() - keep);
    lp.Shrink();
    Account(lp, +1);
  }
  Account(right, +1);
  nodes_.insert(nodes_.begin() + static_cast<ptrdiff_t>(i) + 1, std::move(right));
  FixGrown(i + 1, fill);
  FixGrown(i, fill);
}

void ListValue::DropIfEmpty(size_t i) {
  if (!nodes_[i].empty()) return;
  reshaped_ = true;
  Account(nodes_[i], -1);
  nodes_.erase(nodes_.begin() + static_cast<ptrdiff_t>(i));
}

void ListValue::MaybeShrink(int64_t fill) {
  if (!quicklist_ || Exceeds(fill, used_ + 7, size_, /*half=*/true)) return;
  quicklist_ = false;
  if (nodes_.size() <= 1) return;
  reshaped_ = true;
  Listpack merged;
  Walk(false, [&](size_t, std::string_view v) {
    merged.PushBack(v);
    return true;
  });
  while (!nodes_.empty()) {
    Account(nodes_.back(), -1);
    nodes_.pop_back();
  }
  Account(merged, +1);
  nodes_.push_back(std::move(merged));
}

void ListValue::Insert(size_t index, std::string_view v, int64_t fill) {
  if (nodes_.empty()) {
    Push(ListEnd::kTail, v, fill);
    FixGrown(0, fill);
    return;
  }
  size_t node, offset;
  if (index == size_) {
    node = nodes_.size() - 1;
    offset = nodes_[node].size();
  } else {
    Locate(index, &node, &offset);
  }
  reshaped_ = true;
  Listpack& lp = Plain(node);
  Account(lp, -1);
  lp.Insert(offset == lp.size() ? lp.end() : lp.Seek(offset), v);
  Account(lp, +1);
  ++size_;
  FixGrown(node, fill);
}

void ListValue::Set(size_t index, std::string_view v, int64_t fill) {
  size_t node, offset;
  Locate(index, &node, &offset);
  reshaped_ = true;
  Listpack& lp = Plain(node);
  Account(lp, -1);
  lp.Replace(lp.Seek(offset), v);
  Account(lp, +1);
  FixGrown(node, fill);
  MaybeShrink(fill);
}

uint64_t ListValue::Rem(ListEnd where, uint64_t count, std::string_view v) {
  uint64_t removed = 0;
  // A compressed node is decompressed for good only if it holds v.
  Listpack scratch;
  auto lacks = [&](size_t i) {
    if (!nodes_[i].compressed()) return false;
    const Listpack& lp = Readable(i, &scratch);
    return lp.Find(v) == lp.end();
  };
  if (where == ListEnd::kHead) {
    for (size_t i = 0; i < nodes_.size() && (count == 0 || removed < count);) {
      if (lacks(i)) {
        ++i;
        continue;
      }
      Listpack& lp = Plain(i);
      Account(lp, -1);
      for (size_t pos = lp.begin(); pos < lp.end() && (count == 0 || removed < count);) {
        if (lp.At(pos) == v) {
          pos = lp.Erase(pos);
          ++removed;
          --size_;
        } else {
          pos = lp.Next(pos);
        }
      }
      Account(lp, +1);
      if (lp.empty()) {
        DropIfEmpty(i);
      } else {
        ++i;
      }
    }
  } else {
    for (size_t i = nodes_.size(); i > 0 && (count == 0 || removed < count); --i) {
      if (lacks(i - 1)) continue;
      Listpack& lp = Plain(i - 1);
      Account(lp, -1);
      for (size_t pos = lp.end(); pos > lp.begin() && (count == 0 || removed < count);) {
        pos = lp.Prev(pos);
        if (lp.At(pos) == v) {
          lp.Erase(pos);
          ++removed;
          --size_;
        }
      }
      Account(lp, +1);
      DropIfEmpty(i - 1);
    }
  }
  if (removed > 0) reshaped_ = true;
  return removed;
}

void ListValue::Trim(size_t start, size_t stop) {
  const size_t tail = size_ - 1 - stop;
  PopN(ListEnd::kHead, start);
  PopN(ListEnd::kTail, tail);
}

Status ListValue::Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) {
  const int64_t fill = limits.list_max_listpack_size;
  const int64_t depth = limits.list_compress_depth;
  version_ = NextVersion();  // node numbers and contents may change: At()'s cache must not serve them
  uint64_t a = 0, b = 0;
  ListEnd where = ListEnd::kHead;
  std::string_view element;
  switch (op) {
    case RedoOp::kListPush: {
      if (!GetEnd(&body, &where) || !GetVarint64(&body, &a)) return Bad("truncated push");
      if (a > body.size()) return Bad("push count past the body");
      if (!quicklist_ &&
          Exceeds(fill, nodes_.empty() ? 7 + body.size() : NodeBytes(nodes_[0]) + body.size(),
                  size_ + a)) {
        quicklist_ = true;
      }
      for (uint64_t i = 0; i < a; ++i) {
        if (!GetLengthPrefixed(&body, &element)) return Bad("truncated push element");
        const size_t before = nodes_.size();
        Push(where, element, fill);
        // Each new end node moves the others one place inwards: settle before the next one.
        if (nodes_.size() != before) Settle(depth);
      }
      break;
    }
    case RedoOp::kListPop:
      if (!GetEnd(&body, &where) || !GetVarint64(&body, &a)) return Bad("truncated pop");
      PopN(where, a);
      MaybeShrink(fill);
      break;
    case RedoOp::kListSet:
      if (!GetVarint64(&body, &a) || !GetLengthPrefixed(&body, &element)) {
        return Bad("truncated set");
      }
      if (a >= size_) return Bad("set index out of range");
      Set(static_cast<size_t>(a), element, fill);
      break;
    case RedoOp::kListInsert:
      if (!GetVarint64(&body, &a) || !GetLengthPrefixed(&body, &element)) {
        return Bad("truncated insert");
      }
      if (a > size_) return Bad("insert index out of range");
      if (!quicklist_ && !nodes_.empty() &&
          Exceeds(fill, NodeBytes(nodes_[0]) + element.size(), size_ + 1)) {
        quicklist_ = true;
      }
      Insert(static_cast<size_t>(a), element, fill);
      break;
    case RedoOp::kListRem:
      if (!GetEnd(&body, &where) || !GetVarint64(&body, &a) ||
          !GetLengthPrefixed(&body, &element)) {
        return Bad("truncated rem");
      }
      Rem(where, a, element);
      MaybeShrink(fill);
      break;
    case RedoOp::kListTrim:
      if (!GetVarint64(&body, &a) || !GetVarint64(&body, &b)) return Bad("truncated trim");
      if (a > b || b >= size_) return Bad("trim range out of range");
      Trim(static_cast<size_t>(a), static_cast<size_t>(b));
      MaybeShrink(fill);
      break;
    default:
      return Bad("not a list effect");
  }
  Settle(depth);
  if (!body.empty()) return Bad("trailing bytes");
  return Status::Ok();
}

Status ListValue::Parse(std::string_view bytes, const EncodingLimits& limits,
                        std::unique_ptr<Value>* out) {
  const int64_t fill = limits.list_max_listpack_size;
  uint64_t n;
  if (!GetVarint64(&bytes, &n)) return Status::Corruption("list: truncated length");
  if (n == 0) return Status::Corruption("list: empty");
  if (n > bytes.size()) return Status::Corruption("list: length past the value");
  // Validate first, so a malformed value builds nothing.
  std::string_view scan = bytes, element;
  for (uint64_t i = 0; i < n; ++i) {
    if (!GetLengthPrefixed(&scan, &element)) return Status::Corruption("list: truncated element");
  }
  if (!scan.empty()) return Status::Corruption("list: trailing bytes");
  auto list = std::make_unique<ListValue>();
  list->quicklist_ = Exceeds(fill, 7 + bytes.size(), n);
  const int64_t depth = limits.list_compress_depth;
  for (uint64_t i = 0; i < n; ++i) {
    (void)GetLengthPrefixed(&bytes, &element);
    const size_t before = list->nodes_.size();
    list->Push(ListEnd::kTail, element, fill);
    if (list->nodes_.size() != before) list->Settle(depth);
  }
  list->Settle(depth);
  *out = std::move(list);
  return Status::Ok();
}

std::unique_ptr<Value> NewList() { return std::make_unique<ListValue>(); }
Status ParseList(std::string_view bytes, const EncodingLimits& limits,
                 std::unique_ptr<Value>* out) {
  return ListValue::Parse(bytes, limits, out);
}

}  // namespace strata::engine
