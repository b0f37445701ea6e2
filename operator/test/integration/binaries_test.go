//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/strata-db/strata/operator/internal/builders"
)

// TestConfsStartTheRealBinaries runs `strata fe` and `strata cn` (STRATA_BIN) with the fe.conf
// and cn.conf the operator generates, on 127.0.0.1: the only changes are what a pod supplies
// or a shared machine forces — host and bind_address = 127.0.0.1 instead of the pod's DNS name
// and every interface (servers on shared machines listen on 127.0.0.1 only), free ports
// instead of the fixed ones, fe_address at the FE's rpc port, /opt/strata moved under a temp
// dir. Every changed key must be one the operator (or the start script) already writes, so the
// binaries see exactly the operator's key set. The CN must register with the FE.
func TestConfsStartTheRealBinaries(t *testing.T) {
	bin := os.Getenv("STRATA_BIN")
	if bin == "" {
		t.Skip("STRATA_BIN (the strata binary) not set: the generated confs are only checked against the C++ sources (internal/builders/conf_keys_test.go)")
	}
	dir := t.TempDir()
	c := newCluster("binaries", nil, false)
	c.Spec.FE.Config = fmt.Sprintf("run_mode = shared_data\ncluster_name = it-binaries\nstorage_root = %s/volume\n", dir)
	o := builders.Options{}
	ports := map[string]int{}
	for _, k := range []string{"fe_http", "fe_rpc", "fe_query", "cn_hb", "cn_be", "cn_http"} {
		p, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[k] = p
	}
	feConf := localize(t, builders.FEConf(c), dir, map[string]string{"host": "127.0.0.1", "bind_address": "127.0.0.1",
		"http_port": itoaInt(ports["fe_http"]), "rpc_port": itoaInt(ports["fe_rpc"]), "query_port": itoaInt(ports["fe_query"])})
	cnConf := localize(t, builders.CNConf(c, o), dir, map[string]string{"host": "127.0.0.1", "bind_address": "127.0.0.1",
		"heartbeat_service_port": itoaInt(ports["cn_hb"]), "be_port": itoaInt(ports["cn_be"]),
		"be_http_port": itoaInt(ports["cn_http"]), "fe_address": "127.0.0.1:" + itoaInt(ports["fe_rpc"])})
	fePath, cnPath := filepath.Join(dir, "fe.conf"), filepath.Join(dir, "cn.conf")
	for path, text := range map[string]string{fePath: feConf, cnPath: cnConf} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fe, err := start("strata-fe", filepath.Join(workDir, "strata-fe.log"), bin, "fe", "--conf", fePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fe.stop(syscall.SIGTERM) })
	cn, err := start("strata-cn", filepath.Join(workDir, "strata-cn.log"), bin, "cn", "--conf", cnPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cn.stop(syscall.SIGTERM) })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("fe.conf:\n%s\nstrata fe log:\n%s\ncn.conf:\n%s\nstrata cn log:\n%s", feConf, fe.tail(30), cnConf, cn.tail(30))
		}
	})

	eventually(t, wait, "strata fe ready", func() string {
		if fe.exited() {
			t.Fatalf("strata fe exited: %v", fe.err)
		}
		return httpJSON("http://127.0.0.1:"+itoaInt(ports["fe_http"])+"/api/ready", nil)
	})
	eventually(t, wait, "strata cn registered", func() string {
		if cn.exited() {
			t.Fatalf("strata cn exited: %v", cn.err)
		}
		var st struct {
			Registered bool `json:"registered"`
		}
		if e := httpJSON("http://127.0.0.1:"+itoaInt(ports["cn_http"])+"/api/status", &st); e != "" {
			return e
		}
		if !st.Registered {
			return "not registered yet"
		}
		return ""
	})
	eventually(t, wait, "the FE sees the CN alive", func() string {
		var cnList struct {
			Nodes []struct {
				Host          string `json:"host"`
				HeartbeatPort int    `json:"heartbeat_port"`
				Alive         bool   `json:"alive"`
			} `json:"nodes"`
		}
		if e := httpJSON("http://127.0.0.1:"+itoaInt(ports["fe_http"])+"/api/cn", &cnList); e != "" {
			return e
		}
		for _, n := range cnList.Nodes {
			if n.Host == "127.0.0.1" && n.HeartbeatPort == ports["cn_hb"] && n.Alive {
				return ""
			}
		}
		return fmt.Sprintf("nodes %+v", cnList.Nodes)
	})
	for _, d := range []string{builders.FEMetaDir, builders.CNCacheDir} {
		if _, err := os.Stat(filepath.Join(dir, d)); err != nil {
			t.Errorf("%s not made by the binary: %v", d, err)
		}
	}
}

// localize moves /opt/strata under dir and appends the overrides ("last key wins"); each
// overridden key must already be written by the operator (or be host, from the start script).
func localize(t *testing.T, conf, dir string, overrides map[string]string) string {
	t.Helper()
	written := map[string]bool{"host": true}
	for _, line := range strings.Split(conf, "\n") {
		if k, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			written[strings.TrimSpace(k)] = true
		}
	}
	conf = strings.ReplaceAll(conf, "/opt/strata/", dir+"/opt/strata/")
	var b strings.Builder
	b.WriteString(conf)
	b.WriteString("# --- test: this machine instead of a pod ---\n")
	for k, v := range overrides {
		if !written[k] {
			t.Fatalf("override %s is not a key the operator writes", k)
		}
		fmt.Fprintf(&b, "%s = %s\n", k, v)
	}
	return b.String()
}

// httpJSON GETs url and decodes a 200 answer into out (when not nil); "" on success.
func httpJSON(url string, out any) string {
	resp, err := http.Get(url)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("HTTP %d %.200s", resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Sprintf("%v: %.200s", err, body)
		}
	}
	return ""
}

func itoaInt(v int) string { return strconv.Itoa(v) }
