#include "server/net/reply_builder.h"

#include "base/string_util.h"

namespace strata::server {

void ReplyBuilder::Header(char type, int64_t n) {
  out_->push_back(type);
  AppendInt64(out_, n);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(std::string_view text) {
  out_->push_back('-');
  // An error line cannot carry a newline: replace as Redis's addReplyErrorLength does.
  size_t start = out_->size();
  out_->append(text);
  for (size_t i = start; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(const Status& status) { Error(ErrorText(status)); }

void ReplyBuilder::Int(int64_t v) { Header(':', v); }

void ReplyBuilder::Bulk(std::string_view s) {
  Header('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Null() { out_->append(resp3_ ? "_\r\n" : "$-1\r\n"); }
void ReplyBuilder::NullArray() { out_->append(resp3_ ? "_\r\n" : "*-1\r\n"); }
void ReplyBuilder::Array(size_t n) { Header('*', static_cast<int64_t>(n)); }
void ReplyBuilder::SetArrayLength(size_t mark, size_t n) {
  std::string header(1, '*');
  AppendInt64(&header, static_cast<int64_t>(n));
  header.append("\r\n", 2);
  out_->insert(mark, header);
}
void ReplyBuilder::Map(size_t n) {
  resp3_ ? Header('%', static_cast<int64_t>(n)) : Header('*', static_cast<int64_t>(2 * n));
}
void ReplyBuilder::Set(size_t n) { Header(resp3_ ? '~' : '*', static_cast<int64_t>(n)); }
void ReplyBuilder::Push(size_t n) { Header(resp3_ ? '>' : '*', static_cast<int64_t>(n)); }

void ReplyBuilder::Double(double v) {
  std::string s = FormatDouble(v);
  if (!resp3_) return Bulk(s);
  out_->push_back(',');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::DoubleText(std::string_view text) {
  if (!resp3_) return Bulk(text);
  out_->push_back(',');
  out_->append(text);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Bool(bool v) {
  if (resp3_) out_->append(v ? "#t\r\n" : "#f\r\n");
  else Int(v ? 1 : 0);
}

void ReplyBuilder::Verbatim(std::string_view text, std::string_view format) {
  if (!resp3_) return Bulk(text);
  Header('=', static_cast<int64_t>(text.size() + 4));
  format = format.substr(0, 3);
  out_->append(format);
  out_->append(3 - format.size(), ' ');
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n", 2);
}

void ReplyBuilder::BigNumber(std::string_view digits) {
  if (!resp3_) return Bulk(digits);
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n", 2);
}

std::string ErrorText(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return "ERR ok";  // never sent: callers reply errors only for failures
    case Code::kSyntax: return "ERR syntax error";
    case Code::kWrongType: return "WRONGTYPE Operation against a key holding the wrong kind of value";
    case Code::kNotInteger: return "ERR value is not an integer or out of range";
    case Code::kNotFloat: return "ERR value is not a valid float";
    case Code::kOverflow: return "ERR increment or decrement would overflow";
    case Code::kNoSuchKey: return "ERR no such key";
    case Code::kTooLarge: return "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    case Code::kAuth: return status.message();
    case Code::kOutOfRange:
    case Code::kInvalidArgument:
    case Code::kNotFound:
    case Code::kCorruption:
    case Code::kIOError:
      break;
  }
  return "ERR " + status.message();
}

}  // namespace strata::server
