#include "tokenizer/stream_decoder.h"

#include "tokenizer/utf8.h"

namespace hy::tok {

namespace {

// Length of `s` without a trailing sequence that is a valid but unfinished UTF-8 character.
size_t complete_prefix(std::string_view s) {
    size_t n = s.size();
    for (size_t back = 1; back <= 3 && back <= n; ++back) {
        auto c = static_cast<unsigned char>(s[n - back]);
        if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
        int want = utf8_lead_length(c);
        if (want > static_cast<int>(back)) {
            // Held back only if what we have could still become valid.
            std::string_view tail = s.substr(n - back);
            if (utf8_valid_prefix(tail) == 0) {
                std::string probe(tail);
                // Pad with the smallest continuation bytes that keep the sequence valid to test it.
                for (int k = static_cast<int>(back); k < want; ++k) probe += '\x80';
                if (utf8_valid_prefix(probe) == probe.size()) return n - back;
                probe.assign(tail);
                for (int k = static_cast<int>(back); k < want; ++k) probe += '\xBF';
                if (utf8_valid_prefix(probe) == probe.size()) return n - back;
            }
        }
        break;
    }
    return n;
}

}  // namespace

StreamDecoder::StreamDecoder(std::shared_ptr<const Tokenizer> tokenizer, bool skip_special_tokens)
    : tok_(std::move(tokenizer)), skip_special_(skip_special_tokens) {}

std::string StreamDecoder::push(int32_t id) {
    ids_.push_back(id);
    std::vector<int32_t> ctx(ids_.begin() + static_cast<std::ptrdiff_t>(prefix_),
                             ids_.begin() + static_cast<std::ptrdiff_t>(read_));
    std::vector<int32_t> all(ids_.begin() + static_cast<std::ptrdiff_t>(prefix_), ids_.end());
    std::string before = tok_->decode_bytes(ctx, skip_special_);
    std::string now = tok_->decode_bytes(all, skip_special_);
    if (now.size() < before.size() || now.compare(0, before.size(), before) != 0) return {};  // wait for more
    std::string_view pending = std::string_view(now).substr(before.size());
    // Ids that decode to nothing (skipped special tokens) stay in the window: as context alone they
    // would lose the separators decoders put between tokens.
    if (pending.empty()) return {};
    size_t cut = complete_prefix(pending);
    std::string out;
    if (cut > sent_) out = utf8_lossy(pending.substr(sent_, cut - sent_));
    if (cut == pending.size()) {
        // Everything decoded so far is final: the newest ids become the context of the next step.
        prefix_ = read_;
        read_ = ids_.size();
        sent_ = 0;
    } else if (cut > sent_) {
        sent_ = cut;
    }
    return out;
}

std::string StreamDecoder::flush() {
    std::vector<int32_t> ctx(ids_.begin() + static_cast<std::ptrdiff_t>(prefix_),
                             ids_.begin() + static_cast<std::ptrdiff_t>(read_));
    std::vector<int32_t> all(ids_.begin() + static_cast<std::ptrdiff_t>(prefix_), ids_.end());
    std::string before = tok_->decode_bytes(ctx, skip_special_);
    std::string now = tok_->decode_bytes(all, skip_special_);
    std::string out;
    if (now.size() >= before.size() + sent_ && now.compare(0, before.size(), before) == 0)
        out = utf8_lossy(std::string_view(now).substr(before.size() + sent_));
    prefix_ = read_ = ids_.size();
    sent_ = 0;
    return out;
}

}  // namespace hy::tok
