package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/builders"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
)

// ---- PlanRollout, the pure decision ----

func liveSts(replicas, partition int32) *appsv1.StatefulSet {
	s := &appsv1.StatefulSet{}
	s.Spec.Replicas = &replicas
	s.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{Partition: &partition}
	return s
}

// pods describes pods by ordinal: "R" Ready on the new template, "r" Ready on the old one,
// "N"/"n" not Ready (new/old), "T" terminating, "-" absent.
func pods(spec string) []PodState {
	var out []PodState
	for i, ch := range spec {
		p := PodState{Ordinal: int32(i), Hash: "new"}
		switch ch {
		case '-':
			continue
		case 'R':
			p.Ready = true
		case 'r':
			p.Ready, p.Hash = true, "old"
		case 'n':
			p.Hash = "old"
		case 'T':
			p.Terminating, p.Hash = true, "old"
		}
		out = append(out, p)
	}
	return out
}

func TestPlanRollout(t *testing.T) {
	cases := []struct {
		name          string
		want          int32
		live          *appsv1.StatefulSet
		pods          string
		step, now     bool
		replicas, prt int32
		waiting       string // a substring; "" means none
	}{
		{"create", 3, nil, "", true, false, 3, 0, ""},
		{"steady", 3, liveSts(3, 0), "RRR", true, false, 3, 0, ""},
		{"scale up at once", 5, liveSts(3, 0), "RRR", true, false, 5, 0, ""},
		{"FE scale-down: one step", 1, liveSts(3, 0), "RRR", true, false, 2, 0, "removing demo-fe-2"},
		{"FE scale-down: last step", 1, liveSts(2, 0), "RR", true, false, 1, 0, ""},
		{"FE scale-down: the pod removed last is still going", 1, liveSts(2, 0), "RRT", true, false, 2, 0,
			"waiting for demo-fe-2 to be gone"},
		{"FE scale-down: a pod that stays is not Ready", 1, liveSts(3, 0), "NRR", true, false, 3, 0,
			"waiting for demo-fe-0 to be Ready"},
		{"FE scale-down: the pod to remove may be down", 2, liveSts(3, 0), "RRN", true, false, 2, 0, ""},
		{"FE scale-down: a pod that is down goes even while another is down", 1, liveSts(3, 0), "NRN", true, false, 2, 0,
			"removing demo-fe-2"},
		{"FE scale-down: ... but a Ready one waits", 1, liveSts(2, 0), "NR", true, false, 2, 0,
			"waiting for demo-fe-0 to be Ready"},
		{"FE scale-down: a missing pod that stays", 2, liveSts(3, 0), "R-R", true, false, 3, 0,
			"waiting for demo-fe-1 to be Ready"},
		{"CN scale-down at once", 0, liveSts(3, 0), "RNR", false, false, 0, 0, ""},
		{"rolling: highest stale first", 3, liveSts(3, 0), "rrr", true, false, 3, 2, ""},
		{"rolling: next once the replaced one is Ready", 3, liveSts(3, 2), "rrR", true, false, 3, 1, ""},
		{"rolling: hold while the replaced one starts", 3, liveSts(3, 2), "rrN", true, false, 3, 2,
			"waiting for demo-fe-2 to be Ready before replacing demo-fe-1"},
		{"rolling: hold while another pod is down", 3, liveSts(3, 0), "rnr", true, false, 3, 3,
			"waiting for demo-fe-1 to be Ready before replacing demo-fe-2"},
		{"rolling: a stale pod that is down is replaced", 3, liveSts(3, 3), "rrn", true, false, 3, 2, ""},
		{"rolling: the terminating stale pod keeps its partition", 3, liveSts(3, 2), "rrT", true, false, 3, 2, ""},
		{"rolling: done", 3, liveSts(3, 1), "RRR", true, false, 3, 0, ""},
		{"rolling: waits for a new pod of a scale-up", 3, liveSts(3, 0), "r--", true, false, 3, 1,
			"waiting for demo-fe-1, demo-fe-2 to be Ready before replacing demo-fe-0"},
		{"never a scale-down step and a replacement together", 2, liveSts(3, 0), "rrR", true, false, 2, 2,
			"a pod is being removed before replacing demo-fe-1"},
		{"rolling: waits for a scaled-down pod to be gone", 2, liveSts(2, 0), "rrT", false, false, 2, 2,
			"waiting for demo-fe-2 to be gone"},
		{"immediate (restore form)", 1, liveSts(3, 0), "rNr", true, true, 1, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := PlanRollout(RolloutInput{Name: "demo-fe", Want: tc.want, Hash: "new", Live: tc.live,
				Pods: pods(tc.pods), StepScaleDown: tc.step, Immediate: tc.now})
			if got.Replicas != tc.replicas || got.Partition != tc.prt {
				t.Errorf("replicas %d partition %d, want %d %d (%q)", got.Replicas, got.Partition, tc.replicas, tc.prt, got.Waiting)
			}
			if (tc.waiting == "") != (got.Waiting == "") || !strings.Contains(got.Waiting, tc.waiting) {
				t.Errorf("waiting %q, want %q", got.Waiting, tc.waiting)
			}
		})
	}
}

