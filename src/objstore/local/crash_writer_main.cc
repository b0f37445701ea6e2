// local_crash_writer: a child process of local_crash_test. It writes
// self-verifying objects (crash_test_format.h) to a LocalObjectStore and
// journals each write only after the store acknowledged it. The test kills it
// (SIGKILL at a failpoint through STRATA_FAILPOINTS, or at a random moment) and
// then checks the store against the journal.
//
//   local_crash_writer <root> <journal> <writer_id> <seed> <mode> <ops_max>
//
// Modes: put | pia | mp (one kind of write, for failpoint sweeps), mixed (Put,
// PutIfAbsent, multipart, and Put/Delete in directories shared by all
// writers), race (PutIfAbsent of the shared keys race/k<j> in a seeded order).
//
// Exit codes: 0 all ops done; 1 usage; 2 unexpected store error; 3 broken
// PutIfAbsent semantics; 4 read-back mismatch; 5 journal error.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "objstore/local/crash_test_format.h"
#include "objstore/local/local_object_store.h"

namespace strata::objstore::crashtest {
namespace {

constexpr size_t kBodyBytesMax = 256 << 10;
constexpr int kRaceKeys = 40;
constexpr int kOwnPutKeys = 6;

[[noreturn]] void Die(int code, const std::string& what) {
  std::fprintf(stderr, "local_crash_writer: %s\n", what.c_str());
  std::exit(code);
}

class Writer {
 public:
  Writer(ObjectStore* store, int journal_fd, int id, uint64_t seed)
      : store_(store), journal_fd_(journal_fd), id_(id), rng_(seed) {}

  void RunOne(const std::string& mode, uint64_t seq);
  void RunRace();

 private:
  void Journal(std::string_view op, const std::string& key, uint64_t seq) {
    std::string line = JournalLine(op, key, id_, seq);
    if (::write(journal_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
        ::fdatasync(journal_fd_) != 0) {
      Die(5, "journal write failed");
    }
  }
  void Check(const Status& s, const std::string& what) {
    if (!s.ok()) Die(2, what + ": " + s.ToString());
  }
  void ReadBack(const std::string& key) {
    auto got = store_->Get(key);
    if (!got.ok()) {
      if (got.status().code() == StatusCode::kNotFound && key.starts_with("shared/")) return;
      Die(4, "read back " + key + ": " + got.status().ToString());
    }
    std::string why;
    if (!VerifyObject(key, *got, &why)) Die(4, "read back " + key + ": " + why);
  }
  size_t BodyBytes() { return rng_() % (kBodyBytesMax + 1); }
  void DoPut(uint64_t seq);
  void DoPutIfAbsent(uint64_t seq);
  void DoMultipart(uint64_t seq);
  void DoShared(uint64_t seq);

  ObjectStore* store_;
  int journal_fd_;
  int id_;
  std::mt19937_64 rng_;
};

void Writer::DoPut(uint64_t seq) {
  std::string key = fmt::format("w{}/put/k{}", id_, rng_() % kOwnPutKeys);
  Check(store_->Put(key, MakeObject(key, id_, seq, BodyBytes())), "put " + key);
  Journal("PUT", key, seq);
  ReadBack(key);
}

void Writer::DoPutIfAbsent(uint64_t seq) {
  std::string key = fmt::format("w{}/pia/k{}", id_, seq);
  Check(store_->PutIfAbsent(key, MakeObject(key, id_, seq, BodyBytes())), "put-if-absent " + key);
  Journal("PIA", key, seq);
  Status again = store_->PutIfAbsent(key, MakeObject(key, id_, seq + 1'000'000'000, 10));
  if (again.code() != StatusCode::kAlreadyExists) Die(3, "second put-if-absent of " + key + ": " + again.ToString());
  ReadBack(key);
}

void Writer::DoMultipart(uint64_t seq) {
  std::string key = fmt::format("w{}/mp/k{}", id_, seq);
  std::string data = MakeObject(key, id_, seq, kMultipartPartMinBytes + BodyBytes());
  Check(PutMultipart(*store_, key, data, kMultipartPartMinBytes), "multipart " + key);
  Journal("MP", key, seq);
  ReadBack(key);
}

// Puts and deletes in directories every writer uses, so that deletes remove
// directories under concurrent Puts.
void Writer::DoShared(uint64_t seq) {
  std::string key = fmt::format("shared/d{}/w{}-k{}", rng_() % 3, id_, rng_() % 4);
  if (rng_() % 2 == 0) {
    Check(store_->Put(key, MakeObject(key, id_, seq, BodyBytes() / 16)), "put " + key);
    Journal("PUT", key, seq);
    ReadBack(key);
  } else {
    Check(store_->Delete(key), "delete " + key);
    Journal("DEL", key, seq);
  }
}

void Writer::RunOne(const std::string& mode, uint64_t seq) {
  if (mode == "put") return DoPut(seq);
  if (mode == "pia") return DoPutIfAbsent(seq);
  if (mode == "mp") return DoMultipart(seq);
  if (mode == "shared") return DoShared(seq);
  uint64_t r = rng_() % 100;
  if (r < 40) return DoPut(seq);
  if (r < 65) return DoPutIfAbsent(seq);
  if (r < 97) return DoShared(seq);
  return DoMultipart(seq);
}

void Writer::RunRace() {
  std::vector<int> order(kRaceKeys);
  for (int j = 0; j < kRaceKeys; ++j) order[j] = j;
  std::shuffle(order.begin(), order.end(), rng_);
  for (int j : order) {
    std::string key = fmt::format("race/k{:02}", j);
    uint64_t seq = static_cast<uint64_t>(j) + 1;
    Status s = store_->PutIfAbsent(key, MakeObject(key, id_, seq, BodyBytes() / 4));
    if (s.ok()) {
      Journal("WIN", key, seq);
    } else if (s.code() != StatusCode::kAlreadyExists) {
      Die(2, "put-if-absent " + key + ": " + s.ToString());
    }
    ReadBack(key);
  }
}

int Main(int argc, char** argv) {
  if (argc != 7) {
    Die(1, "usage: local_crash_writer <root> <journal> <writer_id> <seed> <put|pia|mp|shared|mixed|race> <ops_max>");
  }
  const std::string root = argv[1], journal = argv[2], mode = argv[5];
  const int id = std::atoi(argv[3]);
  const uint64_t seed = std::strtoull(argv[4], nullptr, 10);
  const uint64_t ops_max = std::strtoull(argv[6], nullptr, 10);
  auto store = LocalObjectStore::Open(root);
  if (!store.ok()) Die(2, "open: " + store.status().ToString());
  int fd = ::open(journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) Die(5, "cannot open journal " + journal);
  Writer writer(store->get(), fd, id, seed);
  if (mode == "race") {
    writer.RunRace();
    return 0;
  }
  for (uint64_t seq = 1; seq <= ops_max; ++seq) writer.RunOne(mode, seq);
  return 0;
}

}  // namespace
}  // namespace strata::objstore::crashtest

int main(int argc, char** argv) { return strata::objstore::crashtest::Main(argc, argv); }
