#include "tokenizer/normalizer.h"

#include <vector>

#include "core/error.h"
#include "tokenizer/json_util.h"
#include "tokenizer/pattern.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace hy::tok {

namespace {

class UnicodeNorm : public Normalizer {
  public:
    explicit UnicodeNorm(NormalForm f) : form_(f) {}
    void normalize(std::string& t) const override { t = unicode_normalize(t, form_); }

  private:
    NormalForm form_;
};

class Lowercase : public Normalizer {
  public:
    void normalize(std::string& t) const override { t = unicode_lowercase(t); }
};

class Replace : public Normalizer {
  public:
    Replace(Pattern p, std::string content) : pattern_(std::move(p)), content_(std::move(content)) {}
    void normalize(std::string& t) const override { t = pattern_.replace_all(t, content_); }

  private:
    Pattern pattern_;
    std::string content_;
};

class Prepend : public Normalizer {
  public:
    explicit Prepend(std::string p) : prepend_(std::move(p)) {}
    void normalize(std::string& t) const override {
        if (!t.empty()) prepend(t, prepend_);  // HF prepends only to non-empty text
    }

  private:
    std::string prepend_;
};

class Strip : public Normalizer {
  public:
    Strip(bool l, bool r) : left_(l), right_(r) {}
    void normalize(std::string& t) const override {
        size_t b = 0, e = t.size();
        if (left_) {
            while (b < e) {
                size_t len = 0;
                char32_t cp = utf8_decode(t, b, len);
                if (!is_unicode_whitespace(cp)) break;
                b += len;
            }
        }
        if (right_) {
            while (e > b) {
                size_t s = e - 1;
                while (s > b && (static_cast<unsigned char>(t[s]) & 0xC0) == 0x80) --s;
                size_t len = 0;
                char32_t cp = utf8_decode(t, s, len);
                if (!is_unicode_whitespace(cp)) break;
                e = s;
            }
        }
        t = t.substr(b, e - b);
    }

  private:
    bool left_, right_;
};

class Sequence : public Normalizer {
  public:
    explicit Sequence(std::vector<std::unique_ptr<Normalizer>> n) : items_(std::move(n)) {}
    void normalize(std::string& t) const override {
        for (const auto& n : items_) n->normalize(t);
    }

  private:
    std::vector<std::unique_ptr<Normalizer>> items_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& where) {
    if (j.is_null()) return nullptr;
    const std::string type = json_type(j, where);
    if (type == "NFC") return std::make_unique<UnicodeNorm>(NormalForm::NFC);
    if (type == "NFD") return std::make_unique<UnicodeNorm>(NormalForm::NFD);
    if (type == "NFKC") return std::make_unique<UnicodeNorm>(NormalForm::NFKC);
    if (type == "NFKD") return std::make_unique<UnicodeNorm>(NormalForm::NFKD);
    if (type == "Lowercase") return std::make_unique<Lowercase>();
    if (type == "Replace")
        return std::make_unique<Replace>(Pattern(json_field(j, "pattern", where), where + ".pattern"),
                                         json_string(j, "content", where, ""));
    if (type == "Prepend") return std::make_unique<Prepend>(json_string(j, "prepend", where, ""));
    if (type == "Strip")
        return std::make_unique<Strip>(json_bool(j, "strip_left", where, true),
                                       json_bool(j, "strip_right", where, true));
    if (type == "Sequence")
        return std::make_unique<Sequence>(
            json_sequence<Normalizer>(j, "normalizers", where, make_normalizer));
    throw Error(where + ": unsupported normalizer type \"" + type + "\"");
}

}  // namespace hy::tok
