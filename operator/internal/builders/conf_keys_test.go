package builders

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// The keys the binaries accept are the sets FeConfigKeys() and CnConfigKeys() return
// (Config::Load rejects any other key: exit 2). They are read from the C++ sources here, so
// this test fails as soon as the operator writes a key the binary does not read, or the C++
// side drops one the operator writes.
const (
	feConfigSource = "../../../src/server/fe_config.cc"
	cnConfigSource = "../../../src/server/cn/cn_config.cc"
)

var quoted = regexp.MustCompile(`"([A-Za-z_][A-Za-z0-9_]*)"`)

// cppKeys returns the string literals of the `kKeys = { ... };` set inside function fn of a
// C++ source file.
func cppKeys(t *testing.T, path, fn string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the C++ config parser %s: %v (the operator is tested inside the Strata repository)", path, err)
	}
	src := string(b)
	i := strings.Index(src, fn+"() {")
	if i < 0 {
		t.Fatalf("%s: no definition of %s()", path, fn)
	}
	body := src[i:]
	start := strings.Index(body, "kKeys = {")
	end := strings.Index(body, "};")
	if start < 0 || end < start {
		t.Fatalf("%s: %s() has no `kKeys = { ... };` set", path, fn)
	}
	keys := map[string]bool{}
	for _, m := range quoted.FindAllStringSubmatch(body[start:end], -1) {
		keys[m[1]] = true
	}
	if len(keys) < 10 {
		t.Fatalf("%s: only %d keys parsed out of %s(): the parser no longer matches the source", path, len(keys), fn)
	}
	return keys
}

