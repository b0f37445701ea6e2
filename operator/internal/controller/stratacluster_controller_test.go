package controller

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/builders"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

type env struct {
	t     *testing.T
	c     client.Client
	r     *Reconciler
	rec   *record.FakeRecorder
	now   time.Time
	state RestoreState
	// probes counts the prober's calls, by generation.
	probes map[int64]int
}

func newEnv(t *testing.T, objs ...client.Object) *env {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := strata.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, now: t0, rec: record.NewFakeRecorder(100)}
	e.c = fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).
		WithStatusSubresource(&strata.StrataCluster{}).Build()
	e.restart()
	return e
}

// restart replaces the reconciler, as an operator restart does; all state is in the API server.
func (e *env) restart() {
	e.r = &Reconciler{Client: e.c, Recorder: e.rec, Now: func() time.Time { return e.now },
		Prober: fakeProber{e}}
}

// fakeProber answers with the env's state, as an FE whose restore failed with "boom" would.
type fakeProber struct{ e *env }

func (f fakeProber) Probe(_ context.Context, _ []corev1.Pod, gen int64) (RestoreState, string) {
	if f.e.probes == nil {
		f.e.probes = map[int64]int{}
	}
	f.e.probes[gen]++
	return f.e.state, "boom"
}

func (e *env) reconcile() ctrl.Result {
	e.t.Helper()
	res, err := e.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "db", Name: "demo"}})
	if err != nil {
		e.t.Fatalf("reconcile: %v", err)
	}
	return res
}

func (e *env) cluster() *strata.StrataCluster {
	e.t.Helper()
	var c strata.StrataCluster
	if err := e.c.Get(context.Background(), types.NamespacedName{Namespace: "db", Name: "demo"}, &c); err != nil {
		e.t.Fatal(err)
	}
	return &c
}

func (e *env) sts(name string) *appsv1.StatefulSet {
	e.t.Helper()
	var s appsv1.StatefulSet
	if err := e.c.Get(context.Background(), types.NamespacedName{Namespace: "db", Name: name}, &s); err != nil {
		e.t.Fatalf("get %s: %v", name, err)
	}
	return &s
}

func (e *env) update(mut func(*strata.StrataCluster)) {
	e.t.Helper()
	c := e.cluster()
	mut(c)
	if err := e.c.Update(context.Background(), c); err != nil {
		e.t.Fatal(err)
	}
}

// setFEPod plays the kubelet: one FE pod with the given restore generation and readiness.
func (e *env) setFEPod(gen int64, ready bool) {
	e.t.Helper()
	c := e.cluster()
	p := &corev1.Pod{}
	p.Name, p.Namespace, p.Labels = "demo-fe-0", "db", builders.Labels(c, builders.ComponentFE)
	if gen > 0 {
		p.Labels[builders.LabelDRGeneration] = strconv.FormatInt(gen, 10)
	}
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}
	_ = e.c.Delete(context.Background(), p)
	if err := e.c.Create(context.Background(), p); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) drPhase() strata.DRPhase {
	if st := e.cluster().Status.DisasterRecoveryStatus; st != nil {
		return st.Phase
	}
	return ""
}

func testCluster(dr *strata.DisasterRecoverySpec) *strata.StrataCluster {
	c := &strata.StrataCluster{}
	c.Name, c.Namespace = "demo", "db"
	c.Spec.FE.Image, c.Spec.FE.Replicas = "strata:test", ptr(int32(3))
	c.Spec.FE.ConfigMaps = []strata.ConfigMapMount{{Name: "cluster-snapshot",
		MountPath: builders.FEConfDir + "/cluster_snapshot.yaml", SubPath: "cluster_snapshot.yaml"}}
	c.Spec.CN = &strata.CNSpec{}
	c.Spec.CN.Image, c.Spec.CN.Replicas = "strata:test", ptr(int32(2))
	c.Spec.DisasterRecovery = dr
	return c
}

