// Status and Result<T>: the one error vocabulary of Strata.
//
// A Status is a code plus an optional message. Codes name the kinds of failure that callers
// branch on; the server maps each to Redis's error text in one place (server/error_reply.cc).
// Functions that can fail return [[nodiscard]] Status or Result<T>; no exceptions on the hot path.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace strata {

enum class Code : unsigned char {
  kOk = 0,
  kInvalidArgument,  // message is the text after "ERR "
  kSyntax,           // ERR syntax error
  kWrongType,        // WRONGTYPE Operation against a key holding the wrong kind of value
  kNotInteger,       // ERR value is not an integer or out of range
  kNotFloat,         // ERR value is not a valid float
  kOverflow,         // ERR increment or decrement would overflow
  kNoSuchKey,        // ERR no such key
  kOutOfRange,       // ERR index out of range / offset out of range: message says which
  kTooLarge,         // ERR string exceeds maximum allowed size (proto-max-bulk-len)
  kNotFound,         // internal: an absent thing that is not a client error
  kCorruption,       // on-disk data failed a check
  kIOError,          // a system call failed; message carries errno text
  kAuth,             // message is the full error line (e.g. "WRONGPASS ..." / "NOAUTH ...")
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status Syntax() { return {Code::kSyntax, {}}; }
  static Status WrongType() { return {Code::kWrongType, {}}; }
  static Status NotInteger() { return {Code::kNotInteger, {}}; }
  static Status NotFloat() { return {Code::kNotFloat, {}}; }
  static Status Overflow() { return {Code::kOverflow, {}}; }
  static Status NoSuchKey() { return {Code::kNoSuchKey, {}}; }
  static Status OutOfRange(std::string msg) { return {Code::kOutOfRange, std::move(msg)}; }
  static Status TooLarge() { return {Code::kTooLarge, {}}; }
  static Status NotFound(std::string msg = {}) { return {Code::kNotFound, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Auth(std::string msg) { return {Code::kAuth, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Marks a status that is ignored on purpose.
  void PermitUnchecked() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace strata

#define STRATA_CONCAT_INNER(a, b) a##b
#define STRATA_CONCAT(a, b) STRATA_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                       \
  do {                                              \
    ::strata::Status _st = (expr);                  \
    if (!_st.ok()) return _st;                      \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(STRATA_CONCAT(_result_, __LINE__), lhs, expr)
