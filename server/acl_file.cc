// The ACL file (aclfile, ACL LOAD, ACL SAVE) and the config file's `user` lines.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "server/acl.h"

namespace strata::server {
namespace {

std::vector<std::string> SplitSpaces(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string w; in >> w;) words.push_back(std::move(w));
  return words;
}

constexpr std::string_view kNoChange =
    "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

}  // namespace

Status Acl::LoadFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) {
    return Status::InvalidArgument("Error loading ACLs, opening file '" + path +
                                   "': " + std::strerror(errno));
  }
  std::map<std::string, std::shared_ptr<const AclUser>, std::less<>> users;
  std::string line;
  int line_no = 0;
  while (std::getline(f, line)) {
    ++line_no;
    std::vector<std::string> words = SplitSpaces(line);
    if (words.empty()) continue;
    const std::string at = path + ":" + std::to_string(line_no);
    if (words[0] != "user" || words.size() < 2) {
      return Status::InvalidArgument(
          at + " should start with user keyword followed by the username. " +
          std::string(kNoChange));
    }
    if (users.count(words[1]) != 0) {
      return Status::InvalidArgument("WARNING: Duplicate user '" + words[1] +
                                     "' found on line " + std::to_string(line_no) + ". " +
                                     std::string(kNoChange));
    }
    auto user = std::make_shared<AclUser>(NewUser(words[1]));
    for (size_t i = 2; i < words.size(); ++i) {
      Status st = user->Apply(words[i], table_);
      if (st.ok()) continue;
      // As Redis: a missing command or category is named; other errors are not (the rule may
      // be a password).
      const bool unknown = st.message().starts_with("Unknown command");
      return Status::InvalidArgument(
          at + ": " + (unknown ? "Error in applying operation '" + words[i] + "': " : "") +
          st.message() + ". " + std::string(kNoChange));
    }
    users[words[1]] = std::move(user);
  }
  if (users.count("default") == 0) {
    users["default"] = std::make_shared<const AclUser>(AclUser::Default(table_));
  }
  std::lock_guard<std::mutex> l(mu_);
  users_.clear();
  for (auto& [name, user] : users) PublishLocked(std::move(user));
  return Status::Ok();
}

Status Acl::SaveFile(const std::string& path) const {
  std::string text;
  for (const auto& user : Users()) text += user->Describe() + "\n";
  const std::string tmp = path + ".tmp-acl-save";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError("Saving the ACL file " + path + ": " + std::strerror(err));
  }
  return Status::Ok();
}

Status Acl::LoadUserLines(const std::vector<std::vector<std::string>>& lines) {
  for (const std::vector<std::string>& words : lines) {
    std::vector<std::string_view> rules;
    if (words[0] == "default") rules.push_back("reset");  // as Redis: declared from scratch
    rules.insert(rules.end(), words.begin() + 1, words.end());
    Status st = SetUser(words[0], rules);
    if (!st.ok()) {
      return Status::InvalidArgument("Error in user declaration '" + words[0] +
                                     "': " + st.message());
    }
  }
  return Status::Ok();
}

}  // namespace strata::server
