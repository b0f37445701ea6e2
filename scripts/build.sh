#!/usr/bin/env bash
# Configures and builds everything into build/ (Ninja, RelWithDebInfo).
#   bash scripts/build.sh            # all targets
#   bash scripts/build.sh strata     # one target
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C build "$@"
