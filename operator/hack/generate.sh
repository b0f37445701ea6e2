#!/usr/bin/env bash
# Regenerates api/v1alpha1/zz_generated.deepcopy.go and config/crd/bases/*.yaml with
# controller-gen, built once from the Go module proxy into ~/.cache/strata/go/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
. ./env.sh
CONTROLLER_GEN_VERSION=v0.23.0
CG=$GOPATH/bin/controller-gen
if ! "$CG" --version 2>/dev/null | grep -q "$CONTROLLER_GEN_VERSION"; then
  GOBIN=$GOPATH/bin go install sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_GEN_VERSION
fi
"$CG" object:headerFile=hack/boilerplate.go.txt paths=./api/...
"$CG" crd paths=./api/... output:crd:artifacts:config=config/crd/bases
"$CG" rbac:roleName=strata-operator paths=./internal/... output:rbac:artifacts:config=config/rbac
# The operator chart ships the same CRD and ClusterRole rules (the integration test checks).
chart=../deploy/helm/strata-operator
if [ -d "$chart" ]; then
  cp config/crd/bases/strata.io_strataclusters.yaml "$chart/crds/"
  { sed '/^rules:/,$d' "$chart/templates/clusterrole.yaml"; sed -n '/^rules:/,$p' config/rbac/role.yaml; } \
    > "$chart/templates/clusterrole.yaml.new"
  mv "$chart/templates/clusterrole.yaml.new" "$chart/templates/clusterrole.yaml"
fi
