#include "engine/listpack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>

namespace strata::engine {
namespace {

std::deque<std::string> Contents(const Listpack& lp) {
  std::deque<std::string> out;
  for (size_t p = lp.begin(); p < lp.end(); p = lp.Next(p)) out.emplace_back(lp.At(p));
  return out;
}

std::deque<std::string> Backwards(const Listpack& lp) {
  std::deque<std::string> out;
  for (size_t p = lp.end(); p > lp.begin();) {
    p = lp.Prev(p);
    out.emplace_front(lp.At(p));
  }
  return out;
}

TEST(Listpack, ElementsOfEverySizeWalkBothWays) {
  Listpack lp;
  std::deque<std::string> model;
  // Lengths around the varint boundaries of both the length and the back length.
  for (size_t len : {0, 1, 125, 126, 127, 128, 129, 16380, 16383, 16384, 70000}) {
    std::string v(len, static_cast<char>('a' + len % 26));
    lp.PushBack(v);
    model.push_back(v);
    lp.PushFront(v + "x");
    model.push_front(v + "x");
  }
  EXPECT_EQ(lp.size(), model.size());
  EXPECT_EQ(Contents(lp), model);
  EXPECT_EQ(Backwards(lp), model);
  EXPECT_EQ(lp.At(lp.Last()), model.back());
  for (size_t i = 0; i < model.size(); ++i) EXPECT_EQ(lp.At(lp.Seek(i)), model[i]) << i;
  EXPECT_EQ(Listpack::ElementSize(3), 5u);  // two bytes of overhead for a short element
}

TEST(Listpack, RandomEditsMatchADeque) {
  std::mt19937_64 rng(7);
  Listpack lp;
  std::deque<std::string> model;
  for (int step = 0; step < 20000; ++step) {
    const std::string v(rng() % 3 == 0 ? rng() % 300 : rng() % 10, static_cast<char>('a' + rng() % 26));
    const size_t i = model.empty() ? 0 : rng() % (model.size() + 1);
    switch (rng() % 4) {
      case 0:
        lp.Insert(i == model.size() ? lp.end() : lp.Seek(i), v);
        model.insert(model.begin() + i, v);
        break;
      case 1:
        if (i < model.size()) {
          lp.Replace(lp.Seek(i), v);
          model[i] = v;
        }
        break;
      case 2:
        if (i < model.size()) {
          const size_t n = 1 + rng() % 3;
          lp.Erase(lp.Seek(i), n);
          model.erase(model.begin() + i, model.begin() + std::min(model.size(), i + n));
        }
        break;
      default: {
        const size_t at = lp.Find(v);
        auto it = std::find(model.begin(), model.end(), v);
        EXPECT_EQ(at == lp.end(), it == model.end());
        if (at != lp.end()) {
          EXPECT_EQ(lp.At(at), *it);
        }
      }
    }
    ASSERT_EQ(lp.size(), model.size());
  }
  EXPECT_EQ(Contents(lp), model);
  EXPECT_EQ(Backwards(lp), model);
}

TEST(Listpack, FindWithAStepLooksOnlyAtFields) {
  Listpack lp;
  for (const char* s : {"f1", "v1", "v1", "f2", "f2", "v2"}) lp.PushBack(s);
  // As field/value pairs: fields f1, v1, f2; "v1" as a value does not count.
  EXPECT_EQ(lp.At(lp.Find("v1", 0, 2)), "v1");
  EXPECT_EQ(lp.Find("v2", 0, 2), lp.end());
  EXPECT_EQ(lp.Next(lp.Find("f2", 0, 2)), lp.Seek(5));
}

}  // namespace
}  // namespace strata::engine
