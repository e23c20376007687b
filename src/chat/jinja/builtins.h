// The named operations templates call: filters, tests, object methods and attribute access,
// operators and Python string formatting. Each family lives in its own .cpp file.
#pragma once

#include <string>

#include "chat/jinja/value.h"

namespace hy::jinja {

struct Scope;

// filters.cpp: `value|name(args)`; throws for unknown filters.
Value apply_filter(Evaluator& ev, const std::string& name, const Value& input, CallArgs& args);
bool has_filter(const std::string& name);
// tests.cpp: `value is name(args)`; throws for unknown tests.
bool apply_test(Evaluator& ev, const std::string& name, const Value& v, CallArgs& args);
bool has_test(const std::string& name);
// methods.cpp: obj.name (attribute first, then item, as Jinja2's sandboxed getattr) and obj[key].
Value get_attr(const Value& obj, const std::string& name);
Value get_item(const Value& obj, const Value& key);
Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step);
// operators.cpp: arithmetic and membership with Python semantics.
Value binary_op(Evaluator& ev, const std::string& op, const Value& a, const Value& b);
bool contains(const Value& container, const Value& item);
// format.cpp: `fmt % args` and str.format.
std::string percent_format(const std::string& fmt, const Value& args);
std::string str_format(const std::string& fmt, const CallArgs& args);
// globals.cpp: range, dict, namespace, raise_exception, strftime_now.
void add_globals(Scope& scope);
// json_value.cpp: json.dumps as Hugging Face's tojson calls it.
std::string dump_json(const Value& v, const CallArgs& args);

// Python str helpers shared by filters and methods.
std::string py_strip(const std::string& s, const Value* chars, bool left, bool right);
std::string py_lower(const std::string& s);
std::string py_upper(const std::string& s);
Value py_split(const std::string& s, const Value* sep, const Value* maxsplit, bool from_right);
std::string py_replace(const std::string& s, const std::string& old, const std::string& rep, int64_t count);
std::string py_capitalize(const std::string& s);
std::string py_title(const std::string& s);
std::string html_escape(const std::string& s);

}  // namespace hy::jinja
