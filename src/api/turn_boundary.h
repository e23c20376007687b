// Where a chat prompt's generation prompt starts, in tokens (issue 6 "snapshots at the end of every
// prompt (turn boundary)"). add_generation_prompt appends e.g. `<|im_start|>assistant\n<think>\n`, but
// the next turn of the conversation renders that assistant message differently (`<think></think>` +
// the answer), so the previous prompt is not a prefix of the next one; the messages before the
// generation prompt are. The engine keeps a Mamba snapshot there (GenerationRequest::turn_start) so
// the next turn resumes right after the previous user message instead of at an earlier block boundary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chat/chat_request.h"
#include "chat/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace hy::api {

// `text` / `prompt`: the rendered prompt of `request` and its tokens. -1 when there is no generation
// prompt, or when the template renders the messages differently with and without it.
int64_t generation_prompt_start(const chat::ChatTemplate& tmpl, chat::ChatRequest& request,
                                const std::string& text, const std::vector<int32_t>& prompt,
                                const tok::Tokenizer& tk);

}  // namespace hy::api
