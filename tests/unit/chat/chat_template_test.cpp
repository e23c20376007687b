// Chat rendering: request parsing, template selection from tokenizer_config.json, argument parsing
// of tool calls, continue_final_message, and the Nemotron 3 template of assets/ on a tool-calling
// conversation (expected text checked with Python Jinja2 when the fixture was written).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "chat/chat_template.h"
#include "core/assets.h"
#include "core/error.h"

namespace {

using hy::chat::ChatRequest;
using hy::chat::ChatTemplate;
using hy::chat::ChatTemplateSource;
using json = nlohmann::ordered_json;

ChatTemplate make(const std::string& text, std::string bos = "", std::string eos = "") {
    ChatTemplateSource s;
    s.text = text;
    s.bos_token = std::move(bos);
    s.eos_token = std::move(eos);
    s.origin = "test";
    return ChatTemplate(std::move(s));
}

TEST(ChatRequest, Defaults) {
    auto r = ChatRequest::from_json(json::parse(R"({"messages":[{"role":"user","content":"hi"}]})"));
    EXPECT_TRUE(r.add_generation_prompt);
    EXPECT_FALSE(r.continue_final_message);
    EXPECT_TRUE(r.tools.is_null());
    auto c = ChatRequest::from_json(json::parse(R"({"messages":[],"continue_final_message":true})"));
    EXPECT_FALSE(c.add_generation_prompt);
}

TEST(ChatRequest, RejectsBadFields) {
    EXPECT_THROW(ChatRequest::from_json(json::parse(R"({"messages":"x"})")), hy::Error);
    EXPECT_THROW(ChatRequest::from_json(json::parse(R"({"messages":[],"tools":{}})")), hy::Error);
    EXPECT_THROW(ChatRequest::from_json(json::parse(R"({"messages":[],"add_generation_prompt":1})")),
                 hy::Error);
    EXPECT_THROW(ChatRequest::from_json(json::parse(
                     R"({"messages":[],"add_generation_prompt":true,"continue_final_message":true})")),
                 hy::Error);
    try {
        ChatRequest::from_json(json::parse(R"({"messages":[],"chat_template_kwargs":[]})"));
        FAIL();
    } catch (const hy::Error& e) {
        EXPECT_EQ(e.param, "chat_template_kwargs");
    }
}

TEST(ChatTemplate, MessagesAreNormalisedForTemplates) {
    auto r = ChatRequest::from_json(json::parse(R"({"messages":[
        {"role":"user","content":[{"type":"text","text":"a"},{"type":"input_text","text":"b"},"c"]},
        {"role":"assistant","content":[{"type":"thinking","thinking":"t"},{"type":"output_text","text":"d"},
            {"type":"refusal","refusal":"no"}]},
        {"role":"assistant","content":null,"reasoning":"think","tool_calls":[
            {"type":"function","function":{"name":"f","arguments":"{\"x\": 1}"}},
            {"type":"function","function":{"name":"g","arguments":""}}]},
        {"role":"assistant","content":"e","tool_calls":[]}],
        "chat_template_kwargs":{"flag":"F"}})"));
    ChatTemplate with_tokens = make(
        "{% for m in messages %}{{ m.role }}:{{ m.content }}|{{ m.reasoning_content }}|{{ m.tool_calls is "
        "defined }}|"
        "{% for c in m.tool_calls or [] %}{{ c.function.arguments is mapping }}{{ c.function.arguments }}{% "
        "endfor %}"
        "\n{% endfor %}{{ bos_token }}{{ eos_token }}{{ flag }}",
        "<s>", "</s>");
    EXPECT_EQ(with_tokens.render(r),
              "user:a\nb\nc||False|assistant:t\nd\nno||False|assistant:None|think|True|True{'x': 1}True{}"
              "assistant:e||False|<s></s>F");
}

// What a text-only model cannot read is refused by name (vLLM answers these with a 400 too), not
// dropped: the model would otherwise answer a question it never saw.
TEST(ChatTemplate, MediaPartsUnknownPartsAndBrokenArgumentsAreRefused) {
    const ChatTemplate t = make("{% for m in messages %}{{ m.content }}{% endfor %}");
    auto param_of = [&](const char* body) -> std::string {
        try {
            t.render(ChatRequest::from_json(json::parse(body)));
        } catch (const hy::Error& e) {
            EXPECT_EQ(e.http_status, 400);
            return e.param;
        }
        return "(accepted)";
    };
    EXPECT_EQ(
        param_of(
            R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]})"),
        "messages[0].content[0]");
    EXPECT_EQ(
        param_of(R"({"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"video"}]}]})"),
        "messages[0].content[1].type");
    EXPECT_EQ(param_of(R"({"messages":[{"role":"user","content":[{"type":"text"}]}]})"),
              "messages[0].content[0].text");
    EXPECT_EQ(param_of(R"({"messages":[{"role":"assistant","tool_calls":[
                  {"type":"function","function":{"name":"g","arguments":"{\"x\": "}}]}]})"),
              "messages[0].tool_calls[0].function.arguments");
}

