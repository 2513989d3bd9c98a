#include "tests/util/command_harness.h"

#include <cstdlib>
#include <span>
#include <string_view>

#include "base/clock.h"
#include "server/config.h"
#include "tests/util/reply.h"

namespace strata::testing {

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "CommandHarness: %s\n", what.c_str());
  std::abort();
}

}  // namespace

CommandHarness::CommandHarness(std::vector<std::pair<std::string, std::string>> settings) {
  auto config = std::make_unique<server::Config>();
  std::vector<std::pair<std::string, std::string>> all = {
      {"shards", "4"}, {"appendonly", "no"}, {"save", ""}, {"snapshot-wal-bytes", "0"}};
  all.insert(all.end(), settings.begin(), settings.end());
  for (const auto& [name, value] : all) {
    Status st = config->Set(name, value, /*startup=*/true);
    if (!st.ok()) Fail("config " + name + ": " + st.message());
  }
  server_ = std::make_unique<server::Server>(std::move(config));
  server_->ApplyConfig();
  server_->stats().InitWorkers(1);
  for (Client& c : clients_) Connect(&c);
}

CommandHarness::~CommandHarness() {
  for (Client& c : clients_) Disconnect(&c);
}

void CommandHarness::Connect(Client* c) {
  c->state = std::make_unique<server::ClientState>();
  server::ClientState& s = *c->state;
  s.counters = &server_->stats().worker(0);
  s.worker = &mail_;
  s.addr = "127.0.0.1:" + std::to_string(40000 + next_port_++);
  s.laddr = "127.0.0.1:6379";
  s.created_ms = NowMs();
  s.last_interaction_ms = s.created_ms;
  server_->OnConnect(s);
  server_->clients().Add(&s);
  c->out.clear();
  c->blocked_line.clear();
}

void CommandHarness::Disconnect(Client* c) {
  server_->OnDisconnect(*c->state);
  server_->clients().Remove(c->state.get());
  c->state.reset();
}

void CommandHarness::Reconnect(int client) {
  Disconnect(&clients_[client]);
  Connect(&clients_[client]);
}

std::string CommandHarness::Execute(Client* c, const std::vector<std::string>& line) {
  std::vector<std::string_view> args(line.begin(), line.end());
  c->reply.set_resp3(c->state->resp.load() == 3);
  redo_.ResetDependency();
  server_->Execute(*c->state, std::span<const std::string_view>(args), c->reply, &redo_);
  if (c->state->blocked) c->blocked_line = line;
  std::string out;
  out.swap(c->out);
  return out;
}

std::string CommandHarness::RunRaw(const std::vector<std::string>& line, int client) {
  Client& c = clients_[client];
  if (c.state->blocked) Fail("client " + std::to_string(client) + " is blocked");
  return Execute(&c, line);
}

std::string CommandHarness::Render(const std::string& raw, bool resp3) {
  if (resp3) return raw;
  std::optional<std::vector<Reply>> replies = ParseReplies(raw);
  if (!replies) Fail("malformed reply: '" + raw.substr(0, 200) + "'");
  std::string out;
  for (const Reply& r : *replies) {
    if (!out.empty()) out += "\n";
    out += testing::Render(r);
  }
  return out;
}

std::string CommandHarness::Shown(int client, const std::string& raw, bool resp3) {
  if (clients_[client].state->blocked && raw.empty()) return "(blocked)";
  return Render(raw, resp3 || clients_[client].state->resp.load() == 3);
}

std::string CommandHarness::Run(std::vector<std::string> line, int client) {
  const bool resp3 = clients_[client].state->resp.load() == 3;  // HELLO 3 answers in RESP3
  return Shown(client, RunRaw(line, client), resp3);
}

std::string CommandHarness::WokenRaw(int client) {
  Client& c = clients_[client];
  if (!c.state->blocked) Fail("client " + std::to_string(client) + " is not blocked");
  auto it = mail_.served.find(c.state->id);
  if (it == mail_.served.end()) return std::string();
  std::string reply = std::move(it->second);
  mail_.served.erase(it);
  c.state->EndBlock();
  c.blocked_line.clear();
  return reply;
}

std::string CommandHarness::TimeOutRaw(int client) {
  Client& c = clients_[client];
  if (!c.state->blocked) Fail("client " + std::to_string(client) + " is not blocked");
  c.reply.set_resp3(c.state->resp.load() == 3);
  if (!server_->TimeOut(*c.state, c.reply)) {
    Fail("client " + std::to_string(client) + " was served");
  }
  c.state->EndBlock();
  c.blocked_line.clear();
  std::string out;
  out.swap(c.out);
  return out;
}

std::string CommandHarness::Woken(int client) { return Shown(client, WokenRaw(client), false); }

std::string CommandHarness::TimeOut(int client) {
  return Shown(client, TimeOutRaw(client), false);
}

}  // namespace strata::testing