// ---- the reconciler on the fake client, with the test playing the StatefulSet controller ----

// stsSim plays the StatefulSet controller and kubelet for one StatefulSet on the fake client:
// pods <name>-<i> for i < replicas, stale pods at or above the partition replaced (the new pod
// starts not Ready), pods at or above replicas deleted, unless keep says a deleted pod lingers
// (Terminating: it has a finalizer).
type stsSim struct {
	e    *env
	name string
	// ready says whether pod i, once running on the StatefulSet's template, is Ready.
	ready map[int32]bool
}

func (s *stsSim) pods() map[int32]*corev1.Pod {
	s.e.t.Helper()
	var list corev1.PodList
	if err := s.e.c.List(context.Background(), &list); err != nil {
		s.e.t.Fatal(err)
	}
	out := map[int32]*corev1.Pod{}
	for i := range list.Items {
		for _, ps := range podStates(s.name, list.Items[i:i+1]) {
			out[ps.Ordinal] = &list.Items[i]
		}
	}
	return out
}

// step does one round of the StatefulSet controller: what it deletes and creates, then the
// readiness of every pod (a pod created this round is not Ready yet).
func (s *stsSim) step(linger bool) {
	s.e.t.Helper()
	ctx := context.Background()
	sts := s.e.sts(s.name)
	hash := sts.Spec.Template.Annotations[builders.AnnotationTemplateHash]
	partition := *sts.Spec.UpdateStrategy.RollingUpdate.Partition
	fresh := map[int32]bool{}
	for ord, p := range s.pods() {
		stale := ord < *sts.Spec.Replicas && ord >= partition && p.Annotations[builders.AnnotationTemplateHash] != hash
		if p.DeletionTimestamp != nil && !linger {
			p.Finalizers = nil // the kubelet finished it
			if err := s.e.c.Update(ctx, p); err != nil {
				s.e.t.Fatal(err)
			}
			continue
		}
		if ord >= *sts.Spec.Replicas || stale {
			if linger {
				p.Finalizers = []string{"it.strata.io/linger"}
				if err := s.e.c.Update(ctx, p); err != nil {
					s.e.t.Fatal(err)
				}
			}
			if err := s.e.c.Delete(ctx, p); err != nil {
				s.e.t.Fatal(err)
			}
		}
	}
	existing := s.pods()
	for i := int32(0); i < *sts.Spec.Replicas; i++ {
		if _, ok := existing[i]; ok {
			continue
		}
		p := &corev1.Pod{ObjectMeta: *sts.Spec.Template.ObjectMeta.DeepCopy()}
		p.Name, p.Namespace = fmt.Sprintf("%s-%d", s.name, i), "db"
		p.Spec = *sts.Spec.Template.Spec.DeepCopy()
		if err := s.e.c.Create(ctx, p); err != nil {
			s.e.t.Fatal(err)
		}
		fresh[i] = true
	}
	for ord, p := range s.pods() {
		st := corev1.ConditionFalse
		if s.ready[ord] && !fresh[ord] && p.DeletionTimestamp == nil {
			st = corev1.ConditionTrue
		}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}
		if err := s.e.c.Status().Update(ctx, p); err != nil {
			s.e.t.Fatal(err)
		}
	}
}

// down lists the pods that are not Ready or are going away.
func (s *stsSim) down() []int32 {
	var out []int32
	for ord, p := range s.pods() {
		if !podReady(p) || p.DeletionTimestamp != nil {
			out = append(out, ord)
		}
	}
	return out
}

func allReadyMap(n int32) map[int32]bool {
	m := map[int32]bool{}
	for i := int32(0); i < n; i++ {
		m[i] = true
	}
	return m
}

