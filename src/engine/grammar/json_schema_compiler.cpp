// JSON Schema -> grammar (issue 9, "JSON Schema -> grammar"; README.md lists what is supported).
// Output is compact JSON unless JsonSchemaOptions::whitespace_pattern says otherwise; object
// properties come in key order (nlohmann::json keeps objects sorted); a keyword this compiler cannot
// enforce is a 400 naming it, never silently ignored.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/json_grammar.h"
#include "engine/grammar/regex_compiler.h"
#include "engine/grammar/utf8_ranges.h"

namespace hy::grammar {

using nlohmann::json;

namespace {

// Keywords with no effect on validation.
const std::set<std::string> kAnnotations = {
    "title",         "description", "default",          "examples",        "$schema",
    "$id",           "$comment",    "deprecated",       "readOnly",        "writeOnly",
    "$defs",         "definitions", "contentMediaType", "contentEncoding", "nullable",
    "discriminator", "x-order"};
// Keywords this compiler cannot enforce: a schema using them is rejected (never fail open).
const std::set<std::string> kUnsupported = {"not",
                                            "if",
                                            "then",
                                            "else",
                                            "multipleOf",
                                            "patternProperties",
                                            "propertyNames",
                                            "minProperties",
                                            "maxProperties",
                                            "dependentRequired",
                                            "dependentSchemas",
                                            "dependencies",
                                            "contains",
                                            "minContains",
                                            "maxContains",
                                            "unevaluatedItems",
                                            "$anchor",
                                            "$dynamicRef",
                                            "$dynamicAnchor",
                                            "$recursiveRef",
                                            "$recursiveAnchor"};
const std::set<std::string> kObjectKeys = {"properties", "required", "additionalProperties",
                                           "unevaluatedProperties"};
const std::set<std::string> kArrayKeys = {"items",    "prefixItems", "additionalItems",
                                          "minItems", "maxItems",    "uniqueItems"};
const std::set<std::string> kStringKeys = {"minLength", "maxLength", "pattern", "format"};
const std::set<std::string> kNumberKeys = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"};

bool is_validation_key(const std::string& k) {
    return !kAnnotations.count(k);
}

// Regexes for the supported string formats, written to satisfy ajv-formats' "full" mode: dates use
// only days every year has in that month (Feb 29 is never generated), times always carry a zone.
const std::map<std::string, std::string> kFormats = {
    {"date",
     "[0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]"
     "|2[0-8]))"},
    {"time", "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"},
    {"date-time",
     "[0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]"
     "|2[0-8]))"
     "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"},
    {"uuid", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"},
    // Unbounded local part (as ajv-formats allows); domain labels bounded well inside ajv's 63, since
    // every count is a separate automaton state with its own mask.
    {"email",
     "[a-zA-Z0-9_+-]+(\\.[a-zA-Z0-9_+-]+)*@([a-zA-Z0-9]([a-zA-Z0-9-]{0,14}[a-zA-Z0-9])?\\.){1,3}[a-zA-Z]{2,"
     "12}"},
};

std::string type_of(const json& v) {
    switch (v.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return "boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return "integer";
        case json::value_t::number_float:
            return std::floor(v.get<double>()) == v.get<double>() ? "integer" : "number";
        case json::value_t::string:
            return "string";
        case json::value_t::array:
            return "array";
        default:
            return "object";
    }
}

bool value_has_type(const json& v, const std::string& type) {
    std::string t = type_of(v);
    return t == type || (type == "number" && t == "integer");
}

class SchemaCompiler {
  public:
    SchemaCompiler(const json& root, const JsonSchemaOptions& opt) : root_(root), opt_(opt), j_(b_, opt) {}

    // The configured whitespace may also lead the value (RFC 8259: JSON-text = ws value ws): a
    // reasoning model writes "</think>\n{...", and a grammar that refuses the "\n" pushes it off its
    // distribution right at the start of the answer.
    std::shared_ptr<const Grammar> run() {
        uint32_t start = b_.declare("root");
        b_.define(start, seq({j_.ws(), compile(root_, "", 0)}));
        return b_.build(start, "JSON schema");
    }

    std::shared_ptr<const Grammar> run_any_object() {
        uint32_t start = b_.declare("root");
        b_.define(start, seq({j_.ws(), j_.any_object()}));
        return b_.build(start, "json_object");
    }

  private:
    [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
        throw Error("JSON schema at '" + (path.empty() ? std::string("#") : path) + "': " + msg, 400,
                    "invalid_request_error", "response_format");
    }

    Expr compile(const json& s, const std::string& path, int depth) {
        if (depth > 128) fail(path, "schema nesting deeper than 128");
        if (s.is_boolean()) return s.get<bool>() ? j_.any_value() : nothing();
        if (!s.is_object()) fail(path, "a schema must be an object or a boolean");
        for (auto it = s.begin(); it != s.end(); ++it)
            if (kUnsupported.count(it.key())) fail(path, "keyword '" + it.key() + "' is not supported");

        if (s.contains("$ref")) {
            bool alone = true;
            for (auto it = s.begin(); it != s.end(); ++it)
                alone = alone && (it.key() == "$ref" || !is_validation_key(it.key()));
            if (alone) return ref(resolve_ref(s["$ref"], path, depth));
            // $ref beside other keywords applies both: merge them.
            json rest = s;
            rest.erase("$ref");
            return compile(json{{"allOf", json::array({json{{"$ref", s["$ref"]}}, rest})}}, path, depth + 1);
        }
        if (s.contains("allOf")) return compile(merge_all_of(s, path), path, depth + 1);
        if (s.contains("anyOf") || s.contains("oneOf")) return compile_any_of(s, path, depth);
        if (s.contains("enum") || s.contains("const")) return compile_enum(s, path);

        std::vector<std::string> types = schema_types(s, path);
        std::vector<Expr> alts;
        for (const auto& t : types) alts.push_back(compile_typed(s, t, path, depth));
        return alt(std::move(alts));
    }

    // The types a schema admits: its "type", or the types its keywords constrain, or all of them.
    std::vector<std::string> schema_types(const json& s, const std::string& path) {
        static const std::vector<std::string> kAll = {"object", "array",   "string",
                                                      "number", "boolean", "null"};
        std::vector<std::string> types;
        if (s.contains("type")) {
            const json& t = s["type"];
            if (t.is_string()) {
                types.push_back(t.get<std::string>());
            } else if (t.is_array() && !t.empty()) {
                for (const auto& x : t) {
                    if (!x.is_string()) fail(path, "'type' entries must be strings");
                    types.push_back(x.get<std::string>());
                }
            } else {
                fail(path, "'type' must be a string or a non-empty array");
            }
            for (const auto& x : types)
                if (x != "integer" && std::find(kAll.begin(), kAll.end(), x) == kAll.end())
                    fail(path, "unknown type '" + x + "'");
            // "number" already covers "integer".
            if (std::find(types.begin(), types.end(), "number") != types.end())
                types.erase(std::remove(types.begin(), types.end(), "integer"), types.end());
            return types;
        }
        auto any_of = [&](const std::set<std::string>& keys) {
            for (const auto& k : keys)
                if (s.contains(k)) return true;
            return false;
        };
        if (any_of(kObjectKeys)) types.push_back("object");
        if (any_of(kArrayKeys)) types.push_back("array");
        if (any_of(kStringKeys)) types.push_back("string");
        if (any_of(kNumberKeys)) types.push_back("number");
        return types.empty() ? kAll : types;
    }

    Expr compile_typed(const json& s, const std::string& type, const std::string& path, int depth) {
        if (type == "object") return compile_object(s, path, depth);
        if (type == "array") return compile_array(s, path, depth);
        if (type == "string") return compile_string(s, path);
        if (type == "integer") return compile_integer(s, path);
        if (type == "number") return compile_number(s, path);
        if (type == "boolean") return alt({literal("true"), literal("false")});
        return literal("null");
    }

    // ---- references -------------------------------------------------------------------------------

    uint32_t resolve_ref(const json& r, const std::string& path, int depth) {
        if (!r.is_string()) fail(path, "'$ref' must be a string");
        std::string target = r.get<std::string>();
        if (target.empty() || target[0] != '#')
            fail(path, "only local references ('#...') are supported, not '" + target + "'");
        auto found = refs_.find(target);
        if (found != refs_.end()) return found->second;
        const json* node = lookup(target, path);
        uint32_t rule = b_.declare("ref");
        refs_[target] = rule;
        b_.define(rule, compile(*node, target.substr(1), depth + 1));
        return rule;
    }

    const json* lookup(const std::string& target, const std::string& path) {
        std::string pointer = target.substr(1);
        if (!pointer.empty() && pointer[0] != '/')
            fail(path, "anchor references ('" + target + "') are not supported");
        try {
            const json* node = &root_.at(json::json_pointer(pointer));
            return node;
        } catch (const json::exception&) {
            fail(path, "'$ref' target '" + target + "' does not exist");
        }
    }

    // ---- combinators ------------------------------------------------------------------------------

    // The schema a reference or an allOf branch stands for, with its own allOf merged in.
    json resolved(const json& s, const std::string& path, int hops = 0) {
        if (hops > 32) fail(path, "'$ref' chain too long or cyclic inside allOf");
        if (!s.is_object()) {
            if (s.is_boolean() && s.get<bool>()) return json::object();
            fail(path, "allOf branches must be objects");
        }
        if (s.contains("$ref")) {
            if (!s["$ref"].is_string()) fail(path, "'$ref' must be a string");
            std::string target = s["$ref"].get<std::string>();
            if (target.empty() || target[0] != '#') fail(path, "only local references are supported");
            json rest = s;
            rest.erase("$ref");
            return merge(resolved(*lookup(target, path), path, hops + 1), resolved(rest, path, hops + 1),
                         path);
        }
        if (s.contains("allOf")) return merge_all_of(s, path);
        return s;
    }

    json merge_all_of(const json& s, const std::string& path) {
        if (!s["allOf"].is_array() || s["allOf"].empty()) fail(path, "'allOf' must be a non-empty array");
        json base = s;
        base.erase("allOf");
        json out = resolved(base, path);
        for (const auto& branch : s["allOf"]) out = merge(out, resolved(branch, path), path);
        return out;
    }

    // allOf of two schemas as one (the "simple merges" of issue 9): types intersect, properties and
    // required unite, bounds tighten; anything else must agree or the schema is rejected.
    json merge(const json& a, const json& b, const std::string& path) {
        json out = a;
        for (auto it = b.begin(); it != b.end(); ++it) {
            const std::string& k = it.key();
            const json& v = it.value();
            if (!out.contains(k) || kAnnotations.count(k)) {
                out[k] = v;
                continue;
            }
            json& cur = out[k];
            if (cur == v) continue;
            if (k == "type") {
                auto as_set = [](const json& t) {
                    std::set<std::string> r;
                    if (t.is_string()) r.insert(t.get<std::string>());
                    if (t.is_array())
                        for (const auto& x : t)
                            if (x.is_string()) r.insert(x.get<std::string>());
                    if (r.count("number")) r.insert("integer");
                    return r;
                };
                auto x = as_set(cur), y = as_set(v);
                json both = json::array();
                for (const auto& t : x)
                    if (y.count(t)) both.push_back(t);
                if (both.empty()) fail(path, "allOf branches have no type in common");
                cur = both;
            } else if (k == "properties") {
                if (!cur.is_object() || !v.is_object()) fail(path, "'properties' must be an object");
                for (auto p = v.begin(); p != v.end(); ++p) {
                    if (cur.contains(p.key()) && cur[p.key()] != p.value())
                        cur[p.key()] = json{{"allOf", json::array({cur[p.key()], p.value()})}};
                    else
                        cur[p.key()] = p.value();
                }
            } else if (k == "required") {
                std::set<std::string> seen;
                json r = json::array();
                for (const json* list : std::initializer_list<const json*>{&cur, &v})
                    if (list->is_array())
                        for (const auto& x : *list)
                            if (x.is_string() && seen.insert(x.get<std::string>()).second) r.push_back(x);
                cur = r;
            } else if (k == "minItems" || k == "minLength" || k == "minimum" || k == "exclusiveMinimum") {
                if (!cur.is_number() || !v.is_number()) fail(path, "'" + k + "' must be a number");
                if (v.get<double>() > cur.get<double>()) cur = v;
            } else if (k == "maxItems" || k == "maxLength" || k == "maximum" || k == "exclusiveMaximum") {
                if (!cur.is_number() || !v.is_number()) fail(path, "'" + k + "' must be a number");
                if (v.get<double>() < cur.get<double>()) cur = v;
            } else if (k == "additionalProperties" && (cur == false || v == false)) {
                cur = false;
            } else if (k == "items" || k == "additionalProperties") {
                cur = json{{"allOf", json::array({cur, v})}};
            } else if (k == "enum") {
                json both = json::array();
                if (cur.is_array() && v.is_array())
                    for (const auto& x : cur)
                        if (std::find(v.begin(), v.end(), x) != v.end()) both.push_back(x);
                if (both.empty()) fail(path, "allOf branches have no enum value in common");
                cur = both;
            } else {
                fail(path, "allOf branches disagree on '" + k + "', which cannot be merged");
            }
        }
        return out;
    }

    Expr compile_any_of(const json& s, const std::string& path, int depth) {
        if (s.contains("anyOf") && s.contains("oneOf"))
            fail(path, "'anyOf' together with 'oneOf' is not supported");
        const char* key = s.contains("anyOf") ? "anyOf" : "oneOf";
        const json& branches = s[key];
        if (!branches.is_array() || branches.empty())
            fail(path, std::string("'") + key + "' must be a non-empty array");
        json base = s;
        base.erase(key);
        bool base_constrains = false;
        for (auto it = base.begin(); it != base.end(); ++it) base_constrains |= is_validation_key(it.key());
        // oneOf is compiled as anyOf (as xgrammar does): exclusivity is not enforced (README.md).
        std::vector<Expr> alts;
        for (size_t i = 0; i < branches.size(); ++i) {
            std::string bpath = path + "/" + key + "/" + std::to_string(i);
            if (base_constrains) {
                alts.push_back(compile(merge(resolved(base, bpath), resolved(branches[i], bpath), bpath),
                                       bpath, depth + 1));
            } else {
                alts.push_back(compile(branches[i], bpath, depth + 1));
            }
        }
        return alt(std::move(alts));
    }

    Expr compile_enum(const json& s, const std::string& path) {
        json values;
        if (s.contains("const")) {
            values = json::array({s["const"]});
            if (s.contains("enum")) {
                if (!s["enum"].is_array() ||
                    std::find(s["enum"].begin(), s["enum"].end(), s["const"]) == s["enum"].end())
                    fail(path, "'const' is not among 'enum'");
            }
        } else {
            values = s["enum"];
            if (!values.is_array() || values.empty()) fail(path, "'enum' must be a non-empty array");
        }
        std::vector<std::string> types;
        for (auto it = s.begin(); it != s.end(); ++it) {
            const std::string& k = it.key();
            if (k == "enum" || k == "const" || !is_validation_key(k)) continue;
            if (k == "type") {
                types = schema_types(s, path);
                if (std::find(types.begin(), types.end(), "number") != types.end())
                    types.push_back("integer");
                continue;
            }
            fail(path, "'" + k + "' together with enum/const is not supported");
        }
        std::vector<Expr> alts;
        for (const auto& v : values) {
            if (!types.empty()) {
                bool ok = false;
                for (const auto& t : types) ok = ok || value_has_type(v, t);
                if (!ok) continue;
            }
            std::string text;
            try {
                text = v.dump();
            } catch (const json::exception& e) {
                fail(path, std::string("enum value cannot be serialised: ") + e.what());
            }
            alts.push_back(literal(text));
        }
        if (alts.empty()) fail(path, "no enum/const value matches the schema's type");
        return alt(std::move(alts));
    }

    // ---- objects ----------------------------------------------------------------------------------

    Expr compile_object(const json& s, const std::string& path, int depth) {
        json props = s.value("properties", json::object());
        if (!props.is_object()) fail(path, "'properties' must be an object");
        if (s.contains("unevaluatedProperties") && s["unevaluatedProperties"] != false)
            fail(path, "'unevaluatedProperties' other than false is not supported");
        json declared_additional = true;
        if (s.contains("additionalProperties")) declared_additional = s["additionalProperties"];
        if (s.contains("unevaluatedProperties")) declared_additional = false;
        if (!declared_additional.is_boolean() && !declared_additional.is_object())
            fail(path, "'additionalProperties' must be a boolean or a schema");
        std::set<std::string> required;
        if (s.contains("required")) {
            if (!s["required"].is_array()) fail(path, "'required' must be an array");
            for (const auto& r : s["required"]) {
                if (!r.is_string()) fail(path, "'required' entries must be strings");
                const std::string name = r.get<std::string>();
                required.insert(name);
                if (props.contains(name)) continue;
                // A required key without a property schema is an additional property: it takes the
                // additionalProperties schema, and additionalProperties: false makes it impossible.
                if (declared_additional == false)
                    fail(path,
                         "required property '" + name + "' is forbidden by additionalProperties: false");
                props[name] = declared_additional;
            }
        }
        // Strict mode closes objects that declare properties; a bare {"type":"object"} stays open.
        json additional = declared_additional;
        if (!s.contains("additionalProperties") && !s.contains("unevaluatedProperties") && opt_.strict &&
            s.contains("properties"))
            additional = false;

        std::vector<ObjectMember> members;
        for (auto it = props.begin(); it != props.end(); ++it) {
            std::string ppath = path + "/properties/" + it.key();
            uint32_t value_rule = b_.declare("prop");
            b_.define(value_rule, compile(it.value(), ppath, depth + 1));
            members.push_back({json(it.key()).dump(), ref(value_rule), required.count(it.key()) > 0});
        }
        std::optional<Expr> extra;
        if (additional != false) {
            std::vector<std::string> names;
            for (auto it = props.begin(); it != props.end(); ++it) names.push_back(it.key());
            Expr value = additional == true ? j_.any_value()
                                            : compile(additional, path + "/additionalProperties", depth + 1);
            uint32_t value_rule = b_.declare("extra_value");
            b_.define(value_rule, std::move(value));
            extra = seq({j_.key_excluding(names), j_.ws(), literal(":"), j_.ws(), ref(value_rule)});
        }
        return j_.object(members, extra);
    }

    // ---- arrays -----------------------------------------------------------------------------------

    uint32_t count_keyword(const json& s, const char* key, uint32_t fallback, const std::string& path) {
        if (!s.contains(key)) return fallback;
        const json& v = s[key];
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0) &&
            !(v.is_number_float() && v.get<double>() >= 0 && std::floor(v.get<double>()) == v.get<double>()))
            fail(path, std::string("'") + key + "' must be a non-negative integer");
        double d = v.get<double>();
        if (d > opt_.max_repetition)
            fail(path, std::string("'") + key + "' above " + std::to_string(opt_.max_repetition) +
                           " is not supported");
        return static_cast<uint32_t>(d);
    }

