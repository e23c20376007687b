// Syntax tree of a parsed template. One node type with optional fields keeps the parser and the
// evaluator small; `kind` says which fields are meaningful.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/value.h"

namespace hy::jinja {

enum class NK {
    // expressions
    Literal,   // value
    Name,      // name
    Attr,      // a.name
    Item,      // a[b]
    Slice,     // a[b:c:d] (missing parts null)
    Call,      // a(items, kwargs)
    Filter,    // a|name(items, kwargs); a null inside filter blocks / block sets
    Test,      // a is [not] name(items)
    Unary,     // name in {-, +}, operand a
    Not,       // not a
    Binary,    // a name b for + - * / // % ** ~
    And,       // a and b
    Or,        // a or b
    Compare,   // items[0] ops[0] items[1] ...
    CondExpr,  // a if b else c (c may be null)
    ListLit,   // items
    TupleLit,  // items
    DictLit,   // items = key, value, key, value...
    // statements
    Output,       // literal text in name
    Print,        // {{ a }}
    If,           // branches, else_body
    For,          // a target, b iterable, c inline condition, body, else_body
    Set,          // a target, b value
    SetBlock,     // a target, body, c optional filter chain
    Macro,        // name, params, items = defaults (null = none), body
    CallBlock,    // a call expression, params/items = caller's parameters, body
    FilterBlock,  // c filter chain, body
    Break,
    Continue,
    With,        // params/items assignments, body
    Generation,  // body
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

struct Node {
    NK kind;
    int line = 0;
    int col = 0;
    std::string name;
    Value value;
    NodePtr a, b, c;
    NodeList items;
    std::vector<std::pair<std::string, NodePtr>> kwargs;
    std::vector<std::string> ops;     // Compare operators
    std::vector<std::string> params;  // Macro / CallBlock / With names
    NodeList body, else_body;
    std::vector<std::pair<NodePtr, NodeList>> branches;  // If / elif conditions with bodies
    bool negated = false;

    Node(NK k, int l, int c_) : kind(k), line(l), col(c_) {}
};

}  // namespace hy::jinja
