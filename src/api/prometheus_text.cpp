#include "api/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace hy::api {

namespace {

// Label values escape backslash, double quote and newline; HELP text only backslash and newline
// (exposition format spec).
std::string escape(const std::string& v, bool quote) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quote)
            out += "\\\"";
        else
            out += c;
    }
    return out;
}

std::string label_block(PromLabels labels) {
    if (labels.empty()) return {};
    std::sort(labels.begin(), labels.end());
    std::string out = "{";
    for (size_t i = 0; i < labels.size(); ++i) {
        if (i) out += ',';
        out += labels[i].first + "=\"" + escape(labels[i].second, true) + '"';
    }
    return out + '}';
}

}  // namespace

std::string prom_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    // Python's repr: integral values below 1e16 as "N.0", everything else shortest round-trip with
    // exponents written as e-05 / e+16.
    if (v == std::floor(v) && std::fabs(v) < 1e16) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", v);
        return buf;
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, end);
    const size_t e = s.find('e');
    if (e != std::string::npos) {
        std::string mant = s.substr(0, e), exp = s.substr(e + 1);
        const char sign = exp[0] == '-' ? '-' : '+';
        if (exp[0] == '-' || exp[0] == '+') exp.erase(0, 1);
        if (exp.size() < 2) exp.insert(0, "0");
        s = mant + 'e' + sign + exp;
    }
    return s;
}

void PromWriter::family(const std::string& name, const char* type, const std::string& help) {
    out_ += "# HELP " + name + ' ' + escape(help, false) + '\n';
    out_ += "# TYPE " + name + ' ' + type + '\n';
}

void PromWriter::sample(const std::string& name, const PromLabels& labels, double value) {
    out_ += name + label_block(labels) + ' ' + prom_number(value) + '\n';
}

void PromWriter::histogram(const std::string& name, const PromLabels& labels, const Histogram& h) {
    uint64_t below = 0;  // buckets are cumulative
    for (size_t i = 0; i <= h.bounds.size(); ++i) {
        below += i < h.counts.size() ? h.counts[i] : 0;
        PromLabels l = labels;
        l.emplace_back("le", i < h.bounds.size() ? prom_number(h.bounds[i]) : "+Inf");
        sample(name + "_bucket", l, static_cast<double>(below));
    }
    sample(name + "_count", labels, static_cast<double>(h.count));
    sample(name + "_sum", labels, h.sum);
}

}  // namespace hy::api
