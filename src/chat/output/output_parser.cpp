// See output_parser.h and README.md. The parser is a loop of small steps over `buf_`; each step
// consumes text only once it is decided by the text itself (never by where a chunk ended), which
// is what makes every split of the same output fold to the same message.
#include "chat/output/output_parser.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "chat/output/param_convert.h"
#include "chat/output/py_value.h"

namespace hy::chat {
namespace {

constexpr std::string_view kThinkStart = "<think>";
constexpr std::string_view kThinkEnd = "</think>";
constexpr std::string_view kToolCall = "<tool_call>";
constexpr std::string_view kToolCallEnd = "</tool_call>";
constexpr std::string_view kFunction = "<function=";
constexpr std::string_view kFunctionEnd = "</function>";
constexpr std::string_view kParameter = "<parameter=";
constexpr std::string_view kParameterEnd = "</parameter>";
constexpr std::size_t kMaxNameBytes = 256;  // longer `<function=`/`<parameter=` names are malformed

bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Length of the longest suffix of `s` that is a proper prefix of `pattern` (text to hold back).
std::size_t partial_tail(std::string_view s, std::string_view pattern) {
    if (pattern.empty()) return 0;  // a marker switched off
    for (std::size_t n = std::min(s.size(), pattern.size() - 1); n > 0; --n)
        if (s.substr(s.size() - n) == pattern.substr(0, n)) return n;
    return 0;
}

bool proper_prefix_of(std::string_view s, std::string_view pattern) {
    return s.size() < pattern.size() && pattern.starts_with(s);
}

// Earliest complete occurrence of any of `markers` in `s`.
struct Found {
    std::size_t pos = std::string_view::npos;
    std::string_view marker;
};
Found find_first(std::string_view s, std::initializer_list<std::string_view> markers, std::size_t from = 0) {
    Found f;
    for (auto m : markers) {
        if (m.empty()) continue;
        std::size_t p = s.find(m, from);
        if (p < f.pos) f = {p, m};
    }
    return f;
}

// A `<function=NAME>` / `<parameter=KEY>` name: text up to the first '>' (api.md 8.4 step 2);
// a newline or '<' inside, or an over-long name, means the tag is malformed.
bool bad_name_char(std::string_view region) {
    return region.find_first_of("\n<") != std::string_view::npos || region.size() > kMaxNameBytes;
}

}  // namespace

std::vector<ToolSpec> tool_specs_from_json(const nlohmann::ordered_json& tools) {
    std::vector<ToolSpec> out;
    if (!tools.is_array()) return out;
    for (const auto& t : tools) {
        if (!t.is_object()) continue;
        const auto& fn = t.contains("function") && t["function"].is_object() ? t["function"] : t;
        if (!fn.contains("name") || !fn["name"].is_string()) continue;
        ToolSpec spec{fn["name"].get<std::string>(), nullptr};
        if (fn.contains("parameters") && fn["parameters"].is_object() &&
            fn["parameters"].contains("properties"))
            spec.properties = fn["parameters"]["properties"];
        out.push_back(std::move(spec));
    }
    return out;
}

OutputParser::OutputParser(OutputParserOptions options, std::shared_ptr<ReasoningState> state)
    : options_(std::move(options)),
      state_(state ? std::move(state) : std::make_shared<ReasoningState>()),
      mode_(state_->in_reasoning() ? Mode::REASONING : Mode::CONTENT),
      rng_(std::random_device{}()) {
    if (!options_.make_call_id) {
        options_.make_call_id = [this] {
            char buf[32];
            std::snprintf(buf, sizeof buf, "call_%012llx%012llx",
                          static_cast<unsigned long long>(rng_() & 0xFFFFFFFFFFFFull),
                          static_cast<unsigned long long>(rng_() & 0xFFFFFFFFFFFFull));
            return std::string(buf);
        };
    }
}

std::size_t OutputParser::drop_leading_ws() {
    std::size_t ws = 0;
    while (ws < buf_.size() && is_ws(buf_[ws])) ++ws;
    buf_.erase(0, ws);
    return ws;
}

void OutputParser::warn(const std::string& message) {
    warnings_.push_back(message);
    if (options_.on_warning) options_.on_warning(message);
}

void OutputParser::emit_text(DeltaKind kind, std::string_view text, std::vector<Delta>& out) {
    if (text.empty()) return;
    if (!out.empty() && out.back().kind == kind) {
        out.back().text += text;
        return;
    }
    Delta d;
    d.kind = kind;
    d.text = std::string(text);
    out.push_back(std::move(d));
}

void OutputParser::emit_args(std::string_view text, std::vector<Delta>& out) {
    if (suppressed_ || text.empty()) return;
    if (!out.empty() && out.back().kind == DeltaKind::TOOL_CALL_ARGS && out.back().index == index_) {
        out.back().text += text;
        return;
    }
    Delta d;
    d.kind = DeltaKind::TOOL_CALL_ARGS;
    d.index = index_;
    d.text = std::string(text);
    out.push_back(std::move(d));
}

std::vector<Delta> OutputParser::feed(std::string_view text) {
    if (finished_) return {};
    buf_ += text;
    return run(false);
}

std::vector<Delta> OutputParser::finish() {
    if (finished_) return {};
    std::vector<Delta> out = run(true);
    if (mode_ == Mode::FUNC_BODY) {
        warn("tool call '" + tool_->name + "' unterminated at end of output; closed");
        close_call(out);
        mode_ = Mode::CONTENT;
    }
    finished_ = true;
    return out;
}

std::vector<Delta> OutputParser::run(bool final) {
    std::vector<Delta> out;
    while (step(final, out)) {
    }
    return out;
}

bool OutputParser::step(bool final, std::vector<Delta>& out) {
    bool progressed = false;
    switch (mode_) {
        case Mode::REASONING:
        case Mode::CONTENT:
            progressed = step_text(final, out);
            break;
        case Mode::TOOL_OPEN:
            progressed = step_tool_open(final, out);
            break;
        case Mode::FUNC_BODY:
            progressed = step_func_body(final, out);
            break;
        case Mode::PARAM_VALUE:
            progressed = step_param_value(final, out);
            break;
        case Mode::AFTER_FUNCTION:
            progressed = step_after_function(final);
            break;
        case Mode::AFTER_CALL:
            progressed = step_after_call();
            break;
    }
    if (progressed && at_output_start_) {
        at_output_start_ = false;
        state_->mark_output_started();
    }
    return progressed;
}

// Reasoning and content text. Markers recognised: in reasoning `</think>` (ends it), `<think>`
// (dropped) and `<tool_call>` (a call without `</think>`, lesson 14); in content `<tool_call>`, a
// stray `</think>` (dropped: marker text never reaches the client) and, as the very first output,
// `<think>`. One '\n' before `</think>` (in reasoning) or `<tool_call>` and one after `<think>` /
// `</think>` belong to the markers (the template writes `<think>\n…\n</think>\n`, model.md 6.3).
bool OutputParser::step_text(bool final, std::vector<Delta>& out) {
    if (buf_.empty()) return false;
    if (strip_newline_) {
        strip_newline_ = false;
        if (buf_[0] == '\n') buf_.erase(0, 1);
        return true;
    }
    const bool reasoning = mode_ == Mode::REASONING;
    const DeltaKind kind = reasoning ? DeltaKind::REASONING_TEXT : DeltaKind::CONTENT_TEXT;
    const std::string_view tool_marker = tools_active() ? kToolCall : std::string_view{};
    const std::string_view think_end = options_.parse_reasoning ? kThinkEnd : std::string_view{};

    if (!reasoning && at_output_start_ && options_.parse_reasoning) {
        if (buf_.starts_with(kThinkStart)) {
            buf_.erase(0, kThinkStart.size());
            mode_ = Mode::REASONING;
            strip_newline_ = true;
            state_->start_reasoning_at_output_start();
            return true;
        }
        if (!final && proper_prefix_of(buf_, kThinkStart)) return false;
    }

    Found f = reasoning ? find_first(buf_, {kThinkEnd, kThinkStart, tool_marker})
                        : find_first(buf_, {think_end, tool_marker});
    if (f.pos == std::string::npos) {
        std::size_t hold = 0;
        if (!final) {
            hold = std::max(partial_tail(buf_, think_end), partial_tail(buf_, tool_marker));
            if (reasoning) {
                hold = std::max({hold, partial_tail(buf_, kThinkStart), partial_tail(buf_, "\n</think>")});
            }
            if (!tool_marker.empty()) hold = std::max(hold, partial_tail(buf_, "\n<tool_call>"));
        }
        std::size_t n = buf_.size() - hold;
        if (n == 0) return false;
        emit_text(kind, std::string_view(buf_).substr(0, n), out);
        buf_.erase(0, n);
        return true;
    }

    std::string_view before = std::string_view(buf_).substr(0, f.pos);
    const bool newline =
        (f.marker == kToolCall || (reasoning && f.marker == kThinkEnd)) && before.ends_with('\n');
    if (newline) before.remove_suffix(1);
    emit_text(kind, before, out);
    if (f.marker == kThinkEnd) {  // in content a stray `</think>` is dropped the same way
        mode_ = Mode::CONTENT;
        strip_newline_ = true;
        state_->end_reasoning();
    } else if (f.marker == kThinkStart) {
        strip_newline_ = true;
    } else {
        mode_ = Mode::TOOL_OPEN;
        tentative_ = newline ? "\n" : "";
        tentative_ += kToolCall;
        tentative_in_reasoning_ = reasoning;
    }
    buf_.erase(0, f.pos + f.marker.size());
    return true;
}

// After `<tool_call>`: nothing is emitted until `<function=NAME>` names a known tool; anything
// else turns the held raw text back into text of the mode it came from (api.md 8.4, lesson 16).
bool OutputParser::step_tool_open(bool final, std::vector<Delta>& out) {
    std::size_t ws = 0;
    while (ws < buf_.size() && is_ws(buf_[ws])) ++ws;
    if (ws > 0) {
        tentative_ += buf_.substr(0, ws);
        buf_.erase(0, ws);
        return true;
    }
    if (buf_.empty()) {
        if (!final) return false;
        degrade(out, "unterminated <tool_call> at end of output");
        return true;
    }
    if (!buf_.starts_with(kFunction)) {
        if (!final && proper_prefix_of(buf_, kFunction)) return false;
        degrade(out, "<tool_call> not followed by <function=");
        return true;
    }
    std::size_t gt = buf_.find('>', kFunction.size());
    std::string_view region =
        std::string_view(buf_).substr(kFunction.size(), gt - std::min(gt, kFunction.size()));
    if (gt == std::string::npos) region = std::string_view(buf_).substr(kFunction.size());
    if (bad_name_char(region)) {
        degrade(out, "malformed <function= name");
        return true;
    }
    if (gt == std::string::npos) {
        if (!final) return false;
        degrade(out, "unterminated <function= tag at end of output");
        return true;
    }
    const std::string name(region);
    auto it = std::find_if(options_.tools.begin(), options_.tools.end(),
                           [&](const ToolSpec& t) { return t.name == name; });
    if (it == options_.tools.end()) {
        degrade(out, "unknown function '" + name + "' in <tool_call>; kept as text");
        return true;
    }
    buf_.erase(0, gt + 1);
    tentative_.clear();
    if (tentative_in_reasoning_) state_->end_reasoning();
    begin_call(*it, out);
    mode_ = Mode::FUNC_BODY;
    return true;
}

void OutputParser::degrade(std::vector<Delta>& out, const std::string& why) {
    warn(why);
    mode_ = tentative_in_reasoning_ ? Mode::REASONING : Mode::CONTENT;
    emit_text(tentative_in_reasoning_ ? DeltaKind::REASONING_TEXT : DeltaKind::CONTENT_TEXT, tentative_, out);
    tentative_.clear();
}

void OutputParser::begin_call(const ToolSpec& tool, std::vector<Delta>& out) {
    tool_ = &tool;
    param_count_ = 0;
    param_keys_.clear();
    junk_warned_ = false;
    suppressed_ = !options_.parallel_tool_calls && next_index_ >= 1;
    if (suppressed_) {
        warn("parallel_tool_calls is false: dropped call to '" + tool.name + "'");
        return;
    }
    index_ = next_index_++;
    Delta d;
    d.kind = DeltaKind::TOOL_CALL_BEGIN;
    d.index = index_;
    d.id = options_.make_call_id();
    d.name = tool.name;
    out.push_back(std::move(d));
    emit_args("{", out);
}

void OutputParser::close_call(std::vector<Delta>& out) {
    emit_args("}", out);
    if (!suppressed_) {
        Delta d;
        d.kind = DeltaKind::TOOL_CALL_END;
        d.index = index_;
        out.push_back(std::move(d));
    }
    tool_ = nullptr;
    suppressed_ = false;
}

// Inside `<function=NAME>`: parameters, `</function>`, or a `</tool_call>` that closes both.
// Whitespace between them is layout; other stray text is dropped with a warning (the header is
// already out, so the call can no longer become text).
bool OutputParser::step_func_body(bool final, std::vector<Delta>& out) {
    if (drop_leading_ws() > 0) return true;
    if (buf_.empty()) return false;
    if (buf_.starts_with(kParameter)) {
        std::size_t gt = buf_.find('>', kParameter.size());
        std::string_view region = std::string_view(buf_).substr(
            kParameter.size(), gt == std::string::npos ? std::string::npos : gt - kParameter.size());
        if (!bad_name_char(region)) {
            if (gt == std::string::npos && !final) return false;
            if (gt != std::string::npos) {
                param_key_ = std::string(region);
                buf_.erase(0, gt + 1);
                param_scan_ = 0;
                mode_ = Mode::PARAM_VALUE;
                return true;
            }
        }
    } else if (buf_.starts_with(kFunctionEnd)) {
        buf_.erase(0, kFunctionEnd.size());
        close_call(out);
        mode_ = Mode::AFTER_FUNCTION;
        return true;
    } else if (buf_.starts_with(kToolCallEnd)) {
        buf_.erase(0, kToolCallEnd.size());
        warn("</tool_call> without </function>");
        close_call(out);
        mode_ = Mode::AFTER_CALL;
        return true;
    } else if (!final && (proper_prefix_of(buf_, kParameter) || proper_prefix_of(buf_, kFunctionEnd) ||
                          proper_prefix_of(buf_, kToolCallEnd))) {
        return false;
    }
    // Stray text: drop it up to the next '<' (which may start a tag).
    std::size_t next = buf_.find('<', 1);
    if (!junk_warned_) {
        warn("unexpected text inside <function=" + tool_->name + ">; dropped");
        junk_warned_ = true;
    }
    buf_.erase(0, next == std::string::npos ? buf_.size() : next);
    return true;
}

// A parameter value runs to `</parameter>`, the next `<parameter=`, `</function>` or the end
// (api.md 8.4 step 3). It is converted only once complete, so it is never streamed half-way.
bool OutputParser::step_param_value(bool final, std::vector<Delta>& out) {
    Found f = find_first(buf_, {kParameterEnd, kParameter, kFunctionEnd}, param_scan_);
    if (f.pos == std::string::npos) {
        if (!final) {
            param_scan_ = buf_.size() - std::min(buf_.size(), kParameterEnd.size() - 1);
            return false;
        }
        f.pos = buf_.size();
    }
    emit_param(std::string_view(buf_).substr(0, f.pos), out);
    buf_.erase(0, f.pos + (f.marker == kParameterEnd ? kParameterEnd.size() : 0));
    mode_ = Mode::FUNC_BODY;
    return true;
}

void OutputParser::emit_param(std::string_view raw, std::vector<Delta>& out) {
    if (raw.starts_with('\n')) raw.remove_prefix(1);
    if (raw.ends_with('\n')) raw.remove_suffix(1);
    if (std::find(param_keys_.begin(), param_keys_.end(), param_key_) != param_keys_.end()) {
        warn("duplicate parameter '" + param_key_ + "' in call to '" + tool_->name + "'; first kept");
        return;
    }
    param_keys_.push_back(param_key_);
    std::string fragment = param_count_++ ? ", " : "";
    fragment += py_json_quote(param_key_);
    fragment += ": ";
    fragment += convert_param_value(raw, param_key_, tool_->properties);
    emit_args(fragment, out);
}

// After `</function>`: expect `</tool_call>`; another `<function=` continues the same block.
bool OutputParser::step_after_function(bool final) {
    if (drop_leading_ws() > 0) return true;
    if (buf_.empty()) return false;
    if (buf_.starts_with(kToolCallEnd)) {
        buf_.erase(0, kToolCallEnd.size());
        mode_ = Mode::AFTER_CALL;
        return true;
    }
    if (!final && (proper_prefix_of(buf_, kToolCallEnd) || proper_prefix_of(buf_, kFunction))) return false;
    if (buf_.starts_with(kFunction)) {
        mode_ = Mode::TOOL_OPEN;
        tentative_.clear();
        tentative_in_reasoning_ = false;
        return true;
    }
    warn("</function> not followed by </tool_call>");
    mode_ = Mode::CONTENT;
    return true;
}

// Whitespace right after `</tool_call>` is dropped (api.md 8.4 "Streaming").
bool OutputParser::step_after_call() {
    std::size_t ws = drop_leading_ws();
    if (buf_.empty()) return ws > 0;
    mode_ = Mode::CONTENT;
    return true;
}

ParsedMessage parse_output(std::string_view text, const OutputParserOptions& options, ReasoningPhase initial,
                           std::vector<std::string>* warnings) {
    OutputParser parser(options, std::make_shared<ReasoningState>(initial));
    ParsedMessage msg;
    msg.apply(parser.feed(text));
    msg.apply(parser.finish());
    if (warnings) *warnings = parser.warnings();
    return msg;
}

}  // namespace hy::chat
