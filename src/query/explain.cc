// EXPLAIN text of a plan (plan.h).
#include "query/plan.h"

namespace strata::query {
namespace {

std::string Join(const std::vector<std::string>& parts, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string Names(const std::vector<OutputColumn>& cols) {
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c.name);
  return Join(names);
}

void Explain(const PlanNode& n, int depth, std::vector<std::string>* out) {
  std::string pad(static_cast<size_t>(depth) * 2, ' ');
  using Kind = PlanNode::Kind;
  std::string line;
  switch (n.kind) {
    case Kind::kScan: {
      const ScanSpec& s = n.scan;
      std::vector<std::string> cols, parts;
      for (size_t i = 0; i < s.table.columns.size(); ++i) {
        if (s.read[i]) cols.push_back(s.table.columns[i].name);
      }
      size_t tablets = 0, written = 0;
      for (size_t p : s.partitions) {
        parts.push_back(s.table.partitions[p].name);
        for (const auto& t : s.table.partitions[p].tablets) {
          ++tablets;
          written += !t.meta_key.empty();
        }
      }
      line = "SCAN " + s.table.db + "." + s.table.name + (s.alias != s.table.name ? " AS " + s.alias : "");
      out->push_back(pad + line);
      out->push_back(pad + "    columns: [" + Join(cols) + "]");
      out->push_back(pad + "    partitions: " + std::to_string(s.partitions.size()) + "/" +
                     std::to_string(s.table.partitions.size()) + " [" + Join(parts) + "]");
      out->push_back(pad + "    tablets: " + std::to_string(tablets) + " (" + std::to_string(written) + " with data)");
      if (!s.predicate_text.empty()) {
        out->push_back(pad + "    min/max pruning: " + Join(s.predicate_text, " AND "));
      }
      return;
    }
    case Kind::kOneRow: line = "ONE ROW"; break;
    case Kind::kFilter: line = "FILTER " + n.predicate->text; break;
    case Kind::kProject: {
      std::vector<std::string> exprs;
      for (const auto& e : n.exprs) exprs.push_back(e->text);
      line = "PROJECT [" + Join(exprs) + "]";
      break;
    }
    case Kind::kAggregate: {
      std::vector<std::string> keys, aggs;
      for (const auto& k : n.group_keys) keys.push_back(k->text);
      for (const auto& a : n.aggs) aggs.push_back(a.text);
      const bool merge = !n.children.empty() && n.children[0]->kind == Kind::kExchange;
      const char* kind = n.groups_disjoint ? "AGGREGATE (merge: grouped by the distribution columns, each partial row a group)"
                         : merge             ? "HASH AGGREGATE (merge)"
                                             : "HASH AGGREGATE";
      line = std::string(kind) + (keys.empty() ? std::string() : " group by [" + Join(keys) + "]") + " [" + Join(aggs) + "]";
      break;
    }
    case Kind::kSort: {
      std::vector<std::string> keys;
      for (const auto& k : n.sort_keys) keys.push_back(n.output[k.column].name + (k.desc ? " DESC" : " ASC"));
      line = (n.limit ? "TOP-N " + std::to_string(*n.limit) + " " : std::string("SORT ")) + "[" + Join(keys) + "]";
      break;
    }
    case Kind::kLimit:
      line = "LIMIT " + (n.limit ? std::to_string(*n.limit) : std::string("ALL")) +
             (n.offset ? " OFFSET " + std::to_string(n.offset) : "");
      break;
    case Kind::kDistinct: line = "DISTINCT [" + Names(n.output) + "]"; break;
    case Kind::kHashJoin: {
      using JT = PlanNode::JoinType;
      const char* type = n.join == JT::kLeft ? "LEFT" : n.join == JT::kCross ? "CROSS" : n.join == JT::kSemi ? "SEMI"
                         : n.join == JT::kAnti ? "ANTI" : n.join == JT::kNullAwareAnti ? "NULL-AWARE ANTI"
                         : n.join == JT::kMarkExists ? "MARK EXISTS" : n.join == JT::kMarkIn ? "MARK IN"
                         : n.join == JT::kLeftSingle ? "LEFT SINGLE-ROW" : "INNER";
      std::vector<std::string> keys;
      for (size_t i = 0; i < n.left_keys.size(); ++i) keys.push_back(n.left_keys[i]->text + " = " + n.right_keys[i]->text);
      line = std::string("HASH JOIN ") + type + (keys.empty() ? "" : " on [" + Join(keys) + "]") +
             (n.predicate ? " where " + n.predicate->text : "") + (n.build_left ? " (build: left)" : " (build: right)");
      break;
    }
    case Kind::kUnion: line = "UNION ALL"; break;
    case Kind::kExchange: line = "EXCHANGE (the fragment below runs on the compute nodes that own its tablets)"; break;
  }
  out->push_back(pad + line);
  for (const auto& c : n.children) Explain(*c, depth + 1, out);
}

}  // namespace

std::vector<std::string> ExplainPlan(const PlanNode& root) {
  std::vector<std::string> out;
  Explain(root, 0, &out);
  return out;
}

}  // namespace strata::query
