// Fault-wrapper sweep (SQLite style): a fixed sequence of object-store
// operations runs once per call number N with the N-th call failing, for
// every N and both fault kinds (fail before reaching the store; reach the
// store but lose the reply). Afterwards the store must hold only whole
// objects, and exactly the state of either "the failed operation applied" or
// "it did not". With the retry wrapper on top, every run must complete and
// end in exactly the state of a clean run.
//
// Runs over every registered conformance backend that is local to this
// process (mem, local): a sweep is hundreds of runs.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include <fmt/format.h>

#include "objstore/conformance/conformance_suite.h"
#include "objstore/fault/fault_injection_object_store.h"
#include "objstore/retry/retrying_object_store.h"

namespace strata::objstore {
namespace {

using State = std::map<std::string, std::string>;

// A self-verifying value: "<key>#<version>#<length>#" followed by filler.
std::string Value(const std::string& key, int version, size_t filler) {
  std::string head = fmt::format("{}#{}#{}#", key, version, filler);
  return head + std::string(filler, static_cast<char>('a' + version % 26));
}

bool Verifies(const std::string& key, const std::string& value) {
  size_t a = value.find('#');
  size_t b = value.find('#', a + 1);
  size_t c = value.find('#', b + 1);
  if (a == std::string::npos || b == std::string::npos || c == std::string::npos) return false;
  if (value.substr(0, a) != key) return false;
  size_t filler = std::stoull(value.substr(b + 1, c - b - 1));
  return value.size() == c + 1 + filler;
}

struct Op {
  enum Kind { kPut, kPutIfAbsent, kMultipart, kDelete } kind;
  std::string key;
  std::string value;
};

std::vector<Op> Sequence() {
  const size_t big = kMultipartPartMinBytes + 1000;  // two parts: a full one and a short last one
  return {
      {Op::kPut, "s/a", Value("s/a", 1, 100)},
      {Op::kPutIfAbsent, "s/log/1", Value("s/log/1", 1, 50)},
      {Op::kPut, "s/a", Value("s/a", 2, 3000)},
      {Op::kMultipart, "s/big", Value("s/big", 1, big)},
      {Op::kPutIfAbsent, "s/log/2", Value("s/log/2", 1, 10)},
      {Op::kDelete, "s/a", ""},
      {Op::kPut, "s/b", Value("s/b", 1, 0)},
      {Op::kPutIfAbsent, "s/log/1", Value("s/log/1", 9, 5)},  // must lose: the key is taken
  };
}

// The state after applying `op` to `state` the way a correct store would.
void Apply(const Op& op, State* state) {
  switch (op.kind) {
    case Op::kPut:
    case Op::kMultipart:
      (*state)[op.key] = op.value;
      break;
    case Op::kPutIfAbsent:
      state->try_emplace(op.key, op.value);
      break;
    case Op::kDelete:
      state->erase(op.key);
      break;
  }
}

Status RunOp(ObjectStore& store, const Op& op) {
  switch (op.kind) {
    case Op::kPut: return store.Put(op.key, op.value);
    case Op::kPutIfAbsent: return store.PutIfAbsent(op.key, op.value);
    case Op::kMultipart: return PutMultipart(store, op.key, op.value, kMultipartPartMinBytes);
    case Op::kDelete: return store.Delete(op.key);
  }
  return Internal("unreachable");
}

// Reads the whole store back; fails the test on any torn object.
State ReadBack(ObjectStore& store) {
  State state;
  Result<std::vector<ObjectMeta>> all = ListAll(store, "");
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  if (!all.ok()) return state;
  for (const auto& meta : *all) {
    Result<std::string> value = store.Get(meta.key);
    EXPECT_TRUE(value.ok()) << meta.key << ": " << value.status().ToString();
    if (!value.ok()) continue;
    EXPECT_TRUE(Verifies(meta.key, *value)) << "torn or foreign object at " << meta.key;
    state[meta.key] = *value;
  }
  return state;
}

std::string Describe(const State& s) {
  std::string out;
  for (const auto& [k, v] : s) out += fmt::format("{}({}b) ", k, v.size());
  return out;
}

class FaultSweep : public testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<ObjectStore> Fresh() {
    for (const auto& b : ConformanceBackends()) {
      if (b.name == GetParam()) return b.make(fmt::format("sweep{}", fresh_count_++));
    }
    ADD_FAILURE() << "no backend " << GetParam();
    return nullptr;
  }
  // Number of store calls a clean run of the sequence makes.
  int64_t CleanRunCalls() {
    auto fault = std::make_shared<FaultInjectionObjectStore>(Fresh());
    for (const Op& op : Sequence()) EXPECT_TRUE(RunOp(*fault, op).ok() || op.kind == Op::kPutIfAbsent);
    return fault->calls();
  }
  int fresh_count_ = 0;
};

TEST_P(FaultSweep, EveryFailedCallLeavesOnlyWholeObjectsAndAConsistentState) {
  const int64_t calls = CleanRunCalls();
  ASSERT_GT(calls, 8);
  for (FaultKind kind : {FaultKind::kFailBefore, FaultKind::kLoseReply}) {
    for (int64_t n = 1; n <= calls; ++n) {
      SCOPED_TRACE(fmt::format("call {} of {}, {}", n, calls, kind == FaultKind::kFailBefore ? "fail" : "lost reply"));
      auto fault = std::make_shared<FaultInjectionObjectStore>(Fresh());
      fault->FailNthCall(n, kind);
      State applied, not_applied;  // the two states a correct store may be in
      for (const Op& op : Sequence()) {
        int64_t before = fault->faults_injected();
        Status s = RunOp(*fault, op);
        bool hit = fault->faults_injected() != before;
        if (s.ok() || s.code() == StatusCode::kAlreadyExists) {
          EXPECT_FALSE(hit && kind == FaultKind::kFailBefore && op.kind != Op::kMultipart) << s.ToString();
          Apply(op, &applied);
          Apply(op, &not_applied);
        } else {
          ASSERT_TRUE(hit) << "a failure without an injected fault: " << s.ToString();
          Apply(op, &applied);
        }
      }
      fault->Reset();
      State got = ReadBack(*fault);
      EXPECT_TRUE(got == applied || got == not_applied)
          << "got " << Describe(got) << "\nwant " << Describe(applied) << "\nor " << Describe(not_applied);
    }
  }
}

TEST_P(FaultSweep, WithRetriesEveryRunCompletesExactly) {
  const int64_t calls = CleanRunCalls();
  State clean;
  for (const Op& op : Sequence()) Apply(op, &clean);
  RetryPolicy fast{.attempts_max = 3, .base_delay_ms = 0, .max_delay_ms = 0};
  for (FaultKind kind : {FaultKind::kFailBefore, FaultKind::kLoseReply}) {
    for (int64_t n = 1; n <= calls; ++n) {
      SCOPED_TRACE(fmt::format("call {} of {}, {}", n, calls, kind == FaultKind::kFailBefore ? "fail" : "lost reply"));
      auto fault = std::make_shared<FaultInjectionObjectStore>(Fresh());
      fault->FailNthCall(n, kind);
      RetryingObjectStore store(fault, fast);
      for (size_t i = 0; i < Sequence().size(); ++i) {
        const Op op = Sequence()[i];
        Status s = RunOp(store, op);
        // A multipart upload is restarted whole by its caller (parts are not retried).
        for (int restart = 0; restart < 2 && !s.ok() && op.kind == Op::kMultipart; ++restart) s = RunOp(store, op);
        bool expected_loser = i + 1 == Sequence().size();
        if (expected_loser) {
          EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
        } else {
          EXPECT_TRUE(s.ok()) << "op " << i << ": " << s.ToString();
        }
      }
      fault->Reset();
      State got = ReadBack(*fault);
      EXPECT_TRUE(got == clean) << "got " << Describe(got) << "\nwant " << Describe(clean);
    }
  }
}

std::vector<std::string> InProcessBackends() {
  std::vector<std::string> names;
  for (const auto& b : ConformanceBackends()) {
    if (b.name == "mem" || b.name == "local") names.push_back(b.name);
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(Backends, FaultSweep, testing::ValuesIn(InProcessBackends()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace strata::objstore
