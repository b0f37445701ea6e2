#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, builds, starts
# the real S3 servers the tests use (Ceph RADOS Gateway always; MinIO when it
# builds here), runs every test with ctest, and stops the servers by PID.
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh -R conformance  # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/install-deps.sh
bash scripts/build.sh

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-test.XXXXXX")
CEPH_DATA=$RUN_DIR/ceph
MINIO_DATA=$RUN_DIR/minio
cleanup() {
  DATA=$CEPH_DATA bash "$ROOT/scripts/s3/stop-ceph.sh" >/dev/null 2>&1 || true
  DATA=$MINIO_DATA bash "$ROOT/scripts/s3/stop-minio.sh" >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

DATA=$CEPH_DATA bash scripts/s3/start-ceph.sh
# shellcheck disable=SC1091
source "$CEPH_DATA/env"
export STRATA_TEST_REQUIRE_S3=1

set +e
bash scripts/s3/build-minio.sh
minio_rc=$?
set -e
if [ "$minio_rc" -eq 0 ]; then
  DATA=$MINIO_DATA bash scripts/s3/start-minio.sh
  # shellcheck disable=SC1091
  source "$MINIO_DATA/env"
  export STRATA_TEST_REQUIRE_MINIO=1
else
  echo "test.sh: MinIO is not available on this machine (build-minio.sh exit $minio_rc); conformance runs on Ceph RGW only"
fi

# The operator's integration tests need kube-apiserver, etcd and helm, built from
# the Go module proxy and cached under ~/.cache/strata (only a new machine pays,
# ~10-20 min on 2 cores); built here so that no test's timeout has to cover it.
bash operator/hack/build-kube.sh
bash operator/hack/build-helm.sh

ctest --test-dir build --output-on-failure --timeout 1500 "$@"
