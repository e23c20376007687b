#include "api/sampling_fields.h"

#include <gtest/gtest.h>

namespace hy::api {
namespace {

ServingContext context() {
    ServingContext c;
    c.served_names = {"m", "alias"};
    c.max_model_len = 100;
    return c;
}

SamplingFields read(const char* body, bool chat = true) {
    ServingContext c = context();
    return read_sampling_fields(Json::parse(body), c, chat);
}

int status_of(const char* body, bool chat = true) {
    try {
        read(body, chat);
    } catch (const Error& e) {
        return e.http_status;
    }
    return 200;
}

TEST(SamplingFields, DefaultsAndGenerationConfig) {
    ServingContext c = context();
    c.defaults.temperature = 0.6;
    c.defaults.top_p = 0.95;
    SamplingFields f = read_sampling_fields(Json::parse(R"({"top_p": null})"), c, true);
    EXPECT_DOUBLE_EQ(f.params.temperature, 0.6);
    EXPECT_DOUBLE_EQ(f.params.top_p, 0.95);
    EXPECT_EQ(f.n, 1);
    EXPECT_FALSE(f.max_tokens);
}

TEST(SamplingFields, GreedyTurnsCutsOff) {
    SamplingFields f = read(R"({"temperature": 0, "top_p": 0.5, "top_k": 3})");
    EXPECT_DOUBLE_EQ(f.params.top_p, 1.0);
    EXPECT_EQ(f.params.top_k, 0);
}

TEST(SamplingFields, RangeChecks) {
    EXPECT_EQ(status_of(R"({"temperature": -0.5})"), 400);
    EXPECT_EQ(status_of(R"({"top_p": 0})"), 400);
    EXPECT_EQ(status_of(R"({"top_k": -2})"), 400);
    EXPECT_EQ(status_of(R"({"top_k": -1})"), 200);
    EXPECT_EQ(status_of(R"({"min_p": 1.5})"), 400);
    EXPECT_EQ(status_of(R"({"presence_penalty": 2.5})"), 400);
    EXPECT_EQ(status_of(R"({"repetition_penalty": 0})"), 400);
    EXPECT_EQ(status_of(R"({"n": 0})"), 400);
    EXPECT_EQ(status_of(R"({"n": 2, "temperature": 0})"), 400);
    EXPECT_EQ(status_of(R"({"max_tokens": 0})"), 400);
    EXPECT_EQ(status_of(R"({"max_tokens": 0})", false), 200);
    EXPECT_EQ(status_of(R"({"max_tokens": "5"})"), 400);
    EXPECT_EQ(status_of(R"({"max_tokens": 5.0})"), 200);
    EXPECT_EQ(status_of(R"({"max_tokens": 5.5})"), 400);
    EXPECT_EQ(status_of(R"({"stop": [""]})"), 400);
    EXPECT_EQ(status_of(R"({"stream_options": {"include_usage": true}})"), 400);
    EXPECT_EQ(status_of(R"({"stream": true, "stream_options": {"include_usage": true}})"), 200);
    EXPECT_EQ(status_of(R"({"top_logprobs": 3})"), 400);
    EXPECT_EQ(status_of(R"({"logprobs": true, "top_logprobs": 21})"), 400);
    EXPECT_EQ(status_of(R"({"logprobs": 3})", false), 200);
    EXPECT_EQ(status_of(R"({"min_tokens": 3, "max_tokens": 2})"), 400);
}

TEST(SamplingFields, PriorityNeedsThePriorityPolicy) {
    EXPECT_EQ(status_of(R"({"priority": 0})"), 200);
    try {
        read(R"({"priority": 3})");
        ADD_FAILURE() << "a nonzero priority under FCFS should be refused";
    } catch (const Error& e) {
        EXPECT_EQ(e.http_status, 400);
        EXPECT_STREQ(e.what(), "Got priority 3 but Priority scheduling is not enabled.");
    }
    ServingContext c = context();
    c.priority_scheduling = true;
    EXPECT_EQ(read_sampling_fields(Json::parse(R"({"priority": -2})"), c, true).priority, -2);
}

TEST(SamplingFields, MaxCompletionTokensWins) {
    SamplingFields f = read(R"({"max_completion_tokens": 7, "max_tokens": 9})");
    EXPECT_EQ(f.max_tokens, 7);
}

TEST(SamplingFields, ContextChecksGiveTokenCounts) {
    ServingContext c = context();
    SamplingFields f = read(R"({"max_tokens": 30})");
    try {
        finish_max_tokens(f, 80, c, true);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(
            std::string(e.what()),
            "This model's maximum context length is 100 tokens. However, you requested 30 output tokens and "
            "your prompt contains 80 input tokens, for a total of 110 tokens. Please reduce the length of "
            "the "
            "input prompt or the number of requested output tokens.");
    }
    SamplingFields g = read("{}");
    finish_max_tokens(g, 80, c, true);
    EXPECT_EQ(g.params.max_tokens, 20);  // rest of the context
    SamplingFields h = read("{}", false);
    finish_max_tokens(h, 10, c, false);
    EXPECT_EQ(h.params.max_tokens, 16);  // completions default
    EXPECT_THROW(finish_max_tokens(h, 100, c, false), Error);
}

// vLLM's [ext] prompt and token filters, with vLLM's messages for what cannot work.
TEST(SamplingFields, TruncationAndAllowedTokenIds) {
    SamplingFields f = read(R"({"truncate_prompt_tokens": 3, "allowed_token_ids": [5, 2, 5]})");
    EXPECT_EQ(f.params.allowed_token_ids, (std::vector<int32_t>{2, 5}));
    std::vector<int32_t> prompt = {1, 2, 3, 4, 5};
    EXPECT_EQ(truncate_prompt(prompt, f), 2u);
    EXPECT_EQ(prompt, (std::vector<int32_t>{3, 4, 5}));  // the last tokens are kept
    std::vector<int32_t> short_prompt = {9};
    EXPECT_EQ(truncate_prompt(short_prompt, f), 0u);
    EXPECT_EQ(read(R"({"truncate_prompt_tokens": -1})").truncate_prompt_tokens, 100);  // max_model_len
    EXPECT_EQ(status_of(R"({"truncate_prompt_tokens": 101})"), 400);
    EXPECT_EQ(status_of(R"({"truncate_prompt_tokens": -2})"), 400);
    EXPECT_EQ(status_of(R"({"allowed_token_ids": []})"), 400);
    EXPECT_EQ(status_of(R"({"allowed_token_ids": [-1]})"), 400);
    EXPECT_EQ(status_of(R"({"allowed_token_ids": "5"})"), 400);
    EXPECT_EQ(status_of(R"({"bad_words": 5})"), 400);
    EXPECT_FALSE(read("{}").add_special_tokens.has_value());
    EXPECT_EQ(read(R"({"add_special_tokens": true})").add_special_tokens, true);
}

TEST(SamplingFields, ModelNames) {
    ServingContext c = context();
    EXPECT_NO_THROW(check_model(Json::parse(R"({"model": "alias"})"), c));
    EXPECT_NO_THROW(check_model(Json::parse(R"({"model": ""})"), c));
    try {
        check_model(Json::parse(R"({"model": "x"})"), c);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.http_status, 404);
        EXPECT_EQ(std::string(e.what()), "The model `x` does not exist.");
    }
}

}  // namespace
}  // namespace hy::api
