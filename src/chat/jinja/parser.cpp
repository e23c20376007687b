#include "chat/jinja/parser.h"

#include <cerrno>
#include <cstdlib>
#include <initializer_list>

#include "chat/jinja/lexer.h"
#include "core/error.h"

namespace hy::jinja {
namespace {

constexpr int kMaxNesting = 200;  // deeper expressions/blocks are rejected, never a stack overflow

class Parser {
  public:
    explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

    NodeList parse() {
        NodeList body = subparse({});
        if (cur().type != Tok::Eof) fail("unexpected '" + cur().text + "'");
        return body;
    }

  private:
    std::vector<Token> t_;
    size_t p_ = 0;
    int depth_ = 0;

    struct Guard {
        Parser& p;
        explicit Guard(Parser& parser) : p(parser) {
            if (++p.depth_ > kMaxNesting) p.fail("template nesting too deep");
        }
        ~Guard() { --p.depth_; }
    };

    const Token& cur() const { return t_[p_]; }
    const Token& peek(size_t k = 1) const { return t_[std::min(p_ + k, t_.size() - 1)]; }
    void advance() {
        if (p_ + 1 < t_.size()) ++p_;
    }
    [[noreturn]] void fail(const std::string& what) const {
        const Token& t = cur();
        throw Error("template:" + std::to_string(t.line) + ":" + std::to_string(t.col) + ": " + what);
    }
    bool is_op(const char* op) const { return cur().type == Tok::Op && cur().text == op; }
    bool is_name(const char* n) const { return cur().type == Tok::Name && cur().text == n; }
    bool skip_op(const char* op) {
        if (!is_op(op)) return false;
        advance();
        return true;
    }
    bool skip_name(const char* n) {
        if (!is_name(n)) return false;
        advance();
        return true;
    }
    void expect_op(const char* op) {
        if (!skip_op(op)) fail(std::string("expected '") + op + "', got '" + describe() + "'");
    }
    std::string expect_name() {
        if (cur().type != Tok::Name) fail("expected a name, got '" + describe() + "'");
        std::string n = cur().text;
        advance();
        return n;
    }
    void expect_block_end() {
        if (cur().type != Tok::BlockEnd) fail("expected end of statement block, got '" + describe() + "'");
        advance();
    }
    std::string describe() const {
        switch (cur().type) {
            case Tok::Eof:
                return "end of template";
            case Tok::BlockEnd:
                return "%}";
            case Tok::VarEnd:
                return "}}";
            default:
                return cur().text;
        }
    }
    NodePtr make(NK k) const { return std::make_unique<Node>(k, cur().line, cur().col); }

    // Statements until a block whose first name is in `ends`; stops on that name (consumed '{%').
    NodeList subparse(std::initializer_list<const char*> ends) {
        Guard g(*this);
        NodeList body;
        while (true) {
            switch (cur().type) {
                case Tok::Eof:
                    if (ends.size() == 0) return body;
                    fail(std::string("unexpected end of template, expected '") + *ends.begin() + "'");
                case Tok::Data: {
                    auto n = make(NK::Output);
                    n->name = cur().text;
                    advance();
                    body.push_back(std::move(n));
                    break;
                }
                case Tok::VarBegin: {
                    advance();
                    auto n = make(NK::Print);
                    n->a = parse_tuple(true);
                    if (cur().type != Tok::VarEnd) fail("expected '}}', got '" + describe() + "'");
                    advance();
                    body.push_back(std::move(n));
                    break;
                }
                case Tok::BlockBegin: {
                    advance();
                    if (cur().type == Tok::Name)
                        for (const char* e : ends)
                            if (cur().text == e) return body;
                    body.push_back(parse_statement());
                    break;
                }
                default:
                    fail("unexpected '" + describe() + "'");
            }
        }
    }

