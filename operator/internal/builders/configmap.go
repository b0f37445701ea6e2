package builders

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// Paths inside the containers.
const (
	confTemplateDir = "/etc/strata/conf-template" // the ConfigMap, read-only
	FEConfDir       = "/opt/strata/fe/conf"       // emptyDir: the start script writes fe.conf here
	FEMetaDir       = "/opt/strata/fe/meta"
	CNConfDir       = "/opt/strata/cn/conf"
	CNCacheDir      = "/opt/strata/cn/cache"
)

// operatorOwnedFEKeys are appended after the user's text; fe.conf's "last key wins" rule makes
// them authoritative. host and the credentials are added per pod by the start script.
var operatorOwnedFEKeys = []string{"http_port", "rpc_port", "query_port", "meta_dir", "host",
	"aws_s3_access_key", "aws_s3_secret_key"}

// FEConf is the fe.conf text the ConfigMap carries: the user's config, then the keys the
// operator owns.
func FEConf(c *strata.StrataCluster) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(c.Spec.FE.Config, "\n"))
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	b.WriteString("# --- managed by strata-operator (later keys win) ---\n")
	fmt.Fprintf(&b, "http_port = %d\nrpc_port = %d\nquery_port = %d\nmeta_dir = %s\n",
		FEHTTPPort, FERPCPort, FEQueryPort, FEMetaDir)
	return b.String()
}

// CNConf is the cn.conf text the ConfigMap carries.
func CNConf(c *strata.StrataCluster) string {
	if c.Spec.CN == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(c.Spec.CN.Config, "\n"))
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	b.WriteString("# --- managed by strata-operator (later keys win) ---\n")
	fmt.Fprintf(&b, "webserver_port = %d\n", CNHTTPPort)
	return b.String()
}

// OwnedKeysInConfig lists keys of text the operator owns, so the reconciler can report them
// in a condition instead of silently overriding the user.
func OwnedKeysInConfig(text string) []string {
	var found []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		for _, k := range operatorOwnedFEKeys {
			if key == k {
				found = append(found, k)
			}
		}
	}
	return found
}

// FEConfigMap holds fe.conf.
func FEConfigMap(c *strata.StrataCluster) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: objectMeta(c, FEConfigMapName(c), ComponentFE),
		Data:       map[string]string{"fe.conf": FEConf(c)},
	}
}

// CNConfigMap holds cn.conf; nil when the cluster has no CNs.
func CNConfigMap(c *strata.StrataCluster) *corev1.ConfigMap {
	if c.Spec.CN == nil {
		return nil
	}
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: objectMeta(c, CNConfigMapName(c), ComponentCN),
		Data:       map[string]string{"cn.conf": CNConf(c)},
	}
}

// confHash goes into the pod template so a conf change rolls the pods.
func confHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}
