#include "engine/value.h"

namespace strata::engine {

std::unique_ptr<Value> NewValue(ValueType type) {
  switch (type) {
    case ValueType::kList: return NewList();
    case ValueType::kHash: return NewHash();
    case ValueType::kSet: return NewSet();
    case ValueType::kZSet: return NewZSet();
    case ValueType::kStream: return NewStream();
    case ValueType::kString: break;
  }
  return nullptr;
}

Status ParseValue(ValueType type, std::string_view bytes, const EncodingLimits& limits,
                  std::unique_ptr<Value>* out) {
  switch (type) {
    case ValueType::kList: return ParseList(bytes, limits, out);
    case ValueType::kHash: return ParseHash(bytes, limits, out);
    case ValueType::kSet: return ParseSet(bytes, limits, out);
    case ValueType::kZSet: return ParseZSet(bytes, limits, out);
    case ValueType::kStream: return ParseStream(bytes, limits, out);
    case ValueType::kString: break;
  }
  return Status::Corruption("value type " + std::to_string(static_cast<int>(type)) +
                            " has no object encoding");
}

std::unique_ptr<Value> CloneValue(const Value& v, const EncodingLimits& limits) {
  std::string bytes;
  v.Serialize(&bytes);
  std::unique_ptr<Value> copy;
  Status st = ParseValue(v.type(), bytes, limits, &copy);
  (void)st;  // what Serialize wrote always parses
  return copy;
}

ValueType EffectType(RedoOp op) {
  switch (op) {
    case RedoOp::kListPush:
    case RedoOp::kListPop:
    case RedoOp::kListSet:
    case RedoOp::kListInsert:
    case RedoOp::kListRem:
    case RedoOp::kListTrim: return ValueType::kList;
    case RedoOp::kHashSet:
    case RedoOp::kHashDel: return ValueType::kHash;
    case RedoOp::kSetAdd:
    case RedoOp::kSetRem: return ValueType::kSet;
    case RedoOp::kZSetAdd:
    case RedoOp::kZSetRem: return ValueType::kZSet;
    case RedoOp::kStreamAdd:
    case RedoOp::kStreamDel:
    case RedoOp::kStreamTrim:
    case RedoOp::kStreamSetId:
    case RedoOp::kStreamGroup:
    case RedoOp::kStreamDeliver:
    case RedoOp::kStreamAck:
    case RedoOp::kStreamClaim: return ValueType::kStream;
    default: return ValueType::kString;
  }
}

bool EffectCreates(RedoOp op) {
  return op == RedoOp::kListPush || op == RedoOp::kHashSet || op == RedoOp::kSetAdd ||
         op == RedoOp::kZSetAdd || op == RedoOp::kStreamAdd;
}

void SharedEncodingLimits::Store(const EncodingLimits& l) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  list_max_listpack_size_.store(l.list_max_listpack_size, kRelaxed);
  list_compress_depth_.store(l.list_compress_depth, kRelaxed);
  hash_max_listpack_entries_.store(l.hash_max_listpack_entries, kRelaxed);
  hash_max_listpack_value_.store(l.hash_max_listpack_value, kRelaxed);
  set_max_intset_entries_.store(l.set_max_intset_entries, kRelaxed);
  set_max_listpack_entries_.store(l.set_max_listpack_entries, kRelaxed);
  set_max_listpack_value_.store(l.set_max_listpack_value, kRelaxed);
  zset_max_listpack_entries_.store(l.zset_max_listpack_entries, kRelaxed);
  stream_node_max_bytes_.store(l.stream_node_max_bytes, kRelaxed);
  stream_node_max_entries_.store(l.stream_node_max_entries, kRelaxed);
  zset_max_listpack_value_.store(l.zset_max_listpack_value, kRelaxed);
}

EncodingLimits SharedEncodingLimits::Load() const {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  EncodingLimits l;
  l.list_max_listpack_size = list_max_listpack_size_.load(kRelaxed);
  l.list_compress_depth = list_compress_depth_.load(kRelaxed);
  l.hash_max_listpack_entries = hash_max_listpack_entries_.load(kRelaxed);
  l.hash_max_listpack_value = hash_max_listpack_value_.load(kRelaxed);
  l.set_max_intset_entries = set_max_intset_entries_.load(kRelaxed);
  l.set_max_listpack_entries = set_max_listpack_entries_.load(kRelaxed);
  l.set_max_listpack_value = set_max_listpack_value_.load(kRelaxed);
  l.zset_max_listpack_entries = zset_max_listpack_entries_.load(kRelaxed);
  l.stream_node_max_bytes = stream_node_max_bytes_.load(kRelaxed);
  l.stream_node_max_entries = stream_node_max_entries_.load(kRelaxed);
  l.zset_max_listpack_value = zset_max_listpack_value_.load(kRelaxed);
  return l;
}

}  // namespace strata::engine
