// Every case of tests/data/chat/jinja_cases.json rendered by the C++ engine must equal what Python
// Jinja2 with Hugging Face's environment printed (the `expected` strings were produced by
// tools/jinja_oracle.py and are committed, so this test needs no Python); cases whose Jinja2
// rendering failed must fail here too.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "chat/jinja/template.h"

namespace {

nlohmann::ordered_json load_cases() {
    std::ifstream f(std::string(HYSERVE_TEST_DATA_DIR) + "/chat/jinja_cases.json");
    return nlohmann::ordered_json::parse(f);
}

TEST(JinjaCases, MatchPythonJinja2) {
    auto cases = load_cases();
    ASSERT_GT(cases.size(), 300u);
    int failures = 0;
    for (const auto& c : cases) {
        std::string name = c.value("name", "?");
        std::string got;
        std::string error;
        try {
            got = hy::jinja::Template(c["template"].get<std::string>()).render(c["vars"]);
        } catch (const hy::Error& e) {
            error = e.what();
        }
        if (c.contains("error")) {
            EXPECT_FALSE(error.empty())
                << name << ": Jinja2 failed (" << c["error"] << ") but we rendered " << got;
            failures += error.empty();
        } else {
            EXPECT_EQ(error, "") << name;
            EXPECT_EQ(got, c["expected"].get<std::string>()) << name << "\n  template: " << c["template"];
            failures += !error.empty() || got != c["expected"].get<std::string>();
        }
    }
    EXPECT_EQ(failures, 0);
}

}  // namespace
