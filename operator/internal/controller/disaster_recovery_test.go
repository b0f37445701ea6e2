package controller

import (
	"reflect"
	"strings"
	"testing"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func drSpec(gen int64) *strata.DisasterRecoverySpec {
	return &strata.DisasterRecoverySpec{Enabled: true, Generation: gen}
}

func drStatus(phase strata.DRPhase, gen int64, start *time.Time) *strata.DisasterRecoveryStatus {
	s := &strata.DisasterRecoveryStatus{Phase: phase, ObservedGeneration: gen}
	if start != nil {
		s.StartTimestamp = &metav1.Time{Time: *start}
	}
	return s
}

var snapOK = SnapshotConfig{Mounted: true, ConfigMapName: "cluster-snapshot", Present: true}

func tp(d time.Duration) *time.Time { t := t0.Add(d); return &t }

func condOf(d DRDecision, typ string) *metav1.Condition {
	for i := range d.Conditions {
		if d.Conditions[i].Type == typ {
			return &d.Conditions[i]
		}
	}
	return nil
}

func TestDecideDRTransitions(t *testing.T) {
	readyPod := FEPod{Name: "demo-fe-0", Ready: true, RestoreGeneration: 1}
	cases := []struct {
		name   string
		spec   *strata.DisasterRecoverySpec
		status *strata.DisasterRecoveryStatus
		obs    DRObservation
		now    time.Time

		phase     strata.DRPhase // "" = nil status
		gen       int64
		drForm    bool // restore form: DRGeneration>0, FE 1, CN 0
		hold      bool
		inProg    metav1.ConditionStatus
		inReason  string
		event     string // reason of an expected event, "" = none
		reasonHas string
	}{
		{name: "not requested", spec: nil, inProg: "", phase: ""},
		{name: "disabled, no status", spec: &strata.DisasterRecoverySpec{Generation: 1}, phase: ""},
		{name: "new request -> todo, waits for the restore form", spec: drSpec(1), obs: DRObservation{Snapshot: snapOK},
			phase: strata.DRTodo, gen: 1, drForm: true, inProg: "True", inReason: ReasonPending, event: "DisasterRecoveryRequested"},
		{name: "todo, yaml not mounted: hold, condition", spec: drSpec(1),
			phase: strata.DRTodo, gen: 1, hold: true, inProg: "True", inReason: ReasonWaitingForSnapshot, event: "SnapshotConfigMissing"},
		{name: "todo, ConfigMap missing: hold, condition", spec: drSpec(1), status: drStatus(strata.DRTodo, 1, nil),
			obs:   DRObservation{Snapshot: SnapshotConfig{Mounted: true, ConfigMapName: "cluster-snapshot"}},
			phase: strata.DRTodo, gen: 1, hold: true, inProg: "True", inReason: ReasonWaitingForSnapshot},
		{name: "todo -> doing when the restore form is applied", spec: drSpec(1), status: drStatus(strata.DRTodo, 1, nil),
			obs:   DRObservation{Snapshot: snapOK, FEStatefulSetGeneration: 1},
			phase: strata.DRDoing, gen: 1, drForm: true, inProg: "True", inReason: ReasonRestoring, event: "DisasterRecoveryStarted"},
		{name: "todo stays while an older generation's form is live", spec: drSpec(2), status: drStatus(strata.DRTodo, 2, nil),
			obs:   DRObservation{Snapshot: snapOK, FEStatefulSetGeneration: 1},
			phase: strata.DRTodo, gen: 2, drForm: true, inProg: "True", inReason: ReasonPending},
		{name: "doing, pod not ready", spec: drSpec(1), status: drStatus(strata.DRDoing, 1, tp(0)), now: t0.Add(time.Minute),
			obs:   DRObservation{Snapshot: snapOK, FEPods: []FEPod{{Name: "demo-fe-0", RestoreGeneration: 1}}, Restore: RestoreRunning},
			phase: strata.DRDoing, gen: 1, drForm: true, inProg: "True", inReason: ReasonRestoring},
		{name: "doing, pod ready but FE still restoring", spec: drSpec(1), status: drStatus(strata.DRDoing, 1, tp(0)), now: t0.Add(time.Minute),
			obs:   DRObservation{FEPods: []FEPod{readyPod}, Restore: RestoreRunning},
			phase: strata.DRDoing, gen: 1, drForm: true, inProg: "True", inReason: ReasonRestoring},
		{name: "doing, ready pod of an old generation does not count", spec: drSpec(2), status: drStatus(strata.DRDoing, 2, tp(0)), now: t0.Add(time.Minute),
			obs:   DRObservation{FEPods: []FEPod{readyPod}},
			phase: strata.DRDoing, gen: 2, drForm: true, inProg: "True", inReason: ReasonRestoring},
		{name: "doing -> done: all FE pods of the generation ready", spec: drSpec(1), status: drStatus(strata.DRDoing, 1, tp(0)), now: t0.Add(time.Minute),
			obs:   DRObservation{FEPods: []FEPod{readyPod}, Restore: RestoreFinished},
			phase: strata.DRDone, gen: 1, inProg: "False", inReason: ReasonSucceeded, event: "DisasterRecoverySucceeded"},
		{name: "doing -> done with no restore-state endpoint", spec: drSpec(1), status: drStatus(strata.DRDoing, 1, tp(0)), now: t0.Add(time.Minute),
			obs:   DRObservation{FEPods: []FEPod{readyPod}},
			phase: strata.DRDone, gen: 1, inProg: "False", inReason: ReasonSucceeded, event: "DisasterRecoverySucceeded"},
		{name: "doing -> failed: FE reports failure", spec: drSpec(1), status: drStatus(strata.DRDoing, 1, tp(0)), now: t0.Add(time.Minute),
			obs:   DRObservation{Restore: RestoreFailedFE, RestoreMessage: "snapshot not found"},
			phase: strata.DRFailed, gen: 1, hold: true, inProg: "False", inReason: ReasonFailed, event: "DisasterRecoveryFailed", reasonHas: "snapshot not found"},
		{name: "doing -> failed: default timeout", spec: drSpec(1), status: drStatus(strata.DRDoing, 1, tp(0)), now: t0.Add(DefaultDRTimeout + time.Second),
			phase: strata.DRFailed, gen: 1, hold: true, inProg: "False", inReason: ReasonFailed, event: "DisasterRecoveryFailed", reasonHas: "timeoutSeconds"},
		{name: "doing -> failed: configured timeout", spec: &strata.DisasterRecoverySpec{Enabled: true, Generation: 1, TimeoutSeconds: ptr(int64(60))},
			status: drStatus(strata.DRDoing, 1, tp(0)), now: t0.Add(61 * time.Second),
			phase: strata.DRFailed, gen: 1, hold: true, inProg: "False", inReason: ReasonFailed, event: "DisasterRecoveryFailed"},
		{name: "doing within the configured timeout", spec: &strata.DisasterRecoverySpec{Enabled: true, Generation: 1, TimeoutSeconds: ptr(int64(60))},
			status: drStatus(strata.DRDoing, 1, tp(0)), now: t0.Add(59 * time.Second),
			phase: strata.DRDoing, gen: 1, drForm: true, inProg: "True", inReason: ReasonRestoring},
		{name: "done, same generation: never restores twice", spec: drSpec(1), status: drStatus(strata.DRDone, 1, tp(0)), obs: DRObservation{Snapshot: snapOK},
			phase: strata.DRDone, gen: 1, inProg: "False", inReason: ReasonSucceeded},
		{name: "failed, same generation: stays failed and held", spec: drSpec(1), status: drStatus(strata.DRFailed, 1, tp(0)), obs: DRObservation{Snapshot: snapOK},
			phase: strata.DRFailed, gen: 1, hold: true, inProg: "False", inReason: ReasonFailed},
		{name: "done, higher generation -> todo again", spec: drSpec(2), status: drStatus(strata.DRDone, 1, tp(0)), obs: DRObservation{Snapshot: snapOK},
			phase: strata.DRTodo, gen: 2, drForm: true, inProg: "True", inReason: ReasonPending, event: "DisasterRecoveryRequested"},
		{name: "failed, higher generation -> todo again", spec: drSpec(3), status: drStatus(strata.DRFailed, 2, tp(0)), obs: DRObservation{Snapshot: snapOK},
			phase: strata.DRTodo, gen: 3, drForm: true, inProg: "True", inReason: ReasonPending, event: "DisasterRecoveryRequested"},
		{name: "lower generation is ignored", spec: drSpec(1), status: drStatus(strata.DRDone, 2, tp(0)),
			phase: strata.DRDone, gen: 2, inProg: "False", inReason: ReasonSucceeded},
		{name: "disabled while doing -> failed (aborted), normal spec", spec: &strata.DisasterRecoverySpec{Generation: 1},
			status: drStatus(strata.DRDoing, 1, tp(0)),
			phase:  strata.DRFailed, gen: 1, inProg: "False", inReason: ReasonDisabled, event: "DisasterRecoveryAborted", reasonHas: "disabled"},
		{name: "disabled after done: status kept", spec: &strata.DisasterRecoverySpec{Generation: 1}, status: drStatus(strata.DRDone, 1, tp(0)),
			phase: strata.DRDone, gen: 1, inProg: "False", inReason: ReasonDisabled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = t0
			}
			in := tc.status.DeepCopy()
			d := DecideDR(tc.spec, tc.status, tc.obs, now)
			if !reflect.DeepEqual(in, tc.status) {
				t.Fatal("DecideDR modified its input status")
			}
			if tc.phase == "" {
				if d.Status != nil || d.DRGeneration != 0 || d.HoldStatefulSets || len(d.Events) > 0 {
					t.Fatalf("want no DR, got %+v", d)
				}
				return
			}
			if d.Status == nil || d.Status.Phase != tc.phase || d.Status.ObservedGeneration != tc.gen {
				t.Fatalf("status = %+v, want phase %s gen %d", d.Status, tc.phase, tc.gen)
			}
			if tc.drForm != (d.DRGeneration == tc.gen) || tc.drForm != (d.FEReplicas != nil && *d.FEReplicas == 1 &&
				d.CNReplicas != nil && *d.CNReplicas == 0) {
				t.Errorf("restore form: gen %d FE %v CN %v, want %v", d.DRGeneration, d.FEReplicas, d.CNReplicas, tc.drForm)
			}
			if d.HoldStatefulSets != tc.hold {
				t.Errorf("hold = %v, want %v", d.HoldStatefulSets, tc.hold)
			}
			if c := condOf(d, CondDRInProgress); c == nil || c.Status != tc.inProg || c.Reason != tc.inReason {
				t.Errorf("%s = %+v, want %s/%s", CondDRInProgress, c, tc.inProg, tc.inReason)
			}
			if tc.event == "" && len(d.Events) > 0 || tc.event != "" && (len(d.Events) == 0 || d.Events[len(d.Events)-1].Reason != tc.event) {
				t.Errorf("events = %+v, want last %q", d.Events, tc.event)
			}
			if !strings.Contains(d.Status.Reason, tc.reasonHas) {
				t.Errorf("reason %q lacks %q", d.Status.Reason, tc.reasonHas)
			}
		})
	}
}

