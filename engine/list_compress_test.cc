// ListValue with list-compress-depth: the interior nodes are compressed and the ends plain after
// every change, bytes() sees the saving, and every read and change gives the same elements as a
// std::deque model at depths 0, 1, 2 and 5.
#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "engine/list_value.h"
#include "engine/test_util.h"
#include "engine/redo.h"
#include "engine/value.h"

namespace strata::engine {
namespace {

EncodingLimits Depth(int64_t depth) {
  EncodingLimits limits;
  limits.list_compress_depth = depth;
  return limits;
}

// Compressible elements (a small vocabulary with numbers), sometimes a longer run of one byte,
// sometimes empty.
std::string RandomElement(std::mt19937& rng) {
  const uint32_t kind = rng() % 20;
  if (kind == 0) return "";
  if (kind == 1) return std::string(100 + rng() % 400, static_cast<char>('a' + rng() % 3));
  return "item:" + std::to_string(rng() % 64);
}

void Apply(ListValue& l, RedoOp op, const std::string& body, const EncodingLimits& limits) {
  ASSERT_TRUE(l.Apply(op, body, limits).ok());
}

void Push(ListValue& l, ListEnd where, const std::vector<std::string>& elements,
          const EncodingLimits& limits) {
  std::vector<std::string_view> views(elements.begin(), elements.end());
  std::string body;
  ListPushBody(&body, where, views);
  Apply(l, RedoOp::kListPush, body, limits);
}

// The invariant of engine/list_value.h: the `depth` nodes at each end are plain; every node
// between them is compressed unless compressing it would not pay.
void CheckCompression(const ListValue& l, int64_t depth) {
  const size_t n = l.nodes();
  for (size_t i = 0; i < n; ++i) {
    const bool middle = depth > 0 && i >= static_cast<size_t>(depth) &&
                        i + static_cast<size_t>(depth) < n;
    if (!middle) {
      ASSERT_FALSE(l.node(i).compressed()) << "node " << i << " of " << n << " at the ends";
    } else if (!l.node(i).compressed()) {
      Listpack copy = l.node(i);
      ASSERT_FALSE(copy.Compress()) << "node " << i << " of " << n << " left plain";
    }
  }
}

void CheckReads(const ListValue& l, const std::deque<std::string>& model, std::mt19937& rng) {
  ASSERT_EQ(l.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) ASSERT_EQ(l.At(i), model[i]) << "index " << i;
  std::vector<std::string> forward, backward;
  l.Walk(false, [&](size_t i, std::string_view v) {
    EXPECT_EQ(i, forward.size());
    forward.emplace_back(v);
    return true;
  });
  l.Walk(true, [&](size_t i, std::string_view v) {
    EXPECT_EQ(i, model.size() - 1 - backward.size());
    backward.emplace_back(v);
    return true;
  });
  ASSERT_EQ(forward, std::vector<std::string>(model.begin(), model.end()));
  ASSERT_EQ(backward, std::vector<std::string>(model.rbegin(), model.rend()));
  if (model.empty()) return;
  const size_t start = rng() % model.size();
  const size_t stop = start + rng() % (model.size() - start);
  std::vector<std::string> range;
  l.ForRange(start, stop, [&](std::string_view v) { range.emplace_back(v); });
  ASSERT_EQ(range, std::vector<std::string>(model.begin() + static_cast<ptrdiff_t>(start),
                                            model.begin() + static_cast<ptrdiff_t>(stop) + 1));
}

// 20,000 short elements: about 80 nodes of 8 KB.
std::deque<std::string> Fill(ListValue& l, const EncodingLimits& limits, std::mt19937& rng) {
  std::deque<std::string> model;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<std::string> elements;
    for (int i = 0; i < 1000; ++i) elements.push_back(RandomElement(rng));
    Push(l, ListEnd::kTail, elements, limits);
    model.insert(model.end(), elements.begin(), elements.end());
  }
  return model;
}

TEST(ListCompress, InteriorNodesAreCompressedAndBytesDrop) {
  std::mt19937 rng(7);
  ListValue plain;
  std::deque<std::string> model = Fill(plain, Depth(0), rng);
  EXPECT_EQ(plain.compressed_nodes(), 0u);
  ASSERT_GT(plain.nodes(), 20u);
  for (int64_t depth : {1, 2}) {
    SCOPED_TRACE("depth " + std::to_string(depth));
    std::mt19937 same(7);
    ListValue l;
    ASSERT_EQ(Fill(l, Depth(depth), same), model);
    CheckCompression(l, depth);
    EXPECT_EQ(l.nodes(), plain.nodes());
    EXPECT_EQ(l.compressed_nodes(), l.nodes() - 2 * static_cast<size_t>(depth));
    EXPECT_LT(l.bytes() * 3, plain.bytes()) << l.bytes() << " vs " << plain.bytes();
    CheckReads(l, model, rng);
    // Serialize writes the plain elements, the same bytes as the uncompressed list's.
    std::string a, b;
    l.Serialize(&a);
    plain.Serialize(&b);
    EXPECT_EQ(a, b);
    std::unique_ptr<Value> parsed;
    ASSERT_TRUE(ParseList(a, Depth(depth), &parsed).ok());
    const auto& p = static_cast<const ListValue&>(*parsed);
    CheckCompression(p, depth);
    EXPECT_EQ(p.compressed_nodes(), l.compressed_nodes());
    // The same nodes, compressed alike; bytes() counts allocations, which malloc may round
    // up by a few bytes depending on what it had free (seen: 16 bytes apart in one run).
    EXPECT_NEAR(static_cast<double>(p.bytes()), static_cast<double>(l.bytes()),
                16.0 * static_cast<double>(l.nodes()));
    CheckReads(p, model, rng);
  }
}

// Not a benchmark: the memory figures of the report (100,000 elements "element:<n % 1000>").
TEST(ListCompress, MemoryOfOneHundredThousandShortElements) {
  size_t bytes[3] = {};
  for (int64_t depth : {0, 1, 2}) {
    ListValue l;
    std::vector<std::string> elements;
    for (int i = 0; i < 100000; ++i) elements.push_back("element:" + std::to_string(i % 1000));
    Push(l, ListEnd::kTail, elements, Depth(depth));
    bytes[depth] = l.bytes();
    std::printf("list-compress-depth %lld: %zu nodes, %zu compressed, bytes() = %zu\n",
                static_cast<long long>(depth), l.nodes(), l.compressed_nodes(), l.bytes());
  }
  EXPECT_LT(bytes[1] * 4, bytes[0]);
  EXPECT_LT(bytes[2] * 4, bytes[0]);
}

TEST(ListCompress, DepthChangesApplyAtTheNextChange) {
  std::mt19937 rng(3);
  ListValue l;
  std::deque<std::string> model = Fill(l, Depth(0), rng);
  const size_t plain_bytes = l.bytes();
  Push(l, ListEnd::kHead, {"x"}, Depth(1));  // the setting went from 0 to 1
  model.push_front("x");
  CheckCompression(l, 1);
  EXPECT_EQ(l.compressed_nodes(), l.nodes() - 2);
  EXPECT_LT(l.bytes() * 3, plain_bytes);
  Push(l, ListEnd::kTail, {"y"}, Depth(3));
  model.push_back("y");
  CheckCompression(l, 3);
  EXPECT_EQ(l.compressed_nodes(), l.nodes() - 6);
  Push(l, ListEnd::kTail, {"z"}, Depth(0));
  model.push_back("z");
  EXPECT_EQ(l.compressed_nodes(), 0u);
  CheckReads(l, model, rng);
}

// One random change to the list and the model: pushes and pops at both ends, insert, set, rem,
// trim; the index-based ones mostly in the middle.
void RandomChange(ListValue& l, std::deque<std::string>& model, const EncodingLimits& limits,
                  std::mt19937& rng) {
  std::string body;
  const uint32_t op = model.empty() ? 0 : rng() % 9;
  auto middle = [&] { return model.size() / 4 + rng() % (model.size() / 2 + 1); };
  switch (op) {
    case 0:
    case 1: {
      const ListEnd where = rng() % 2 ? ListEnd::kHead : ListEnd::kTail;
      std::vector<std::string> elements;
      for (uint32_t i = 0, n = 1 + rng() % (rng() % 8 == 0 ? 600 : 5); i < n; ++i) {
        elements.push_back(RandomElement(rng));
        if (where == ListEnd::kHead) {
          model.push_front(elements.back());
        } else {
          model.push_back(elements.back());
        }
      }
      Push(l, where, elements, limits);
      return;
    }
    case 2: {
      const ListEnd where = rng() % 2 ? ListEnd::kHead : ListEnd::kTail;
      const uint64_t n = std::min<uint64_t>(1 + rng() % (rng() % 8 == 0 ? 900 : 4), model.size());
      for (uint64_t i = 0; i < n; ++i) {
        if (where == ListEnd::kHead) {
          model.pop_front();
        } else {
          model.pop_back();
        }
      }
      ListPopBody(&body, where, n);
      return Apply(l, RedoOp::kListPop, body, limits);
    }
    case 3:
    case 4: {
      const size_t at = std::min(middle(), model.size());
      const std::string e = RandomElement(rng);
      model.insert(model.begin() + static_cast<ptrdiff_t>(at), e);
      ListInsertBody(&body, at, e);
      return Apply(l, RedoOp::kListInsert, body, limits);
    }
    case 5:
    case 6: {
      const size_t at = std::min(middle(), model.size() - 1);
      const std::string e = RandomElement(rng);
      model[at] = e;
      ListSetBody(&body, at, e);
      return Apply(l, RedoOp::kListSet, body, limits);
    }
    case 7: {
      const std::string e = "item:" + std::to_string(rng() % 64);
      const ListEnd where = rng() % 2 ? ListEnd::kHead : ListEnd::kTail;
      const uint64_t count = rng() % 3;  // 0 = every one
      ModelListRem(&model, where, count, e);
      ListRemBody(&body, where, count, e);
      return Apply(l, RedoOp::kListRem, body, limits);
    }
    default: {
      const size_t start = rng() % std::min<size_t>(model.size(), 300);
      const size_t cut = rng() % std::min<size_t>(model.size() - start, 300);
      const size_t stop = model.size() - 1 - cut;
      model.erase(model.begin() + static_cast<ptrdiff_t>(stop) + 1, model.end());
      model.erase(model.begin(), model.begin() + static_cast<ptrdiff_t>(start));
      ListTrimBody(&body, start, stop);
      return Apply(l, RedoOp::kListTrim, body, limits);
    }
  }
}

TEST(ListCompress, RandomChangesMatchADequeAtEveryDepth) {
  for (int64_t depth : {0, 1, 2, 5}) {
    for (uint32_t seed = 1; seed <= 2; ++seed) {
      SCOPED_TRACE("depth " + std::to_string(depth) + " seed " + std::to_string(seed));
      const EncodingLimits limits = Depth(depth);
      std::mt19937 rng(seed * 100 + static_cast<uint32_t>(depth));
      ListValue l;
      std::deque<std::string> model = Fill(l, limits, rng);
      for (int step = 0; step < 300; ++step) {
        RandomChange(l, model, limits, rng);
        ASSERT_EQ(l.size(), model.size()) << "step " << step;
        CheckCompression(l, depth);
        if (depth == 0) {
          ASSERT_EQ(l.compressed_nodes(), 0u);
        }
        if (step % 25 == 0) CheckReads(l, model, rng);
        if (::testing::Test::HasFatalFailure()) return;
      }
      CheckReads(l, model, rng);
      if (depth > 0) {
        EXPECT_GT(l.compressed_nodes(), 0u);
      }
      // Pop from both ends in turn down to empty, reading the ends and the middle as it goes.
      std::string body;
      for (bool head = true; !model.empty(); head = !head) {
        const uint64_t n = std::min<uint64_t>(1 + rng() % 300, model.size());
        for (uint64_t i = 0; i < n; ++i) head ? model.pop_front() : model.pop_back();
        ListPopBody(&body, head ? ListEnd::kHead : ListEnd::kTail, n);
        Apply(l, RedoOp::kListPop, body, limits);
        ASSERT_EQ(l.size(), model.size());
        CheckCompression(l, depth);
        if (!model.empty()) {
          ASSERT_EQ(l.At(0), model.front());
          ASSERT_EQ(l.At(model.size() / 2), model[model.size() / 2]);
          ASSERT_EQ(l.At(model.size() - 1), model.back());
        }
      }
      EXPECT_EQ(l.nodes(), 0u);
    }
  }
}

// A compressed listpack keeps its size and used bytes, copies and moves as itself, and
// decompresses to the same elements; tiny or incompressible ones stay plain.
TEST(ListCompress, ListpackCompressesOnlyWhenItPays) {
  Listpack tiny;
  tiny.PushBack("short");
  EXPECT_FALSE(tiny.Compress());
  EXPECT_FALSE(tiny.compressed());

  std::mt19937 rng(5);
  Listpack noise;
  std::string random(200, '\0');
  for (char& c : random) c = static_cast<char>(rng());
  noise.PushBack(random);
  EXPECT_FALSE(noise.Compress());
  EXPECT_EQ(noise.At(noise.begin()), random);

  Listpack lp;
  for (int i = 0; i < 200; ++i) lp.PushBack("value-" + std::to_string(i % 10));
  const Listpack original = lp;
  const size_t used = lp.used(), bytes = lp.bytes();
  ASSERT_TRUE(lp.Compress());
  EXPECT_EQ(lp.size(), 200u);
  EXPECT_EQ(lp.used(), used);
  EXPECT_LT(lp.bytes(), bytes / 4);
  Listpack copy = lp;
  ASSERT_TRUE(copy.compressed());
  Listpack out;
  copy.DecompressTo(&out);
  lp.Decompress();
  for (const Listpack* p : {&lp, &out}) {
    ASSERT_FALSE(p->compressed());
    ASSERT_EQ(p->size(), original.size());
    for (size_t a = p->begin(), b = original.begin(); a < p->end(); a = p->Next(a)) {
      ASSERT_EQ(p->At(a), original.At(b));
      b = original.Next(b);
    }
  }
}

}  // namespace
}  // namespace strata::engine