    Expr compile_array(const json& s, const std::string& path, int depth) {
        if (s.contains("uniqueItems") && s["uniqueItems"] != false)
            fail(path, "'uniqueItems' is not supported");
        std::vector<json> prefix;
        json items;  // schema for items after the prefix; null = none given
        if (s.contains("prefixItems")) {
            if (!s["prefixItems"].is_array()) fail(path, "'prefixItems' must be an array");
            for (const auto& x : s["prefixItems"]) prefix.push_back(x);
            if (s.contains("items")) items = s["items"];
        } else if (s.contains("items") && s["items"].is_array()) {  // draft 4-7 tuple form
            for (const auto& x : s["items"]) prefix.push_back(x);
            if (s.contains("additionalItems")) items = s["additionalItems"];
        } else if (s.contains("items")) {
            items = s["items"];
        }
        if (items.is_null()) items = (opt_.strict && !prefix.empty()) ? json(false) : json(true);
        uint32_t min = count_keyword(s, "minItems", 0, path);
        uint32_t max = count_keyword(s, "maxItems", kUnbounded, path);
        if (items == false) max = std::min<uint32_t>(max, static_cast<uint32_t>(prefix.size()));
        if (min > max) fail(path, "no array satisfies minItems/maxItems/items");
        std::vector<Expr> item_refs;
        for (size_t i = 0; i < prefix.size() && i < max; ++i) {
            uint32_t rule = b_.declare("item");
            b_.define(rule, compile(prefix[i], path + "/prefixItems/" + std::to_string(i), depth + 1));
            item_refs.push_back(ref(rule));
        }
        std::optional<Expr> rest;
        if (max > prefix.size()) {
            uint32_t rule = b_.declare("item");
            b_.define(rule, compile(items, path + "/items", depth + 1));
            rest = ref(rule);
        }
        return j_.array(item_refs, rest, min, max);
    }

