// What load_model saw, tensor by tensor: for `inspect` and for tests that compare formats.
// load_model itself is declared in model/model_weights.h.
#pragma once

#include <string>
#include <vector>

#include "model/model_weights.h"
#include "model/tensor_names.h"

namespace hy {

struct LoadedTensor {
    TensorName name;  // logical name/shape and the stored name
    TensorView view;  // the stored data (for a stacked GGUF expert: that expert's slice), stored dtype
};

struct ModelLoadInfo {
    WeightFormat format = WeightFormat::HF;
    std::vector<LoadedTensor> tensors;  // in tensor_names() order
    std::vector<TensorView> unused;     // stored tensors no logical tensor maps to (e.g. FP8 sidecars)
    std::vector<std::shared_ptr<const MappedFile>> files;  // keeps the views valid without the ModelWeights
};

// load_model, also reporting every logical tensor's stored form.
ModelWeights load_model(const std::string& path, ModelLoadInfo* info);

// Reads just the config of a model path (HF dir, .safetensors beside a config.json, or .gguf).
ModelConfig load_model_config(const std::string& path);

// The logical fp32 values of a tensor: dequantised, times the FP8 scale, and A = -exp(A_log) where the
// format stores A_log.
std::vector<float> logical_values(const LoadedTensor& t);

}  // namespace hy
