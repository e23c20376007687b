#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "tokenizer/utf8.h"

namespace hy::tok {

void Tokenizer::set_added_tokens(std::vector<AddedToken> tokens) {
    added_ = std::move(tokens);
    added_by_id_.clear();
    added_by_text_.clear();
    std::vector<std::string> raw_pat, norm_pat;
    std::vector<const AddedToken*> raw_tok, norm_tok;
    for (size_t i = 0; i < added_.size(); ++i) {
        const AddedToken& t = added_[i];
        added_by_id_.emplace(t.id, i);
        added_by_text_.emplace(t.content, t.id);
        vocab_size_ = std::max(vocab_size_, static_cast<size_t>(t.id) + 1);
        if (t.normalized && normalizer_) {
            std::string s = t.content;
            normalizer_->normalize(s);
            norm_pat.push_back(std::move(s));
            norm_tok.push_back(&t);
        } else if (t.normalized) {
            norm_pat.push_back(t.content);
            norm_tok.push_back(&t);
        } else {
            raw_pat.push_back(t.content);
            raw_tok.push_back(&t);
        }
    }
    raw_matcher_.build(raw_pat, raw_tok);
    normalized_matcher_.build(norm_pat, norm_tok);
}

void Tokenizer::encode_piece(std::string&& text, bool at_origin, std::vector<int32_t>& ids) const {
    std::vector<Piece> pieces;
    pieces.push_back({std::move(text), at_origin});
    if (pre_tokenizer_) pre_tokenizer_->apply(pieces);
    for (const Piece& p : pieces) model_->tokenize(p.text, ids);
}

std::vector<int32_t> Tokenizer::encode(std::string_view input, bool add_special_tokens) const {
    // Rust strings are valid UTF-8: clients' malformed bytes become U+FFFD before anything else.
    std::string owned;
    if (utf8_valid_prefix(input) != input.size()) {
        owned = utf8_lossy(input);
        input = owned;
    }
    std::vector<int32_t> ids;
    std::vector<TokenMatcher::Split> outer, inner;
    raw_matcher_.split(input, outer);
    for (const auto& s : outer) {
        if (s.token) {
            ids.push_back(s.token->id);
            continue;
        }
        std::string seg(input.substr(s.begin, s.end - s.begin));
        const bool at_origin = s.begin == 0;
        if (normalizer_) normalizer_->normalize(seg);
        if (seg.empty()) continue;
        if (normalized_matcher_.empty()) {
            encode_piece(std::move(seg), at_origin, ids);
            continue;
        }
        inner.clear();
        normalized_matcher_.split(seg, inner);
        for (const auto& t : inner) {
            if (t.token)
                ids.push_back(t.token->id);
            else
                encode_piece(seg.substr(t.begin, t.end - t.begin), at_origin && t.begin == 0, ids);
        }
    }
    if (add_special_tokens && post_) post_->process(ids);
    return ids;
}

std::string Tokenizer::decode_impl(const std::vector<int32_t>& ids, bool skip_special, bool raw) const {
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int32_t id : ids) {
        if (auto it = added_by_id_.find(id); it != added_by_id_.end()) {
            if (skip_special && added_[it->second].special) continue;
            tokens.push_back(added_[it->second].content);
        } else if (const std::string* t = model_->id_to_token(id)) {
            tokens.push_back(*t);
        }
    }
    std::string out;
    if (decoder_) {
        decoder_->decode_chain(tokens, raw);
        for (const auto& t : tokens) out += t;
    } else {
        for (size_t i = 0; i < tokens.size(); ++i) {
            if (i) out += ' ';
            out += tokens[i];
        }
    }
    return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
    return decode_impl(ids, skip_special_tokens, false);
}

std::string Tokenizer::decode_bytes(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
    return decode_impl(ids, skip_special_tokens, true);
}

int32_t Tokenizer::token_to_id(std::string_view token) const {
    if (auto it = added_by_text_.find(token); it != added_by_text_.end()) return it->second;
    return model_->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(int32_t id) const {
    if (auto it = added_by_id_.find(id); it != added_by_id_.end()) return added_[it->second].content;
    if (const std::string* t = model_->id_to_token(id)) return *t;
    return std::nullopt;
}

bool Tokenizer::is_special(int32_t id) const {
    auto it = added_by_id_.find(id);
    return it != added_by_id_.end() && added_[it->second].special;
}

std::string Tokenizer::bos_token() const {
    return bos_id_ >= 0 ? id_to_token(bos_id_).value_or("") : "";
}
std::string Tokenizer::eos_token() const {
    return eos_id_ >= 0 ? id_to_token(eos_id_).value_or("") : "";
}

std::string Tokenizer::chat_template() const {
    auto it = config_.find("chat_template");
    if (it != config_.end() && it->is_string()) return it->get<std::string>();
    return {};
}

}  // namespace hy::tok
