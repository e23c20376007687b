// See structured_output.h.
#include "api/structured_output.h"

#include <map>
#include <mutex>
#include <optional>

#include "api/json_fields.h"
#include "tokenizer/tokenizer.h"

namespace hy::api {

namespace {

// A schema given as an object or as JSON text (vLLM accepts both for guided_json / structured_outputs.json).
Json schema_value(const Json& v, const std::string& field) {
    if (v.is_object() || v.is_boolean()) return v;
    if (v.is_string()) {
        Json parsed = Json::parse(v.get<std::string>(), nullptr, false);
        if (parsed.is_object() || parsed.is_boolean()) return parsed;
    }
    throw bad_request(field + " must be a JSON schema object", field);
}

std::string string_value(const Json& v, const std::string& field) {
    if (!v.is_string()) throw schema_error(field, "Input should be a valid string");
    return v.get<std::string>();
}

std::vector<std::string> choice_list(const Json& v, const std::string& field) {
    if (!v.is_array() || v.empty()) throw bad_request(field + " must be a non-empty list of strings", field);
    std::vector<std::string> out;
    for (const auto& c : v) {
        if (!c.is_string()) throw bad_request(field + " must be a non-empty list of strings", field);
        out.push_back(c.get<std::string>());
    }
    return out;
}

// One constraint key of structured_outputs (or its guided_* alias) into `f`.
void read_constraint(const std::string& key, const Json& v, const std::string& field, OutputFormat& f) {
    f.field = field;
    if (key == "json") {
        f.kind = OutputFormat::Kind::JSON_SCHEMA;
        f.schema = schema_value(v, field);
    } else if (key == "regex") {
        f.kind = OutputFormat::Kind::REGEX;
        f.text = string_value(v, field);
    } else if (key == "choice") {
        f.kind = OutputFormat::Kind::CHOICE;
        f.choices = choice_list(v, field);
    } else if (key == "grammar") {
        f.kind = OutputFormat::Kind::GRAMMAR;
        f.text = string_value(v, field);
    } else if (key == "json_object") {
        f.kind = OutputFormat::Kind::JSON_OBJECT;
    }
}

bool is_set(const Json& body, const char* key) {
    auto it = body.find(key);
    return it != body.end() && !it->is_null() && !(it->is_boolean() && !it->get<bool>());
}

}  // namespace

OutputFormat read_output_format(const Json& body) {
    OutputFormat f;
    int constraints = 0;
    std::optional<std::string> whitespace;  // an explicit pattern wins over the default and the flag
    bool compact = false;

    if (const Json* so = opt_object(body, "structured_outputs")) {
        if (is_set(*so, "structural_tag"))
            throw bad_request("structured_outputs.structural_tag is not supported", "structured_outputs");
        for (const char* key : {"json", "regex", "choice", "grammar", "json_object"}) {
            if (!is_set(*so, key)) continue;
            ++constraints;
            read_constraint(key, so->at(key), std::string("structured_outputs.") + key, f);
        }
        if (constraints != 1)
            throw bad_request(
                "structured_outputs must set exactly one of json, regex, choice, grammar, json_object",
                "structured_outputs");
        if (auto ws = opt_string(*so, "whitespace_pattern")) whitespace = *ws;
        compact = opt_bool(*so, "disable_any_whitespace").value_or(false);
    }
    // Legacy aliases (vLLM ≤ 0.11), kept as such.
    for (const char* key : {"json", "regex", "choice", "grammar"}) {
        const std::string field = std::string("guided_") + key;
        if (!is_set(body, field.c_str())) continue;
        ++constraints;
        read_constraint(key, body.at(field), field, f);
    }
    if (auto ws = opt_string(body, "guided_whitespace_pattern"); ws && !whitespace) whitespace = *ws;

    if (const Json* rf = opt_object(body, "response_format")) {
        const std::string type = opt_string(*rf, "type").value_or("");
        if (type == "json_object") {
            ++constraints;
            f.kind = OutputFormat::Kind::JSON_OBJECT;
            f.field = "response_format";
        } else if (type == "json_schema") {
            const Json* js = opt_object(*rf, "json_schema");
            if (!js) throw schema_error("response_format.json_schema", "Field required");
            auto schema = js->find("schema");
            ++constraints;
            f.kind = OutputFormat::Kind::JSON_SCHEMA;
            f.field = "response_format.json_schema.schema";
            // A json_schema without a schema constrains to any JSON value (OpenAI allows it).
            f.schema =
                schema == js->end() || schema->is_null() ? Json::object() : schema_value(*schema, f.field);
        } else if (type == "structural_tag") {
            throw bad_request("response_format type structural_tag is not supported", "response_format");
        } else if (type != "text") {
            throw bad_request("response_format.type must be one of text, json_object, json_schema",
                              "response_format");
        }
    }
    if (constraints > 1)
        throw bad_request(
            "only one of response_format, structured_outputs and guided_* may constrain the output", f.field);
    if (whitespace)
        f.whitespace_pattern = *whitespace;
    else if (compact)
        f.whitespace_pattern.clear();
    return f;
}

namespace {

std::mutex g_cache_mutex;
std::map<std::string, std::shared_ptr<const grammar::Grammar>> g_cache;  // canonical text → grammar

// Compiled grammars are vocabulary-free and keep their mask caches warm, so a repeated schema costs
// one map lookup. The cache is bounded by dropping everything when full (requests rarely vary much).
template <class Fn>
std::shared_ptr<const grammar::Grammar> cached(const std::string& key, Fn&& compile) {
    {
        std::lock_guard<std::mutex> lock(g_cache_mutex);
        if (auto it = g_cache.find(key); it != g_cache.end()) return it->second;
    }
    auto g = compile();
    std::lock_guard<std::mutex> lock(g_cache_mutex);
    if (g_cache.size() >= 256) g_cache.clear();
    g_cache.emplace(key, g);
    return g;
}

// Compile errors are 400s already; prefix the field so the client knows which part was refused.
template <class Fn>
std::shared_ptr<const grammar::Grammar> compile_named(const std::string& field, Fn&& compile) {
    try {
        return compile();
    } catch (const Error& e) {
        throw bad_request(field + ": " + e.what(), field);
    }
}

nlohmann::json plain(const Json& j) {
    return nlohmann::json::parse(j.dump());
}

}  // namespace

std::shared_ptr<const grammar::Grammar> compile_output_format(const OutputFormat& f) {
    grammar::JsonSchemaOptions opt;
    opt.whitespace_pattern = f.whitespace_pattern;
    const std::string ws = "\x1f" + f.whitespace_pattern;
    switch (f.kind) {
        case OutputFormat::Kind::TEXT:
            return nullptr;
        case OutputFormat::Kind::JSON_OBJECT:
            return cached("object" + ws, [&] {
                return compile_named(f.field, [&] { return grammar::compile_json_object(opt); });
            });
        case OutputFormat::Kind::JSON_SCHEMA:
            return cached("schema" + ws + f.schema.dump(), [&] {
                return compile_named(f.field,
                                     [&] { return grammar::compile_json_schema(plain(f.schema), opt); });
            });
        case OutputFormat::Kind::REGEX:
            return cached("regex\x1f" + f.text, [&] {
                return compile_named(f.field, [&] { return grammar::compile_regex(f.text); });
            });
        case OutputFormat::Kind::CHOICE:
            return cached("choice\x1f" + Json(f.choices).dump(), [&] {
                return compile_named(f.field, [&] { return grammar::compile_choice(f.choices); });
            });
        case OutputFormat::Kind::GRAMMAR:
            return cached("gbnf\x1f" + f.text, [&] {
                return compile_named(f.field, [&] { return grammar::compile_gbnf(f.text); });
            });
    }
    return nullptr;
}

namespace {

// A tool's parameter schema (a tool without one takes any object).
Json tool_parameters(const Json& tool) {
    const Json& fn = tool.contains("function") ? tool["function"] : tool;
    auto p = fn.find("parameters");
    if (p == fn.end() || p->is_null()) return Json{{"type", "object"}};
    return *p;
}

std::string tool_name(const Json& tool) {
    const Json& fn = tool.contains("function") ? tool["function"] : tool;
    return fn.value("name", "");
}

// "#…" references of a tool's schema moved to `#/$defs/<prefix>root` (its own $defs/definitions become
// `#/$defs/<prefix>NAME`): a $ref is a pointer from the document root, which is the list schema now.
std::string relocated_ref(const std::string& ref, const std::string& prefix) {
    for (const std::string base : {"#/$defs/", "#/definitions/"})
        if (ref.rfind(base, 0) == 0) return "#/$defs/" + prefix + ref.substr(base.size());
    if (ref == "#") return "#/$defs/" + prefix + "root";
    if (ref.rfind("#/", 0) == 0) return "#/$defs/" + prefix + "root" + ref.substr(1);
    return ref;  // not a local pointer: the compiler names it in its 400
}

void relocate_refs(Json& j, const std::string& prefix) {
    if (j.is_object()) {
        for (auto& [k, v] : j.items()) {
            if (k == "$ref" && v.is_string())
                v = relocated_ref(v.get<std::string>(), prefix);
            else
                relocate_refs(v, prefix);
        }
    } else if (j.is_array()) {
        for (auto& v : j) relocate_refs(v, prefix);
    }
}

// The parameters of tool `i` as they sit inside the required list; their definitions go to `defs`.
Json relocated_parameters(const Json& tool, size_t i, Json& defs) {
    Json body = tool_parameters(tool);
    const std::string prefix = "tool" + std::to_string(i) + "_";
    relocate_refs(body, prefix);
    for (const char* key : {"$defs", "definitions"}) {
        if (!body.is_object() || !body.contains(key)) continue;
        if (body[key].is_object())
            for (auto& [name, def] : body[key].items()) defs[prefix + name] = def;
        body.erase(key);
    }
    defs[prefix + "root"] = body;
    return body;
}

}  // namespace

std::shared_ptr<const grammar::Grammar> compile_tool_choice(const ToolChoice& choice, const Json& tools,
                                                            bool parallel_tool_calls) {
    grammar::JsonSchemaOptions opt;
    if (choice.mode == ToolChoiceMode::NAMED) {
        for (const auto& t : tools)
            if (tool_name(t) == choice.function_name) {
                Json schema = tool_parameters(t);
                return cached("schema\x1f" + schema.dump(), [&] {
                    return compile_named("tools.function.parameters",
                                         [&] { return grammar::compile_json_schema(plain(schema), opt); });
                });
            }
        throw bad_request("tool_choice names a function that is not in tools", "tool_choice");
    }
    if (choice.mode != ToolChoiceMode::REQUIRED) return nullptr;
    Json any_of = Json::array();
    Json defs = Json::object();
    for (size_t i = 0; i < tools.size(); ++i)
        any_of.push_back({{"type", "object"},
                          {"properties",
                           {{"name", {{"const", tool_name(tools[i])}}},
                            {"parameters", relocated_parameters(tools[i], i, defs)}}},
                          {"required", Json::array({"name", "parameters"})}});
    Json schema = {{"type", "array"}, {"minItems", 1}, {"items", {{"anyOf", any_of}}}, {"$defs", defs}};
    if (!parallel_tool_calls) schema["maxItems"] = 1;
    return cached("schema\x1f" + schema.dump(), [&] {
        return compile_named("tools", [&] { return grammar::compile_json_schema(plain(schema), opt); });
    });
}

std::shared_ptr<const grammar::TokenVocabulary> grammar_vocabulary(const ServingContext& ctx) {
    static std::mutex m;
    static std::map<const tok::Tokenizer*, std::shared_ptr<const grammar::TokenVocabulary>> built;
    std::lock_guard<std::mutex> lock(m);
    auto& v = built[ctx.tokenizer.get()];
    if (v) return v;
    const tok::Tokenizer& t = *ctx.tokenizer;
    const auto n = static_cast<int32_t>(t.vocab_size());
    std::vector<std::string> bytes(static_cast<size_t>(n));
    std::vector<uint32_t> special, eos;
    for (int32_t id = 0; id < n; ++id) {
        bytes[static_cast<size_t>(id)] = t.decode_bytes({id}, false);
        if (t.is_special(id)) special.push_back(static_cast<uint32_t>(id));
    }
    for (int32_t id : ctx.eos_token_ids)
        if (id >= 0 && id < n) eos.push_back(static_cast<uint32_t>(id));
    v = std::make_shared<grammar::TokenVocabulary>(std::move(bytes), special, eos);
    return v;
}

}  // namespace hy::api
