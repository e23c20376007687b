// Model references as vLLM and NIM users write them, resolved to a local path: a path as is, a
// Hugging Face repo id (`nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16`) or `hf://` URL (NIM_MODEL_PATH,
// spec/api.md §9.1) to its snapshot in the local Hugging Face cache, laid out as huggingface_hub
// writes it: <hub>/models--ORG--NAME/{refs/REVISION, snapshots/COMMIT/}. Nothing is downloaded (the
// server has no network access by design); a reference that is not on disk is an error saying how to
// fetch it.
#pragma once

#include <functional>
#include <string>

namespace hy {

using EnvGetter = std::function<const char*(const char*)>;

// The hub cache directory: download_dir when given (vLLM's --download-dir), else HF_HUB_CACHE,
// HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, HOME/.cache/huggingface/hub.
std::string hf_hub_cache_dir(const std::string& download_dir, const EnvGetter& env);

// The local path of `reference` at `revision` (a branch or tag under refs/, or a commit; empty =
// "main"). Throws hy::Error for other URL schemes (ngc://, s3://, …) and for a repo id or hf:// URL
// that is not in the cache.
std::string resolve_model_reference(const std::string& reference, const std::string& revision,
                                    const std::string& download_dir, const EnvGetter& env);

// The name a reference is served under by default (vLLM: the model argument as given; hf:// dropped).
std::string served_name_of_reference(const std::string& reference);

}  // namespace hy
