#include "engine/stream_value.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace strata::engine {
namespace {

StreamId Id(uint64_t ms, uint64_t seq) { return {ms, seq}; }

void Add(StreamValue* s, StreamId id, std::vector<std::string_view> fv,
         const EncodingLimits& limits = {}) {
  std::string body;
  StreamAddBody(&body, id, fv);
  ASSERT_TRUE(s->Apply(RedoOp::kStreamAdd, body, limits).ok());
}

std::vector<std::string> Ids(const StreamValue& s, bool reverse = false) {
  std::vector<std::string> out;
  s.Range(StreamId::Min(), StreamId::Max(), reverse, [&](StreamId id, auto) {
    out.push_back(id.ToString());
    return true;
  });
  return out;
}

TEST(StreamIdTest, ParsesAsRedisReadsEachPart) {
  StreamId id;
  ASSERT_TRUE(ParseStreamId("5-7", 0, &id));
  EXPECT_EQ(id, Id(5, 7));
  ASSERT_TRUE(ParseStreamId("5", 9, &id));
  EXPECT_EQ(id, Id(5, 9));
  ASSERT_TRUE(ParseStreamId("007", 0, &id));  // strtoull's fallback takes leading zeros
  EXPECT_EQ(id, Id(7, 0));
  ASSERT_TRUE(ParseStreamId("18446744073709551615-18446744073709551615", 0, &id));
  EXPECT_EQ(id, StreamId::Max());
  for (const char* bad : {"", "-", "1-", "-1", "1-2-3", "a", "1-a", "18446744073709551616",
                          "1-18446744073709551616", "0x10"}) {
    EXPECT_FALSE(ParseStreamId(bad, 0, &id)) << bad;
  }
  StreamId max = StreamId::Max();
  EXPECT_FALSE(max.Incr());
  StreamId min;
  EXPECT_FALSE(min.Decr());
  StreamId edge = Id(1, UINT64_MAX);
  ASSERT_TRUE(edge.Incr());
  EXPECT_EQ(edge, Id(2, 0));
}

TEST(StreamValueTest, NodesSplitByEntriesAndBytesAndRangesCrossThem) {
  EncodingLimits limits;
  limits.stream_node_max_entries = 3;
  StreamValue s;
  for (uint64_t i = 1; i <= 7; ++i) Add(&s, Id(i, 0), {"f", "v"}, limits);
  EXPECT_EQ(s.num_nodes(), 3u);
  EXPECT_EQ(Ids(s), (std::vector<std::string>{"1-0", "2-0", "3-0", "4-0", "5-0", "6-0", "7-0"}));
  EXPECT_EQ(Ids(s, true).front(), "7-0");
  std::vector<std::string> mid;
  s.Range(Id(3, 0), Id(5, 0), true, [&](StreamId id, auto) {
    mid.push_back(id.ToString());
    return true;
  });
  EXPECT_EQ(mid, (std::vector<std::string>{"5-0", "4-0", "3-0"}));

  // A deleted entry still counts toward its node's size, as in Redis: [7, 8] less 8 takes 9,
  // and 10 starts a node.
  std::string body;
  Add(&s, Id(8, 0), {"f", "v"}, limits);
  const StreamId gone[] = {Id(8, 0)};
  StreamDelBody(&body, gone);
  ASSERT_TRUE(s.Apply(RedoOp::kStreamDel, body, limits).ok());
  EXPECT_EQ(s.max_deleted_id(), Id(8, 0));
  Add(&s, Id(9, 0), {"f", "v"}, limits);
  EXPECT_EQ(s.num_nodes(), 3u);
  Add(&s, Id(10, 0), {"f", "v"}, limits);
  EXPECT_EQ(s.num_nodes(), 4u);

  EncodingLimits tiny;
  tiny.stream_node_max_bytes = 8;
  StreamValue b;
  for (uint64_t i = 1; i <= 4; ++i) Add(&b, Id(i, 0), {"field", "value"}, tiny);
  EXPECT_EQ(b.num_nodes(), 4u);
}

TEST(StreamValueTest, SmallEntriesWithRepeatedFieldsStayCompact) {
  StreamValue s;
  const size_t empty = s.bytes();
  for (uint64_t i = 1; i <= 1000; ++i) Add(&s, Id(1700000000000 + i, 0), {"temp", "21", "hum", "40"});
  // The ID delta and two values: a few bytes each, the field names only once per node.
  const double per_entry = static_cast<double>(s.bytes() - empty) / 1000;
  EXPECT_LT(per_entry, 16.0);
  std::vector<std::string_view> first;
  s.Range(s.first_id(), s.first_id(), false, [&](StreamId, auto fv) {
    first.assign(fv.begin(), fv.end());
    return false;
  });
  EXPECT_EQ(first, (std::vector<std::string_view>{"temp", "21", "hum", "40"}));
}

TEST(StreamValueTest, TrimCountFollowsRedisNodeByNodeWalk) {
  EncodingLimits limits;
  limits.stream_node_max_entries = 10;
  StreamValue s;
  for (uint64_t i = 1; i <= 35; ++i) Add(&s, Id(i, 0), {"f", "v"}, limits);
  // MAXLEN ~ 12: whole nodes only, while what stays is at least 12 (two nodes of 10 go).
  EXPECT_EQ(s.TrimCount(false, 12, {}, true, 0), 20u);
  EXPECT_EQ(s.TrimCount(false, 12, {}, false, 0), 23u);
  EXPECT_EQ(s.TrimCount(false, 12, {}, true, 15), 10u);  // LIMIT 15: one node only
  EXPECT_EQ(s.TrimCount(false, 40, {}, false, 0), 0u);
  EXPECT_EQ(s.TrimCount(true, 0, Id(15, 0), true, 0), 10u);
  EXPECT_EQ(s.TrimCount(true, 0, Id(15, 0), false, 0), 14u);
  std::string body;
  StreamTrimBody(&body, 23);
  ASSERT_TRUE(s.Apply(RedoOp::kStreamTrim, body, limits).ok());
  EXPECT_EQ(s.size(), 12u);
  EXPECT_EQ(s.first_id(), Id(24, 0));
  EXPECT_EQ(s.last_id(), Id(35, 0));
  EXPECT_EQ(s.entries_added(), 35u);
}

TEST(StreamValueTest, GroupsRoundTripThroughThePutEncoding) {
  EncodingLimits limits;
  StreamValue s;
  for (uint64_t i = 1; i <= 5; ++i) Add(&s, Id(i, 0), {"f", std::to_string(i)}, limits);
  std::string body;
  StreamGroupBody(&body, StreamGroupOp::kCreate, "g", {}, Id(0, 0), 0, 0);
  ASSERT_TRUE(s.Apply(RedoOp::kStreamGroup, body, limits).ok());
  const StreamId delivered[] = {Id(1, 0), Id(2, 0), Id(3, 0)};
  StreamDeliverBody(&body, "g", "alice", 1000, true, Id(3, 0), 3, false, delivered);
  ASSERT_TRUE(s.Apply(RedoOp::kStreamDeliver, body, limits).ok());
  const StreamId again[] = {Id(2, 0)};
  StreamDeliverBody(&body, "g", "alice", 2000, false, {}, 0, true, again);
  ASSERT_TRUE(s.Apply(RedoOp::kStreamDeliver, body, limits).ok());
  const StreamClaim claim[] = {{Id(3, 0), 1500, 7}};
  StreamClaimBody(&body, "g", "bob", 3000, true, Id(9, 0), claim);
  ASSERT_TRUE(s.Apply(RedoOp::kStreamClaim, body, limits).ok());
  StreamAckBody(&body, "g", std::span<const StreamId>(delivered, 1));
  ASSERT_TRUE(s.Apply(RedoOp::kStreamAck, body, limits).ok());

  const StreamValue::Group* g = s.FindGroup("g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->last_id, Id(9, 0));
  EXPECT_EQ(g->entries_read, 3);
  ASSERT_EQ(g->pel.size(), 2u);
  EXPECT_EQ(g->pel.at(Id(2, 0)).delivery_count, 2u);
  EXPECT_EQ(g->pel.at(Id(2, 0)).delivery_ms, 2000);
  EXPECT_EQ(g->pel.at(Id(3, 0)).owner->name, "bob");
  EXPECT_EQ(g->pel.at(Id(3, 0)).delivery_count, 7u);
  EXPECT_EQ(g->consumers.at("alice")->pending.size(), 1u);
  EXPECT_EQ(g->consumers.at("bob")->seen_ms, 3000);

  std::string bytes;
  s.Serialize(&bytes);
  std::unique_ptr<Value> copy;
  ASSERT_TRUE(ParseStream(bytes, limits, &copy).ok());
  std::string bytes2;
  copy->Serialize(&bytes2);
  EXPECT_EQ(bytes2, bytes);
  EXPECT_TRUE(copy->KeepWhenEmpty());
}

TEST(StreamValueTest, MalformedOrImpossibleEffectsAreCorruption) {
  EncodingLimits limits;
  StreamValue s;
  Add(&s, Id(5, 0), {"f", "v"}, limits);
  std::string body;
  StreamAddBody(&body, Id(5, 0), std::vector<std::string_view>{"f", "v"});
  EXPECT_FALSE(s.Apply(RedoOp::kStreamAdd, body, limits).ok());  // not above the last ID
  StreamSetIdBody(&body, Id(4, 0), 1, {});
  EXPECT_FALSE(s.Apply(RedoOp::kStreamSetId, body, limits).ok());  // below the last entry
  StreamAckBody(&body, "nogroup", {});
  EXPECT_FALSE(s.Apply(RedoOp::kStreamAck, body, limits).ok());
  EXPECT_FALSE(s.Apply(RedoOp::kStreamAdd, "\x01", limits).ok());
  EXPECT_FALSE(s.Apply(RedoOp::kStreamGroup, "", limits).ok());
  std::unique_ptr<Value> v;
  EXPECT_FALSE(ParseStream("\x05\x00\x01", limits, &v).ok());
  EXPECT_EQ(s.size(), 1u);
}

}  // namespace
}  // namespace strata::engine
