// Arithmetic, concatenation and membership with Python semantics: bool counts as int, int / int
// is a float, // and % floor toward negative infinity, int64 overflow is an error (Python would
// grow the integer; templates never need that).
#include <cmath>

#include "chat/jinja/builtins.h"
#include "chat/jinja/evaluator.h"

namespace hy::jinja {
namespace {

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b) {
    for (const Value* v : {&a, &b})
        if (v->is_undefined() && !v->s.empty()) runtime_error(v->s);
    runtime_error("unsupported operand type(s) for " + op + ": '" + type_name(a) + "' and '" + type_name(b) +
                  "'");
}

enum class IntOp { Add, Sub, Mul };

Value int_arith(IntOp op, int64_t a, int64_t b) {
    int64_t r = 0;
    bool overflow = op == IntOp::Add   ? __builtin_add_overflow(a, b, &r)
                    : op == IntOp::Sub ? __builtin_sub_overflow(a, b, &r)
                                       : __builtin_mul_overflow(a, b, &r);
    if (overflow) runtime_error("integer overflow");
    return Value::integer(r);
}

Value repeat(Evaluator& ev, const Value& seq, int64_t times) {
    if (times < 0) times = 0;
    if (seq.kind == Kind::String) {
        ev.check_size(seq.s.size() * static_cast<size_t>(times));
        std::string out;
        for (int64_t k = 0; k < times; ++k) out += seq.s;
        return Value::string(std::move(out));
    }
    ev.check_size(seq.list->size() * static_cast<size_t>(times));
    ValueList out;
    for (int64_t k = 0; k < times; ++k) out.insert(out.end(), seq.list->begin(), seq.list->end());
    return seq.kind == Kind::Tuple ? Value::new_tuple(std::move(out)) : Value::new_list(std::move(out));
}

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

double float_mod(double a, double b) {
    double m = std::fmod(a, b);
    if (m != 0 && ((m < 0) != (b < 0))) m += b;
    if (m == 0) m = std::copysign(0.0, b);
    return m;
}

}  // namespace

Value binary_op(Evaluator& ev, const std::string& op, const Value& a, const Value& b) {
    if (op == "~") {
        std::string s = to_str(a) + to_str(b);
        ev.check_size(s.size());
        return Value::string(std::move(s));
    }
    bool nums = a.is_number() && b.is_number();
    bool floats = nums && (a.kind == Kind::Float || b.kind == Kind::Float);
    if (op == "+") {
        if (nums)
            return floats ? Value::number(a.as_double() + b.as_double())
                          : int_arith(IntOp::Add, a.as_int(), b.as_int());
        if (a.kind == Kind::String && b.kind == Kind::String) {
            ev.check_size(a.s.size() + b.s.size());
            return Value::string(a.s + b.s);
        }
        if (a.is_list_like() && a.kind == b.kind) {
            ValueList out = *a.list;
            out.insert(out.end(), b.list->begin(), b.list->end());
            return a.kind == Kind::Tuple ? Value::new_tuple(std::move(out)) : Value::new_list(std::move(out));
        }
        unsupported(op, a, b);
    }
    if (op == "-") {
        if (!nums) unsupported(op, a, b);
        return floats ? Value::number(a.as_double() - b.as_double())
                      : int_arith(IntOp::Sub, a.as_int(), b.as_int());
    }
    if (op == "*") {
        if (nums)
            return floats ? Value::number(a.as_double() * b.as_double())
                          : int_arith(IntOp::Mul, a.as_int(), b.as_int());
        if ((a.kind == Kind::String || a.is_list_like()) && b.is_int()) return repeat(ev, a, b.as_int());
        if ((b.kind == Kind::String || b.is_list_like()) && a.is_int()) return repeat(ev, b, a.as_int());
        unsupported(op, a, b);
    }
    if (op == "/") {
        if (!nums) unsupported(op, a, b);
        if (b.as_double() == 0.0) runtime_error("division by zero");
        return Value::number(a.as_double() / b.as_double());
    }
    if (op == "//") {
        if (!nums) unsupported(op, a, b);
        if (b.as_double() == 0.0) runtime_error("integer division or modulo by zero");
        if (floats) return Value::number(std::floor(a.as_double() / b.as_double()));
        if (a.as_int() == INT64_MIN && b.as_int() == -1) runtime_error("integer overflow");
        return Value::integer(floor_div(a.as_int(), b.as_int()));
    }
    if (op == "%") {
        if (a.kind == Kind::String) return Value::string(percent_format(a.s, b));
        if (!nums) unsupported(op, a, b);
        if (b.as_double() == 0.0) runtime_error("integer division or modulo by zero");
        if (floats) return Value::number(float_mod(a.as_double(), b.as_double()));
        if (b.as_int() == -1) return Value::integer(0);
        return Value::integer(a.as_int() - floor_div(a.as_int(), b.as_int()) * b.as_int());
    }
    if (op == "**") {
        if (!nums) unsupported(op, a, b);
        if (!floats && b.as_int() >= 0) {
            int64_t base = a.as_int(), e = b.as_int(), acc = 1;
            while (e > 0) {
                if (e & 1)
                    if (__builtin_mul_overflow(acc, base, &acc)) runtime_error("integer overflow");
                e >>= 1;
                if (e > 0 && __builtin_mul_overflow(base, base, &base)) runtime_error("integer overflow");
            }
            return Value::integer(acc);
        }
        if (a.as_double() == 0.0 && b.as_double() < 0)
            runtime_error("0.0 cannot be raised to a negative power");
        return Value::number(std::pow(a.as_double(), b.as_double()));
    }
    runtime_error("unknown operator " + op);
}

bool contains(const Value& container, const Value& item) {
    switch (container.kind) {
        case Kind::String:
            if (item.kind != Kind::String)
                runtime_error("'in <string>' requires string as left operand, not " + type_name(item));
            return container.s.find(item.s) != std::string::npos;
        case Kind::List:
        case Kind::Tuple:
            for (const auto& v : *container.list)
                if (equals(v, item)) return true;
            return false;
        case Kind::Dict:
            return container.dict->find(item) != nullptr;
        case Kind::Undefined:
            return false;
        default:
            runtime_error("argument of type '" + type_name(container) + "' is not iterable");
    }
}

}  // namespace hy::jinja
