// bench/load: a deterministic CSV of analytics events for the stream-load benchmark (run.sh compiles it with
// the system compiler; no project libraries).
//
//   gen_csv --rows N --seed S --out DIR [--parts P]
//
// Writes DIR/all.csv (N rows) and, with --parts P > 1, DIR/part-000.csv .. the same rows split into P files of
// consecutive rows. Row k depends only on (seed, k) (splitmix64), so the output is the same for the same
// arguments on every machine. Columns, comma-separated, no header, no quoting needed:
//   event_time DATETIME   2024-01-01 00:00:00 .. 2024-04-30 23:59:59 (4 monthly partitions)
//   user_id    BIGINT     1 .. 5,000,000
//   channel    VARCHAR    one of 8
//   city       VARCHAR    one of 40
//   amount     DECIMAL(12,2)  0.01 .. 99999.99, skewed low
//   qty        INT        1 .. 100
//   is_new     BOOLEAN    0 / 1 (1 in 10)
//   note       VARCHAR    0..~100 bytes of words, empty in 1 of 4 rows
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Rng {
  uint64_t state;
  uint64_t Next() { return state = SplitMix(state); }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

const char* const kChannels[] = {"organic", "paid_search", "social", "email", "affiliate", "display", "referral",
                                 "direct"};
const char* const kCities[] = {
    "Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu", "Wuhan", "Xi'an", "Nanjing", "Tianjin",
    "New York", "Los Angeles", "Chicago", "Houston", "San Francisco", "Seattle", "Boston", "Austin", "Denver",
    "Miami", "London", "Paris", "Berlin", "Madrid", "Rome", "Amsterdam", "Stockholm", "Warsaw", "Vienna", "Dublin",
    "Tokyo", "Osaka", "Seoul", "Singapore", "Bangkok", "Jakarta", "Mumbai", "Sydney", "Sao Paulo", "Mexico City"};
const char* const kWords[] = {"checkout", "cart",   "promo",  "coupon", "mobile", "desktop", "retry",  "gift",
                              "express",  "bundle", "refund", "review", "search", "banner",  "member", "trial",
                              "upgrade",  "renew",  "weekly", "flash",  "sale",   "return",  "priority", "late"};
constexpr int kDaysInMonth[] = {31, 29, 31, 30};  // 2024-01 .. 2024-04

int WriteRow(char* p, uint64_t seed, uint64_t k) {
  Rng r{SplitMix(seed ^ (k * 0x2545f4914f6cdd1dULL))};
  char* start = p;
  int month = static_cast<int>(r.Below(4));
  int day = 1 + static_cast<int>(r.Below(kDaysInMonth[month]));
  uint64_t sec = r.Below(86400);
  p += std::sprintf(p, "2024-%02d-%02d %02d:%02d:%02d,", month + 1, day, static_cast<int>(sec / 3600),
                    static_cast<int>(sec / 60 % 60), static_cast<int>(sec % 60));
  p += std::sprintf(p, "%" PRIu64 ",", 1 + r.Below(5'000'000));
  p += std::sprintf(p, "%s,%s,", kChannels[r.Below(8)], kCities[r.Below(40)]);
  uint64_t cents = 1 + r.Below(100) * r.Below(100) * r.Below(1000);  // skewed towards small amounts
  if (cents > 9'999'999) cents = 9'999'999;
  p += std::sprintf(p, "%" PRIu64 ".%02" PRIu64 ",", cents / 100, cents % 100);
  p += std::sprintf(p, "%d,%d,", 1 + static_cast<int>(r.Below(100)), r.Below(10) == 0 ? 1 : 0);
  if (r.Below(4) != 0) {
    int words = 1 + static_cast<int>(r.Below(12));
    for (int w = 0; w < words; ++w) {
      if (w) *p++ = ' ';
      const char* word = kWords[r.Below(24)];
      size_t n = std::strlen(word);
      std::memcpy(p, word, n);
      p += n;
    }
    p += std::sprintf(p, " #%" PRIu64, r.Below(100000));
  }
  *p++ = '\n';
  return static_cast<int>(p - start);
}

[[noreturn]] void Usage() {
  std::fprintf(stderr, "usage: gen_csv --rows N --seed S --out DIR [--parts P]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 0, seed = 0, parts = 1;
  std::string out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--rows") rows = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--parts") parts = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--out") out = argv[i + 1];
    else Usage();
  }
  if (rows == 0 || out.empty() || parts == 0 || (argc - 1) % 2 != 0) Usage();
  FILE* all = std::fopen((out + "/all.csv").c_str(), "wb");
  if (!all) { std::perror("all.csv"); return 1; }
  FILE* part = nullptr;
  uint64_t per_part = (rows + parts - 1) / parts, bytes = 0;
  char line[512];
  for (uint64_t k = 0; k < rows; ++k) {
    if (parts > 1 && k % per_part == 0) {
      if (part) std::fclose(part);
      char name[64];
      std::snprintf(name, sizeof name, "/part-%03" PRIu64 ".csv", k / per_part);
      part = std::fopen((out + name).c_str(), "wb");
      if (!part) { std::perror(name); return 1; }
    }
    int n = WriteRow(line, seed, k);
    std::fwrite(line, 1, n, all);
    if (part) std::fwrite(line, 1, n, part);
    bytes += n;
  }
  if (part) std::fclose(part);
  if (std::fclose(all) != 0) { std::perror("all.csv"); return 1; }
  std::printf("{\"rows\": %" PRIu64 ", \"seed\": %" PRIu64 ", \"parts\": %" PRIu64 ", \"bytes\": %" PRIu64 "}\n",
              rows, seed, parts, bytes);
  return 0;
}
