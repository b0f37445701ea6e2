package builders

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite testdata/*.yaml from the builders' output")

func cluster() *strata.StrataCluster {
	c := &strata.StrataCluster{}
	c.Name, c.Namespace, c.UID = "demo", "db", "uid-1"
	c.Spec.FE.Image = "strata:test"
	c.Spec.FE.Replicas = ptr(int32(3))
	c.Spec.FE.Config = "run_mode = shared_data\ncluster_name = demo\n"
	c.Spec.CN = &strata.CNSpec{}
	c.Spec.CN.Image = "strata:test"
	c.Spec.CN.Replicas = ptr(int32(2))
	return c
}

// full adds storage, credentials and the snapshot ConfigMap mount, as in the DR guide.
func full() *strata.StrataCluster {
	c := cluster()
	c.Spec.StorageCredentials = &strata.StorageCredentials{SecretName: "s3-keys"}
	c.Spec.FE.MetaStorage = &strata.StorageSpec{Size: resource.MustParse("10Gi"), StorageClassName: ptr("fast")}
	c.Spec.CN.CacheStorage = &strata.StorageSpec{Size: resource.MustParse("100Gi")}
	c.Spec.FE.ConfigMaps = []strata.ConfigMapMount{{Name: "cluster-snapshot",
		MountPath: FEConfDir + "/cluster_snapshot.yaml", SubPath: "cluster_snapshot.yaml"}}
	return c
}

// render returns all objects of one cluster as one multi-document YAML.
func render(t *testing.T, c *strata.StrataCluster, o Options) []byte {
	t.Helper()
	fe := FEStatefulSet(c, o)
	objs := []any{FEConfigMap(c), FEService(c), FEPeerService(c), fe,
		PodDisruptionBudget(c, ComponentFE, *fe.Spec.Replicas)}
	if c.Spec.CN != nil {
		cn := CNStatefulSet(c, o)
		objs = append(objs, CNConfigMap(c, o), CNService(c), cn, PodDisruptionBudget(c, ComponentCN, *cn.Spec.Replicas))
	}
	var buf bytes.Buffer
	for _, obj := range objs {
		y, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		c    *strata.StrataCluster
		o    Options
	}{
		{"basic", cluster(), Options{}},
		{"full", full(), Options{ClusterDomain: "k8s.example"}},
		{"dr_doing", full(), Options{DRGeneration: 2, FEReplicas: ptr(int32(1)), CNReplicas: ptr(int32(0))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.c, tc.o)
			path := filepath.Join("testdata", tc.name+".yaml")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `go test ./internal/builders -update` to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the builders' output; review and run with -update.\n--- got ---\n%s", path, got)
			}
		})
	}
}
