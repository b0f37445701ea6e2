//go:build integration

// Package integration runs the operator against a real kube-apiserver and etcd, started here
// on 127.0.0.1 (envtest style) from the binaries hack/build-kube.sh builds. The test plays the
// StatefulSet controller and the kubelet: it creates the pods a StatefulSet asks for and sets
// their status. Every process it starts is stopped by its PID, also when a test fails.
package integration

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
)

// proc is one process this package started; stop() ends it by its PID.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

var (
	procsMu sync.Mutex
	procs   []*proc
)

// recordPID appends "pid starttime" to $STRATA_IT_PIDFILE when set, so that test.sh's trap can
// stop every process by its PID even if this binary is killed.
func recordPID(pid int) {
	f := os.Getenv("STRATA_IT_PIDFILE")
	if f == "" {
		return
	}
	fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer fh.Close()
	fmt.Fprintln(fh, pid, procStartTime(pid))
}

// procStartTime is field 22 of /proc/<pid>/stat: with the PID it names one process for good,
// so a cleanup never signals a process that reused the PID.
func procStartTime(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "?"
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		if f := strings.Fields(s[i+1:]); len(f) > 19 {
			return f[19]
		}
	}
	return "?"
}

func start(name, logPath string, bin string, args ...string) (*proc, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	// The child dies with this test binary even if the binary is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	recordPID(cmd.Process.Pid)
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	procsMu.Lock()
	procs = append(procs, p)
	procsMu.Unlock()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends sig to the PID this package started and waits; SIGKILL after 10 s.
func (p *proc) stop(sig syscall.Signal) {
	if p.exited() {
		return
	}
	_ = syscall.Kill(p.cmd.Process.Pid, sig)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *proc) tail(n int) string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stopAll stops every process still running, newest first.
func stopAll() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop(syscall.SIGTERM)
	}
	procs = nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// kube is a running etcd + kube-apiserver.
type kube struct {
	dir        string
	etcd, api  *proc
	url        string
	caPEM      []byte
	adminToken string
	// tokens maps a user name to its bearer token (static token file).
	tokens map[string]string
	cfg    *rest.Config
}

// identities the token file knows: name -> groups.
var identities = map[string]string{
	"admin": "system:masters",
	// The operator's ServiceAccount in the operator chart, and one the DR tests bind to the
	// generated ClusterRole. RBAC matches ServiceAccount subjects by this user name.
	"system:serviceaccount:strata-system:strata-operator": "system:serviceaccounts",
	"system:serviceaccount:strata-it:operator":            "system:serviceaccounts",
}

func startKube(binDir, dir string) (*kube, error) {
	k := &kube{dir: dir, tokens: map[string]string{}}
	for _, p := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(binDir, p)); err != nil {
			return nil, fmt.Errorf("%s not built in %s (run hack/build-kube.sh): %w", p, binDir, err)
		}
	}
	clientPort, err := freePort()
	if err != nil {
		return nil, err
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, err
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	k.etcd, err = start("etcd", filepath.Join(dir, "etcd.log"), filepath.Join(binDir, "etcd"),
		"--name=it", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=it="+peerURL, "--unsafe-no-fsync", "--log-level=warn")
	if err != nil {
		return nil, err
	}
	if err := k.writeSecrets(); err != nil {
		return nil, err
	}
	securePort, err := freePort()
	if err != nil {
		return nil, err
	}
	k.url = "https://127.0.0.1:" + strconv.Itoa(securePort)
	k.api, err = start("kube-apiserver", filepath.Join(dir, "kube-apiserver.log"),
		filepath.Join(binDir, "kube-apiserver"),
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(securePort),
		"--tls-cert-file="+filepath.Join(dir, "serving.crt"),
		"--tls-private-key-file="+filepath.Join(dir, "serving.key"),
		"--cert-dir="+filepath.Join(dir, "certs"),
		"--service-cluster-ip-range=10.0.0.0/24",
		"--service-account-issuer="+k.url,
		"--service-account-key-file="+filepath.Join(dir, "sa.key"),
		"--service-account-signing-key-file="+filepath.Join(dir, "sa.key"),
		"--token-auth-file="+filepath.Join(dir, "tokens.csv"),
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
		// No kube-controller-manager creates the default ServiceAccounts the admission
		// plugin would require for every pod.
		"--disable-admission-plugins=ServiceAccount",
		"--enable-priority-and-fairness=false",
		// The kubernetes Service endpoints cannot point at a loopback address; nothing here needs them.
		"--endpoint-reconciler-type=none",
	)
	if err != nil {
		return nil, err
	}
	k.adminToken = k.tokens["admin"]
	k.cfg = k.restConfig("admin")
	if err := k.waitReady(90 * time.Second); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *kube) restConfig(user string) *rest.Config {
	return &rest.Config{Host: k.url, BearerToken: k.tokens[user], QPS: 200, Burst: 400,
		TLSClientConfig: rest.TLSClientConfig{CAData: k.caPEM}}
}

// kubeconfig writes a kubeconfig for user and returns its path.
func (k *kube) kubeconfig(user string) (string, error) {
	p := filepath.Join(k.dir, "kubeconfig-"+strings.NewReplacer(":", "_").Replace(user))
	ca := filepath.Join(k.dir, "ca.crt")
	text := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: it
  cluster: {server: %q, certificate-authority: %q}
users:
- name: u
  user: {token: %q}
contexts:
- name: it
  context: {cluster: it, user: u}
current-context: it
`, k.url, ca, k.tokens[user])
	return p, os.WriteFile(p, []byte(text), 0o600)
}

func (k *kube) waitReady(limit time.Duration) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(k.caPEM)
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	deadline := time.Now().Add(limit)
	var last string
	for time.Now().Before(deadline) {
		for _, p := range []*proc{k.etcd, k.api} {
			if p.exited() {
				return fmt.Errorf("%s exited: %v\n%s", p.name, p.err, p.tail(30))
			}
		}
		req, _ := http.NewRequest(http.MethodGet, k.url+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+k.adminToken)
		resp, err := hc.Do(req)
		if err == nil {
			b := new(bytes.Buffer)
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d %s", resp.StatusCode, b.String())
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver not ready after %s: %s\n%s", limit, last, k.api.tail(30))
}

// writeSecrets makes a CA and the serving certificate for 127.0.0.1, the ServiceAccount
// signing key and the static token file.
func (k *kube) writeSecrets() error {
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "strata-it-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.1")}, DNSNames: []string{"localhost"}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	k.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	files := map[string][]byte{
		"ca.crt":      k.caPEM,
		"serving.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		"serving.key": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(srvKey)}),
		"sa.key":      pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)}),
	}
	var tokens strings.Builder
	i := 0
	for user, groups := range identities {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		tok := hex.EncodeToString(b)
		k.tokens[user] = tok
		i++
		fmt.Fprintf(&tokens, "%s,%s,uid-%d,\"%s\"\n", tok, user, i, groups)
	}
	files["tokens.csv"] = []byte(tokens.String())
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(k.dir, name), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
