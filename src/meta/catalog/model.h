// placeholder: the catalog model (CatalogState, change structs, ChangeBody)
#pragma once
#include <variant>
namespace strata::meta { struct CatalogState {}; using ChangeBody = std::variant<std::monostate>; }