// confMap parses a conf text as the binaries do: `key = value`, comments, last key wins.
func confMap(text string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		m[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return m
}

var scriptKey = regexp.MustCompile(`echo "([A-Za-z_0-9]+) = `)

// written lists every key that reaches the binary: the ConfigMap's, then the start script's.
func written(conf, script string) []string {
	keys := confKeys(conf)
	for _, m := range scriptKey.FindAllStringSubmatch(script, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

func unknown(keys []string, accepted map[string]bool) []string {
	var out []string
	for _, k := range keys {
		if !accepted[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func variants() map[string]struct {
	c *strata.StrataCluster
	o Options
} {
	withCNConf := full()
	withCNConf.Spec.CN.Config = "sys_log_level = INFO\ncache_capacity_bytes = 1000\n"
	return map[string]struct {
		c *strata.StrataCluster
		o Options
	}{
		"basic":      {cluster(), Options{}},
		"full":       {full(), Options{ClusterDomain: "k8s.example"}},
		"dr":         {full(), Options{DRGeneration: 2, FEReplicas: ptr(int32(1)), CNReplicas: ptr(int32(0))}},
		"cn-config":  {withCNConf, Options{}},
		"no-storage": {cluster(), Options{ClusterDomain: "c.test"}},
	}
}

func TestConfKeysAreTheBinariesKeys(t *testing.T) {
	feKeys := cppKeys(t, feConfigSource, "FeConfigKeys")
	cnKeys := cppKeys(t, cnConfigSource, "CnConfigKeys")
	// The check itself must be able to fail: the key the CN conf once carried is not one.
	if got := unknown([]string{"webserver_port", "fe_address"}, cnKeys); len(got) != 1 || got[0] != "webserver_port" {
		t.Fatalf("unknown(webserver_port, fe_address) = %v", got)
	}
	for name, v := range variants() {
		fe := FEStatefulSet(v.c, v.o).Spec.Template.Spec.Containers[0]
		if bad := unknown(written(FEConf(v.c), fe.Command[2]), feKeys); len(bad) > 0 {
			t.Errorf("%s: fe.conf keys strata fe rejects: %v", name, bad)
		}
		cn := CNStatefulSet(v.c, v.o).Spec.Template.Spec.Containers[0]
		if bad := unknown(written(CNConf(v.c, v.o), cn.Command[2]), cnKeys); len(bad) > 0 {
			t.Errorf("%s: cn.conf keys strata cn rejects: %v", name, bad)
		}
	}
	for _, k := range append(operatorOwnedFEKeys, "meta_dir") {
		if !feKeys[k] {
			t.Errorf("operator-owned fe.conf key %s is not a key of strata fe", k)
		}
	}
	for _, k := range operatorOwnedCNKeys {
		if !cnKeys[k] {
			t.Errorf("operator-owned cn.conf key %s is not a key of strata cn", k)
		}
	}
}

func containerPort(t *testing.T, c corev1.Container, name string) string {
	t.Helper()
	for _, p := range c.Ports {
		if p.Name == name {
			return fmt.Sprint(p.ContainerPort)
		}
	}
	t.Errorf("container %s has no port %s", c.Name, name)
	return ""
}

func servicePort(t *testing.T, s *corev1.Service, name string) string {
	t.Helper()
	for _, p := range s.Spec.Ports {
		if p.Name == name {
			if p.TargetPort.IntVal != p.Port {
				t.Errorf("service %s port %s: %d -> %s", s.Name, name, p.Port, p.TargetPort.String())
			}
			return fmt.Sprint(p.Port)
		}
	}
	t.Errorf("service %s has no port %s", s.Name, name)
	return ""
}

func mountOf(t *testing.T, c corev1.Container, volume string) string {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if m.Name == volume {
			return m.MountPath
		}
	}
	t.Errorf("container %s does not mount %s", c.Name, volume)
	return ""
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// The values: the ports the binaries bind are the ports the containers, probes and Services
// name; CNs reach the FE Service's rpc port; the directories are the volumes' mounts; host is
// the pod's name through the StatefulSet's own headless Service.
func TestConfValuesMatchTheObjects(t *testing.T) {
	for name, v := range variants() {
		c, o := v.c, v.o
		fe := confMap(FEConf(c))
		feSts := FEStatefulSet(c, o)
		feCt := feSts.Spec.Template.Spec.Containers[0]
		svc, peer := FEService(c), FEPeerService(c)
		for key, port := range map[string]string{"http_port": "http", "rpc_port": "rpc", "query_port": "query"} {
			if fe[key] != containerPort(t, feCt, port) || fe[key] != servicePort(t, peer, port) {
				t.Errorf("%s: fe.conf %s = %s, container/peer port %s differ", name, key, fe[key], port)
			}
		}
		for key, port := range map[string]string{"http_port": "http", "rpc_port": "rpc", "query_port": "query"} {
			if fe[key] != servicePort(t, svc, port) {
				t.Errorf("%s: fe.conf %s = %s, FE Service port %s differs", name, key, fe[key], port)
			}
		}
		if p := feCt.ReadinessProbe.HTTPGet.Port.String(); p != fe["http_port"] {
			t.Errorf("%s: FE readiness probe on %s, http_port %s", name, p, fe["http_port"])
		}
		if fe["meta_dir"] != mountOf(t, feCt, "meta") {
			t.Errorf("%s: meta_dir %s is not the meta volume", name, fe["meta_dir"])
		}
		checkHost(t, name, feSts, feCt, peer, o)
		if fe["bind_address"] != "0.0.0.0" {
			t.Errorf("%s: fe.conf bind_address = %q, want 0.0.0.0 (host is only advertised)", name, fe["bind_address"])
		}

		cn := confMap(CNConf(c, o))
		cnSts := CNStatefulSet(c, o)
		cnCt := cnSts.Spec.Template.Spec.Containers[0]
		cnSvc := CNService(c)
		for key, port := range map[string]string{"be_http_port": "http", "heartbeat_service_port": "heartbeat", "be_port": "rpc"} {
			if cn[key] != containerPort(t, cnCt, port) || cn[key] != servicePort(t, cnSvc, port) {
				t.Errorf("%s: cn.conf %s = %s, container/service port %s differ", name, key, cn[key], port)
			}
		}
		if cn["be_http_port"] == cn["be_port"] || cn["be_port"] == cn["heartbeat_service_port"] ||
			cn["be_http_port"] == cn["heartbeat_service_port"] {
			t.Errorf("%s: strata cn wants three different ports: %v", name, cn)
		}
		for _, p := range []*corev1.Probe{cnCt.ReadinessProbe, cnCt.LivenessProbe, cnCt.StartupProbe} {
			if p.HTTPGet.Port.String() != cn["be_http_port"] {
				t.Errorf("%s: CN probe on %s, be_http_port %s", name, p.HTTPGet.Port.String(), cn["be_http_port"])
			}
		}
		wantFE := fmt.Sprintf("%s.%s.svc.%s:%s", svc.Name, c.Namespace, o.clusterDomain(), fe["rpc_port"])
		if cn["fe_address"] != wantFE {
			t.Errorf("%s: fe_address = %q, want the FE Service's rpc port %q", name, cn["fe_address"], wantFE)
		}
		if cn["cache_dir"] != mountOf(t, cnCt, "cache") || cn["storage_root_path"] != cn["cache_dir"] {
			t.Errorf("%s: cache_dir %s / storage_root_path %s, cache volume at %s", name, cn["cache_dir"],
				cn["storage_root_path"], mountOf(t, cnCt, "cache"))
		}
		checkHost(t, name, cnSts, cnCt, cnSvc, o)
		if cn["bind_address"] != "0.0.0.0" {
			t.Errorf("%s: cn.conf bind_address = %q, want 0.0.0.0 (host is only advertised)", name, cn["bind_address"])
		}
	}
}

func checkHost(t *testing.T, name string, sts *appsv1.StatefulSet, ct corev1.Container, headless *corev1.Service, o Options) {
	t.Helper()
	if sts.Spec.ServiceName != headless.Name || headless.Spec.ClusterIP != corev1.ClusterIPNone ||
		!headless.Spec.PublishNotReadyAddresses {
		t.Errorf("%s: %s's serviceName %s is not the headless Service %s publishing not-ready pods", name,
			sts.Name, sts.Spec.ServiceName, headless.Name)
	}
	if envValue(ct, "PEER_SERVICE") != headless.Name || envValue(ct, "CLUSTER_DOMAIN") != o.clusterDomain() {
		t.Errorf("%s: %s start env PEER_SERVICE=%s CLUSTER_DOMAIN=%s", name, ct.Name,
			envValue(ct, "PEER_SERVICE"), envValue(ct, "CLUSTER_DOMAIN"))
	}
}

func TestCNCacheCapacityFollowsThePVC(t *testing.T) {
	c := full() // 100Gi cache claim
	if got := confMap(CNConf(c, Options{}))["cache_capacity_bytes"]; got != fmt.Sprint(int64(100<<30)/10*8) {
		t.Errorf("cache_capacity_bytes = %q with a 100Gi claim", got)
	}
	c.Spec.CN.Config = "cache_capacity_bytes = 5\n"
	if got := confMap(CNConf(c, Options{}))["cache_capacity_bytes"]; got != "5" {
		t.Errorf("the user's cache_capacity_bytes was overridden: %q", got)
	}
	c = cluster() // emptyDir: the CN's default
	if _, ok := confMap(CNConf(c, Options{}))["cache_capacity_bytes"]; ok {
		t.Error("cache_capacity_bytes written without a claim")
	}
	c.Spec.CN.CacheStorage = &strata.StorageSpec{Size: resource.MustParse("1Gi")}
	if got := confMap(CNConf(c, Options{}))["cache_capacity_bytes"]; got != "858993456" {
		t.Errorf("cache_capacity_bytes = %q with 1Gi", got)
	}
}

func TestOwnedCNKeysAreReported(t *testing.T) {
	got := OwnedKeysInCNConfig("# fe_address = x\nrpc_port = 1\nsys_log_level = INFO\nhost=a\n")
	if strings.Join(got, ",") != "rpc_port,host" {
		t.Errorf("owned keys = %v", got)
	}
}

// The start script, run by a real /bin/sh with its paths moved into a temp dir and `getent`
// and `strata` replaced by stubs: it appends host and execs the binary with the conf it wrote,
// without waiting for host to resolve (getent never resolves it here; the binaries bind
// bind_address, not host).
func TestStartScriptRuns(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("no sh: %v", err)
	}
	for _, program := range []string{"fe", "cn"} {
		dir := t.TempDir()
		tmpl, conf, bin := filepath.Join(dir, "tmpl"), filepath.Join(dir, "conf"), filepath.Join(dir, "bin")
		for _, d := range []string{tmpl, conf, bin} {
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(tmpl, program+".conf"), []byte("a = 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// The name is never published.
		stubs := map[string]string{
			"getent": "#!/bin/sh\nexit 2\n",
			"strata": "#!/bin/sh\necho \"$@\" > " + dir + "/args\ncp \"$3\" " + dir + "/used.conf\n",
		}
		for n, body := range stubs {
			if err := os.WriteFile(filepath.Join(bin, n), []byte(body), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		confDir := map[string]string{"fe": FEConfDir, "cn": CNConfDir}[program]
		script := startScript(program, confDir, program == "fe")
		script = strings.ReplaceAll(script, confTemplateDir, tmpl)
		script = strings.ReplaceAll(script, confDir, conf)
		cmd := exec.Command(sh, "-c", script)
		cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "POD_NAME=x-1", "PEER_SERVICE=x-peer",
			"POD_NAMESPACE=ns", "CLUSTER_DOMAIN=c.test", "STRATA_S3_ACCESS_KEY=ak", "STRATA_S3_SECRET_KEY=sk"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s start script: %v\n%s", program, err, out)
		}
		args, _ := os.ReadFile(filepath.Join(dir, "args"))
		if got := strings.TrimSpace(string(args)); got != program+" --conf "+conf+"/"+program+".conf" {
			t.Errorf("%s: strata %s", program, got)
		}
		used, _ := os.ReadFile(filepath.Join(dir, "used.conf"))
		want := "a = 1\nhost = x-1.x-peer.ns.svc.c.test\n"
		if program == "fe" {
			want += "aws_s3_access_key = ak\naws_s3_secret_key = sk\n"
		}
		if string(used) != want {
			t.Errorf("%s: conf =\n%s\nwant\n%s", program, used, want)
		}
	}
}
