// Files under assets/ are compiled into the binary (cmake/embed_assets.cmake): BPE training text,
// chat templates. Names are paths relative to assets/, e.g. "templates/nemotron3.jinja".
#pragma once

#include <string_view>

namespace hy {

// Empty view if no asset has that name.
std::string_view embedded_asset(std::string_view name);

}  // namespace hy
