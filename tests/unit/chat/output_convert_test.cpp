// qwen3_coder parameter conversion table (spec/api.md 8.4 step 4) and the Python-compatible
// json.loads / ast.literal_eval / json.dumps it relies on. Expected strings are what CPython 3.11
// prints for the same vLLM code path, worked out by hand from the Python rules.
#include <gtest/gtest.h>

#include <limits>

#include "chat/output/param_convert.h"
#include "chat/output/py_value.h"

namespace hy::chat {
namespace {

nlohmann::ordered_json props(const char* type) {
    return nlohmann::ordered_json{{"x", {{"type", type}}}};
}

std::string conv(std::string_view raw, const char* type) {
    return convert_param_value(raw, "x", props(type));
}

TEST(OutputConvert, NullInAnyCaseIsNull) {
    EXPECT_EQ(conv("null", "string"), "null");
    EXPECT_EQ(conv("NULL", "integer"), "null");
    EXPECT_EQ(conv("Null", "object"), "null");
    EXPECT_EQ(convert_param_value("null", "unknown", props("string")), "null");
    EXPECT_EQ(conv("none", "string"), "\"none\"");
}

TEST(OutputConvert, UnknownKeyOrNoSchemaIsString) {
    EXPECT_EQ(convert_param_value("3", "y", props("integer")), "\"3\"");
    EXPECT_EQ(convert_param_value("3", "x", nullptr), "\"3\"");
    EXPECT_EQ(convert_param_value("3", "x", nlohmann::ordered_json{{"x", nlohmann::ordered_json::object()}}),
              "\"3\"");  // no type -> string
    EXPECT_EQ(convert_param_value("{\"a\": 1}", "x", nlohmann::ordered_json{{"x", {{"anyOf", {1}}}}}),
              "{\"a\": 1}");  // anyOf without type -> object
}

TEST(OutputConvert, StringTypesKeepText) {
    for (const char* t : {"string", "str", "text", "varchar", "char", "enum", " String "})
        EXPECT_EQ(conv("a \"q\" \\ <b>\nline2\t\x01 é😀", t), "\"a \\\"q\\\" \\\\ <b>\\nline2\\t\\u0001 é😀\"")
            << t;
    EXPECT_EQ(conv("42", "string"), "\"42\"");
}

TEST(OutputConvert, Integers) {
    for (const char* t : {"integer", "int", "int64", "uint8", "long", "short", "unsigned"})
        EXPECT_EQ(conv("42", t), "42") << t;
    EXPECT_EQ(conv(" -17 ", "integer"), "-17");
    EXPECT_EQ(conv("+5", "integer"), "5");
    EXPECT_EQ(conv("007", "integer"), "7");
    EXPECT_EQ(conv("-0", "integer"), "0");
    EXPECT_EQ(conv("1_000", "integer"), "1000");
    EXPECT_EQ(conv("123456789012345678901234567890", "integer"), "123456789012345678901234567890");
    EXPECT_EQ(conv("3.0", "integer"), "\"3.0\"");  // int("3.0") raises
    EXPECT_EQ(conv("1__0", "integer"), "\"1__0\"");
    EXPECT_EQ(conv("_1", "integer"), "\"_1\"");
    EXPECT_EQ(conv("0x10", "integer"), "\"0x10\"");
    EXPECT_EQ(conv("", "integer"), "\"\"");
    EXPECT_EQ(conv("twelve", "integer"), "\"twelve\"");
}

TEST(OutputConvert, NumbersPrintIntegralValuesAsIntegers) {
    EXPECT_EQ(conv("3.0", "number"), "3");
    EXPECT_EQ(conv("3", "number"), "3");
    EXPECT_EQ(conv("2.5", "number"), "2.5");
    EXPECT_EQ(conv("-0.0", "number"), "0");
    EXPECT_EQ(conv("0.1", "float"), "0.1");
    EXPECT_EQ(conv("1e3", "number"), "1000");
    EXPECT_EQ(conv("1e20", "number"), "100000000000000000000");
    EXPECT_EQ(conv("1.5e-7", "number"), "1.5e-07");
    EXPECT_EQ(conv("123456789.125", "number"), "123456789.125");
    EXPECT_EQ(conv("1e16", "number"), "10000000000000000");
    EXPECT_EQ(conv(" .5 ", "number"), "0.5");
    EXPECT_EQ(conv("5.", "number"), "5");
    EXPECT_EQ(conv("1_0.2_5", "number"), "10.25");
    EXPECT_EQ(conv("inf", "number"), "\"inf\"");  // int(inf) raises -> string
    EXPECT_EQ(conv("nan", "number"), "\"nan\"");
    EXPECT_EQ(conv("1.2.3", "number"), "\"1.2.3\"");
    EXPECT_EQ(conv("0x1p3", "number"), "\"0x1p3\"");
    EXPECT_EQ(conv("abc", "number"), "\"abc\"");
    EXPECT_EQ(conv("", "number"), "\"\"");
}

TEST(OutputConvert, Booleans) {
    EXPECT_EQ(conv("true", "boolean"), "true");
    EXPECT_EQ(conv("True", "bool"), "true");
    EXPECT_EQ(conv("TRUE", "binary"), "true");
    EXPECT_EQ(conv("false", "boolean"), "false");
    EXPECT_EQ(conv("yes", "boolean"), "false");
    EXPECT_EQ(conv("1", "boolean"), "false");
    EXPECT_EQ(conv(" true", "boolean"), "false");  // no strip in vLLM
}

TEST(OutputConvert, ObjectsAndArraysJsonThenPythonLiteral) {
    EXPECT_EQ(conv("{\"a\":1,\"b\":[true,null,\"x\"]}", "object"), "{\"a\": 1, \"b\": [true, null, \"x\"]}");
    EXPECT_EQ(conv("[1, 2.50, -3e2]", "array"), "[1, 2.5, -300.0]");
    EXPECT_EQ(conv("{'a': 1, 'b': (1, 2), 'c': None, 'd': True}", "object"),
              "{\"a\": 1, \"b\": [1, 2], \"c\": null, \"d\": true}");
    EXPECT_EQ(conv("['x', \"y\"]", "list"), "[\"x\", \"y\"]");
    EXPECT_EQ(conv("{\"é\": \"\\u00e9\\ud83d\\ude00\"}", "dict"), "{\"é\": \"é😀\"}");
    EXPECT_EQ(conv("{\"a\": 1, \"a\": 2, \"b\": 3}", "object"), "{\"a\": 2, \"b\": 3}");
    EXPECT_EQ(conv("{1: 'one', 2.5: 'x', False: 'y', None: 'z'}", "object"),
              "{\"1\": \"one\", \"2.5\": \"x\", \"false\": \"y\", \"null\": \"z\"}");
    EXPECT_EQ(conv("[12345678901234567890123]", "array"), "[12345678901234567890123]");
    EXPECT_EQ(conv("{not json", "object"), "\"{not json\"");
    EXPECT_EQ(conv("{1, 2}", "object"), "\"{1, 2}\"");  // a set: dumps would fail, stays text
    EXPECT_EQ(conv("[NaN, Infinity, -Infinity]", "array"), "[NaN, Infinity, -Infinity]");
    EXPECT_EQ(conv("  [1]\n", "array"), "[1]");
    EXPECT_EQ(conv("\"just a string\"", "object"), "\"just a string\"");
    EXPECT_EQ(conv("3", "object"), "3");
}

TEST(OutputConvert, OtherTypesUsePythonLiteral) {
    EXPECT_EQ(conv("True", "mystery"), "true");
    EXPECT_EQ(conv("None", "mystery"), "null");
    EXPECT_EQ(conv("0x1F", "mystery"), "31");
    EXPECT_EQ(conv("-0b101", "mystery"), "-5");
    EXPECT_EQ(conv("'a' \"b\"", "mystery"), "\"ab\"");
    EXPECT_EQ(conv("'tab\\tnew\\nhex\\x41\\u00e9'", "mystery"), "\"tab\\tnew\\nhexAé\"");
    EXPECT_EQ(conv("r'raw\\n'", "mystery"), "\"raw\\\\n\"");
    EXPECT_EQ(conv("1, 2", "mystery"), "[1, 2]");
    EXPECT_EQ(conv("(5)", "mystery"), "5");
    EXPECT_EQ(conv("(5,)", "mystery"), "[5]");
    EXPECT_EQ(conv("007", "mystery"), "\"007\"");
    EXPECT_EQ(conv("hello world", "mystery"), "\"hello world\"");
    EXPECT_EQ(conv("b'x'", "mystery"), "\"b'x'\"");
    EXPECT_EQ(conv("1.0", "mystery"), "1.0");
    EXPECT_EQ(conv("-True", "mystery"), "\"-True\"");
    // A non-string type (type unions) falls through to literal_eval, as str(list) matches nothing.
    EXPECT_EQ(convert_param_value("5", "x", nlohmann::ordered_json{{"x", {{"type", {"integer", "null"}}}}}),
              "5");
}

TEST(OutputConvert, FloatRepr) {
    EXPECT_EQ(py_float_repr(1.0), "1.0");
    EXPECT_EQ(py_float_repr(-2.5), "-2.5");
    EXPECT_EQ(py_float_repr(1e16), "1e+16");
    EXPECT_EQ(py_float_repr(1234567890123456.0), "1234567890123456.0");
    EXPECT_EQ(py_float_repr(0.0001), "0.0001");
    EXPECT_EQ(py_float_repr(0.00001), "1e-05");
    EXPECT_EQ(py_float_repr(1.5e300), "1.5e+300");
    EXPECT_EQ(py_float_repr(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(py_float_repr(std::numeric_limits<double>::quiet_NaN()), "NaN");
    EXPECT_EQ(py_integral_double_digits(1e300).size(), 301u);
    EXPECT_EQ(py_integral_double_digits(9007199254740993.0), "9007199254740992");
    EXPECT_EQ(py_integral_double_digits(-1e17), "-100000000000000000");
}

TEST(OutputConvert, DeepNestingIsRefusedNotCrashing) {
    std::string deep(100000, '[');
    EXPECT_FALSE(py_json_loads(deep).has_value());
    EXPECT_FALSE(py_literal_eval(deep).has_value());
    EXPECT_EQ(conv(deep, "array"), "\"" + deep + "\"");
}

}  // namespace
}  // namespace hy::chat