    NodePtr parse_statement() {
        if (cur().type != Tok::Name) fail("tag name expected");
        std::string tag = cur().text;
        if (tag == "if") return parse_if();
        if (tag == "for") return parse_for();
        if (tag == "set") return parse_set();
        if (tag == "macro") return parse_macro();
        if (tag == "call") return parse_call_block();
        if (tag == "filter") return parse_filter_block();
        if (tag == "with") return parse_with();
        if (tag == "generation") {
            auto n = make(NK::Generation);
            advance();
            expect_block_end();
            n->body = subparse({"endgeneration"});
            advance();
            expect_block_end();
            return n;
        }
        if (tag == "break" || tag == "continue") {
            auto n = make(tag == "break" ? NK::Break : NK::Continue);
            advance();
            expect_block_end();
            return n;
        }
        fail("encountered unknown tag '" + tag + "'");
    }

    NodePtr parse_if() {
        auto n = make(NK::If);
        advance();
        while (true) {
            NodePtr cond = parse_tuple(false);
            expect_block_end();
            NodeList body = subparse({"elif", "else", "endif"});
            n->branches.emplace_back(std::move(cond), std::move(body));
            std::string which = cur().text;
            advance();
            if (which == "elif") continue;
            if (which == "else") {
                expect_block_end();
                n->else_body = subparse({"endif"});
                advance();
            }
            expect_block_end();
            return n;
        }
    }

    NodePtr parse_for() {
        auto n = make(NK::For);
        advance();
        n->a = parse_assign_target(false);
        if (!skip_name("in")) fail("expected 'in'");
        n->b = parse_tuple(false, true);
        if (skip_name("if")) n->c = parse_expression(true);
        if (skip_name("recursive")) fail("recursive loops are not supported");
        expect_block_end();
        n->body = subparse({"endfor", "else"});
        if (cur().text == "else") {
            advance();
            expect_block_end();
            n->else_body = subparse({"endfor"});
        }
        advance();
        expect_block_end();
        return n;
    }

    NodePtr parse_set() {
        int line = cur().line, col = cur().col;
        advance();
        NodePtr target = parse_assign_target(true);
        if (skip_op("=")) {
            auto n = std::make_unique<Node>(NK::Set, line, col);
            n->a = std::move(target);
            n->b = parse_tuple(true);
            expect_block_end();
            return n;
        }
        auto n = std::make_unique<Node>(NK::SetBlock, line, col);
        n->a = std::move(target);
        if (is_op("|")) n->c = parse_filter_chain(nullptr);
        expect_block_end();
        n->body = subparse({"endset"});
        advance();
        expect_block_end();
        return n;
    }

    // name | name.attr (namespace) | tuple of names
    NodePtr parse_assign_target(bool allow_attr) {
        NodeList names;
        bool paren = skip_op("(");
        while (true) {
            auto n = make(NK::Name);
            n->name = expect_name();
            if (allow_attr && is_op(".")) {
                advance();
                auto attr = make(NK::Attr);
                attr->name = expect_name();
                attr->a = std::move(n);
                n = std::move(attr);
            }
            names.push_back(std::move(n));
            if (!skip_op(",")) break;
            if (cur().type != Tok::Name) break;
        }
        if (paren) expect_op(")");
        if (names.size() == 1 && !paren) return std::move(names[0]);
        auto t = make(NK::TupleLit);
        t->items = std::move(names);
        return t;
    }

    void parse_signature(Node& n) {
        expect_op("(");
        while (!is_op(")")) {
            if (!n.params.empty()) expect_op(",");
            if (is_op(")")) break;
            n.params.push_back(expect_name());
            n.items.push_back(skip_op("=") ? parse_expression(true) : nullptr);
        }
        expect_op(")");
    }

    NodePtr parse_macro() {
        auto n = make(NK::Macro);
        advance();
        n->name = expect_name();
        parse_signature(*n);
        expect_block_end();
        n->body = subparse({"endmacro"});
        advance();
        expect_block_end();
        return n;
    }

    NodePtr parse_call_block() {
        auto n = make(NK::CallBlock);
        advance();
        if (is_op("(")) parse_signature(*n);
        n->a = parse_expression(true);
        if (n->a->kind != NK::Call) fail("expected a call in the call block");
        expect_block_end();
        n->body = subparse({"endcall"});
        advance();
        expect_block_end();
        return n;
    }

