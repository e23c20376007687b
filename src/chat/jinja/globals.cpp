// Global functions of the template context: Jinja2's range/dict/namespace (range capped like the
// sandbox's MAX_RANGE) and Hugging Face's raise_exception and strftime_now.
#include <ctime>

#include "chat/jinja/builtins.h"
#include "chat/jinja/evaluator.h"

namespace hy::jinja {
namespace {

constexpr int64_t kMaxRange = 100000;  // jinja2.sandbox.MAX_RANGE

Value fn(const char* name, std::function<Value(Evaluator&, CallArgs&)> f) {
    auto c = std::make_shared<Callable>();
    c->name = name;
    c->call = std::move(f);
    return Value::callable(c);
}

Value range(Evaluator&, CallArgs& a) {
    for (const auto& v : a.pos)
        if (!v.is_int()) runtime_error("'" + type_name(v) + "' object cannot be interpreted as an integer");
    if (a.pos.empty() || a.pos.size() > 3) runtime_error("range expected 1 to 3 arguments");
    int64_t start = 0, stop, step = 1;
    if (a.pos.size() == 1)
        stop = a.pos[0].as_int();
    else {
        start = a.pos[0].as_int();
        stop = a.pos[1].as_int();
        if (a.pos.size() == 3) step = a.pos[2].as_int();
    }
    if (step == 0) runtime_error("range() arg 3 must not be zero");
    double count =
        step > 0 ? (static_cast<double>(stop) - start) / step : (static_cast<double>(start) - stop) / -step;
    if (count > kMaxRange)
        runtime_error("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    ValueList out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(Value::integer(i));
    return Value::new_list(std::move(out));
}

Value make_dict(const CallArgs& a, Kind kind) {
    Value d = Value::new_dict();
    d.kind = kind;
    if (!a.pos.empty()) {
        if (a.pos.size() > 1 || a.pos[0].kind != Kind::Dict)
            runtime_error("expected a single mapping argument");
        d.dict->items = a.pos[0].dict->items;
    }
    for (const auto& [k, v] : a.kw) d.dict->set(k, v);
    return d;
}

}  // namespace

void add_globals(Scope& scope) {
    scope.vars["range"] = fn("range", range);
    scope.vars["dict"] = fn("dict", [](Evaluator&, CallArgs& a) { return make_dict(a, Kind::Dict); });
    scope.vars["namespace"] =
        fn("namespace", [](Evaluator&, CallArgs& a) { return make_dict(a, Kind::Namespace); });
    scope.vars["raise_exception"] = fn("raise_exception", [](Evaluator&, CallArgs& a) -> Value {
        throw Error("template raised an exception: " + (a.pos.empty() ? std::string() : to_str(a.pos[0])));
    });
    scope.vars["strftime_now"] = fn("strftime_now", [](Evaluator&, CallArgs& a) -> Value {
        std::string f = a.pos.empty() ? std::string() : to_str(a.pos[0]);
        std::time_t now = std::time(nullptr);
        std::tm tm{};
        localtime_r(&now, &tm);
        char buf[512];
        size_t n = f.size() < 200 ? std::strftime(buf, sizeof buf, f.c_str(), &tm) : 0;
        return Value::string(std::string(buf, n));
    });
}

}  // namespace hy::jinja