func snapshotCM() *corev1.ConfigMap {
	cm := &corev1.ConfigMap{Data: map[string]string{"cluster_snapshot.yaml": "cluster_snapshot: {}\n"}}
	cm.Name, cm.Namespace = "cluster-snapshot", "db"
	return cm
}

func feEnv(s *appsv1.StatefulSet) string {
	var b strings.Builder
	for _, e := range s.Spec.Template.Spec.Containers[0].Env {
		b.WriteString(e.Name + "=" + e.Value + ";")
	}
	return b.String()
}

func TestReconcileCreatesObjectsIdempotently(t *testing.T) {
	e := newEnv(t, testCluster(nil))
	e.reconcile()
	fe, cn := e.sts("demo-fe"), e.sts("demo-cn")
	if *fe.Spec.Replicas != 3 || *cn.Spec.Replicas != 2 || strings.Contains(feEnv(fe), "RESTORE") {
		t.Fatalf("FE %d CN %d env %s", *fe.Spec.Replicas, *cn.Spec.Replicas, feEnv(fe))
	}
	for _, name := range []string{"demo-fe", "demo-fe-peer", "demo-cn"} {
		var svc corev1.Service
		if err := e.c.Get(context.Background(), types.NamespacedName{Namespace: "db", Name: name}, &svc); err != nil {
			t.Errorf("service %s: %v", name, err)
		}
	}
	c := e.cluster()
	if c.Status.Phase != strata.ClusterPending || !meta.IsStatusConditionTrue(c.Status.Conditions, CondReconciled) {
		t.Errorf("status = %+v", c.Status)
	}
	rv := []string{fe.ResourceVersion, cn.ResourceVersion, c.ResourceVersion}
	e.reconcile()
	if got := []string{e.sts("demo-fe").ResourceVersion, e.sts("demo-cn").ResourceVersion,
		e.cluster().ResourceVersion}; strings.Join(got, ",") != strings.Join(rv, ",") {
		t.Errorf("second reconcile changed objects: %v -> %v", rv, got)
	}
}

func TestReconcileDisasterRecoveryFlow(t *testing.T) {
	e := newEnv(t, testCluster(&strata.DisasterRecoverySpec{Enabled: true, Generation: 1}), snapshotCM())
	if res := e.reconcile(); res.RequeueAfter != DRPollInterval || e.drPhase() != strata.DRTodo {
		t.Fatalf("phase %s requeue %v", e.drPhase(), res)
	}
	fe, cn := e.sts("demo-fe"), e.sts("demo-cn")
	if *fe.Spec.Replicas != 1 || *cn.Spec.Replicas != 0 ||
		!strings.Contains(feEnv(fe), "RESTORE_CLUSTER_SNAPSHOT=true;RESTORE_CLUSTER_GENERATION=1;") {
		t.Fatalf("restore form: FE %d CN %d env %s", *fe.Spec.Replicas, *cn.Spec.Replicas, feEnv(fe))
	}
	e.restart() // an operator restart mid-recovery resumes from the status
	e.reconcile()
	if e.drPhase() != strata.DRDoing || e.cluster().Status.Phase != strata.ClusterRecovering {
		t.Fatalf("phase %s / %s", e.drPhase(), e.cluster().Status.Phase)
	}
	e.setFEPod(1, false)
	e.now = e.now.Add(time.Minute)
	e.reconcile()
	if e.drPhase() != strata.DRDoing {
		t.Fatalf("phase %s with the FE not ready", e.drPhase())
	}
	e.setFEPod(1, true)
	e.reconcile()
	st := e.cluster().Status.DisasterRecoveryStatus
	if st.Phase != strata.DRDone || st.EndTimestamp == nil {
		t.Fatalf("status %+v", st)
	}
	if fe := e.sts("demo-fe"); *fe.Spec.Replicas != 3 || strings.Contains(feEnv(fe), "RESTORE") ||
		*e.sts("demo-cn").Spec.Replicas != 2 {
		t.Fatalf("normal spec not restored: FE %d env %s", *fe.Spec.Replicas, feEnv(fe))
	}
	// Same generation never restores twice, and a finished generation's FE is not asked again.
	asked := e.probes[1]
	e.reconcile()
	if e.probes[1] != asked {
		t.Errorf("the FE was probed for finished generation 1")
	}
	if e.drPhase() != strata.DRDone || *e.sts("demo-fe").Spec.Replicas != 3 {
		t.Fatal("the same generation restored twice")
	}
	e.update(func(c *strata.StrataCluster) { c.Spec.DisasterRecovery.Generation = 2 })
	e.reconcile()
	if e.probes[2] != 1 {
		t.Errorf("generation 2 probed %d times, want 1", e.probes[2])
	}
	if e.drPhase() != strata.DRTodo || !strings.Contains(feEnv(e.sts("demo-fe")), "RESTORE_CLUSTER_GENERATION=2;") {
		t.Fatalf("re-run: phase %s env %s", e.drPhase(), feEnv(e.sts("demo-fe")))
	}
	if !strings.Contains(strings.Join(drain(e.rec), "\n"), "DisasterRecoverySucceeded") {
		t.Error("no DisasterRecoverySucceeded event")
	}
}

