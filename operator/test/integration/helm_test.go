//go:build integration

package integration

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

const chartsDir = "../../../deploy/helm"

func helmBin(t *testing.T) string {
	t.Helper()
	h := os.Getenv("STRATA_HELM")
	if h == "" {
		t.Fatal("STRATA_HELM is not set; run operator/test.sh, which builds helm with hack/build-helm.sh")
	}
	return h
}

func helm(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(helmBin(t), args...)
	// helm keeps no state here: its caches and config go to the test's directory.
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+filepath.Join(workDir, "helm-cache"),
		"HELM_CONFIG_HOME="+filepath.Join(workDir, "helm-config"), "HELM_DATA_HOME="+filepath.Join(workDir, "helm-data"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.Bytes()
}

func TestHelmLint(t *testing.T) {
	ex := filepath.Join(chartsDir, "strata", "examples")
	helm(t, "lint", "--strict", filepath.Join(chartsDir, "strata-operator"))
	helm(t, "lint", "--strict", filepath.Join(chartsDir, "strata"))
	helm(t, "lint", "--strict", filepath.Join(chartsDir, "strata"),
		"-f", filepath.Join(ex, "strata-values.yaml"), "-f", filepath.Join(ex, "cluster_snapshot.yaml"))
	// The values schema rejects what the CRD would reject later, with a message now.
	cmd := exec.Command(helmBin(t), "lint", filepath.Join(chartsDir, "strata"),
		"--set", "cluster.disasterRecovery.enabled=true", "--set", "cluster.disasterRecovery.generation=0")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "generation") {
		t.Fatalf("lint accepted generation 0: %v\n%s", err, out)
	}
}

// docs splits rendered YAML into objects by kind/name.
func docs(t *testing.T, rendered []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, d := range bytes.Split(rendered, []byte("\n---")) {
		var m struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(d, &m); err != nil {
			t.Fatalf("rendered YAML: %v\n%s", err, d)
		}
		if m.Kind != "" {
			out[m.Kind+"/"+m.Metadata.Name] = d
		}
	}
	return out
}

func decode(t *testing.T, b []byte, into runtime.Object) {
	t.Helper()
	if err := yaml.UnmarshalStrict(b, into); err != nil {
		t.Fatalf("%T: %v\n%s", into, err, b)
	}
}

