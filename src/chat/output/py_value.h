// A JSON/Python value as vLLM's qwen3_coder parser holds it between `json.loads` /
// `ast.literal_eval` and `json.dumps` (spec/api.md 8.4). Integers keep all their digits (Python ints
// are unbounded), dict keys keep insertion order, and `dumps` writes exactly what Python's
// `json.dumps(v, ensure_ascii=False)` writes: ", " and ": " separators, non-ASCII unescaped, floats
// in `repr` form, NaN/Infinity as Python spells them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hy::chat {

struct PyValue {
    enum class Kind { NONE, BOOL, INT, FLOAT, STR, LIST, DICT };
    Kind kind = Kind::NONE;
    bool boolean = false;
    std::string text;               // INT: canonical decimal digits with optional '-'; STR: UTF-8 text
    double number = 0;              // FLOAT
    std::vector<PyValue> items;     // LIST elements, or DICT values
    std::vector<std::string> keys;  // DICT keys (parallel to items), already converted as dumps does

    static PyValue none();
    static PyValue of_bool(bool b);
    static PyValue of_int(std::string digits);
    static PyValue of_float(double d);
    static PyValue of_str(std::string s);
};

// `json.loads(text)`: nullopt when Python would raise. Duplicate keys: the last value wins at the
// first key's position, as in a Python dict.
std::optional<PyValue> py_json_loads(std::string_view text);

// `ast.literal_eval(text)` for the literals a model writes: None/True/False, ints (with '_', 0x/0o/0b),
// floats, quoted strings (', ", triple, r-prefix, adjacent concatenation), lists, tuples (as lists),
// dicts, unary +/-. Sets, bytes and complex give nullopt (json.dumps could not write them anyway).
std::optional<PyValue> py_literal_eval(std::string_view text);

// `int(text)`: canonical digits, or nullopt when Python raises.
std::optional<std::string> py_int(std::string_view text);
// `float(text)`: nullopt when Python raises (accepts inf/nan spellings, '_' between digits).
std::optional<double> py_float(std::string_view text);

// `json.dumps(v, ensure_ascii=False)`.
std::string py_json_dumps(const PyValue& v);
// JSON string literal as json.dumps(s, ensure_ascii=False) writes it.
std::string py_json_quote(std::string_view s);
// repr(float) for a finite double; "NaN"/"Infinity"/"-Infinity" otherwise (json.dumps spelling).
std::string py_float_repr(double d);
// The exact decimal value of an integral double (int(d) in Python), e.g. 1e20 -> "100000000000000000000".
std::string py_integral_double_digits(double d);

}  // namespace hy::chat
