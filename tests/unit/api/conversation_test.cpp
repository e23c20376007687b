// The conversation runner on the tiny random-weight model (issues 8, 9): tool_choice named gives one
// call whose arguments satisfy the schema, the thinking budget bounds the reasoning, enable_thinking
// false gives no reasoning, and the events of a run fold to the same message for every choice seed.
#include "api/conversation.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include <unistd.h>

#include "core/thread_pool.h"
#include "model/forward.h"

namespace hy::api {
namespace {

struct Tiny {
    ModelWeights weights;
    std::shared_ptr<const tok::Tokenizer> tokenizer;
    std::shared_ptr<const chat::ChatTemplate> tmpl;
};

// One model directory per process (ctest runs tests in parallel); weights are mapped, so the
// directory can go once everything is loaded.
const Tiny& tiny() {
    static const Tiny t = [] {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("hyserve-conversation-test-" + std::to_string(::getpid()));
        const std::string cmd =
            std::string(HYSERVE_BINARY) + " make-test-model " + dir.string() + " --preset tiny > /dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("make-test-model failed");
        Tiny x{load_model(dir.string()), tok::Tokenizer::from_file(dir.string()),
               std::make_shared<chat::ChatTemplate>(chat::load_template_from_dir(dir.string()))};
        std::filesystem::remove_all(dir);
        return x;
    }();
    return t;
}

struct Served {
    ThreadPool pool{2};
    Engine engine{tiny().weights, pool};
    ServingContext ctx;
    Served() {
        ctx.engine = &engine;
        ctx.tokenizer = tiny().tokenizer;
        ctx.chat_template = tiny().tmpl;
        ctx.served_names = {"tiny"};
        ctx.max_model_len = 4096;
        ctx.vocab_size = static_cast<int64_t>(ctx.tokenizer->vocab_size());
        ctx.eos_token_ids = {ctx.tokenizer->eos_id()};
    }
};

Conversation ask(bool thinking) {
    Conversation c;
    c.chat.messages = nlohmann::ordered_json::array({{{"role", "user"}, {"content", "Weather in Paris?"}}});
    c.chat.template_kwargs = {{"enable_thinking", thinking}};
    c.sampling.params.temperature = 1.0;
    c.sampling.max_tokens = 120;
    return c;
}

struct Folded {
    chat::ParsedMessage msg;
    FinishReason finish = FinishReason::NONE;
    int64_t reasoning_tokens = 0, completion_tokens = 0;
};

Folded run(Served& s, Conversation c) {
    auto prepared = prepare_conversation(s.ctx, std::move(c));
    Folded f;
    run_conversation(
        s.ctx, *prepared,
        [&](const ChoiceEvent& ev) {
            f.msg.apply(ev.deltas);
            if (ev.finish != FinishReason::NONE) f.finish = ev.finish;
            f.reasoning_tokens = ev.reasoning_tokens;
            f.completion_tokens = ev.completion_tokens;
            return true;
        },
        [] { return false; });
    return f;
}

TEST(Conversation, NamedToolChoiceGivesASchemaValidCall) {
    Served s;
    for (uint64_t seed : {1, 2, 3}) {
        Conversation c = ask(false);
        c.chat.tools = nlohmann::ordered_json::parse(R"([{"type":"function","function":{"name":"get_weather",
            "parameters":{"type":"object","properties":{"days":{"type":"integer","minimum":1,"maximum":9},
            "unit":{"enum":["c","f"]}},"required":["days","unit"],"additionalProperties":false}}}])");
        c.tool_choice = {ToolChoiceMode::NAMED, "get_weather"};
        c.sampling.params.seed = seed;
        Folded f = run(s, std::move(c));
        ASSERT_EQ(f.msg.tool_calls.size(), 1u) << seed;
        EXPECT_EQ(f.msg.tool_calls[0].name, "get_weather");
        auto args = nlohmann::json::parse(f.msg.tool_calls[0].arguments_json);
        ASSERT_TRUE(args["days"].is_number_integer()) << args;
        EXPECT_GE(args["days"].get<int>(), 1);
        EXPECT_LE(args["days"].get<int>(), 9);
        EXPECT_TRUE(args["unit"] == "c" || args["unit"] == "f") << args;
        EXPECT_EQ(args.size(), 2u);
        EXPECT_EQ(f.finish, FinishReason::STOP);
        EXPECT_EQ(f.msg.content, "");
    }
}

TEST(Conversation, ThinkingBudgetBoundsReasoningThenAnswers) {
    Served s;
    for (int64_t budget : {0, 4}) {
        Conversation c = ask(true);
        c.thinking_budget = budget;
        c.sampling.params.ignore_eos = true;
        c.sampling.max_tokens = 30;
        c.sampling.params.seed = 5;
        Folded f = run(s, std::move(c));
        EXPECT_LE(f.reasoning_tokens, budget);
        EXPECT_EQ(f.completion_tokens, 30);  // the forced </think> counts toward max_tokens
        EXPECT_FALSE(f.msg.content.empty());
    }
}

TEST(Conversation, ThinkingOffGivesNoReasoning) {
    Served s;
    Conversation c = ask(false);
    c.sampling.params.temperature = 0.0;
    c.sampling.max_tokens = 20;
    Folded f = run(s, std::move(c));
    EXPECT_EQ(f.msg.reasoning, "");
    EXPECT_EQ(f.reasoning_tokens, 0);
}

TEST(Conversation, AutoToolChoiceNeedsTheParser) {
    Served s;
    s.ctx.tool_call_parser = "none";
    s.ctx.reasoning_parser = "none";
    Conversation c = ask(false);
    c.chat.tools = nlohmann::ordered_json::parse(R"([{"type":"function","function":{"name":"f"}}])");
    c.tool_choice = {ToolChoiceMode::AUTO, ""};
    try {
        prepare_conversation(s.ctx, std::move(c));
        FAIL() << "expected a 400";
    } catch (const Error& e) {
        EXPECT_EQ(e.http_status, 400);
    }
}

}  // namespace
}  // namespace hy::api