func TestDRTimestamps(t *testing.T) {
	d := DecideDR(drSpec(1), drStatus(strata.DRTodo, 1, nil), DRObservation{Snapshot: snapOK, FEStatefulSetGeneration: 1}, t0)
	if d.Status.StartTimestamp == nil || !d.Status.StartTimestamp.Time.Equal(t0) || d.Status.EndTimestamp != nil {
		t.Fatalf("start/end after doing = %v/%v", d.Status.StartTimestamp, d.Status.EndTimestamp)
	}
	end := t0.Add(5 * time.Minute)
	d = DecideDR(drSpec(1), d.Status, DRObservation{FEPods: []FEPod{{Ready: true, RestoreGeneration: 1}}}, end)
	if d.Status.Phase != strata.DRDone || !d.Status.EndTimestamp.Time.Equal(end) || !d.Status.StartTimestamp.Time.Equal(t0) {
		t.Fatalf("after done: %+v", d.Status)
	}
}

func TestSnapshotConditions(t *testing.T) {
	for _, tc := range []struct {
		sc     SnapshotConfig
		status metav1.ConditionStatus
		reason string
	}{
		{SnapshotConfig{}, metav1.ConditionFalse, ReasonNotMounted},
		{SnapshotConfig{Mounted: true, ConfigMapName: "cs"}, metav1.ConditionFalse, ReasonConfigMapNotFound},
		{snapOK, metav1.ConditionTrue, ReasonFound},
	} {
		d := DecideDR(drSpec(1), nil, DRObservation{Snapshot: tc.sc}, t0)
		if c := condOf(d, CondSnapshotReady); c == nil || c.Status != tc.status || c.Reason != tc.reason {
			t.Errorf("%+v: condition %+v, want %s/%s", tc.sc, c, tc.status, tc.reason)
		}
	}
	d := DecideDR(drSpec(1), drStatus(strata.DRDone, 2, nil), DRObservation{}, t0)
	if c := condOf(d, CondDRRequestOK); c == nil || c.Reason != ReasonGenerationLowered {
		t.Errorf("lowered generation condition = %+v", c)
	}
}

