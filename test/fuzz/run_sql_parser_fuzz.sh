#!/usr/bin/env bash
# Builds the SQL parser fuzz target (test/fuzz/sql_parser_fuzz.cc) in its own
# build dir and runs it for a bounded time over a seed corpus of the guide's
# statements. With clang: libFuzzer + ASan/UBSan (leaks detected); without:
# the standalone random-mutation driver under gcc -fsanitize=address,undefined.
# Exits non-zero on any crash, sanitizer report, leak or hang.
#
# Usage: test/fuzz/run_sql_parser_fuzz.sh [seconds]   (default 60)
# Env:   BUILD_DIR (default <repo>/build-fuzz-sql), FUZZ_ENGINE=libfuzzer|standalone
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BUILD_DIR:-$ROOT/build-fuzz-sql}
BUDGET_SECONDS=${1:-60}
SRCS=(lexer parser parse_ddl parse_admin parse_access parse_query parse_expr parse_dml)
mkdir -p "$OUT/corpus"

sources=()
for s in "${SRCS[@]}"; do sources+=("$ROOT/src/sql/$s.cc"); done
common=(-std=c++20 -g -O1 -fno-omit-frame-pointer -I"$ROOT/src" -fno-sanitize-recover=all)

ENGINE=${FUZZ_ENGINE:-}
if [[ -z "$ENGINE" ]]; then
  if command -v clang++ >/dev/null && echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long){return 0;}' \
      | clang++ -x c++ -fsanitize=fuzzer - -o "$OUT/.probe" 2>/dev/null; then
    ENGINE=libfuzzer
  else
    ENGINE=standalone
  fi
fi

# The standalone driver is always built: it also writes the seed corpus.
CXX_STANDALONE=${CXX:-g++}
echo "building standalone driver with $CXX_STANDALONE (ASan+UBSan)"
"$CXX_STANDALONE" "${common[@]}" -fsanitize=address,undefined -DSTRATA_FUZZ_STANDALONE \
  "$ROOT/test/fuzz/sql_parser_fuzz.cc" "${sources[@]}" -lfmt -o "$OUT/sql_parser_fuzz_standalone"
"$OUT/sql_parser_fuzz_standalone" --dump-seeds="$OUT/corpus"

if [[ "$ENGINE" == libfuzzer ]]; then
  echo "building libFuzzer target with clang++"
  clang++ "${common[@]}" -fsanitize=fuzzer,address,undefined \
    "$ROOT/test/fuzz/sql_parser_fuzz.cc" "${sources[@]}" -lfmt -o "$OUT/sql_parser_fuzz"
  exec "$OUT/sql_parser_fuzz" "$OUT/corpus" -max_total_time="$BUDGET_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$OUT/"
fi
exec timeout --signal=KILL $((BUDGET_SECONDS + 60)) "$OUT/sql_parser_fuzz_standalone" --seconds="$BUDGET_SECONDS" "$OUT"/corpus/*
