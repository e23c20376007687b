#include "tokenizer/post_processor.h"

#include "core/error.h"
#include "tokenizer/json_util.h"

namespace hy::tok {

namespace {

class Template : public PostProcessor {
  public:
    Template(std::vector<int32_t> prefix, std::vector<int32_t> suffix, bool has_seq)
        : prefix_(std::move(prefix)), suffix_(std::move(suffix)), has_seq_(has_seq) {}
    void process(std::vector<int32_t>& ids) const override {
        std::vector<int32_t> out = prefix_;
        if (has_seq_) out.insert(out.end(), ids.begin(), ids.end());
        out.insert(out.end(), suffix_.begin(), suffix_.end());
        ids = std::move(out);
    }

  private:
    std::vector<int32_t> prefix_, suffix_;
    bool has_seq_;
};

class Noop : public PostProcessor {
  public:
    void process(std::vector<int32_t>&) const override {}
};

class Sequence : public PostProcessor {
  public:
    explicit Sequence(std::vector<std::unique_ptr<PostProcessor>> items) : items_(std::move(items)) {}
    void process(std::vector<int32_t>& ids) const override {
        for (const auto& p : items_) p->process(ids);
    }

  private:
    std::vector<std::unique_ptr<PostProcessor>> items_;
};

// The ids a TemplateProcessing "SpecialToken" piece stands for, from its special_tokens map.
std::vector<int32_t> special_ids(const nlohmann::json& j, const std::string& name, const std::string& where) {
    const auto& map = json_field(j, "special_tokens", where);
    if (!map.is_object() || !map.contains(name))
        throw Error(where + ".special_tokens: no entry for \"" + name + "\"");
    const auto& ids = json_field(map[name], "ids", where + ".special_tokens." + name);
    if (!ids.is_array()) throw Error(where + ".special_tokens." + name + ".ids: expected an array");
    std::vector<int32_t> out;
    for (const auto& v : ids) {
        if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > INT32_MAX)
            throw Error(where + ".special_tokens." + name + ".ids: expected non-negative integers");
        out.push_back(v.get<int32_t>());
    }
    return out;
}

// A [CLS]/[SEP]-style pair ["token", id] of Bert/RobertaProcessing.
int32_t pair_id(const nlohmann::json& j, const char* key, const std::string& where) {
    const auto& p = json_field(j, key, where);
    if (!p.is_array() || p.size() != 2 || !p[1].is_number_integer())
        throw Error(where + "." + key + ": expected [\"token\", id]");
    return p[1].get<int32_t>();
}

}  // namespace

std::unique_ptr<PostProcessor> make_bos_eos_processor(int32_t bos, int32_t eos) {
    std::vector<int32_t> pre, post;
    if (bos >= 0) pre.push_back(bos);
    if (eos >= 0) post.push_back(eos);
    return std::make_unique<Template>(pre, post, true);
}

std::unique_ptr<PostProcessor> make_post_processor(const nlohmann::json& j, const std::string& where) {
    if (j.is_null()) return nullptr;
    const std::string type = json_type(j, where);
    if (type == "ByteLevel") return std::make_unique<Noop>();
    if (type == "TemplateProcessing") {
        const auto& single = json_field(j, "single", where);
        if (!single.is_array()) throw Error(where + ".single: expected an array");
        std::vector<int32_t> pre, post;
        bool seen_seq = false;
        for (size_t i = 0; i < single.size(); ++i) {
            const auto& piece = single[i];
            const std::string w = where + ".single[" + std::to_string(i) + "]";
            if (piece.is_object() && piece.contains("Sequence")) {
                if (seen_seq) throw Error(w + ": the single template may hold one sequence only");
                seen_seq = true;
            } else if (piece.is_object() && piece.contains("SpecialToken")) {
                std::string name = json_string(piece["SpecialToken"], "id", w, "");
                auto ids = special_ids(j, name, where);
                (seen_seq ? post : pre).insert((seen_seq ? post : pre).end(), ids.begin(), ids.end());
            } else {
                throw Error(w + ": expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
            }
        }
        return std::make_unique<Template>(pre, post, seen_seq);
    }
    if (type == "BertProcessing")
        return std::make_unique<Template>(std::vector<int32_t>{pair_id(j, "cls", where)},
                                          std::vector<int32_t>{pair_id(j, "sep", where)}, true);
    if (type == "RobertaProcessing")
        return std::make_unique<Template>(std::vector<int32_t>{pair_id(j, "cls", where)},
                                          std::vector<int32_t>{pair_id(j, "sep", where)}, true);
    if (type == "Sequence")
        return std::make_unique<Sequence>(
            json_sequence<PostProcessor>(j, "processors", where, make_post_processor));
    throw Error(where + ": unsupported post_processor type \"" + type + "\"");
}

}  // namespace hy::tok