// TestFullFlow walks one generation from request to done, then a re-run with a higher one.
func TestFullFlow(t *testing.T) {
	var st *strata.DisasterRecoveryStatus
	step := func(gen int64, obs DRObservation, want strata.DRPhase) DRDecision {
		t.Helper()
		obs.Snapshot = snapOK
		d := DecideDR(drSpec(gen), st, obs, t0)
		if d.Status.Phase != want {
			t.Fatalf("gen %d: phase %s, want %s", gen, d.Status.Phase, want)
		}
		st = d.Status
		return d
	}
	for _, gen := range []int64{1, 2} {
		step(gen, DRObservation{FEStatefulSetGeneration: gen - 1}, strata.DRTodo)
		step(gen, DRObservation{FEStatefulSetGeneration: gen}, strata.DRDoing)
		step(gen, DRObservation{FEStatefulSetGeneration: gen, FEPods: []FEPod{{RestoreGeneration: gen}}}, strata.DRDoing)
		d := step(gen, DRObservation{FEStatefulSetGeneration: gen, FEPods: []FEPod{{Ready: true, RestoreGeneration: gen}}}, strata.DRDone)
		if d.DRGeneration != 0 || d.FEReplicas != nil || d.HoldStatefulSets {
			t.Fatalf("after done the normal spec applies: %+v", d)
		}
		step(gen, DRObservation{}, strata.DRDone) // and stays done
	}
}
