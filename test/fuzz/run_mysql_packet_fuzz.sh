#!/usr/bin/env bash
# Builds the MySQL packet-decoder fuzz target (mysql_packet_fuzz.cc) in its own
# build directory and runs it for a bounded time. Exit status: 0 no crash,
# non-zero on a crash, leak, sanitizer report or build failure.
#
#   test/fuzz/run_mysql_packet_fuzz.sh [seconds=60] [seed]
#
# With clang (libFuzzer): -fsanitize=fuzzer,address,undefined. Without clang:
# g++ -fsanitize=address,undefined and the target's standalone mutation
# driver. The seed is printed; pass it back to reproduce a standalone run
# (libFuzzer prints its own -seed and writes the crashing input to the build dir).
# STRATA_FUZZ_USE_GCC=1 forces the gcc driver.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUN_SECONDS=${1:-60}
SEED=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
OUT=${STRATA_FUZZ_BUILD_DIR:-$ROOT/build-fuzz-mysql}
mkdir -p "$OUT/corpus"

SRCS=(
  src/server/mysql/auth.cc src/server/mysql/binary_row.cc src/server/mysql/connection.cc
  src/server/mysql/connection_commands.cc src/server/mysql/messages.cc src/server/mysql/packet.cc
  src/server/mysql/prepared.cc src/server/mysql/wire.cc
  src/common/check.cc src/common/logging.cc src/common/status.cc
  test/fuzz/mysql_packet_fuzz.cc
)
COMMON=(-std=c++20 -g -O1 -I"$ROOT/src" -fno-omit-frame-pointer)
LIBS=(-lfmt -lcrypto -lpthread)

# Seeds: well-formed sessions (root has no password in the fuzz engine).
python3 - "$OUT/corpus" <<'PY'
import struct, sys, os
d = sys.argv[1]
def frame(payload, seq):
    return struct.pack('<I', len(payload))[:3] + bytes([seq]) + payload
caps = 0x200 | 0x8000 | 0x80000 | 0x200000 | 0x1000000 | 0x8 | 0x100000
resp = struct.pack('<IIB', caps, 1 << 24, 45) + b'\0' * 23 + b'root\0' + b'\0' + b'db1\0' + \
    b'mysql_native_password\0' + b'\x0c\x03_os\x05Linux\x02ab'
def cmd(b): return frame(b, 0)
execute = struct.pack('<BIBI', 0x17, 1, 0, 1) + b'\x00\x01' + struct.pack('<HH', 8, 253) + \
    struct.pack('<q', -7) + b'\x04it\'s'
seeds = {
  'session': frame(resp, 1) + cmd(b'\x03SELECT 1') + cmd(b'\x0e') + cmd(b'\x02db1') + cmd(b'\x04t1\0') + cmd(b'\x01'),
  'prepared': frame(resp, 1) + cmd(b'\x16SELECT ?, \'?\', ? -- ?') + cmd(execute) +
              cmd(struct.pack('<BIH', 0x18, 1, 0) + b'long') + cmd(struct.pack('<BI', 0x1a, 1)) +
              cmd(struct.pack('<BI', 0x19, 1)) + cmd(b'\x1b\x01\x00') + cmd(b'\x1f') + cmd(b'\x09'),
  'caching_sha2': frame(resp.replace(b'mysql_native_password', b'caching_sha2_password'), 1) + frame(b'', 3) +
                  cmd(b'\x03SELECT 22'),
  'garbage': b'GET / HTTP/1.1\r\n\r\n',
}
for name, data in seeds.items():
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
PY

cd "$ROOT"
if [[ "${STRATA_FUZZ_USE_GCC:-0}" != 1 ]] && command -v clang++ >/dev/null 2>&1; then
  echo "run_mysql_packet_fuzz: clang++ libFuzzer build, ${RUN_SECONDS}s"
  clang++ "${COMMON[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "${SRCS[@]}" "${LIBS[@]}" -o "$OUT/mysql_packet_fuzz"
  mkdir -p "$OUT/work_corpus"
  cp -n "$OUT/corpus/"* "$OUT/work_corpus/" 2>/dev/null || true
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$OUT/mysql_packet_fuzz" "$OUT/work_corpus" -max_total_time="$RUN_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -seed="$SEED" -artifact_prefix="$OUT/" -print_final_stats=1
else
  echo "run_mysql_packet_fuzz: g++ standalone driver (no clang++, or STRATA_FUZZ_USE_GCC=1), ${RUN_SECONDS}s"
  g++ "${COMMON[@]}" -DSTRATA_FUZZ_STANDALONE -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    "${SRCS[@]}" "${LIBS[@]}" -o "$OUT/mysql_packet_fuzz"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$OUT/mysql_packet_fuzz" "$RUN_SECONDS" "$SEED" "$OUT/corpus/"*
fi
