//go:build integration

package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/builders"
	"github.com/strata-db/strata/operator/internal/controller"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ---- the FE's restore-state endpoint ----

// feServer answers GET /api/v2/get_cluster_snapshot_restore_state like an FE would; every FE
// pod the test creates points its "http" port here.
type feServer struct {
	mu     sync.Mutex
	state  string // "" answers 404, as an FE without the endpoint
	gen    string
	errMsg string
	hits   int
	srv    *httptest.Server
	port   int32
}

func newFEServer(t *testing.T) *feServer {
	f := &feServer{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.URL.Path != controller.RestoreStatePath || f.state == "" {
			http.NotFound(w, r)
			return
		}
		f.hits++
		_ = json.NewEncoder(w).Encode(map[string]string{"cluster_snapshot_restore_state": f.state,
			"generation": f.gen, "error": f.errMsg})
	}))
	t.Cleanup(f.srv.Close)
	_, port, _ := strings.Cut(strings.TrimPrefix(f.srv.URL, "http://"), ":")
	n, _ := strconv.Atoi(port)
	f.port = int32(n)
	return f
}

func (f *feServer) set(state string, gen int64, errMsg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state, f.gen, f.errMsg = state, strconv.FormatInt(gen, 10), errMsg
}

func (f *feServer) hitCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

// ---- the StatefulSet controller and kubelet ----

const templateHashAnnotation = "it.strata.io/template-hash"

func templateHash(t *corev1.PodTemplateSpec) string {
	b, _ := json.Marshal(t)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// syncPods makes the pods of StatefulSet ns/name match it, as the StatefulSet controller
// would (pod <name>-<i> for i < replicas, recreated when the template changed if i is at or
// above the RollingUpdate partition, extra ones deleted), and sets their status as a kubelet would: Running on 127.0.0.1, Ready as ready(i)
// says. The FE container's "http" port is pointed at the fake FE endpoint. It returns the
// number of pods.
func syncPods(t *testing.T, ns, name string, fe *feServer, ready func(i int) bool) int {
	t.Helper()
	ctx := context.Background()
	var sts appsv1.StatefulSet
	if err := cl.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &sts); err != nil {
		t.Fatalf("get StatefulSet %s: %v", name, err)
	}
	n := int(*sts.Spec.Replicas)
	hash := templateHash(&sts.Spec.Template)
	partition := 0 // RollingUpdate: only pods at or above the partition get a new template
	if ru := sts.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		partition = int(*ru.Partition)
	}
	var pods corev1.PodList
	if err := cl.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels(sts.Spec.Selector.MatchLabels)); err != nil {
		t.Fatal(err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		ord, err := strconv.Atoi(strings.TrimPrefix(p.Name, name+"-"))
		if err != nil || ord >= n || (ord >= partition && p.Annotations[templateHashAnnotation] != hash) {
			if err := cl.Delete(ctx, p, client.GracePeriodSeconds(0)); err != nil && !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
		}
	}
	for i := 0; i < n; i++ {
		key := types.NamespacedName{Namespace: ns, Name: fmt.Sprintf("%s-%d", name, i)}
		var p corev1.Pod
		err := cl.Get(ctx, key, &p)
		if apierrors.IsNotFound(err) {
			p = corev1.Pod{ObjectMeta: *sts.Spec.Template.ObjectMeta.DeepCopy(), Spec: *sts.Spec.Template.Spec.DeepCopy()}
			p.Name, p.Namespace = key.Name, key.Namespace
			if p.Annotations == nil {
				p.Annotations = map[string]string{}
			}
			p.Annotations[templateHashAnnotation] = hash
			// As the StatefulSet controller: a claim per volumeClaimTemplate, mounted by name.
			for _, vct := range sts.Spec.VolumeClaimTemplates {
				claim := vct.DeepCopy()
				claim.Namespace, claim.Name = ns, vct.Name+"-"+key.Name
				claim.Labels = sts.Spec.Selector.MatchLabels
				if err := cl.Create(ctx, claim); err != nil && !apierrors.IsAlreadyExists(err) {
					t.Fatalf("claim %s: %v", claim.Name, err)
				}
				p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: vct.Name, VolumeSource: corev1.VolumeSource{
					PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim.Name}}})
			}
			for c := range p.Spec.Containers {
				for j, port := range p.Spec.Containers[c].Ports {
					if port.Name == "http" && fe != nil {
						p.Spec.Containers[c].Ports[j].ContainerPort = fe.port
					}
				}
			}
			err = cl.Create(ctx, &p)
		}
		if err != nil {
			t.Fatalf("pod %s: %v", key.Name, err)
		}
		st := corev1.ConditionFalse
		if ready(i) {
			st = corev1.ConditionTrue
		}
		p.Status.Phase = corev1.PodRunning
		p.Status.PodIP = "127.0.0.1"
		p.Status.PodIPs = []corev1.PodIP{{IP: "127.0.0.1"}}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st,
			LastTransitionTime: metav1.Now()}}
		if err := cl.Status().Update(ctx, &p); err != nil {
			t.Fatalf("pod %s status: %v", key.Name, err)
		}
	}
	return n
}