func TestReconcileMissingSnapshotKeepsStatefulSets(t *testing.T) {
	e := newEnv(t, testCluster(nil))
	e.reconcile()
	e.update(func(c *strata.StrataCluster) {
		c.Spec.DisasterRecovery = &strata.DisasterRecoverySpec{Enabled: true, Generation: 1}
	})
	e.reconcile()
	c := e.cluster()
	cond := meta.FindStatusCondition(c.Status.Conditions, CondSnapshotReady)
	if e.drPhase() != strata.DRTodo || cond == nil || cond.Reason != ReasonConfigMapNotFound {
		t.Fatalf("phase %s condition %+v", e.drPhase(), cond)
	}
	if *e.sts("demo-fe").Spec.Replicas != 3 || *e.sts("demo-cn").Spec.Replicas != 2 {
		t.Fatal("StatefulSets changed while the snapshot ConfigMap is missing")
	}
	// Creating the ConfigMap lets the recovery proceed.
	if err := e.c.Create(context.Background(), snapshotCM()); err != nil {
		t.Fatal(err)
	}
	e.reconcile()
	if *e.sts("demo-fe").Spec.Replicas != 1 {
		t.Fatal("restore form not applied after the ConfigMap appeared")
	}
}

func TestReconcileFailedRestoreAndTimeout(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state RestoreState
		after time.Duration
		want  string
	}{
		{"FE reports failure", RestoreFailedFE, time.Second, "boom"},
		{"timeout", RestoreRunning, DefaultDRTimeout + time.Second, "timeoutSeconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, testCluster(&strata.DisasterRecoverySpec{Enabled: true, Generation: 1}), snapshotCM())
			e.reconcile()
			e.reconcile() // doing
			e.state, e.now = tc.state, e.now.Add(tc.after)
			e.reconcile()
			c := e.cluster()
			st := c.Status.DisasterRecoveryStatus
			if st.Phase != strata.DRFailed || !strings.Contains(st.Reason, tc.want) || c.Status.Phase != strata.ClusterFailed {
				t.Fatalf("status %+v / %s", st, c.Status.Phase)
			}
			if *e.sts("demo-fe").Spec.Replicas != 1 || *e.sts("demo-cn").Spec.Replicas != 0 {
				t.Fatal("failed recovery must leave the StatefulSets as they were")
			}
		})
	}
}

func drain(r *record.FakeRecorder) []string {
	var out []string
	for {
		select {
		case ev := <-r.Events:
			out = append(out, ev)
		default:
			return out
		}
	}
}