    // ---- strings ----------------------------------------------------------------------------------

    Expr compile_string(const json& s, const std::string& path) {
        bool has_len = s.contains("minLength") || s.contains("maxLength");
        if (s.contains("format")) {
            if (!s["format"].is_string()) fail(path, "'format' must be a string");
            std::string f = s["format"].get<std::string>();
            auto it = kFormats.find(f);
            if (it == kFormats.end()) fail(path, "string format '" + f + "' is not supported");
            if (has_len || s.contains("pattern"))
                fail(path, "'format' combined with length or pattern is not supported");
            auto re =
                compile_regex_expr(it->second, RegexMode::JsonString, opt_.max_repetition, "format " + f);
            return seq({literal("\""), std::move(re.expr), literal("\"")});
        }
        if (s.contains("pattern")) {
            if (!s["pattern"].is_string()) fail(path, "'pattern' must be a string");
            if (has_len) fail(path, "'pattern' combined with minLength/maxLength is not supported");
            std::string what = "JSON schema at '" + path + "': pattern";
            auto re = compile_regex_expr(s["pattern"].get<std::string>(), RegexMode::JsonString,
                                         opt_.max_repetition, what);
            // JSON Schema patterns are unanchored: anything may surround the match.
            std::vector<Expr> parts{literal("\"")};
            if (!re.anchored_start) parts.push_back(star(j_.string_char()));
            parts.push_back(std::move(re.expr));
            if (!re.anchored_end) parts.push_back(star(j_.string_char()));
            parts.push_back(literal("\""));
            return seq(std::move(parts));
        }
        uint32_t min = count_keyword(s, "minLength", 0, path);
        uint32_t max = count_keyword(s, "maxLength", kUnbounded, path);
        if (min > max) fail(path, "minLength > maxLength");
        return j_.string(min, max);
    }

