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
	CNConfDir       = "/opt/strata/cn/conf" // emptyDir: the start script writes cn.conf here
	CNCacheDir      = "/opt/strata/cn/cache"
)

// operatorOwnedFEKeys are appended after the user's text; fe.conf's "last key wins" rule makes
// them authoritative. host and the credentials are added per pod by the start script.
// bind_address = 0.0.0.0: the listeners bind every interface of the pod (so kubectl
// port-forward, which connects to the pod's localhost, reaches them) while host stays the
// advertised DNS name, which need not resolve for the FE to start.
var operatorOwnedFEKeys = []string{"http_port", "rpc_port", "query_port", "meta_dir", "host", "bind_address",
	"aws_s3_access_key", "aws_s3_secret_key"}

// operatorOwnedCNKeys: the ports the Services and probes use, the FE address, the cache on
// the cache volume, and host (per pod, from the start script). rpc_port is cn.conf's alias of
// be_port: a user value that differs from the operator's be_port would make the CN refuse to
// start, so it is owned too.
var operatorOwnedCNKeys = []string{"heartbeat_service_port", "be_port", "rpc_port", "be_http_port",
	"fe_address", "storage_root_path", "cache_dir", "host", "bind_address"}

const managedHeader = "# --- managed by strata-operator (later keys win) ---\n"

// podBindAddress is what FEs and CNs bind in a pod: every interface. host (the pod's DNS name)
// is only advertised.
const podBindAddress = "0.0.0.0"

// FEConf is the fe.conf text the ConfigMap carries: the user's config, then the keys the
// operator owns. The start script appends host (and the S3 keys) per pod.
func FEConf(c *strata.StrataCluster) string {
	var b strings.Builder
	writeUserConfig(&b, c.Spec.FE.Config)
	b.WriteString(managedHeader)
	fmt.Fprintf(&b, "http_port = %d\nrpc_port = %d\nquery_port = %d\nmeta_dir = %s\nbind_address = %s\n",
		FEHTTPPort, FERPCPort, FEQueryPort, FEMetaDir, podBindAddress)
	return b.String()
}

// CNConf is the cn.conf text the ConfigMap carries: the user's config, then the CN's ports,
// the FE Service's rpc port as fe_address (one FE is enough: the CN learns every FE from the
// heartbeat answers), and the disk cache on the cache volume. When the cache volume is a PVC
// and the user did not choose cache_capacity_bytes, the cache is capped below its size. The
// start script appends host per pod: <pod>.<cluster>-cn.<ns>.svc.<domain>, the identity the CN
// registers under (stable across restarts, so a restarted CN keeps its node id).
func CNConf(c *strata.StrataCluster, o Options) string {
	if c.Spec.CN == nil {
		return ""
	}
	var b strings.Builder
	writeUserConfig(&b, c.Spec.CN.Config)
	b.WriteString(managedHeader)
	fmt.Fprintf(&b, "heartbeat_service_port = %d\nbe_port = %d\nbe_http_port = %d\nbind_address = %s\n",
		CNHeartbeatPort, CNRPCPort, CNHTTPPort, podBindAddress)
	fmt.Fprintf(&b, "fe_address = %s\n", FERPCAddress(c, o))
	fmt.Fprintf(&b, "storage_root_path = %s\ncache_dir = %s\n", CNCacheDir, CNCacheDir)
	if capacity := cacheCapacityBytes(c.Spec.CN); capacity > 0 && !hasKey(c.Spec.CN.Config, "cache_capacity_bytes") {
		fmt.Fprintf(&b, "cache_capacity_bytes = %d\n", capacity)
	}
	return b.String()
}

// FERPCAddress is host:port of the FE Service's rpc port, where CNs heartbeat.
func FERPCAddress(c *strata.StrataCluster, o Options) string {
	return fmt.Sprintf("%s.%s.svc.%s:%d", FEName(c), c.Namespace, o.clusterDomain(), FERPCPort)
}

// cacheCapacityBytes is 80% of the CN cache PVC (room for the cache's own files and for a
// second volume's cache filling while the first is evicted); 0 without a PVC (emptyDir: the
// CN's default applies). cache_capacity_bytes is per storage volume the CN caches.
func cacheCapacityBytes(cn *strata.CNSpec) int64 {
	if cn.CacheStorage == nil {
		return 0
	}
	return cn.CacheStorage.Size.Value() / 10 * 8
}

func writeUserConfig(b *strings.Builder, text string) {
	b.WriteString(strings.TrimRight(text, "\n"))
	if b.Len() > 0 {
		b.WriteString("\n")
	}
}

// confKeys lists the keys of a conf text in order ("key = value" lines; comments skipped).
func confKeys(text string) []string {
	var keys []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		keys = append(keys, strings.TrimSpace(key))
	}
	return keys
}

func hasKey(text, key string) bool {
	for _, k := range confKeys(text) {
		if k == key {
			return true
		}
	}
	return false
}

func ownedKeys(text string, owned []string) []string {
	var found []string
	for _, key := range confKeys(text) {
		for _, k := range owned {
			if key == k {
				found = append(found, k)
			}
		}
	}
	return found
}

// OwnedKeysInConfig lists keys of an fe.conf text the operator owns, so the reconciler can
// report them in a condition instead of silently overriding the user.
func OwnedKeysInConfig(text string) []string { return ownedKeys(text, operatorOwnedFEKeys) }

// OwnedKeysInCNConfig is OwnedKeysInConfig for cn.conf.
func OwnedKeysInCNConfig(text string) []string { return ownedKeys(text, operatorOwnedCNKeys) }

// FEConfigMap holds fe.conf.
func FEConfigMap(c *strata.StrataCluster) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: objectMeta(c, FEConfigMapName(c), ComponentFE),
		Data:       map[string]string{"fe.conf": FEConf(c)},
	}
}

// CNConfigMap holds cn.conf; nil when the cluster has no CNs.
func CNConfigMap(c *strata.StrataCluster, o Options) *corev1.ConfigMap {
	if c.Spec.CN == nil {
		return nil
	}
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: objectMeta(c, CNConfigMapName(c), ComponentCN),
		Data:       map[string]string{"cn.conf": CNConf(c, o)},
	}
}

// confHash goes into the pod template so a conf change rolls the pods.
func confHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}
