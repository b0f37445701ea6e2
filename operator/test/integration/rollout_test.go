//go:build integration

package integration

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/controller"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const lingerFinalizer = "it.strata.io/linger"

func ptr32(v int32) *int32 { return &v }

func getStsObj() *appsv1.StatefulSet { return &appsv1.StatefulSet{} }

// stsCtl plays the StatefulSet controller's RollingUpdate as Kubernetes implements it for
// podManagementPolicy Parallel (pkg/controller/statefulset, without the maxUnavailable gate):
// pods at or above replicas are deleted; missing pods are created; then, walking from the
// highest ordinal down to the partition, the first pod on an old template is deleted and the
// walk stops at the first pod that is not healthy. It only looks at the target pod's health,
// not at the others': keeping the rest of the FEs up is the operator's job (its partition).
// The kubelet part: a pod created in this step is not Ready yet; others are Ready as ready says.
// With linger, deleted pods stay Terminating (a finalizer) until a later step without it.
type stsCtl struct {
	t     *testing.T
	ns    string
	name  string
	ready map[int]bool
	// replaced lists the ordinals deleted for a new template, in order.
	replaced []int
}

func (s *stsCtl) pods() map[int]*corev1.Pod {
	s.t.Helper()
	var list corev1.PodList
	if err := cl.List(context.Background(), &list, client.InNamespace(s.ns)); err != nil {
		s.t.Fatal(err)
	}
	out := map[int]*corev1.Pod{}
	for i := range list.Items {
		suffix, ok := strings.CutPrefix(list.Items[i].Name, s.name+"-")
		if ord, err := strconv.Atoi(suffix); ok && err == nil {
			out[ord] = &list.Items[i]
		}
	}
	return out
}

func (s *stsCtl) remove(p *corev1.Pod, linger bool) {
	s.t.Helper()
	ctx := context.Background()
	if linger {
		p.Finalizers = []string{lingerFinalizer}
		if err := cl.Update(ctx, p); err != nil {
			s.t.Fatal(err)
		}
	}
	if err := cl.Delete(ctx, p, client.GracePeriodSeconds(0)); err != nil && !apierrors.IsNotFound(err) {
		s.t.Fatal(err)
	}
}

func healthy(p *corev1.Pod) bool {
	if p == nil || p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (s *stsCtl) step(linger bool) {
	s.t.Helper()
	ctx := context.Background()
	sts := getSts(s.t, s.ns, s.name)
	if len(sts.Spec.VolumeClaimTemplates) > 0 {
		s.t.Fatal("stsCtl does not make claims")
	}
	n := int(*sts.Spec.Replicas)
	hash := templateHash(&sts.Spec.Template)
	partition := int(*sts.Spec.UpdateStrategy.RollingUpdate.Partition)
	for ord, p := range s.pods() {
		if p.DeletionTimestamp != nil {
			if !linger && len(p.Finalizers) > 0 {
				p.Finalizers = nil
				if err := cl.Update(ctx, p); err != nil {
					s.t.Fatal(err)
				}
			}
			continue
		}
		if ord >= n {
			s.remove(p, linger)
		}
	}
	pods := s.pods()
	fresh := map[int]bool{}
	for i := 0; i < n; i++ {
		if pods[i] != nil {
			continue
		}
		p := &corev1.Pod{ObjectMeta: *sts.Spec.Template.ObjectMeta.DeepCopy(), Spec: *sts.Spec.Template.Spec.DeepCopy()}
		p.Name, p.Namespace = fmt.Sprintf("%s-%d", s.name, i), s.ns
		p.Annotations[templateHashAnnotation] = hash
		if err := cl.Create(ctx, p); err != nil {
			s.t.Fatalf("create %s: %v", p.Name, err)
		}
		fresh[i] = true
	}
	pods = s.pods()
	for target := n - 1; target >= partition && len(fresh) == 0; target-- {
		p := pods[target]
		if p != nil && p.DeletionTimestamp == nil && p.Annotations[templateHashAnnotation] != hash {
			s.remove(p, linger)
			s.replaced = append(s.replaced, target)
			break
		}
		if !healthy(p) {
			break
		}
	}
	for ord, p := range s.pods() {
		if p.DeletionTimestamp != nil {
			continue
		}
		s.setReady(p, s.ready[ord] && !fresh[ord])
	}
}

func (s *stsCtl) setReady(p *corev1.Pod, ready bool) {
	s.t.Helper()
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	p.Status.Phase = corev1.PodRunning
	p.Status.PodIP = "127.0.0.1"
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st, LastTransitionTime: metav1.Now()}}
	if err := cl.Status().Update(context.Background(), p); err != nil {
		s.t.Fatalf("pod %s status: %v", p.Name, err)
	}
}