    // ---- numbers ----------------------------------------------------------------------------------

    std::optional<int64_t> bound(const json& s, const char* key, bool lower, const std::string& path) {
        if (!s.contains(key)) return std::nullopt;
        const json& v = s[key];
        if (!v.is_number()) fail(path, std::string("'") + key + "' must be a number");
        double d = v.get<double>();
        if (std::fabs(d) > 1e18) fail(path, std::string("'") + key + "' beyond +-1e18 is not supported");
        bool exclusive = std::string(key).rfind("exclusive", 0) == 0;
        double r = lower ? std::ceil(d) : std::floor(d);
        if (exclusive && r == d) r += lower ? 1 : -1;
        return static_cast<int64_t>(r);
    }

    Expr compile_integer(const json& s, const std::string& path) {
        std::optional<int64_t> lo = bound(s, "minimum", true, path), hi = bound(s, "maximum", false, path);
        auto xlo = bound(s, "exclusiveMinimum", true, path), xhi = bound(s, "exclusiveMaximum", false, path);
        if (xlo && (!lo || *xlo > *lo)) lo = xlo;
        if (xhi && (!hi || *xhi < *hi)) hi = xhi;
        if (lo && hi && *lo > *hi) fail(path, "no integer lies between minimum and maximum");
        return JsonGrammar::integer_range(lo, hi);
    }