    NodePtr parse_filter_block() {
        auto n = make(NK::FilterBlock);
        advance();
        n->c = parse_filter_chain(nullptr, true);
        expect_block_end();
        n->body = subparse({"endfilter"});
        advance();
        expect_block_end();
        return n;
    }

    NodePtr parse_with() {
        auto n = make(NK::With);
        advance();
        while (cur().type != Tok::BlockEnd) {
            if (!n->params.empty()) expect_op(",");
            n->params.push_back(expect_name());
            expect_op("=");
            n->items.push_back(parse_expression(true));
        }
        expect_block_end();
        n->body = subparse({"endwith"});
        advance();
        expect_block_end();
        return n;
    }

    // ---- expressions ----

    bool is_tuple_end(bool for_iter) const {
        if (cur().type == Tok::VarEnd || cur().type == Tok::BlockEnd || cur().type == Tok::Eof) return true;
        if (is_op(")")) return true;
        if (for_iter && (is_name("if") || is_name("recursive"))) return true;
        return false;
    }

    NodePtr parse_tuple(bool with_condexpr, bool for_iter = false, bool explicit_parens = false) {
        NodeList items;
        bool is_tuple = false;
        int line = cur().line, col = cur().col;
        while (true) {
            if (!items.empty()) expect_op(",");
            if (is_tuple_end(for_iter)) break;
            items.push_back(parse_expression(with_condexpr));
            if (is_op(","))
                is_tuple = true;
            else
                break;
        }
        if (!is_tuple) {
            if (!items.empty()) return std::move(items[0]);
            if (!explicit_parens) fail("expected an expression, got '" + describe() + "'");
        }
        auto t = std::make_unique<Node>(NK::TupleLit, line, col);
        t->items = std::move(items);
        return t;
    }

    NodePtr parse_expression(bool with_condexpr) {
        Guard g(*this);
        if (!with_condexpr) return parse_or();
        NodePtr expr = parse_or();
        while (is_name("if")) {
            auto n = make(NK::CondExpr);
            advance();
            n->b = parse_or();
            if (skip_name("else")) n->c = parse_expression(true);
            n->a = std::move(expr);
            expr = std::move(n);
        }
        return expr;
    }

    NodePtr binary(NK k, NodePtr l, NodePtr r, std::string op = {}) {
        auto n = std::make_unique<Node>(k, l->line, l->col);
        n->name = std::move(op);
        n->a = std::move(l);
        n->b = std::move(r);
        return n;
    }

    NodePtr parse_or() {
        NodePtr l = parse_and();
        while (skip_name("or")) l = binary(NK::Or, std::move(l), parse_and());
        return l;
    }
    NodePtr parse_and() {
        NodePtr l = parse_not();
        while (skip_name("and")) l = binary(NK::And, std::move(l), parse_not());
        return l;
    }
    NodePtr parse_not() {
        if (is_name("not")) {
            Guard g(*this);
            auto n = make(NK::Not);
            advance();
            n->a = parse_not();
            return n;
        }
        return parse_compare();
    }
    NodePtr parse_compare() {
        NodePtr first = parse_math1();
        NodePtr cmp;
        while (true) {
            std::string op;
            if (cur().type == Tok::Op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                                          cur().text == "<=" || cur().text == ">" || cur().text == ">=")) {
                op = cur().text;
                advance();
            } else if (is_name("in")) {
                op = "in";
                advance();
            } else if (is_name("not") && peek().type == Tok::Name && peek().text == "in") {
                op = "not in";
                advance();
                advance();
            } else {
                break;
            }
            if (!cmp) {
                cmp = std::make_unique<Node>(NK::Compare, first->line, first->col);
                cmp->items.push_back(std::move(first));
            }
            cmp->ops.push_back(op);
            cmp->items.push_back(parse_math1());
        }
        return cmp ? std::move(cmp) : std::move(first);
    }
    NodePtr parse_math1() {
        NodePtr l = parse_concat();
        while (is_op("+") || is_op("-")) {
            std::string op = cur().text;
            advance();
            l = binary(NK::Binary, std::move(l), parse_concat(), op);
        }
        return l;
    }
    NodePtr parse_concat() {
        NodePtr l = parse_math2();
        while (skip_op("~")) l = binary(NK::Binary, std::move(l), parse_math2(), "~");
        return l;
    }
    NodePtr parse_math2() {
        NodePtr l = parse_pow();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            std::string op = cur().text;
            advance();
            l = binary(NK::Binary, std::move(l), parse_pow(), op);
        }
        return l;
    }
    NodePtr parse_pow() {
        NodePtr l = parse_unary(true);
        while (skip_op("**")) l = binary(NK::Binary, std::move(l), parse_unary(true), "**");
        return l;
    }
    NodePtr parse_unary(bool with_filter) {
        Guard g(*this);
        NodePtr node;
        if (is_op("-") || is_op("+")) {
            node = make(NK::Unary);
            node->name = cur().text;
            advance();
            node->a = parse_unary(false);
        } else {
            node = parse_primary();
        }
        node = parse_postfix(std::move(node));
        if (with_filter) node = parse_filter_expr(std::move(node));
        return node;
    }

