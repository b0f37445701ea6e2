#!/usr/bin/env bash
# The operator's test entry point (ctest: operator_go_test), caches under ~/.cache/strata:
#   1. go vet and the unit tests (builders, phase machine, reconciler on the fake client);
#   2. the integration tests (test/integration, build tag `integration`) against a real
#      kube-apiserver + etcd on 127.0.0.1, built from the Go module proxy by hack/build-kube.sh,
#      and helm built by hack/build-helm.sh: the first run on a machine compiles them.
# Arguments go to both `go test` runs (e.g. -run, -v, -count=1).
# VERIFY_GENERATED=1 also checks that the CRD, RBAC and deepcopy files are current.
# STRATA_BIN=<path to strata> also runs the generated fe.conf/cn.conf with the real binaries.
# STRATA_OPERATOR_INTEGRATION=0 skips step 2 (and says so); nothing skips it silently.
set -euo pipefail
cd "$(dirname "$0")"
. ./env.sh
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "operator/test.sh: not gofmt-ed: $unformatted" >&2
  exit 1
fi
go vet ./...
go vet -tags integration ./test/integration
go test ./... "$@"
if [ "${VERIFY_GENERATED:-0}" = 1 ]; then
  ./hack/verify-generated.sh
fi
if [ "${STRATA_OPERATOR_INTEGRATION:-1}" = 0 ]; then
  echo "operator/test.sh: SKIPPING the integration tests (STRATA_OPERATOR_INTEGRATION=0)" >&2
  exit 0
fi

if [ -z "${STRATA_BIN:-}" ]; then
  echo "operator/test.sh: STRATA_BIN (the strata binary) not set: TestConfsStartTheRealBinaries will SKIP" >&2
fi
t0=$(date +%s)
STRATA_KUBE_BIN=$(./hack/build-kube.sh)
STRATA_HELM=$(./hack/build-helm.sh)
export STRATA_KUBE_BIN STRATA_HELM
echo "operator/test.sh: kube-apiserver, etcd and helm ready in $(( $(date +%s) - t0 )) s" >&2

# Every server the tests start is recorded here and stopped by its PID on any exit.
STRATA_IT_PIDFILE=$(mktemp)
export STRATA_IT_PIDFILE
# A line is "pid starttime"; a PID is signalled only while it is still that same process.
ours() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20)" = "$2" ]; }
cleanup() {
  local pid st sig
  for sig in TERM KILL; do
    while read -r pid st; do
      if [ -n "$pid" ] && ours "$pid" "$st"; then kill -"$sig" "$pid" 2>/dev/null || true; fi
    done < "$STRATA_IT_PIDFILE"
    [ "$sig" = TERM ] && sleep 1
  done
  rm -f "$STRATA_IT_PIDFILE"
}
trap cleanup EXIT
go test -tags integration -timeout 20m ./test/integration "$@"
