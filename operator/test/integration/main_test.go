//go:build integration

package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

var (
	env         *kube
	cl          client.Client // admin
	scheme      = runtime.NewScheme()
	operatorBin string
	workDir     string
)

// operatorUser is the identity the operator runs as in the DR tests: only the ClusterRole
// generated from the +kubebuilder:rbac markers is bound to it.
const operatorUser = "system:serviceaccount:strata-it:operator"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	defer stopAll()
	binDir := os.Getenv("STRATA_KUBE_BIN")
	if binDir == "" {
		fmt.Fprintln(os.Stderr, "FAIL: STRATA_KUBE_BIN is not set; run operator/test.sh, which builds "+
			"kube-apiserver and etcd with hack/build-kube.sh")
		return 1
	}
	var err error
	if workDir, err = os.MkdirTemp("", "strata-operator-it-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(workDir)
		}
	}()
	if err := setup(binDir); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: setup:", err)
		keep = true
		fmt.Fprintln(os.Stderr, "logs kept in", workDir)
		return 1
	}
	code := m.Run()
	if code != 0 {
		keep = true
		fmt.Fprintln(os.Stderr, "logs kept in", workDir)
	}
	return code
}

func setup(binDir string) error {
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := strata.AddToScheme(scheme); err != nil {
		return err
	}
	if err := apiextv1.AddToScheme(scheme); err != nil {
		return err
	}
	operatorBin = os.Getenv("STRATA_OPERATOR_BIN")
	if operatorBin == "" {
		operatorBin = filepath.Join(workDir, "strata-operator")
		t0 := time.Now()
		cmd := exec.Command("go", "build", "-o", operatorBin, "../../cmd")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build the operator: %w", err)
		}
		fmt.Fprintf(os.Stderr, "built the operator in %s\n", time.Since(t0).Round(time.Millisecond))
	}
	t0 := time.Now()
	var err error
	if env, err = startKube(binDir, workDir); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "etcd + kube-apiserver ready in %s at %s\n", time.Since(t0).Round(time.Millisecond), env.url)
	if cl, err = client.New(env.cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	ctx := context.Background()
	if err := applyFile(ctx, "../../config/crd/bases/strata.io_strataclusters.yaml", ""); err != nil {
		return err
	}
	if err := waitCRD(ctx, "strataclusters.strata.io"); err != nil {
		return err
	}
	if err := applyFile(ctx, "../../config/rbac/role.yaml", ""); err != nil {
		return err
	}
	b := &rbacv1.ClusterRoleBinding{}
	b.Name = "strata-it-operator"
	b.RoleRef = rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "strata-operator"}
	b.Subjects = []rbacv1.Subject{{Kind: "ServiceAccount", Name: "operator", Namespace: "strata-it"}}
	return cl.Create(ctx, b)
}

func waitCRD(ctx context.Context, name string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var crd apiextv1.CustomResourceDefinition
		if err := cl.Get(ctx, types.NamespacedName{Name: name}, &crd); err == nil {
			for _, c := range crd.Status.Conditions {
				if c.Type == apiextv1.Established && c.Status == apiextv1.ConditionTrue {
					return nil
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("CRD %s not established", name)
}

func applyFile(ctx context.Context, path, ns string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = applyYAML(ctx, b, ns)
	return err
}

// applyYAML creates (or replaces) every object of a multi-document YAML stream, in order; ns is
// used for namespaced objects without one. It returns the objects as sent.
func applyYAML(ctx context.Context, docs []byte, ns string) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(docs), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		if len(u.Object) == 0 {
			continue
		}
		if u.GetNamespace() == "" && ns != "" {
			namespaced, err := cl.IsObjectNamespaced(u)
			if err != nil {
				return out, fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
			}
			if namespaced {
				u.SetNamespace(ns)
			}
		}
		err := cl.Create(ctx, u.DeepCopy())
		if apierrors.IsAlreadyExists(err) {
			live := &unstructured.Unstructured{}
			live.SetGroupVersionKind(u.GroupVersionKind())
			if err = cl.Get(ctx, client.ObjectKeyFromObject(u), live); err == nil {
				u.SetResourceVersion(live.GetResourceVersion())
				err = cl.Update(ctx, u.DeepCopy())
			}
		}
		if err != nil {
			return out, fmt.Errorf("apply %s %s: %w", u.GetKind(), u.GetName(), err)
		}
		out = append(out, u)
	}
}

// eventually polls cond every 100 ms until it returns "" or limit passes; then fails with the
// last thing cond said was wrong.
func eventually(t *testing.T, limit time.Duration, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	var last string
	for {
		if last = cond(); last == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s: %s", what, limit, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
