// bench-serve's reading of a streamed completion (issue 6): SSE events split out of the received
// bytes, and what each event carries found by looking at its keys, without building a JSON document
// per token. bench-serve runs on the machine it measures (2 cores here): a full parse of every chunk
// cost ~24 us per token of the client, CPU the server under test then lacks. Only an event with a
// usage object is parsed in full.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hy::cli {

// Feed received bytes; on_data(payload) runs for each `data: ` line of every complete event
// (events end with a blank line).
class SseSplitter {
  public:
    template <class F>
    void feed(const char* bytes, size_t n, F&& on_data) {
        buf_.append(bytes, n);
        size_t start = 0;
        for (size_t end; (end = buf_.find("\n\n", start)) != std::string::npos; start = end + 2) {
            std::string_view event(buf_.data() + start, end - start);
            while (!event.empty()) {
                const size_t nl = event.find('\n');
                const std::string_view line = event.substr(0, nl);
                if (line.substr(0, 6) == "data: ") on_data(line.substr(6));
                event = nl == std::string_view::npos ? std::string_view() : event.substr(nl + 1);
            }
        }
        buf_.erase(0, start);
    }

  private:
    std::string buf_;
};

struct EventShape {
    bool done = false;        // the `[DONE]` sentinel
    bool has_choice = false;  // "choices" holds at least one object: a streamed token
    bool has_usage = false;   // "usage" is an object (not null)
};

namespace detail {
// The first character of the value of top-level-looking key `"key"` (whitespace skipped), or 0.
inline char value_start(std::string_view json, std::string_view quoted_key) {
    size_t p = json.find(quoted_key);
    if (p == std::string_view::npos) return 0;
    p += quoted_key.size();
    auto skip_ws = [&] {
        while (p < json.size() && (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r'))
            ++p;
    };
    skip_ws();
    if (p >= json.size() || json[p] != ':') return 0;
    ++p;
    skip_ws();
    return p < json.size() ? json[p] : 0;
}
}  // namespace detail

// A key inside a JSON string value has its quotes escaped (\"choices\"), so the first `"choices"`
// of a chunk is its key.
inline EventShape event_shape(std::string_view data) {
    EventShape s;
    if (data == "[DONE]") {
        s.done = true;
        return s;
    }
    const size_t choices = data.find("\"choices\"");
    if (choices != std::string_view::npos && detail::value_start(data, "\"choices\"") == '[') {
        size_t p = data.find('[', choices) + 1;
        while (p < data.size() && (data[p] == ' ' || data[p] == '\t' || data[p] == '\n' || data[p] == '\r'))
            ++p;
        s.has_choice = p < data.size() && data[p] == '{';
    }
    s.has_usage = detail::value_start(data, "\"usage\"") == '{';
    return s;
}

}  // namespace hy::cli
