#!/usr/bin/env bash
# Fails when the generated files (deepcopy, CRD, RBAC) are not what hack/generate.sh produces
# from the current Go types, by regenerating into a scratch copy of the module and diffing.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r . "$tmp/operator"
"$tmp/operator/hack/generate.sh"
diff -ru api "$tmp/operator/api"
diff -ru config "$tmp/operator/config"
echo "generated files are up to date"