func (e *env) rollingOut() string {
	c := meta.FindStatusCondition(e.cluster().Status.Conditions, CondRollingOut)
	if c == nil {
		return "<none>"
	}
	if c.Status == "True" {
		return c.Message
	}
	return ""
}

// A conf change rolls the FEs from the highest ordinal down, one at a time, each only once the
// one before is Ready again; a pod that stays down holds the rollout.
func TestReconcileRollsFEsOneAtATime(t *testing.T) {
	e := newEnv(t, testCluster(nil))
	fe := &stsSim{e: e, name: "demo-fe", ready: allReadyMap(3)}
	e.reconcile()
	fe.step(false)
	fe.step(false) // the new pods become Ready
	e.reconcile()
	if got := e.rollingOut(); got != "" {
		t.Fatalf("steady cluster rolling out: %q", got)
	}
	e.update(func(c *strata.StrataCluster) { c.Spec.FE.Config = "sys_log_level = DEBUG\n" })

	var order []string
	for round := 0; round < 20; round++ {
		e.reconcile()
		sts := e.sts("demo-fe")
		order = append(order, fmt.Sprint(*sts.Spec.UpdateStrategy.RollingUpdate.Partition))
		if round == 3 {
			// demo-fe-0 goes down mid-rollout: nothing more is replaced until it is back.
			fe.ready[0] = false
		}
		if round == 6 {
			fe.ready[0] = true
		}
		fe.step(false)
		if d := fe.down(); len(d) > 1 {
			t.Fatalf("round %d: %d FE pods down at once: %v (partitions %v)", round, len(d), d, order)
		}
	}
	sts := e.sts("demo-fe")
	hash := sts.Spec.Template.Annotations[builders.AnnotationTemplateHash]
	for ord, p := range fe.pods() {
		if p.Annotations[builders.AnnotationTemplateHash] != hash || !podReady(p) {
			t.Errorf("demo-fe-%d not rolled: hash %s ready %v", ord, p.Annotations[builders.AnnotationTemplateHash], podReady(p))
		}
	}
	if *sts.Spec.UpdateStrategy.RollingUpdate.Partition != 0 || e.rollingOut() != "" {
		t.Errorf("partition %d, RollingOut %q", *sts.Spec.UpdateStrategy.RollingUpdate.Partition, e.rollingOut())
	}
	// The partition went 2, 2 (demo-fe-2 starting), 1, ... and held while demo-fe-0 was down.
	joined := strings.Join(order, ",")
	if !strings.HasPrefix(joined, "2,2,1") || !strings.Contains(joined, ",0") {
		t.Errorf("partitions %s", joined)
	}
}

func TestReconcileScalesFEsDownOneAtATime(t *testing.T) {
	e := newEnv(t, testCluster(nil))
	fe := &stsSim{e: e, name: "demo-fe", ready: allReadyMap(3)}
	e.reconcile()
	fe.step(false)
	fe.step(false)
	e.update(func(c *strata.StrataCluster) { c.Spec.FE.Replicas = ptr(int32(1)) })

	e.reconcile()
	if r := *e.sts("demo-fe").Spec.Replicas; r != 2 {
		t.Fatalf("first step: replicas %d, want 2", r)
	}
	fe.step(true) // demo-fe-2 lingers, Terminating
	e.reconcile()
	if r := *e.sts("demo-fe").Spec.Replicas; r != 2 || !strings.Contains(e.rollingOut(), "demo-fe-2 to be gone") {
		t.Fatalf("while demo-fe-2 terminates: replicas %d, RollingOut %q", r, e.rollingOut())
	}
	fe.ready[0] = false
	fe.step(false) // demo-fe-2 gone; demo-fe-0 not Ready
	e.reconcile()
	if r := *e.sts("demo-fe").Spec.Replicas; r != 2 || !strings.Contains(e.rollingOut(), "demo-fe-0 to be Ready") {
		t.Fatalf("with demo-fe-0 down: replicas %d, RollingOut %q", r, e.rollingOut())
	}
	fe.ready[0] = true
	fe.step(false)
	e.reconcile()
	if r := *e.sts("demo-fe").Spec.Replicas; r != 1 {
		t.Fatalf("last step: replicas %d, want 1", r)
	}
	fe.step(false)
	e.reconcile()
	if got := e.rollingOut(); got != "" || len(fe.pods()) != 1 {
		t.Errorf("after scale-down: RollingOut %q, %d pods", got, len(fe.pods()))
	}
	if pdb := e.pdb("demo-fe"); pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntVal != 1 ||
		pdb.Spec.MaxUnavailable != nil {
		t.Errorf("single FE PDB = %+v", pdb.Spec)
	}
}