// vLLM's `documents` reach the template as the variable RAG templates read.
TEST(ChatTemplate, DocumentsReachTheTemplate) {
    auto t = make(
        "{% for d in documents or [] %}[{{ d.title }}: {{ d.text }}]{% endfor %}{{ messages[0].content }}");
    auto r = ChatRequest::from_json(json::parse(
        R"({"messages":[{"role":"user","content":"q"}],"documents":[{"title":"A","text":"alpha"},{"title":"B","text":"beta"}]})"));
    EXPECT_EQ(t.render(r), "[A: alpha][B: beta]q");
    EXPECT_THROW(ChatRequest::from_json(json::parse(R"({"messages":[],"documents":"x"})")), hy::Error);
    EXPECT_THROW(ChatRequest::from_json(json::parse(R"({"messages":[],"documents":[1]})")), hy::Error);
}

TEST(ChatTemplate, ContinueFinalMessageCutsAfterContent) {
    auto t = make("{% for m in messages %}<{{ m.role }}>{{ m.content | trim }}</{{ m.role }}>{% endfor %}");
    auto r = ChatRequest::from_json(json::parse(
        R"({"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"The answer is  "}],"continue_final_message":true})"));
    EXPECT_EQ(t.render(r), "<user>Hi</user><assistant>The answer is");
    auto missing = ChatRequest::from_json(
        json::parse(R"({"messages":[{"role":"assistant","content":"zzz"}],"continue_final_message":true})"));
    EXPECT_THROW(make("nothing").render(missing), hy::Error);
}

TEST(ChatTemplate, SelectsDefaultFromList) {
    auto v = json::parse(R"([{"name":"tool_use","template":"T"},{"name":"default","template":"D"}])");
    EXPECT_EQ(hy::chat::select_template(v, "cfg"), "D");
    EXPECT_EQ(hy::chat::select_template(json("S"), "cfg"), "S");
    EXPECT_THROW(hy::chat::select_template(json(3), "cfg"), hy::Error);
    EXPECT_EQ(hy::chat::special_token_text(json::parse(R"({"bos_token":{"content":"<s>"}})"), "bos_token"),
              "<s>");
}

TEST(ChatTemplate, LoadsFromModelDirectory) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("hy_chat_tmpl_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "tokenizer_config.json")
        << R"({"bos_token":"<B>","eos_token":"<E>","chat_template":"{{ bos_token }}{{ messages[0].content }}"})";
    auto src = hy::chat::load_template_from_dir(dir.string());
    EXPECT_EQ(src.bos_token, "<B>");
    auto r = ChatRequest::from_json(json::parse(R"({"messages":[{"role":"user","content":"x"}]})"));
    EXPECT_EQ(ChatTemplate(src).render(r), "<B>x");
    std::ofstream(dir / "chat_template.jinja") << "file:{{ eos_token }}\n";
    EXPECT_EQ(ChatTemplate(hy::chat::load_template_from_dir(dir.string())).render(r), "file:<E>");
    fs::remove_all(dir);
    EXPECT_THROW(hy::chat::load_template_from_dir(dir.string()), hy::Error);
}

TEST(ChatTemplate, Nemotron3ToolConversation) {
    std::string_view text = hy::embedded_asset("templates/nemotron3.jinja");
    ASSERT_FALSE(text.empty());
    auto t = make(std::string(text));
    auto r = ChatRequest::from_json(json::parse(R"({"messages":[
        {"role":"user","content":"Weather in Paris?"},
        {"role":"assistant","content":"","reasoning_content":"Use the tool.","tool_calls":[
            {"id":"1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\", \"days\": 2, \"metric\": true}"}}]},
        {"role":"tool","tool_call_id":"1","content":"21C"},
        {"role":"assistant","content":"It is 21C.","reasoning_content":"Done."},
        {"role":"user","content":"Thanks"}],
        "chat_template_kwargs":{"enable_thinking":false}})"));
    EXPECT_EQ(t.render(r),
              "<|im_start|>system\n<|im_end|>\n"
              "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
              "<|im_start|>assistant\n<think></think>\n<tool_call>\n<function=get_weather>\n"
              "<parameter=city>\nParis\n</parameter>\n<parameter=days>\n2\n</parameter>\n"
              "<parameter=metric>\nTrue\n</parameter>\n</function>\n</tool_call>\n<|im_end|>\n"
              "<|im_start|>user\n<tool_response>\n21C\n</tool_response>\n<|im_end|>\n"
              "<|im_start|>assistant\n<think></think>\nIt is 21C.<|im_end|>\n"
              "<|im_start|>user\nThanks<|im_end|>\n"
              "<|im_start|>assistant\n<think></think>");
}

}  // namespace
