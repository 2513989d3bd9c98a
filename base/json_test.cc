#include "base/json.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(Json, ObjectsKeepTheirKeysInOrder) {
  Result<JsonValue> v = ParseJson(R"( {"z": 1, "a": [true, false, null, -7], "m": {}} )");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->kind, JsonValue::Kind::kObject);
  ASSERT_EQ(v->object.size(), 3u);
  EXPECT_EQ(v->object[0].first, "z");
  EXPECT_EQ(v->object[1].first, "a");
  EXPECT_EQ(v->object[2].first, "m");
  EXPECT_EQ(v->Find("z")->integer, 1);
  const JsonValue& a = *v->Find("a");
  ASSERT_EQ(a.array.size(), 4u);
  EXPECT_TRUE(a.array[0].boolean);
  EXPECT_EQ(a.array[1].kind, JsonValue::Kind::kBool);
  EXPECT_FALSE(a.array[1].boolean);
  EXPECT_EQ(a.array[2].kind, JsonValue::Kind::kNull);
  EXPECT_EQ(a.array[3].integer, -7);
  EXPECT_EQ(v->Find("nope"), nullptr);
}

TEST(Json, StringEscapesBecomeUtf8) {
  Result<JsonValue> v = ParseJson(R"("a\"b\\c\/\n\u00e9\u20ac\ud83d\ude00")");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->string, "a\"b\\c/\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(Json, MalformedInputIsAnErrorWithItsOffset) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "\"open", "1.5", "[1] x", "tru",
                          "\"\\u12\"", "{1: 2}"}) {
    Result<JsonValue> v = ParseJson(bad);
    EXPECT_FALSE(v.ok()) << bad;
    if (!v.ok()) {
      EXPECT_NE(v.status().message().find("offset"), std::string::npos) << bad;
    }
  }
  EXPECT_FALSE(ParseJson(std::string(100, '[') + std::string(100, ']')).ok());  // too deep
}

}  // namespace
}  // namespace strata
