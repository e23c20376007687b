// Tree-walking evaluator: statements write to an output buffer, expressions produce Values.
// Scoping follows Jinja2 (for-loops, macros and `with` open a scope; `if` does not), and every
// render is bounded: output size, nesting depth and total loop iterations/macro calls are capped,
// so a hostile template fails with hy::Error instead of exhausting memory, stack or time.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/value.h"

namespace hy::jinja {

struct Limits {
    size_t max_output = size_t{64} << 20;  // bytes of rendered text (and of any built string)
    int max_depth = 200;                   // nested macro calls
    uint64_t max_steps = 20'000'000;       // loop iterations + macro calls per render
};

struct Scope {
    std::unordered_map<std::string, Value> vars;
    std::shared_ptr<Scope> parent;
    explicit Scope(std::shared_ptr<Scope> p = nullptr) : parent(std::move(p)) {}
    const Value* find(const std::string& name) const;
};
using ScopePtr = std::shared_ptr<Scope>;

class Evaluator {
  public:
    explicit Evaluator(Limits limits = {}) : limits_(limits) {}

    // Renders `body` with the template variables of `vars` (a Dict value).
    std::string render(const NodeList& body, const Value& vars);

    Value eval(const Node& n);
    Value call(const Value& fn, CallArgs& args);
    const Limits& limits() const { return limits_; }
    void step();  // counts one unit of work against Limits::max_steps
    void check_size(size_t bytes) const;

  private:
    enum class Flow { Normal, Break, Continue };

    Limits limits_;
    ScopePtr scope_;
    std::string* out_ = nullptr;
    uint64_t steps_ = 0;
    int depth_ = 0;
    int line_ = 0;
    // Scopes captured by macros; a macro stored in the scope it captures is a reference cycle, so
    // these are emptied when the render ends.
    std::vector<ScopePtr> captured_;

    Flow exec_body(const NodeList& body);
    Flow exec(const Node& n);
    Flow exec_for(const Node& n);
    void exec_if(const Node& n, Flow& flow);
    void assign(const Node& target, const Value& v);
    void define_macro(const Node& n);
    Value make_macro(const Node& n, const std::string& name);
    std::string capture(const NodeList& body, ScopePtr scope);
    Value apply_filter_node(const Node& f, Value input);
    Value eval_compare(const Node& n);
    Value eval_call(const Node& n);
    Value lookup(const std::string& name) const;
    void emit(const std::string& text);
};

}  // namespace hy::jinja