    NodePtr parse_primary() {
        Guard g(*this);
        const Token& t = cur();
        NodePtr n;
        switch (t.type) {
            case Tok::Name: {
                n = make(NK::Literal);
                if (t.text == "true" || t.text == "True")
                    n->value = Value::boolean(true);
                else if (t.text == "false" || t.text == "False")
                    n->value = Value::boolean(false);
                else if (t.text == "none" || t.text == "None")
                    n->value = Value::none();
                else {
                    n->kind = NK::Name;
                    n->name = t.text;
                }
                advance();
                return n;
            }
            case Tok::String: {
                n = make(NK::Literal);
                std::string s;
                while (cur().type == Tok::String) {  // adjacent literals concatenate
                    s += cur().text;
                    advance();
                }
                n->value = Value::string(std::move(s));
                return n;
            }
            case Tok::Int: {
                n = make(NK::Literal);
                errno = 0;
                long long v = std::strtoll(t.text.c_str(), nullptr, 10);
                if (errno == ERANGE) fail("integer literal too large");
                n->value = Value::integer(v);
                advance();
                return n;
            }
            case Tok::Float: {
                n = make(NK::Literal);
                n->value = Value::number(std::strtod(t.text.c_str(), nullptr));
                advance();
                return n;
            }
            case Tok::Op:
                if (t.text == "(") {
                    advance();
                    n = parse_tuple(true, false, true);
                    expect_op(")");
                    return n;
                }
                if (t.text == "[") {
                    n = make(NK::ListLit);
                    advance();
                    while (!is_op("]")) {
                        if (!n->items.empty()) expect_op(",");
                        if (is_op("]")) break;
                        n->items.push_back(parse_expression(true));
                    }
                    expect_op("]");
                    return n;
                }
                if (t.text == "{") {
                    n = make(NK::DictLit);
                    advance();
                    while (!is_op("}")) {
                        if (!n->items.empty()) expect_op(",");
                        if (is_op("}")) break;
                        n->items.push_back(parse_expression(true));
                        expect_op(":");
                        n->items.push_back(parse_expression(true));
                    }
                    expect_op("}");
                    return n;
                }
                [[fallthrough]];
            default:
                fail("unexpected '" + describe() + "'");
        }
    }

    NodePtr parse_postfix(NodePtr node) {
        while (true) {
            if (is_op(".") || is_op("["))
                node = parse_subscript(std::move(node));
            else if (is_op("("))
                node = parse_call(std::move(node));
            else
                return node;
        }
    }