// down lists the ordinals below replicas whose pod is missing, not Ready or going away.
func (s *stsCtl) down() []int {
	n := int(*getSts(s.t, s.ns, s.name).Spec.Replicas)
	pods := s.pods()
	var out []int
	for i := 0; i < n; i++ {
		if !healthy(pods[i]) {
			out = append(out, i)
		}
	}
	return out
}

// settle waits until the operator stopped changing the StatefulSet (its resourceVersion the
// same for 800 ms), so that each step of the test sees the operator's answer to the last one.
func (s *stsCtl) settle() {
	s.t.Helper()
	last, since := "", time.Now()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		rv := getSts(s.t, s.ns, s.name).ResourceVersion
		if rv != last {
			last, since = rv, time.Now()
		} else if time.Since(since) > 800*time.Millisecond {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("%s kept changing for %s", s.name, wait)
}

func rollingOut(t *testing.T, ns string) string {
	c := meta.FindStatusCondition(getCluster(t, ns).Status.Conditions, controller.CondRollingOut)
	if c == nil {
		return "<no condition>"
	}
	if c.Status == metav1.ConditionTrue {
		return c.Message
	}
	return ""
}

func getPDB(t *testing.T, ns, name string) *policyv1.PodDisruptionBudget {
	t.Helper()
	var p policyv1.PodDisruptionBudget
	if err := cl.Get(context.Background(), keyOf(ns, name), &p); err != nil {
		t.Fatalf("PDB %s: %v", name, err)
	}
	return &p
}

// TestRollingChangeAndScaleDown: on the real API server, a conf change replaces the FEs one at
// a time from the highest ordinal, holding while another FE is down; FE scale-down removes one
// FE at a time, each after the previous one is gone and only while the rest are Ready; CNs
// scale down at once; the PodDisruptionBudgets follow the replicas.
func TestRollingChangeAndScaleDown(t *testing.T) {
	ns := newNamespace(t, "it-rollout")
	startOperator(t, ns)
	if err := cl.Create(context.Background(), newCluster(ns, nil, false)); err != nil {
		t.Fatal(err)
	}
	eventually(t, wait, "StatefulSets created", func() string {
		for _, n := range []string{"demo-fe", "demo-cn"} {
			if err := cl.Get(context.Background(), keyOf(ns, n), getStsObj()); err != nil {
				return err.Error()
			}
		}
		return ""
	})
	fe := &stsCtl{t: t, ns: ns, name: "demo-fe", ready: map[int]bool{0: true, 1: true, 2: true}}
	cn := &stsCtl{t: t, ns: ns, name: "demo-cn", ready: map[int]bool{0: true, 1: true}}
	for i := 0; i < 2; i++ {
		fe.step(false)
		cn.step(false)
	}
	eventually(t, wait, "Running", func() string {
		if c := getCluster(t, ns); c.Status.Phase != strata.ClusterRunning {
			return string(c.Status.Phase) + " " + condString(c)
		}
		return ""
	})
	checkWiring(t, ns)

	// A conf change: demo-fe-2, then -1, then -0, each once the one before is Ready.
	updateCluster(t, ns, func(c *strata.StrataCluster) { c.Spec.FE.Config += "sys_log_level = DEBUG\n" })
	fe.settle()
	heldOnce := false
	for round := 0; len(fe.replaced) < 3 || len(fe.down()) > 0; round++ {
		if round >= 30 {
			t.Fatalf("rollout not done after 30 rounds: replaced %v, down %v", fe.replaced, fe.down())
		}
		if len(fe.replaced) == 1 && len(fe.down()) == 0 && !heldOnce {
			heldOnce = true
			holdWhileDown(t, fe)
		}
		fe.step(false)
		fe.settle()
		if d := fe.down(); len(d) > 1 {
			t.Fatalf("round %d: FEs %v down at once (replaced so far %v)", round, d, fe.replaced)
		}
	}
	if fmt.Sprint(fe.replaced) != "[2 1 0]" || !heldOnce {
		t.Errorf("replaced %v (held %v), want [2 1 0]", fe.replaced, heldOnce)
	}
	sts := getSts(t, ns, "demo-fe")
	if p := *sts.Spec.UpdateStrategy.RollingUpdate.Partition; p != 0 || rollingOut(t, ns) != "" {
		t.Errorf("after the rollout: partition %d, RollingOut %q", p, rollingOut(t, ns))
	}
	// kube-apiserver 1.37 keeps maxUnavailable (the MaxUnavailableStatefulSet gate is on by
	// default there; with it off the server would drop the field).
	if mu := sts.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable; mu == nil || mu.IntValue() != 1 {
		t.Errorf("FE updateStrategy.rollingUpdate.maxUnavailable as stored: %v", mu)
	}

	// Scale the FEs down to 1: one at a time.
	updateCluster(t, ns, func(c *strata.StrataCluster) { c.Spec.FE.Replicas = ptr32(1) })
	fe.settle()
	if r := *getSts(t, ns, "demo-fe").Spec.Replicas; r != 2 {
		t.Fatalf("first scale-down step: replicas %d, want 2", r)
	}
	fe.step(true) // demo-fe-2 stays Terminating
	fe.settle()
	if r := *getSts(t, ns, "demo-fe").Spec.Replicas; r != 2 || !strings.Contains(rollingOut(t, ns), "demo-fe-2 to be gone") {
		t.Fatalf("while demo-fe-2 terminates: replicas %d, RollingOut %q", r, rollingOut(t, ns))
	}
	fe.ready[0] = false // an FE that stays goes down
	fe.setReady(fe.pods()[0], false)
	fe.settle()
	fe.step(false) // demo-fe-2 is gone now
	fe.settle()
	if r := *getSts(t, ns, "demo-fe").Spec.Replicas; r != 2 || !strings.Contains(rollingOut(t, ns), "demo-fe-0 to be Ready") {
		t.Fatalf("with demo-fe-0 down: replicas %d, RollingOut %q", r, rollingOut(t, ns))
	}
	fe.ready[0] = true
	fe.step(false)
	fe.settle()
	if r := *getSts(t, ns, "demo-fe").Spec.Replicas; r != 1 {
		t.Fatalf("second scale-down step: replicas %d, want 1", r)
	}
	fe.step(false)
	fe.settle()
	if n := len(fe.pods()); n != 1 || rollingOut(t, ns) != "" {
		t.Errorf("after the scale-down: %d FE pods, RollingOut %q", n, rollingOut(t, ns))
	}
	eventually(t, wait, "FE PDB minAvailable 1 for one FE", func() string {
		p := getPDB(t, ns, "demo-fe")
		if p.Spec.MinAvailable == nil || p.Spec.MinAvailable.IntValue() != 1 || p.Spec.MaxUnavailable != nil {
			return fmt.Sprintf("%+v", p.Spec)
		}
		return ""
	})

	// CNs keep no data: 2 -> 0 at once.
	updateCluster(t, ns, func(c *strata.StrataCluster) { c.Spec.CN.Replicas = ptr32(0) })
	cn.settle()
	if r := *getSts(t, ns, "demo-cn").Spec.Replicas; r != 0 {
		t.Errorf("CN replicas %d, want 0", r)
	}
}

// holdWhileDown takes demo-fe-0 down between two replacements: the operator must hold the
// partition (nothing more is replaced while it is down), then go on once it is back.
func holdWhileDown(t *testing.T, fe *stsCtl) {
	t.Helper()
	fe.ready[0] = false
	fe.setReady(fe.pods()[0], false)
	fe.settle()
	if !strings.Contains(rollingOut(t, fe.ns), "demo-fe-0 to be Ready") {
		t.Fatalf("demo-fe-0 down mid-rollout: RollingOut %q", rollingOut(t, fe.ns))
	}
	before := fmt.Sprint(fe.replaced)
	for i := 0; i < 3; i++ {
		fe.step(false)
		fe.settle()
	}
	if after := fmt.Sprint(fe.replaced); after != before {
		t.Fatalf("FEs replaced while demo-fe-0 was down: %s -> %s", before, after)
	}
	fe.ready[0] = true
}

// checkWiring: what makes CNs find and register with the FEs, as stored by the API server.
func checkWiring(t *testing.T, ns string) {
	t.Helper()
	var svc corev1.Service
	if err := cl.Get(context.Background(), keyOf(ns, "demo-fe"), &svc); err != nil {
		t.Fatal(err)
	}
	var ports []string
	for _, p := range svc.Spec.Ports {
		ports = append(ports, fmt.Sprintf("%s:%d", p.Name, p.Port))
	}
	sort.Strings(ports)
	if strings.Join(ports, ",") != "http:8030,query:9030,rpc:9020" {
		t.Errorf("FE Service ports %v", ports)
	}
	var cm corev1.ConfigMap
	if err := cl.Get(context.Background(), keyOf(ns, "demo-cn-conf"), &cm); err != nil {
		t.Fatal(err)
	}
	if want := "fe_address = demo-fe." + ns + ".svc.cluster.local:9020\n"; !strings.Contains(cm.Data["cn.conf"], want) {
		t.Errorf("cn.conf lacks %q:\n%s", want, cm.Data["cn.conf"])
	}
	for _, name := range []string{"demo-fe", "demo-cn"} {
		p := getPDB(t, ns, name)
		if p.Spec.MaxUnavailable == nil || p.Spec.MaxUnavailable.IntValue() != 1 {
			t.Errorf("PDB %s: %+v", name, p.Spec)
		}
	}
}
