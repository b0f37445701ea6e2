package v1alpha1

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestSamplesDecodeStrictly keeps config/samples in step with the Go types: an unknown or
// misspelt field fails here rather than being pruned silently by the API server.
func TestSamplesDecodeStrictly(t *testing.T) {
	files, err := filepath.Glob("../../config/samples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range bytes.Split(data, []byte("\n---\n")) {
			if !bytes.Contains(doc, []byte("kind: StrataCluster")) {
				continue
			}
			var c StrataCluster
			if err := yaml.UnmarshalStrict(doc, &c); err != nil {
				t.Errorf("%s: %v", f, err)
			}
			if c.Spec.FE.Image == "" {
				t.Errorf("%s: no fe.image", f)
			}
		}
	}
}

// TestCRDMatchesTypes checks the generated CRD (hack/generate.sh) for what the API promises;
// hack/verify-generated.sh checks that it is byte-for-byte current.
func TestCRDMatchesTypes(t *testing.T) {
	data, err := os.ReadFile("../../config/crd/bases/strata.io_strataclusters.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var crd struct {
		Spec struct {
			Names    struct{ Kind string }
			Versions []struct {
				Name                     string
				AdditionalPrinterColumns []struct{ Name string }
				Subresources             map[string]any
				Schema                   struct {
					OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	if crd.Spec.Names.Kind != "StrataCluster" || len(crd.Spec.Versions) != 1 || crd.Spec.Versions[0].Name != "v1alpha1" {
		t.Fatalf("names/versions = %+v", crd.Spec)
	}
	v := crd.Spec.Versions[0]
	var cols []string
	for _, c := range v.AdditionalPrinterColumns {
		cols = append(cols, c.Name)
	}
	if got := strings.Join(cols, ","); got != "Phase,FE,CN,DR,Age" {
		t.Errorf("printer columns = %s", got)
	}
	if _, ok := v.Subresources["status"]; !ok {
		t.Error("no status subresource")
	}
	schema := v.Schema.OpenAPIV3Schema
	for _, path := range [][]string{
		{"spec", "fe", "image"}, {"spec", "cn", "cacheStorage"}, {"spec", "fe", "metaStorage"},
		{"spec", "storageCredentials", "secretName"}, {"spec", "disasterRecovery", "generation"},
		{"spec", "disasterRecovery", "timeoutSeconds"}, {"status", "disasterRecoveryStatus", "phase"},
		{"status", "conditions"},
	} {
		node := schema
		for _, p := range path {
			props, _ := node["properties"].(map[string]any)
			next, ok := props[p].(map[string]any)
			if !ok {
				t.Errorf("CRD schema lacks %s", strings.Join(path, "."))
				break
			}
			node = next
		}
	}
	phase := schema["properties"].(map[string]any)["status"].(map[string]any)["properties"].(map[string]any)["disasterRecoveryStatus"].(map[string]any)["properties"].(map[string]any)["phase"].(map[string]any)
	if enum, _ := phase["enum"].([]any); len(enum) != 4 {
		t.Errorf("disasterRecoveryStatus.phase enum = %v", phase["enum"])
	}
}
