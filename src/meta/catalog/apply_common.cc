// Catalog::Apply's dispatch and the helpers every change type shares.
#include <limits>
#include <variant>

#include "meta/catalog/internal.h"

namespace strata::meta::internal {

Result<uint64_t> ApplyChange(CatalogState& s, const ChangeBody& body, const ApplyContext& ctx) {
  // A fenced lineage changes no more (DESIGN invariant 6): whatever a stale
  // writer manages to append after the fence is applied as a rejection.
  if (!s.lineage.fenced_by.empty() && !std::holds_alternative<FenceLineage>(body)) {
    return FailedPrecondition("this cluster's lineage was superseded by a restore into lineage " +
                              s.lineage.fenced_by + "; nothing more can be committed to it");
  }
  return std::visit([&](const auto& c) { return Apply(s, c, ctx); }, body);
}

namespace {

// Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;  // continuation bytes
    if (c >= 0x80) {
      if ((c >> 5) == 0x6) {
        n = 1;
      } else if ((c >> 4) == 0xE) {
        n = 2;
      } else if ((c >> 3) == 0x1E) {
        n = 3;
      } else {
        return false;
      }
    }
    if (n > s.size() - i - 1) return false;
    uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

Status CheckName(std::string_view what, std::string_view name) {
  if (name.empty()) return InvalidArgument(std::string(what) + " name is empty");
  if (name.size() > kMaxNameBytes) {
    return InvalidArgument(std::string(what) + " name is longer than " + std::to_string(kMaxNameBytes) + " bytes");
  }
  for (char ch : name) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) {
      return InvalidArgument(std::string(what) + " name contains a control character");
    }
  }
  if (!IsUtf8(name)) return InvalidArgument(std::string(what) + " name is not valid UTF-8");
  return Status::OK();
}

Status CheckIdsAvailable(const CatalogState& s, uint64_t n) {
  if (n > std::numeric_limits<uint64_t>::max() - s.next_id) {
    return FailedPrecondition("the id counter is exhausted (next_id " + std::to_string(s.next_id) + ")");
  }
  return Status::OK();
}

uint64_t AllocateId(CatalogState& s) { return s.next_id++; }

Database* FindDatabase(CatalogState& s, std::string_view name) {
  auto it = s.database_ids.find(std::string(name));
  if (it == s.database_ids.end()) return nullptr;
  auto db = s.databases.find(it->second);
  return db == s.databases.end() ? nullptr : &db->second;
}

Table* FindTable(CatalogState& s, const Database& db, std::string_view name) {
  auto it = db.table_ids.find(std::string(name));
  if (it == db.table_ids.end()) return nullptr;
  auto t = s.tables.find(it->second);
  return t == s.tables.end() ? nullptr : &t->second;
}

Result<uint64_t> Apply(CatalogState& s, const LeaderChange& c, const ApplyContext&) {
  if (c.fe_name.empty()) return InvalidArgument("leader_change: fe_name is empty");
  if (s.term == std::numeric_limits<uint64_t>::max() || c.term != s.term + 1) {
    return FailedPrecondition("leader_change to " + c.fe_name + ": term " + std::to_string(c.term) +
                              " is not the current term " + std::to_string(s.term) + " + 1");
  }
  s.term = c.term;
  s.leader = c.fe_name;
  return uint64_t{0};
}

}  // namespace strata::meta::internal
