// Stop strings over streamed text (spec/api.md §3.1): matched across token boundaries, text that could
// still become a stop string is held back, and the stop string itself is cut from the output unless
// include_stop_str_in_output.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hy::api {

class StopMatcher {
  public:
    StopMatcher(std::vector<std::string> stops, bool include_stop)
        : stops_(std::move(stops)), include_(include_stop) {}

    // Adds text; returns what may be emitted now. After a match, stopped() is true and later pushes
    // return nothing.
    std::string push(const std::string& text);
    // End of generation: the held-back text (it never became a stop string).
    std::string flush();

    bool stopped() const { return matched_.has_value(); }
    const std::optional<std::string>& matched() const { return matched_; }

  private:
    std::vector<std::string> stops_;
    bool include_;
    std::string held_;
    std::optional<std::string> matched_;
};

}  // namespace hy::api
