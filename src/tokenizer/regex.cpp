#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/regex.h"

#include <pcre2.h>

#include "core/error.h"

namespace hy::tok {

struct Regex::Impl {
    pcre2_code* code = nullptr;
    bool jit = false;
    // Match data and the JIT stack are per thread: one Regex is shared by every request that tokenizes.
    struct Scratch {
        pcre2_match_data* md = nullptr;
        pcre2_match_context* mctx = nullptr;
        pcre2_jit_stack* stack = nullptr;
        Scratch() {
            md = pcre2_match_data_create(64, nullptr);
            mctx = pcre2_match_context_create(nullptr);
            // Long whitespace runs under patterns like `\s+(?!\S)` need more than the 32 KB default.
            stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
            if (mctx && stack) pcre2_jit_stack_assign(mctx, nullptr, stack);
        }
        ~Scratch() {
            if (stack) pcre2_jit_stack_free(stack);
            if (mctx) pcre2_match_context_free(mctx);
            if (md) pcre2_match_data_free(md);
        }
    };
    static Scratch& scratch() {
        thread_local Scratch s;
        return s;
    }
};

Regex::Regex(const std::string& pattern, const std::string& what) : pattern_(pattern), impl_(new Impl) {
    int err = 0;
    PCRE2_SIZE off = 0;
    impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &off, nullptr);
    if (!impl_->code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        throw Error(what + ": cannot compile regex at offset " + std::to_string(off) + ": " +
                    reinterpret_cast<const char*>(buf));
    }
    impl_->jit = pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() {
    if (impl_ && impl_->code) pcre2_code_free(impl_->code);
}

void Regex::find_all(std::string_view text, std::vector<std::pair<size_t, size_t>>& out) const {
    Impl::Scratch& sc = Impl::scratch();
    if (!sc.md || !sc.mctx) throw Error("regex: out of memory");
    pcre2_match_data* md = sc.md;
    auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t pos = 0;
    while (pos <= text.size()) {
        int rc = impl_->jit ? pcre2_jit_match(impl_->code, subject, text.size(), pos, 0, md, sc.mctx)
                            : PCRE2_ERROR_JIT_STACKLIMIT;
        // The interpreter keeps its backtracking on the heap: the fallback when JIT is absent or runs out.
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
            rc = pcre2_match(impl_->code, subject, text.size(), pos, 0, md, sc.mctx);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) throw Error("regex match failed (code " + std::to_string(rc) + ")");
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        size_t b = ov[0], e = ov[1];
        if (e > b) {
            out.emplace_back(b, e);
            pos = e;
        } else {
            // Empty match: like Oniguruma's find_iter (HF's engine), skip one character and go on.
            if (b >= text.size()) break;
            pos = b + 1;
            while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
        }
    }
}

}  // namespace hy::tok