func allReady(int) bool  { return true }
func noneReady(int) bool { return false }

// ---- the operator process ----

type operator struct {
	t            *testing.T
	ns           string
	p            *proc
	probe, metrc int
	starts       int
}

// startOperator runs the real binary as operatorUser, watching ns only, with leader election
// in ns and a 1 s DR poll.
func startOperator(t *testing.T, ns string) *operator {
	o := &operator{t: t, ns: ns}
	o.start()
	t.Cleanup(func() { o.p.stop(syscall.SIGTERM) })
	return o
}

func (o *operator) start() {
	t := o.t
	t.Helper()
	kc, err := env.kubeconfig(operatorUser)
	if err != nil {
		t.Fatal(err)
	}
	if o.probe, err = freePort(); err != nil {
		t.Fatal(err)
	}
	if o.metrc, err = freePort(); err != nil {
		t.Fatal(err)
	}
	o.starts++
	log := filepath.Join(workDir, fmt.Sprintf("operator-%s-%d.log", o.ns, o.starts))
	o.p, err = start("operator", log, operatorBin, "--kubeconfig="+kc, "--namespace="+o.ns,
		"--leader-elect", "--leader-election-namespace="+o.ns,
		"--health-probe-bind-address=127.0.0.1:"+strconv.Itoa(o.probe),
		"--metrics-bind-address=127.0.0.1:"+strconv.Itoa(o.metrc),
		"--dr-poll-interval=1s", "--zap-log-level=info")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("operator log %s (last lines):\n%s", log, o.p.tail(40))
		}
	})
}

// restart stops the operator with sig (SIGKILL: a crash) and starts a new one.
func (o *operator) restart(sig syscall.Signal) {
	o.p.stop(sig)
	o.start()
}

// ---- cluster objects ----

func newNamespace(t *testing.T, name string) string {
	t.Helper()
	ns := &corev1.Namespace{}
	ns.Name = name
	if err := cl.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return name
}

const snapshotYAML = `cluster_snapshot:
  cluster_snapshot_path: s3://bucket/strata/meta/image/automated_cluster_snapshot_1
  storage_volume_name: builtin_storage_volume
frontends: []
compute_nodes: []
`

func createSnapshotConfigMap(t *testing.T, ns string) {
	t.Helper()
	cm := &corev1.ConfigMap{Data: map[string]string{"cluster_snapshot.yaml": snapshotYAML}}
	cm.Name, cm.Namespace = "cluster-snapshot", ns
	if err := cl.Create(context.Background(), cm); err != nil {
		t.Fatal(err)
	}
}

func newCluster(ns string, dr *strata.DisasterRecoverySpec, mountSnapshot bool) *strata.StrataCluster {
	c := &strata.StrataCluster{}
	c.Name, c.Namespace = "demo", ns
	three, two := int32(3), int32(2)
	c.Spec.FE.Image, c.Spec.FE.Replicas = "strata:it", &three
	c.Spec.FE.Config = "run_mode = shared_data\n"
	if mountSnapshot {
		c.Spec.FE.ConfigMaps = []strata.ConfigMapMount{{Name: "cluster-snapshot",
			MountPath: "/opt/strata/fe/conf/cluster_snapshot.yaml", SubPath: "cluster_snapshot.yaml"}}
	}
	c.Spec.CN = &strata.CNSpec{}
	c.Spec.CN.Image, c.Spec.CN.Replicas = "strata:it", &two
	c.Spec.DisasterRecovery = dr
	return c
}

func getCluster(t *testing.T, ns string) *strata.StrataCluster {
	t.Helper()
	var c strata.StrataCluster
	if err := cl.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: "demo"}, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// updateCluster retries mut on conflicts (the operator writes status concurrently).
func updateCluster(t *testing.T, ns string, mut func(*strata.StrataCluster)) {
	t.Helper()
	for i := 0; i < 20; i++ {
		c := getCluster(t, ns)
		mut(c)
		err := cl.Update(context.Background(), c)
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("update: too many conflicts")
}

func getSts(t *testing.T, ns, name string) *appsv1.StatefulSet {
	t.Helper()
	var s appsv1.StatefulSet
	if err := cl.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, &s); err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	return &s
}