func TestReconcileScalesCNsDownAtOnce(t *testing.T) {
	c := testCluster(nil)
	c.Spec.CN.Replicas = ptr(int32(4))
	e := newEnv(t, c)
	cn := &stsSim{e: e, name: "demo-cn", ready: allReadyMap(4)}
	e.reconcile()
	cn.step(false)
	cn.step(false)
	e.update(func(c *strata.StrataCluster) { c.Spec.CN.Replicas = ptr(int32(1)) })
	e.reconcile()
	if r := *e.sts("demo-cn").Spec.Replicas; r != 1 {
		t.Errorf("CN replicas %d, want 1 at once (CNs keep no data)", r)
	}
}

func (e *env) pdb(name string) *policyv1.PodDisruptionBudget {
	e.t.Helper()
	var p policyv1.PodDisruptionBudget
	if err := e.c.Get(context.Background(), types.NamespacedName{Namespace: "db", Name: name}, &p); err != nil {
		e.t.Fatalf("get PDB %s: %v", name, err)
	}
	return &p
}

func TestReconcilePodDisruptionBudgets(t *testing.T) {
	e := newEnv(t, testCluster(&strata.DisasterRecoverySpec{Enabled: true, Generation: 1}), snapshotCM())
	e.reconcile() // restore form: FE 1, CN 0
	for _, name := range []string{"demo-fe", "demo-cn"} {
		if p := e.pdb(name); p.Spec.MinAvailable == nil || p.Spec.MinAvailable.IntVal != 1 {
			t.Errorf("%s PDB in the restore form = %+v", name, p.Spec)
		}
	}
	e.update(func(c *strata.StrataCluster) { c.Spec.DisasterRecovery = nil })
	e.reconcile()
	for _, name := range []string{"demo-fe", "demo-cn"} {
		p := e.pdb(name)
		if p.Spec.MaxUnavailable == nil || p.Spec.MaxUnavailable.IntVal != 1 || p.Spec.MinAvailable != nil {
			t.Errorf("%s PDB = %+v", name, p.Spec)
		}
		if want := builders.Labels(e.cluster(), strings.TrimPrefix(name, "demo-")); fmt.Sprint(p.Spec.Selector.MatchLabels) != fmt.Sprint(want) {
			t.Errorf("%s PDB selector %v", name, p.Spec.Selector.MatchLabels)
		}
	}
}

// Leaving the restore form is an ordinary rollout: the new FEs start first, and the restored
// FE (on the restore template) is replaced only once they are Ready.
func TestReconcileLeavesRestoreFormOneFEAtATime(t *testing.T) {
	e := newEnv(t, testCluster(&strata.DisasterRecoverySpec{Enabled: true, Generation: 1}), snapshotCM())
	fe := &stsSim{e: e, name: "demo-fe", ready: allReadyMap(3)}
	e.reconcile() // todo: the restore form, applied at once
	e.reconcile() // doing
	fe.step(false)
	fe.step(false) // the restoring FE is Ready
	e.reconcile()
	if e.drPhase() != strata.DRDone {
		t.Fatalf("phase %s", e.drPhase())
	}
	partition := func() int32 { return *e.sts("demo-fe").Spec.UpdateStrategy.RollingUpdate.Partition }
	if r := *e.sts("demo-fe").Spec.Replicas; r != 3 || partition() != 1 {
		t.Fatalf("normal spec: replicas %d partition %d, want 3 and 1 (keep the restored FE)", r, partition())
	}
	fe.step(false) // demo-fe-1 and -2 start
	e.reconcile()
	if partition() != 1 || !strings.Contains(e.rollingOut(), "before replacing demo-fe-0") {
		t.Fatalf("with the new FEs starting: partition %d, RollingOut %q", partition(), e.rollingOut())
	}
	fe.step(false) // ... and are Ready
	e.reconcile()
	if partition() != 0 {
		t.Fatalf("partition %d once the new FEs are Ready", partition())
	}
	fe.step(false)
	if p := fe.pods()[0]; p.Labels[builders.LabelDRGeneration] != "" {
		t.Errorf("demo-fe-0 still on the restore template: %v", p.Labels)
	}
	if d := fe.down(); len(d) != 1 || d[0] != 0 {
		t.Errorf("down while demo-fe-0 is replaced: %v", d)
	}
}
