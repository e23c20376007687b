#include "tokenizer/decoder.h"

#include "core/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/json_util.h"
#include "tokenizer/pattern.h"
#include "tokenizer/utf8.h"

namespace hy::tok {

namespace {

class ByteLevel : public Decoder {
  public:
    void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
        std::string bytes;
        for (const std::string& t : tokens) {
            size_t before = bytes.size();
            // A token with a character outside the alphabet (an added token) contributes its own bytes.
            if (!alphabet_to_bytes(t, bytes)) {
                bytes.resize(before);
                bytes += t;
            }
        }
        tokens.assign(1, raw ? std::move(bytes) : utf8_lossy(bytes));
    }
};

class Metaspace : public Decoder {
  public:
    Metaspace(std::string rep, bool prepend) : rep_(std::move(rep)), prepend_(prepend) {}
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        for (size_t i = 0; i < tokens.size(); ++i) {
            std::string t = Pattern::literal(rep_).replace_all(tokens[i], " ");
            // The space the pre-tokenizer prepended is dropped from the first token only.
            if (i == 0 && prepend_ && !t.empty() && t[0] == ' ') t.erase(0, 1);
            tokens[i] = std::move(t);
        }
    }

  private:
    std::string rep_;
    bool prepend_;
};

bool parse_byte_token(const std::string& t, uint8_t& b) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return false;
    auto hex = [](char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                      : -1;
    };
    int h = hex(t[3]), l = hex(t[4]);
    if (h < 0 || l < 0) return false;
    b = static_cast<uint8_t>(h * 16 + l);
    return true;
}

class ByteFallback : public Decoder {
  public:
    void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
        std::vector<std::string> out;
        std::string bytes;
        size_t n_bytes = 0;
        auto flush = [&] {
            if (n_bytes == 0) return;
            if (raw || utf8_valid_prefix(bytes) == bytes.size()) {
                out.push_back(bytes);
            } else {
                for (size_t k = 0; k < n_bytes; ++k) out.emplace_back("\xEF\xBF\xBD");
            }
            bytes.clear();
            n_bytes = 0;
        };
        for (std::string& t : tokens) {
            uint8_t b;
            if (parse_byte_token(t, b)) {
                bytes += static_cast<char>(b);
                ++n_bytes;
            } else {
                flush();
                out.push_back(std::move(t));
            }
        }
        flush();
        tokens = std::move(out);
    }
};

class Fuse : public Decoder {
  public:
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        std::string all;
        for (const auto& t : tokens) all += t;
        tokens.assign(1, std::move(all));
    }
};

class Strip : public Decoder {
  public:
    Strip(std::string content, size_t start, size_t stop)
        : content_(std::move(content)), start_(start), stop_(stop) {}
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        for (std::string& t : tokens) {
            size_t b = 0, e = t.size();
            for (size_t k = 0; k < start_ && t.compare(b, content_.size(), content_) == 0 && b < e; ++k)
                b += content_.size();
            for (size_t k = 0; k < stop_ && e >= b + content_.size() &&
                               t.compare(e - content_.size(), content_.size(), content_) == 0;
                 ++k)
                e -= content_.size();
            t = t.substr(b, e - b);
        }
    }

  private:
    std::string content_;
    size_t start_, stop_;
};

class Replace : public Decoder {
  public:
    Replace(Pattern p, std::string content) : pattern_(std::move(p)), content_(std::move(content)) {}
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        for (std::string& t : tokens) t = pattern_.replace_all(t, content_);
    }

  private:
    Pattern pattern_;
    std::string content_;
};

class Sequence : public Decoder {
  public:
    explicit Sequence(std::vector<std::unique_ptr<Decoder>> items) : items_(std::move(items)) {}
    void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
        for (const auto& d : items_) d->decode_chain(tokens, raw);
    }

  private:
    std::vector<std::unique_ptr<Decoder>> items_;
};

}  // namespace

std::unique_ptr<Decoder> make_byte_level_decoder() {
    return std::make_unique<ByteLevel>();
}

std::unique_ptr<Decoder> make_spm_decoder() {
    std::vector<std::unique_ptr<Decoder>> items;
    items.push_back(std::make_unique<Replace>(Pattern::literal("\xE2\x96\x81"), " "));
    items.push_back(std::make_unique<ByteFallback>());
    items.push_back(std::make_unique<Fuse>());
    items.push_back(std::make_unique<Strip>(" ", 1, 0));
    return std::make_unique<Sequence>(std::move(items));
}

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const std::string& where) {
    if (j.is_null()) return nullptr;
    const std::string type = json_type(j, where);
    if (type == "ByteLevel") return make_byte_level_decoder();
    if (type == "Metaspace") {
        bool prepend = true;
        if (j.contains("prepend_scheme"))
            prepend = json_string(j, "prepend_scheme", where, "always") != "never";
        else
            prepend = json_bool(j, "add_prefix_space", where, true);
        return std::make_unique<Metaspace>(json_string(j, "replacement", where, "\xE2\x96\x81"), prepend);
    }
    if (type == "ByteFallback") return std::make_unique<ByteFallback>();
    if (type == "Fuse") return std::make_unique<Fuse>();
    if (type == "Strip") {
        long long start = json_int(j, "start", where, 0), stop = json_int(j, "stop", where, 0);
        if (start < 0 || stop < 0) throw Error(where + ": start/stop must be >= 0");
        return std::make_unique<Strip>(json_string(j, "content", where, " "), static_cast<size_t>(start),
                                       static_cast<size_t>(stop));
    }
    if (type == "Replace")
        return std::make_unique<Replace>(Pattern(json_field(j, "pattern", where), where + ".pattern"),
                                         json_string(j, "content", where, ""));
    if (type == "Sequence")
        return std::make_unique<Sequence>(json_sequence<Decoder>(j, "decoders", where, make_decoder));
    throw Error(where + ": unsupported decoder type \"" + type + "\"");
}

}  // namespace hy::tok
