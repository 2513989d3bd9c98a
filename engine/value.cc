#include "engine/value.h"

namespace strata::engine {

std::unique_ptr<Value> NewValue(ValueType type) {
  switch (type) {
    case ValueType::kList: return NewList();
    case ValueType::kHash: return NewHash();
    case ValueType::kSet: return NewSet();
    case ValueType::kZSet: return NewZSet();
    case ValueType::kString: break;
  }
  return nullptr;
}

Status ParseValue(ValueType type, std::string_view bytes, std::unique_ptr<Value>* out) {
  switch (type) {
    case ValueType::kList: return ParseList(bytes, out);
    case ValueType::kHash: return ParseHash(bytes, out);
    case ValueType::kSet: return ParseSet(bytes, out);
    case ValueType::kZSet: return ParseZSet(bytes, out);
    case ValueType::kString: break;
  }
  return Status::Corruption("value type " + std::to_string(static_cast<int>(type)) +
                            " has no object encoding");
}

std::unique_ptr<Value> CloneValue(const Value& v) {
  std::string bytes;
  v.Serialize(&bytes);
  std::unique_ptr<Value> copy;
  Status st = ParseValue(v.type(), bytes, &copy);
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
    default: return ValueType::kString;
  }
}

bool EffectCreates(RedoOp op) {
  return op == RedoOp::kListPush || op == RedoOp::kHashSet || op == RedoOp::kSetAdd ||
         op == RedoOp::kZSetAdd;
}

EncodingLimits& Limits() {
  static EncodingLimits limits;
  return limits;
}

}  // namespace strata::engine
