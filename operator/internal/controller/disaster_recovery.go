// Package controller reconciles StrataClusters. This file is the disaster-recovery phase
// machine: a pure function of the spec, the last status and what the reconciler observed.
package controller

import (
	"fmt"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultDRTimeout bounds the `doing` phase when spec.disasterRecovery.timeoutSeconds is unset.
const DefaultDRTimeout = time.Hour

// Condition types and reasons the phase machine sets.
const (
	CondDRInProgress  = "DisasterRecoveryInProgress"
	CondSnapshotReady = "SnapshotConfigReady"
	CondDRRequestOK   = "DisasterRecoveryRequestValid"

	ReasonDisabled           = "Disabled"
	ReasonPending            = "Pending"
	ReasonRestoring          = "Restoring"
	ReasonSucceeded          = "Succeeded"
	ReasonFailed             = "Failed"
	ReasonWaitingForSnapshot = "WaitingForSnapshotConfig"
	ReasonNotMounted         = "NotMounted"
	ReasonConfigMapNotFound  = "ConfigMapNotFound"
	ReasonFound              = "Found"
	ReasonGenerationLowered  = "GenerationLowered"
	ReasonValid              = "Valid"
)

// RestoreState is what the FE's GET /api/v2/get_cluster_snapshot_restore_state reported.
type RestoreState string

const (
	RestoreUnknown  RestoreState = "" // no answer (FE down, or the endpoint not there yet)
	RestoreRunning  RestoreState = "restoring"
	RestoreFinished RestoreState = "finished"
	RestoreFailedFE RestoreState = "failed"
)

// SnapshotConfig is what the reconciler found about cluster_snapshot.yaml.
type SnapshotConfig struct {
	Mounted       bool   // some fe.configMaps entry mounts cluster_snapshot.yaml
	ConfigMapName string // that entry's ConfigMap
	Present       bool   // the ConfigMap exists and holds cluster_snapshot.yaml
}

// FEPod is one observed FE pod.
type FEPod struct {
	Name              string
	Ready             bool
	RestoreGeneration int64 // its strata.io/restore-generation label; 0 if none
}

// DRObservation is what the reconciler read from the world.
type DRObservation struct {
	FEStatefulSetGeneration int64 // restore generation annotated on the live FE StatefulSet
	FEPods                  []FEPod
	Snapshot                SnapshotConfig
	Restore                 RestoreState
	RestoreMessage          string
}

// Event is a Kubernetes event to record (reason is CamelCase).
type Event struct {
	Type, Reason, Message string
}

// DRDecision is what the reconciler must do.
type DRDecision struct {
	// Status is the new disasterRecoveryStatus; nil when DR was never requested.
	Status *strata.DisasterRecoveryStatus
	// DRGeneration > 0: build the FE in restore form with FEReplicas/CNReplicas.
	DRGeneration int64
	FEReplicas   *int32
	CNReplicas   *int32
	// HoldStatefulSets: neither create, update nor delete the FE and CN StatefulSets.
	HoldStatefulSets bool
	Conditions       []metav1.Condition
	Events           []Event
}

type drCtx struct {
	spec *strata.DisasterRecoverySpec
	obs  DRObservation
	now  metav1.Time
	d    DRDecision
}

func (c *drCtx) cond(t string, s metav1.ConditionStatus, reason, msg string) {
	c.d.Conditions = append(c.d.Conditions, metav1.Condition{Type: t, Status: s, Reason: reason,
		Message: msg, LastTransitionTime: c.now})
}

func (c *drCtx) event(typ, reason, msg string) {
	c.d.Events = append(c.d.Events, Event{Type: typ, Reason: reason, Message: msg})
}

func (c *drCtx) restoreForm() {
	c.d.DRGeneration = c.d.Status.ObservedGeneration
	c.d.FEReplicas, c.d.CNReplicas = ptr(int32(1)), ptr(int32(0))
}

func (c *drCtx) finish(phase strata.DRPhase, reason string) {
	c.d.Status.Phase, c.d.Status.Reason, c.d.Status.EndTimestamp = phase, reason, &c.now
}

// DecideDR advances the disaster-recovery phase: todo → doing → done, or failed. A generation
// that reached done or failed never runs again; a higher one starts over at todo.
func DecideDR(spec *strata.DisasterRecoverySpec, status *strata.DisasterRecoveryStatus,
	obs DRObservation, now time.Time) DRDecision {
	c := &drCtx{spec: spec, obs: obs, now: metav1.NewTime(now)}
	c.d.Status = status.DeepCopy()
	if spec == nil || !spec.Enabled {
		c.disabled()
		return c.d
	}
	st := c.d.Status
	if st == nil || spec.Generation > st.ObservedGeneration {
		c.d.Status = &strata.DisasterRecoveryStatus{Phase: strata.DRTodo, ObservedGeneration: spec.Generation,
			Reason: fmt.Sprintf("disaster recovery generation %d requested", spec.Generation)}
		c.event("Normal", "DisasterRecoveryRequested", c.d.Status.Reason)
	}
	if spec.Generation < c.d.Status.ObservedGeneration {
		c.cond(CondDRRequestOK, metav1.ConditionFalse, ReasonGenerationLowered, fmt.Sprintf(
			"spec generation %d is below the observed %d; raise it to run a new restore",
			spec.Generation, c.d.Status.ObservedGeneration))
	} else {
		c.cond(CondDRRequestOK, metav1.ConditionTrue, ReasonValid, "")
	}
	switch c.d.Status.Phase {
	case strata.DRTodo:
		c.todo()
	case strata.DRDoing:
		c.doing()
	case strata.DRDone:
		c.cond(CondDRInProgress, metav1.ConditionFalse, ReasonSucceeded, c.d.Status.Reason)
	default: // failed, or a phase this version does not know: touch nothing
		c.d.HoldStatefulSets = true
		c.cond(CondDRInProgress, metav1.ConditionFalse, ReasonFailed, c.d.Status.Reason)
	}
	return c.d
}

func (c *drCtx) disabled() {
	st := c.d.Status
	if st == nil {
		return
	}
	if st.Phase == strata.DRTodo || st.Phase == strata.DRDoing {
		c.finish(strata.DRFailed, "disaster recovery was disabled before it finished")
		c.event("Warning", "DisasterRecoveryAborted", st.Reason)
	}
	c.cond(CondDRInProgress, metav1.ConditionFalse, ReasonDisabled, "spec.disasterRecovery is not enabled")
}

// todo waits for cluster_snapshot.yaml, then asks for the restore form; it becomes doing once
// the live FE StatefulSet carries this generation.
func (c *drCtx) todo() {
	sc := c.obs.Snapshot
	switch {
	case !sc.Mounted:
		c.waitForSnapshot(ReasonNotMounted,
			"no fe.configMaps entry mounts cluster_snapshot.yaml; add one to restore")
		return
	case !sc.Present:
		c.waitForSnapshot(ReasonConfigMapNotFound, fmt.Sprintf(
			"ConfigMap %q with key cluster_snapshot.yaml not found; create it to restore", sc.ConfigMapName))
		return
	}
	c.cond(CondSnapshotReady, metav1.ConditionTrue, ReasonFound, "")
	c.restoreForm()
	if c.obs.FEStatefulSetGeneration != c.d.Status.ObservedGeneration {
		c.cond(CondDRInProgress, metav1.ConditionTrue, ReasonPending, "applying the restore form of the FE StatefulSet")
		return
	}
	st := c.d.Status
	st.Phase, st.Reason, st.StartTimestamp, st.EndTimestamp = strata.DRDoing, "disaster recovery is in progress", &c.now, nil
	c.event("Normal", "DisasterRecoveryStarted", fmt.Sprintf("restoring generation %d", st.ObservedGeneration))
	c.cond(CondDRInProgress, metav1.ConditionTrue, ReasonRestoring, st.Reason)
}

// waitForSnapshot keeps every StatefulSet as it is (the StarRocks operator deleted them) and
// says what is missing.
func (c *drCtx) waitForSnapshot(reason, msg string) {
	c.d.HoldStatefulSets = true
	c.cond(CondSnapshotReady, metav1.ConditionFalse, reason, msg)
	c.cond(CondDRInProgress, metav1.ConditionTrue, ReasonWaitingForSnapshot, msg)
	if len(c.d.Events) > 0 { // only when the request is new, not on every reconcile
		c.event("Warning", "SnapshotConfigMissing", msg)
	}
}

func (c *drCtx) doing() {
	st := c.d.Status
	c.restoreForm()
	if st.StartTimestamp == nil {
		st.StartTimestamp = &c.now
	}
	timeout := DefaultDRTimeout
	if c.spec.TimeoutSeconds != nil {
		timeout = time.Duration(*c.spec.TimeoutSeconds) * time.Second
	}
	ready, total := c.readyPods()
	switch {
	case c.obs.Restore == RestoreFailedFE:
		c.fail("the FE reported a failed restore: " + c.obs.RestoreMessage)
	case c.now.Sub(st.StartTimestamp.Time) > timeout:
		c.fail(fmt.Sprintf("not done after %s (timeoutSeconds); %d/%d FE pods ready", timeout, ready, total))
	case total > 0 && ready == total && c.obs.Restore != RestoreRunning:
		c.finish(strata.DRDone, "disaster recovery is done")
		st.Progress = string(RestoreFinished)
		c.d.DRGeneration, c.d.FEReplicas, c.d.CNReplicas = 0, nil, nil
		c.event("Normal", "DisasterRecoverySucceeded", fmt.Sprintf("generation %d restored", st.ObservedGeneration))
		c.cond(CondDRInProgress, metav1.ConditionFalse, ReasonSucceeded, st.Reason)
	default:
		st.Progress = fmt.Sprintf("%d/%d FE pods of generation %d ready", ready, total, st.ObservedGeneration)
		if c.obs.Restore != RestoreUnknown {
			st.Progress += "; FE restore state " + string(c.obs.Restore)
		}
		c.cond(CondDRInProgress, metav1.ConditionTrue, ReasonRestoring, st.Progress)
	}
}

func (c *drCtx) fail(reason string) {
	c.finish(strata.DRFailed, reason)
	c.d.HoldStatefulSets = true // leave the failed FE as it is, for inspection
	c.d.DRGeneration, c.d.FEReplicas, c.d.CNReplicas = 0, nil, nil
	c.event("Warning", "DisasterRecoveryFailed", reason)
	c.cond(CondDRInProgress, metav1.ConditionFalse, ReasonFailed, reason)
}

// readyPods counts FE pods; a pod counts as ready only if it runs this generation's restore.
func (c *drCtx) readyPods() (ready, total int) {
	for _, p := range c.obs.FEPods {
		total++
		if p.Ready && p.RestoreGeneration == c.d.Status.ObservedGeneration {
			ready++
		}
	}
	return ready, total
}

func ptr[T any](v T) *T { return &v }