    // Bounds on numbers: integer bounds are exact; others are rounded inwards (minimum 0.5 acts as 1,
    // exclusiveMaximum 3 as maximum 2), which stays valid but excludes a little (README.md).
    Expr compile_number(const json& s, const std::string& path) {
        bool bounded = false;
        for (const auto& k : kNumberKeys) bounded |= s.contains(k);
        if (!bounded) return j_.number();
        std::optional<int64_t> lo = bound(s, "minimum", true, path), hi = bound(s, "maximum", false, path);
        auto xlo = bound(s, "exclusiveMinimum", true, path), xhi = bound(s, "exclusiveMaximum", false, path);
        if (xlo && (!lo || *xlo > *lo)) lo = xlo;
        if (xhi && (!hi || *xhi < *hi)) hi = xhi;
        if (lo && hi && *lo > *hi)
            fail(path, "number bounds leave no integer-bounded range (they are rounded inwards)");
        return JsonGrammar::number_range(lo, hi);
    }

    const json& root_;
    JsonSchemaOptions opt_;
    GrammarBuilder b_;
    JsonGrammar j_;
    std::map<std::string, uint32_t> refs_;
};

}  // namespace

std::shared_ptr<const Grammar> compile_json_schema(const json& schema, const JsonSchemaOptions& options) {
    return SchemaCompiler(schema, options).run();
}

std::shared_ptr<const Grammar> compile_json_object(const JsonSchemaOptions& options) {
    static const json kEmpty = json::object();
    return SchemaCompiler(kEmpty, options).run_any_object();
}

}  // namespace hy::grammar