func envOf(s *appsv1.StatefulSet) map[string]string {
	out := map[string]string{}
	for _, e := range s.Spec.Template.Spec.Containers[0].Env {
		out[e.Name] = e.Value
	}
	return out
}

// drStatus describes the DR status in one line for failure messages.
func drStatus(c *strata.StrataCluster) string {
	st := c.Status.DisasterRecoveryStatus
	if st == nil {
		return "no disasterRecoveryStatus"
	}
	return fmt.Sprintf("phase=%s gen=%d reason=%q progress=%q", st.Phase, st.ObservedGeneration, st.Reason, st.Progress)
}

// waitPhase waits for the DR phase of generation gen.
func waitPhase(t *testing.T, ns string, gen int64, phase strata.DRPhase, limit time.Duration) *strata.StrataCluster {
	t.Helper()
	var c *strata.StrataCluster
	eventually(t, limit, fmt.Sprintf("DR phase %s of generation %d", phase, gen), func() string {
		c = getCluster(t, ns)
		st := c.Status.DisasterRecoveryStatus
		if st != nil && st.Phase == phase && st.ObservedGeneration == gen {
			return ""
		}
		return drStatus(c)
	})
	return c
}

func clusterEvents(t *testing.T, ns string) []corev1.Event {
	t.Helper()
	var list corev1.EventList
	if err := cl.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var out []corev1.Event
	for _, e := range list.Items {
		if e.InvolvedObject.Kind == "StrataCluster" {
			out = append(out, e)
		}
	}
	return out
}

// countEvents counts the times an event with reason was recorded (the recorder folds repeats
// into one object with a count).
func countEvents(t *testing.T, ns, reason string) (n int, msgs []string) {
	t.Helper()
	for _, e := range clusterEvents(t, ns) {
		if e.Reason != reason {
			continue
		}
		c := int(e.Count)
		if c == 0 {
			c = 1
		}
		n += c
		msgs = append(msgs, e.Type+": "+e.Message)
	}
	return n, msgs
}

func itoa(v int32) string { return strconv.Itoa(int(v)) }

func mapString(m map[string]string) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(k + "=" + v + " ")
	}
	return b.String()
}

func condString(c *strata.StrataCluster) string {
	var b strings.Builder
	for _, cond := range c.Status.Conditions {
		fmt.Fprintf(&b, "%s=%s(%s) ", cond.Type, cond.Status, cond.Reason)
	}
	return b.String()
}

// touchCluster changes an annotation of the cluster, which makes the operator reconcile it.
func touchCluster(t *testing.T, ns string) {
	t.Helper()
	updateCluster(t, ns, func(c *strata.StrataCluster) {
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations["it.strata.io/touch"] = time.Now().Format(time.RFC3339Nano)
	})
}

// resourceVersions of the objects the operator writes, as one string.
func resourceVersions(t *testing.T, ns string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	var sts appsv1.StatefulSetList
	var svcs corev1.ServiceList
	var cms corev1.ConfigMapList
	for _, l := range []client.ObjectList{&sts, &svcs, &cms} {
		if err := cl.List(ctx, l, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range sts.Items {
		fmt.Fprintf(&b, "sts/%s=%s ", o.Name, o.ResourceVersion)
	}
	for _, o := range svcs.Items {
		fmt.Fprintf(&b, "svc/%s=%s ", o.Name, o.ResourceVersion)
	}
	for _, o := range cms.Items {
		fmt.Fprintf(&b, "cm/%s=%s ", o.Name, o.ResourceVersion)
	}
	return b.String()
}

// listPods says which pods of a StatefulSet exist, with their restore generation.
func listPods(t *testing.T, ns, sts string) string {
	t.Helper()
	var pods corev1.PodList
	if err := cl.List(context.Background(), &pods, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pods.Items {
		if strings.HasPrefix(p.Name, sts+"-") {
			out = append(out, p.Name+"@"+p.Labels[builders.LabelDRGeneration])
		}
	}
	return strings.Join(out, ",")
}

func keyOf(ns, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: ns, Name: name}
}

// envRefs maps the FE's env vars taken from Secrets to "secret/key".
func envRefs(s *appsv1.StatefulSet) map[string]string {
	out := map[string]string{}
	for _, e := range s.Spec.Template.Spec.Containers[0].Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			out[e.Name] = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		}
	}
	return out
}

// checkHTTP GETs http://127.0.0.1:port/path until it answers 200 with want in the body.
func checkHTTP(t *testing.T, port int, path, want string) {
	t.Helper()
	url := "http://127.0.0.1:" + strconv.Itoa(port) + path
	eventually(t, wait, "GET "+url, func() string {
		resp, err := http.Get(url)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			return fmt.Sprintf("HTTP %d %.200s", resp.StatusCode, b)
		}
		return ""
	})
}