// TestHelmChartsOnAPIServer renders both charts, applies them to the API server, runs the
// operator binary with the Deployment's own arguments and only the chart's RBAC, and walks the
// StarRocks guide: install the cluster, then install again with cluster_snapshot.yaml added.
func TestHelmChartsOnAPIServer(t *testing.T) {
	ctx := context.Background()
	newNamespace(t, "strata-system")
	opOut := helm(t, "template", "strata-operator", filepath.Join(chartsDir, "strata-operator"),
		"--namespace", "strata-system", "--include-crds", "--set", "watchNamespace=guide")
	objs := docs(t, opOut)

	// The chart ships the generated CRD and RBAC rules, unchanged.
	crd, err := os.ReadFile("../../config/crd/bases/strata.io_strataclusters.yaml")
	if err != nil {
		t.Fatal(err)
	}
	chartCRD, err := os.ReadFile(filepath.Join(chartsDir, "strata-operator", "crds", "strata.io_strataclusters.yaml"))
	if err != nil || !bytes.Equal(crd, chartCRD) {
		t.Fatalf("the chart's CRD differs from config/crd/bases (run hack/generate.sh): %v", err)
	}
	var genRole, chartRole rbacv1.ClusterRole
	roleYAML, _ := os.ReadFile("../../config/rbac/role.yaml")
	decode(t, roleYAML, &genRole)
	decode(t, objs["ClusterRole/strata-operator-strata-operator"], &chartRole)
	if !reflect.DeepEqual(genRole.Rules, chartRole.Rules) || len(chartRole.Rules) == 0 {
		t.Fatalf("the chart's ClusterRole rules differ from config/rbac/role.yaml (run hack/generate.sh)")
	}

	if _, err := applyYAML(ctx, opOut, "strata-system"); err != nil {
		t.Fatal(err)
	}
	var dep appsv1.Deployment
	decode(t, objs["Deployment/strata-operator-strata-operator"], &dep)
	c := dep.Spec.Template.Spec.Containers[0]
	if dep.Spec.Template.Spec.ServiceAccountName != "strata-operator" {
		t.Fatalf("service account %q", dep.Spec.Template.Spec.ServiceAccountName)
	}

	// The Deployment's args, as the pod would run them, plus what only a test needs (a
	// kubeconfig instead of the in-cluster one, 127.0.0.1 ports); later flags win.
	kc, err := env.kubeconfig("system:serviceaccount:strata-system:strata-operator")
	if err != nil {
		t.Fatal(err)
	}
	probe, _ := freePort()
	metrics, _ := freePort()
	args := append(append([]string{}, c.Args...), "--kubeconfig="+kc, "--leader-election-namespace=strata-system",
		"--health-probe-bind-address=127.0.0.1:"+strconv.Itoa(probe),
		"--metrics-bind-address=127.0.0.1:"+strconv.Itoa(metrics), "--dr-poll-interval=1s")
	p, err := start("operator-chart", filepath.Join(workDir, "operator-chart.log"), operatorBin, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("operator log:\n%s", p.tail(40))
		}
		p.stop(syscall.SIGTERM)
	})
	checkHTTP(t, probe, "/healthz", "ok")
	checkHTTP(t, probe, "/readyz", "ok")
	checkHTTP(t, metrics, "/metrics", "controller_runtime_reconcile_total")

	// helm install -f strata-values.yaml
	ns := newNamespace(t, "guide")
	ex := filepath.Join(chartsDir, "strata", "examples")
	first := helm(t, "template", "strata", filepath.Join(chartsDir, "strata"), "--namespace", ns,
		"-f", filepath.Join(ex, "strata-values.yaml"))
	if _, err := applyYAML(ctx, first, ns); err != nil {
		t.Fatal(err)
	}
	eventually(t, wait, "StatefulSets from the chart's cluster", func() string {
		var l appsv1.StatefulSetList
		if err := cl.List(ctx, &l); err != nil {
			return err.Error()
		}
		n := 0
		for _, s := range l.Items {
			if s.Namespace == ns {
				n++
			}
		}
		if n != 2 {
			return strconv.Itoa(n) + " StatefulSets"
		}
		return ""
	})
	fe := getSts(t, ns, "strata-fe")
	if *fe.Spec.Replicas != 3 || fe.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String() != "10Gi" ||
		fe.Spec.Template.Spec.Containers[0].Image != "strata:latest" {
		t.Fatalf("FE StatefulSet from the chart: replicas %d", *fe.Spec.Replicas)
	}
	if !strings.Contains(mapString(envRefs(fe)), "STRATA_S3_ACCESS_KEY=strata-s3/access_key") {
		t.Fatalf("credentials not taken from the Secret: %v", envRefs(fe))
	}

	// helm upgrade -f strata-values.yaml -f cluster_snapshot.yaml: the guide's second step.
	second := helm(t, "template", "strata", filepath.Join(chartsDir, "strata"), "--namespace", ns,
		"-f", filepath.Join(ex, "strata-values.yaml"), "-f", filepath.Join(ex, "cluster_snapshot.yaml"))
	if _, err := applyYAML(ctx, second, ns); err != nil {
		t.Fatal(err)
	}
	var cm corev1.ConfigMap
	if err := cl.Get(ctx, keyOf(ns, "cluster-snapshot"), &cm); err != nil ||
		!strings.Contains(cm.Data["cluster_snapshot.yaml"], "cluster_snapshot_path: s3://") {
		t.Fatalf("snapshot ConfigMap: %v %v", err, cm.Data)
	}
	srv := newFEServer(t)
	srv.set("restoring", 1, "")

	eventually(t, wait, "DR doing from the chart", func() string {
		var c strata.StrataCluster
		if err := cl.Get(ctx, keyOf(ns, "strata"), &c); err != nil {
			return err.Error()
		}

		if st := c.Status.DisasterRecoveryStatus; st == nil || st.Phase != strata.DRDoing {
			return drStatus(&c)
		}
		return ""
	})
	fe = getSts(t, ns, "strata-fe")
	if *fe.Spec.Replicas != 1 || envOf(fe)["RESTORE_CLUSTER_GENERATION"] != "1" || *getSts(t, ns, "strata-cn").Spec.Replicas != 0 {
		t.Fatalf("restore form from the chart: FE %d env %v", *fe.Spec.Replicas, envOf(fe))
	}
	mounted := false
	for _, m := range fe.Spec.Template.Spec.Containers[0].VolumeMounts {
		mounted = mounted || (m.MountPath == "/opt/strata/fe/conf/cluster_snapshot.yaml" && m.SubPath == "cluster_snapshot.yaml")
	}
	if !mounted {
		t.Fatal("cluster_snapshot.yaml not mounted into the FE")
	}
	syncPods(t, ns, "strata-fe", srv, allReady)
	srv.set("finished", 1, "")
	eventually(t, wait, "DR done from the chart", func() string {
		var c strata.StrataCluster
		if err := cl.Get(ctx, keyOf(ns, "strata"), &c); err != nil {
			return err.Error()
		}
		if st := c.Status.DisasterRecoveryStatus; st == nil || st.Phase != strata.DRDone {
			return drStatus(&c)
		}
		return ""
	})
	if fe := getSts(t, ns, "strata-fe"); *fe.Spec.Replicas != 3 {
		t.Fatalf("after DR: FE replicas %d", *fe.Spec.Replicas)
	}
}
