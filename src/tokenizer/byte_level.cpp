#include "tokenizer/byte_level.h"

#include "tokenizer/utf8.h"

namespace hy::tok {

namespace {

struct Tables {
    std::array<std::string, 256> enc;
    std::array<int16_t, 324> dec;  // code point -> byte, -1 if none (all alphabet code points < 324)
    Tables() {
        dec.fill(-1);
        int n = 0;
        for (int b = 0; b < 256; ++b) {
            // Printable Latin-1 bytes keep their code point; the others are shifted to 256 + n.
            bool keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char32_t cp = keep ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
            utf8_append(enc[b], cp);
            dec[cp] = static_cast<int16_t>(b);
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

const std::string& byte_to_unicode(uint8_t b) {
    return tables().enc[b];
}

void bytes_to_alphabet(std::string_view bytes, std::string& out) {
    const auto& t = tables();
    for (char c : bytes) out += t.enc[static_cast<uint8_t>(c)];
}

std::string bytes_to_alphabet(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    bytes_to_alphabet(bytes, out);
    return out;
}

bool alphabet_to_bytes(std::string_view text, std::string& out) {
    const auto& t = tables();
    size_t i = 0;
    while (i < text.size()) {
        size_t len = 0;
        char32_t cp = utf8_decode(text, i, len);
        if (cp >= t.dec.size() || t.dec[cp] < 0) return false;
        out += static_cast<char>(t.dec[cp]);
        i += len;
    }
    return true;
}

}  // namespace hy::tok
