#!/usr/bin/env bash
# The operator's test entry point: vet and unit tests, with the caches in ~/.cache/strata/go.
# VERIFY_GENERATED=1 also checks that the CRD, RBAC and deepcopy files are current.
set -euo pipefail
cd "$(dirname "$0")"
. ./env.sh
go vet ./...
go test ./... "$@"
if [ "${VERIFY_GENERATED:-0}" = 1 ]; then
  ./hack/verify-generated.sh
fi
