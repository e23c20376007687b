#include "chat/jinja/evaluator.h"

#include "chat/jinja/builtins.h"

namespace hy::jinja {

const Value* Scope::find(const std::string& name) const {
    for (const Scope* s = this; s; s = s->parent.get()) {
        auto it = s->vars.find(name);
        if (it != s->vars.end()) return &it->second;
    }
    return nullptr;
}

void Evaluator::step() {
    if (++steps_ > limits_.max_steps)
        runtime_error("template exceeded the work limit (loop iterations and macro calls)");
}

void Evaluator::check_size(size_t bytes) const {
    if (bytes > limits_.max_output)
        runtime_error("template output exceeds " + std::to_string(limits_.max_output) + " bytes");
}

void Evaluator::emit(const std::string& text) {
    check_size(out_->size() + text.size());
    out_->append(text);
}

std::string Evaluator::render(const NodeList& body, const Value& vars) {
    auto globals = std::make_shared<Scope>();
    add_globals(*globals);
    scope_ = std::make_shared<Scope>(globals);
    if (vars.kind == Kind::Dict)
        for (const auto& [k, v] : vars.dict->items) scope_->vars[to_str(k)] = v;
    std::string out;
    out_ = &out;
    struct ReleaseCaptured {
        Evaluator& ev;
        ~ReleaseCaptured() {
            for (auto& s : ev.captured_) s->vars.clear();
            ev.captured_.clear();
        }
    } release{*this};
    try {
        exec_body(body);
    } catch (const Error& e) {
        std::string msg = e.what();
        if (line_ > 0 && msg.rfind("template:", 0) != 0)
            msg += " (template line " + std::to_string(line_) + ")";
        throw Error(msg);
    }
    return out;
}

Value Evaluator::lookup(const std::string& name) const {
    if (const Value* v = scope_->find(name)) return *v;
    return Value::undefined("'" + name + "' is undefined");
}

Evaluator::Flow Evaluator::exec_body(const NodeList& body) {
    for (const auto& n : body) {
        Flow f = exec(*n);
        if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
}

std::string Evaluator::capture(const NodeList& body, ScopePtr scope) {
    std::string buf;
    std::string* saved_out = out_;
    ScopePtr saved_scope = scope_;
    out_ = &buf;
    scope_ = std::move(scope);
    try {
        exec_body(body);
    } catch (...) {
        out_ = saved_out;
        scope_ = saved_scope;
        throw;
    }
    out_ = saved_out;
    scope_ = saved_scope;
    return buf;
}

Evaluator::Flow Evaluator::exec(const Node& n) {
    line_ = n.line;
    switch (n.kind) {
        case NK::Output:
            emit(n.name);
            return Flow::Normal;
        case NK::Print:
            emit(to_str(eval(*n.a)));
            return Flow::Normal;
        case NK::If: {
            Flow flow = Flow::Normal;
            exec_if(n, flow);
            return flow;
        }
        case NK::For:
            return exec_for(n);
        case NK::Set:
            assign(*n.a, eval(*n.b));
            return Flow::Normal;
        case NK::SetBlock: {
            Value v = Value::string(capture(n.body, scope_));
            if (n.c) v = apply_filter_node(*n.c, v);
            assign(*n.a, v);
            return Flow::Normal;
        }
        case NK::Macro:
            define_macro(n);
            return Flow::Normal;
        case NK::CallBlock:
            emit(to_str(eval_call(n)));
            return Flow::Normal;
        case NK::FilterBlock: {
            Value v = Value::string(capture(n.body, std::make_shared<Scope>(scope_)));
            emit(to_str(apply_filter_node(*n.c, v)));
            return Flow::Normal;
        }
        case NK::Break:
            return Flow::Break;
        case NK::Continue:
            return Flow::Continue;
        case NK::With: {
            auto inner = std::make_shared<Scope>(scope_);
            for (size_t k = 0; k < n.params.size(); ++k) inner->vars[n.params[k]] = eval(*n.items[k]);
            emit(capture(n.body, inner));
            return Flow::Normal;
        }
        case NK::Generation:
            return exec_body(n.body);
        default:
            runtime_error("unexpected node in statement position");
    }
}

void Evaluator::exec_if(const Node& n, Flow& flow) {
    for (const auto& [cond, body] : n.branches) {
        if (truthy(eval(*cond))) {
            flow = exec_body(body);
            return;
        }
    }
    flow = exec_body(n.else_body);
}

Evaluator::Flow Evaluator::exec_for(const Node& n) {
    Value iterable = eval(*n.b);
    if (iterable.kind != Kind::Undefined && iterable.kind != Kind::List && iterable.kind != Kind::Tuple &&
        iterable.kind != Kind::Dict && iterable.kind != Kind::String)
        runtime_error("'" + type_name(iterable) + "' object is not iterable");
    ValueList items = iterate(iterable);
    ScopePtr outer = scope_;
    auto loop_scope = std::make_shared<Scope>(outer);
    if (n.c) {  // inline filter: the loop (and loop.length) only sees the items that pass
        ValueList kept;
        scope_ = loop_scope;
        for (auto& item : items) {
            step();
            assign(*n.a, item);
            if (truthy(eval(*n.c))) kept.push_back(std::move(item));
        }
        scope_ = outer;
        items = std::move(kept);
        loop_scope = std::make_shared<Scope>(outer);
    }
    Flow result = Flow::Normal;
    scope_ = loop_scope;
    try {
        const size_t len = items.size();
        bool completed = false;
        // One loop object per loop, updated in place each iteration (cheap for long loops).
        Value loop = Value::new_dict();
        auto& d = loop.dict->items;
        const char* names[] = {"index",  "index0", "revindex", "revindex0", "first",    "last",
                               "length", "depth",  "depth0",   "previtem",  "nextitem", "cycle"};
        for (const char* name : names) d.emplace_back(Value::string(name), Value());
        auto position = std::make_shared<size_t>(0);
        auto cyc = std::make_shared<Callable>();
        cyc->name = "loop.cycle";
        cyc->call = [position](Evaluator&, CallArgs& args) -> Value {
            if (args.pos.empty()) runtime_error("no items for cycling given");
            return args.pos[*position % args.pos.size()];
        };
        d[11].second = Value::callable(cyc);
        d[6].second = Value::integer(static_cast<int64_t>(len));
        d[7].second = Value::integer(1);
        d[8].second = Value::integer(0);
        for (size_t k = 0; k < len; ++k) {
            step();
            loop_scope->vars.clear();
            assign(*n.a, items[k]);
            int64_t i = static_cast<int64_t>(k), l = static_cast<int64_t>(len);
            *position = k;
            d[0].second = Value::integer(i + 1);
            d[1].second = Value::integer(i);
            d[2].second = Value::integer(l - i);
            d[3].second = Value::integer(l - i - 1);
            d[4].second = Value::boolean(k == 0);
            d[5].second = Value::boolean(k + 1 == len);
            d[9].second = k > 0 ? items[k - 1] : Value::undefined("there is no previous item");
            d[10].second = k + 1 < len ? items[k + 1] : Value::undefined("there is no next item");
            loop_scope->vars["loop"] = loop;
            Flow f = exec_body(n.body);
            if (f == Flow::Break) break;
            if (f == Flow::Normal) completed = true;
        }
        // Jinja2 runs `else` unless some iteration reached the end of the body (an iteration left
        // by continue or break does not count).
        if (!completed && !n.else_body.empty()) {
            scope_ = std::make_shared<Scope>(outer);
            result = exec_body(n.else_body);
        }
    } catch (...) {
        scope_ = outer;
        throw;
    }
    scope_ = outer;
    return result == Flow::Break || result == Flow::Continue ? result : Flow::Normal;
}

void Evaluator::assign(const Node& target, const Value& v) {
    if (target.kind == NK::Name) {
        scope_->vars[target.name] = v;
        return;
    }
    if (target.kind == NK::Attr) {
        Value ns = lookup(target.a->name);
        if (ns.kind != Kind::Namespace) runtime_error("cannot assign attribute on non-namespace object");
        ns.dict->set(target.name, v);
        return;
    }
    // tuple unpacking
    if (v.kind != Kind::List && v.kind != Kind::Tuple && v.kind != Kind::String && v.kind != Kind::Dict)
        runtime_error("cannot unpack non-iterable " + type_name(v) + " object");
    ValueList parts = iterate(v);
    if (parts.size() != target.items.size())
        runtime_error(parts.size() < target.items.size()
                          ? "not enough values to unpack (expected " + std::to_string(target.items.size()) +
                                ", got " + std::to_string(parts.size()) + ")"
                          : "too many values to unpack (expected " + std::to_string(target.items.size()) +
                                ")");
    for (size_t k = 0; k < parts.size(); ++k) assign(*target.items[k], parts[k]);
}

// A macro is a callable closing over the scope it was defined in; `varargs`, `kwargs` and
// `caller` are bound like Jinja2 does.
Value Evaluator::make_macro(const Node& n, const std::string& name) {
    auto c = std::make_shared<Callable>();
    c->name = name;
    ScopePtr defining = scope_;
    captured_.push_back(defining);
    const Node* def = &n;
    c->call = [def, defining](Evaluator& ev, CallArgs& args) -> Value {
        ev.step();
        if (ev.depth_ >= ev.limits_.max_depth) runtime_error("maximum macro recursion depth exceeded");
        auto local = std::make_shared<Scope>(defining);
        ScopePtr saved = ev.scope_;
        ev.scope_ = local;
        ++ev.depth_;
        struct Restore {
            Evaluator& ev;
            ScopePtr saved;
            ~Restore() {
                ev.scope_ = saved;
                --ev.depth_;
            }
        } restore{ev, saved};
        const auto& params = def->params;
        ValueList extra;
        for (size_t k = 0; k < args.pos.size(); ++k) {
            if (k < params.size())
                local->vars[params[k]] = args.pos[k];
            else
                extra.push_back(args.pos[k]);
        }
        Value kwargs = Value::new_dict();
        for (auto& [key, val] : args.kw) {
            bool is_param = false;
            for (size_t k = 0; k < params.size(); ++k) {
                if (params[k] == key) {
                    if (k < args.pos.size())
                        runtime_error("macro '" + def->name + "' got multiple values for argument '" + key +
                                      "'");
                    is_param = true;
                }
            }
            if (is_param || key == "caller")
                local->vars[key] = val;
            else
                kwargs.dict->set(key, val);
        }
        for (size_t k = args.pos.size(); k < params.size(); ++k) {
            if (local->vars.count(params[k])) continue;
            local->vars[params[k]] = def->items[k]
                                         ? ev.eval(*def->items[k])
                                         : Value::undefined("parameter '" + params[k] + "' was not provided");
        }
        local->vars["varargs"] = Value::new_tuple(std::move(extra));
        local->vars["kwargs"] = kwargs;
        return Value::string(ev.capture(def->body, local));
    };
    return Value::callable(c);
}

void Evaluator::define_macro(const Node& n) {
    scope_->vars[n.name] = make_macro(n, n.name);
}

Value Evaluator::call(const Value& fn, CallArgs& args) {
    if (fn.kind == Kind::Callable) return fn.fn->call(*this, args);
    if (fn.kind == Kind::Undefined) runtime_error(fn.s.empty() ? "undefined value is not callable" : fn.s);
    runtime_error("'" + type_name(fn) + "' object is not callable");
}

Value Evaluator::eval_call(const Node& n) {
    // n is a Call, or a CallBlock whose `a` is the Call and whose body becomes `caller`.
    const Node& call_node = n.kind == NK::CallBlock ? *n.a : n;
    Value fn = eval(*call_node.a);
    CallArgs args;
    for (const auto& a : call_node.items) args.pos.push_back(eval(*a));
    for (const auto& [k, a] : call_node.kwargs) args.kw.emplace_back(k, eval(*a));
    if (n.kind == NK::CallBlock) {
        Node& caller_def = const_cast<Node&>(n);  // the caller shares the block's params/body
        args.kw.emplace_back("caller", make_macro(caller_def, "caller"));
    }
    return call(fn, args);
}

Value Evaluator::apply_filter_node(const Node& f, Value input) {
    // The innermost `a` is the filtered expression, or null in filter blocks / block sets where
    // `input` is the rendered body.
    if (f.a) input = f.a->kind == NK::Filter ? apply_filter_node(*f.a, std::move(input)) : eval(*f.a);
    CallArgs args;
    for (const auto& a : f.items) args.pos.push_back(eval(*a));
    for (const auto& [k, a] : f.kwargs) args.kw.emplace_back(k, eval(*a));
    return apply_filter(*this, f.name, input, args);
}

Value Evaluator::eval_compare(const Node& n) {
    Value left = eval(*n.items[0]);
    for (size_t k = 0; k < n.ops.size(); ++k) {
        Value right = eval(*n.items[k + 1]);
        const std::string& op = n.ops[k];
        bool r;
        if (op == "==")
            r = equals(left, right);
        else if (op == "!=")
            r = !equals(left, right);
        else if (op == "in")
            r = contains(right, left);
        else if (op == "not in")
            r = !contains(right, left);
        else {
            if (left.is_undefined() || right.is_undefined())
                runtime_error((left.is_undefined() ? left.s : right.s).empty()
                                  ? "undefined value in comparison"
                                  : (left.is_undefined() ? left.s : right.s));
            int c = compare(left, right);
            r = op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
        }
        if (!r) return Value::boolean(false);
        left = std::move(right);
    }
    return Value::boolean(true);
}

Value Evaluator::eval(const Node& n) {
    switch (n.kind) {
        case NK::Literal:
            return n.value;
        case NK::Name:
            return lookup(n.name);
        case NK::Attr:
            return get_attr(eval(*n.a), n.name);
        case NK::Item:
            return get_item(eval(*n.a), eval(*n.b));
        case NK::Slice: {
            Value obj = eval(*n.a);
            Value parts[3];
            for (int k = 0; k < 3; ++k) parts[k] = n.items[k] ? eval(*n.items[k]) : Value::none();
            return slice(obj, parts[0], parts[1], parts[2]);
        }
        case NK::Call:
            return eval_call(n);
        case NK::Filter:
            return apply_filter_node(n, Value());
        case NK::Test: {
            Value v = eval(*n.a);  // `x.y is defined` with an undefined x raises, as in Jinja2
            CallArgs args;
            for (const auto& a : n.items) args.pos.push_back(eval(*a));
            for (const auto& [k, a] : n.kwargs) args.kw.emplace_back(k, eval(*a));
            bool r = apply_test(*this, n.name, v, args);
            return Value::boolean(n.negated ? !r : r);
        }
        case NK::Unary: {
            Value v = eval(*n.a);
            if (!v.is_number()) {
                if (v.is_undefined() && !v.s.empty()) runtime_error(v.s);
                runtime_error("bad operand type for unary " + n.name + ": '" + type_name(v) + "'");
            }
            if (n.name == "+") return v.kind == Kind::Bool ? Value::integer(v.as_int()) : v;
            if (v.kind == Kind::Float) return Value::number(-v.f);
            if (v.as_int() == INT64_MIN) runtime_error("integer overflow");
            return Value::integer(-v.as_int());
        }
        case NK::Not:
            return Value::boolean(!truthy(eval(*n.a)));
        case NK::Binary: {
            Value a = eval(*n.a);
            Value b = eval(*n.b);
            return binary_op(*this, n.name, a, b);
        }
        case NK::And: {
            Value a = eval(*n.a);
            return truthy(a) ? eval(*n.b) : a;
        }
        case NK::Or: {
            Value a = eval(*n.a);
            return truthy(a) ? a : eval(*n.b);
        }
        case NK::Compare:
            return eval_compare(n);
        case NK::CondExpr: {
            if (truthy(eval(*n.b))) return eval(*n.a);
            return n.c ? eval(*n.c)
                       : Value::undefined(
                             "the inline if-expression evaluated to false and no else section was defined");
        }
        case NK::ListLit:
        case NK::TupleLit: {
            ValueList items;
            for (const auto& e : n.items) items.push_back(eval(*e));
            return n.kind == NK::ListLit ? Value::new_list(std::move(items))
                                         : Value::new_tuple(std::move(items));
        }
        case NK::DictLit: {
            Value d = Value::new_dict();
            for (size_t k = 0; k + 1 < n.items.size(); k += 2) {
                Value key = eval(*n.items[k]);
                if (key.kind == Kind::List || key.kind == Kind::Dict || key.kind == Kind::Undefined)
                    runtime_error("unhashable type: '" + type_name(key) + "'");
                d.dict->set(key, eval(*n.items[k + 1]));
            }
            return d;
        }
        default:
            runtime_error("unexpected statement in expression position");
    }
}

}  // namespace hy::jinja