    NodePtr parse_subscript(NodePtr node) {
        if (skip_op(".")) {
            if (cur().type == Tok::Name) {
                auto n = make(NK::Attr);
                n->name = cur().text;
                advance();
                n->a = std::move(node);
                return n;
            }
            if (cur().type == Tok::Int) {
                auto n = make(NK::Item);
                n->b = parse_primary();
                n->a = std::move(node);
                return n;
            }
            fail("expected name or number after '.'");
        }
        expect_op("[");
        NodeList args;
        bool tuple = false;
        while (!is_op("]")) {
            if (!args.empty()) {
                expect_op(",");
                tuple = true;
            }
            if (is_op("]")) break;
            args.push_back(parse_subscribed());
        }
        expect_op("]");
        if (args.empty()) fail("expected a subscript");
        if (args.size() == 1 && !tuple) {
            NodePtr sub = std::move(args[0]);
            if (sub->kind == NK::Slice) {
                sub->a = std::move(node);
                return sub;
            }
            auto n = make(NK::Item);
            n->a = std::move(node);
            n->b = std::move(sub);
            return n;
        }
        auto t = make(NK::TupleLit);
        t->items = std::move(args);
        auto n = make(NK::Item);
        n->a = std::move(node);
        n->b = std::move(t);
        return n;
    }

    // expr | [start]:[stop][:[step]]; a Slice node's `a` is filled in by the caller.
    NodePtr parse_subscribed() {
        NodePtr start;
        if (!is_op(":")) {
            start = parse_expression(true);
            if (!is_op(":")) return start;
        }
        auto n = make(NK::Slice);
        advance();  // ':'
        n->items.resize(3);
        n->items[0] = std::move(start);
        if (!is_op("]") && !is_op(",") && !is_op(":")) n->items[1] = parse_expression(true);
        if (skip_op(":"))
            if (!is_op("]") && !is_op(",")) n->items[2] = parse_expression(true);
        return n;
    }

    void parse_args(Node& n) {
        expect_op("(");
        bool first = true;
        while (!is_op(")")) {
            if (!first) expect_op(",");
            first = false;
            if (is_op(")")) break;
            if (is_op("*") || is_op("**")) fail("*args and **kwargs in calls are not supported");
            if (cur().type == Tok::Name && peek().type == Tok::Op && peek().text == "=") {
                std::string key = cur().text;
                advance();
                advance();
                n.kwargs.emplace_back(key, parse_expression(true));
            } else {
                if (!n.kwargs.empty()) fail("positional argument after keyword argument");
                n.items.push_back(parse_expression(true));
            }
        }
        expect_op(")");
    }

    NodePtr parse_call(NodePtr node) {
        auto n = make(NK::Call);
        parse_args(*n);
        n->a = std::move(node);
        return n;
    }

    std::string dotted_name() {
        std::string name = expect_name();
        while (is_op(".") && peek().type == Tok::Name) {
            advance();
            name += "." + expect_name();
        }
        return name;
    }

    // |f1(args)|f2 ...; with a null input for filter blocks and block sets.
    NodePtr parse_filter_chain(NodePtr node, bool start_inline = false) {
        while (is_op("|") || start_inline) {
            if (!start_inline) advance();
            start_inline = false;
            auto f = make(NK::Filter);
            f->name = dotted_name();
            if (is_op("(")) parse_args(*f);
            f->a = std::move(node);
            node = std::move(f);
        }
        return node;
    }

    NodePtr parse_filter_expr(NodePtr node) {
        while (true) {
            if (is_op("|")) {
                node = parse_filter_chain(std::move(node));
            } else if (is_name("is")) {
                advance();
                auto t = make(NK::Test);
                t->negated = skip_name("not");
                t->name = dotted_name();
                if (is_op("(")) {
                    parse_args(*t);
                } else if ((cur().type == Tok::Name || cur().type == Tok::String || cur().type == Tok::Int ||
                            cur().type == Tok::Float || is_op("[") || is_op("{")) &&
                           !is_name("else") && !is_name("or") && !is_name("and")) {
                    if (is_name("is")) fail("you cannot chain multiple tests with is");
                    t->items.push_back(parse_postfix(parse_primary()));
                }
                t->a = std::move(node);
                node = std::move(t);
            } else if (is_op("(")) {
                node = parse_call(std::move(node));
            } else {
                return node;
            }
        }
    }
};

}  // namespace

NodeList parse_template(std::string_view source) {
    return Parser(tokenize(source)).parse();
}

}  // namespace hy::jinja
