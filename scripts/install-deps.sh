#!/usr/bin/env bash
# Installs the Debian packages Strata's build and tests need. Idempotent: a
# package already installed is skipped, so a warm machine pays ~1 s.
#   bash scripts/install-deps.sh          # build + test dependencies
set -euo pipefail

BUILD_PKGS=(
  cmake ninja-build g++ pkg-config
  libcurl4-openssl-dev libssl-dev        # HTTP client and SigV4 signing (S3 backend)
  libzstd-dev liblz4-dev                 # data file compression (storage)
  libyaml-cpp-dev nlohmann-json3-dev     # cluster_snapshot.yaml, JSON bodies
  libfmt-dev                             # formatting for logs and errors
  libcpp-httplib-dev                     # HTTP server (FE/CN edges); pulls libbrotli-dev zlib1g-dev
  libgrpc++-dev protobuf-compiler-grpc   # FE<->CN RPC (src/server/cn/): gRPC runtime + grpc_cpp_plugin
  libprotobuf-dev protobuf-compiler      # strata_cn.proto, generated at build time by protoc
  libgtest-dev libgmock-dev              # unit and conformance tests
)
TEST_PKGS=(
  ceph-mon ceph-osd radosgw              # the real S3 server (Ceph RADOS Gateway) for tests
  python3-boto3                          # the reference S3 client bench/objstore compares against
  default-mysql-client python3-pymysql   # real MySQL clients in the SQL and driver tests
  clang                                  # libFuzzer for the packet and parser fuzz targets
  libclang-rt-14-dev                     # its runtime (libFuzzer, ASan): only recommended by clang-14 (Debian 12)
  curl bc iproute2
)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
