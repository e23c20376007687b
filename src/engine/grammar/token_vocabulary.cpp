#include "engine/grammar/token_vocabulary.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "engine/grammar/utf8_ranges.h"

namespace hy::grammar {

namespace {
std::atomic<uint64_t> next_vocab_id{1};
constexpr size_t kMaxTokenBytes = 65535;  // depth is 16 bits
}  // namespace

TokenVocabulary::TokenVocabulary(std::vector<std::string> token_bytes,
                                 const std::vector<uint32_t>& special_ids,
                                 const std::vector<uint32_t>& eos_ids)
    : bytes_(std::move(token_bytes)), id_(next_vocab_id++) {
    special_.assign(bytes_.size(), 0);
    eos_flag_.assign(bytes_.size(), 0);
    for (uint32_t id : special_ids) {
        if (id >= bytes_.size())
            throw Error("token vocabulary: special token id " + std::to_string(id) + " out of range");
        special_[id] = 1;
    }
    for (uint32_t id : eos_ids) {
        if (id >= bytes_.size())
            throw Error("token vocabulary: EOS token id " + std::to_string(id) + " out of range");
        special_[id] = 1;
        if (!eos_flag_[id]) eos_.push_back(id);
        eos_flag_[id] = 1;
    }
    build_trie();
}

void TokenVocabulary::build_trie() {
    std::vector<uint32_t> ids;
    for (uint32_t id = 0; id < bytes_.size(); ++id) {
        if (special_[id] || bytes_[id].empty()) continue;
        if (bytes_[id].size() > kMaxTokenBytes)
            throw Error("token vocabulary: token " + std::to_string(id) + " is too long");
        ids.push_back(id);
        max_len_ = std::max(max_len_, bytes_[id].size());
    }
    std::stable_sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return bytes_[a] < bytes_[b]; });
    trie_tokens_ = ids;
    std::vector<uint32_t> path;  // path[d] = node index at depth d + 1
    const std::string* prev = nullptr;
    auto close_to = [&](size_t depth) {
        while (path.size() > depth) {
            trie_[path.back()].subtree_end = static_cast<uint32_t>(trie_.size());
            path.pop_back();
        }
    };
    for (uint32_t i = 0; i < ids.size(); ++i) {
        const std::string& s = bytes_[ids[i]];
        size_t lcp = 0;
        if (prev) {
            size_t n = std::min(prev->size(), s.size());
            while (lcp < n && (*prev)[lcp] == s[lcp]) ++lcp;
        }
        close_to(lcp);
        for (size_t d = lcp; d < s.size(); ++d) {
            uint32_t parent = path.empty() ? UINT32_MAX : path.back();
            path.push_back(static_cast<uint32_t>(trie_.size()));
            trie_.push_back({static_cast<uint8_t>(s[d]), static_cast<uint16_t>(d + 1), 0, i, i, parent});
        }
        // Identical byte strings share the node; sorted order keeps their ids contiguous.
        TrieNode& node = trie_[path.back()];
        if (node.token_end != i) node.token_begin = i;
        node.token_end = i + 1;
        prev = &s;
    }
    close_to(0);
}

namespace {

// GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest to U+0100 onwards.
std::vector<int> unicode_to_byte_table() {
    std::vector<int> table(0x200, -1);
    uint32_t n = 0;
    for (uint32_t b = 0; b < 256; ++b) {
        bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        uint32_t cp = printable ? b : 0x100 + n++;
        table[cp] = static_cast<int>(b);
    }
    return table;
}

bool decode_byte_level(const std::string& token, const std::vector<int>& table, std::string& out) {
    out.clear();
    for (size_t i = 0; i < token.size();) {
        unsigned char c = static_cast<unsigned char>(token[i]);
        uint32_t cp;
        size_t n;
        if (c < 0x80) {
            cp = c, n = 1;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < token.size()) {
            cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(token[i + 1]) & 0x3Fu), n = 2;
        } else {
            return false;
        }
        if (cp >= table.size() || table[cp] < 0) return false;
        out += static_cast<char>(table[cp]);
        i += n;
    }
    return true;
}

}  // namespace

std::shared_ptr<TokenVocabulary> TokenVocabulary::from_hf_tokenizer_json(
    const std::string& path, const std::vector<std::string>& eos_tokens) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw file_error(path, "cannot open");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw file_error(path, std::string("invalid JSON: ") + e.what());
    }
    const auto* vocab = j.contains("model") && j["model"].is_object() && j["model"].contains("vocab")
                            ? &j["model"]["vocab"]
                            : nullptr;
    if (!vocab || !vocab->is_object()) throw file_error(path, "model.vocab is missing or not an object");
    std::vector<std::string> bytes;
    std::vector<std::string> pieces;
    auto put = [&](size_t id, std::string piece) {
        if (id > 10'000'000)
            throw file_error(path, "token id " + std::to_string(id) + " is implausibly large");
        if (pieces.size() <= id) pieces.resize(id + 1);
        pieces[id] = std::move(piece);
    };
    for (auto it = vocab->begin(); it != vocab->end(); ++it) {
        if (!it.value().is_number_unsigned())
            throw file_error(path, "model.vocab['" + it.key() + "'] is not an id");
        put(it.value().get<size_t>(), it.key());
    }
    const auto table = unicode_to_byte_table();
    bytes.resize(pieces.size());
    std::string decoded;
    for (size_t id = 0; id < pieces.size(); ++id) {
        if (!decode_byte_level(pieces[id], table, decoded))
            throw file_error(path, "model.vocab token " + std::to_string(id) + " is not byte-level encoded");
        bytes[id] = decoded;
    }
    std::vector<uint32_t> special, eos;
    if (j.contains("added_tokens") && j["added_tokens"].is_array()) {
        for (const auto& t : j["added_tokens"]) {
            if (!t.is_object() || !t.contains("id") || !t["id"].is_number_unsigned() ||
                !t.contains("content") || !t["content"].is_string())
                throw file_error(path, "added_tokens: an entry lacks id/content");
            size_t id = t["id"].get<size_t>();
            if (id > 10'000'000) throw file_error(path, "added token id is implausibly large");
            if (bytes.size() <= id) bytes.resize(id + 1);
            std::string content = t["content"].get<std::string>();
            bytes[id] = content;  // added tokens are not byte-level encoded
            bool is_special = t.value("special", false);
            if (is_special) special.push_back(static_cast<uint32_t>(id));
            if (std::find(eos_tokens.begin(), eos_tokens.end(), content) != eos_tokens.end())
                eos.push_back(static_cast<uint32_t>(id));
        }
    }
    return std::make_shared<TokenVocabulary>(std::move(bytes), special, eos);
}

}  // namespace hy::grammar
