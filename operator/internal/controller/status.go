package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/builders"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Cluster-level condition types.
const (
	CondReady      = "Ready"
	CondReconciled = "Reconciled"
	CondConfigOK   = "ConfigValid"
	// CondRollingOut is True while a StatefulSet's scale-down or rolling update is held back
	// to keep one pod down at most (controller/rollout.go); the message says what it waits for.
	CondRollingOut = "RollingOut"
)

// configCondition flags fe.conf and cn.conf keys the operator owns: they are overridden
// (ports, meta_dir, host, fe_address, the cache dir) or belong in storageCredentials (the S3
// keys), never in a manifest.
func configCondition(c *strata.StrataCluster) metav1.Condition {
	var parts []string
	if keys := builders.OwnedKeysInConfig(c.Spec.FE.Config); len(keys) > 0 {
		parts = append(parts, "fe.config sets keys the operator owns (put S3 keys in storageCredentials): "+
			strings.Join(keys, ", "))
	}
	if c.Spec.CN != nil {
		if keys := builders.OwnedKeysInCNConfig(c.Spec.CN.Config); len(keys) > 0 {
			parts = append(parts, "cn.config sets keys the operator owns: "+strings.Join(keys, ", "))
		}
	}
	if len(parts) == 0 {
		return metav1.Condition{Type: CondConfigOK, Status: metav1.ConditionTrue, Reason: "Valid"}
	}
	return metav1.Condition{Type: CondConfigOK, Status: metav1.ConditionFalse, Reason: "OperatorOwnedKeys",
		Message: strings.Join(parts, "; ")}
}

func rolloutCondition(waiting []string) metav1.Condition {
	if len(waiting) == 0 {
		return metav1.Condition{Type: CondRollingOut, Status: metav1.ConditionFalse, Reason: "NothingHeldBack"}
	}
	return metav1.Condition{Type: CondRollingOut, Status: metav1.ConditionTrue, Reason: "OnePodAtATime",
		Message: strings.Join(waiting, "; ")}
}

func wantReplicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// readiness is the Ready condition: at least the spec's number of FE pods Ready (and at least
// one), and of CN pods when the cluster has CNs.
func readiness(c *strata.StrataCluster, obs observed) metav1.Condition {
	cond := metav1.Condition{Type: CondReady, Status: metav1.ConditionFalse}
	fe := wantReplicas(c.Spec.FE.Replicas)
	cn := int32(0)
	if c.Spec.CN != nil {
		cn = wantReplicas(c.Spec.CN.Replicas)
	}
	counts := fmt.Sprintf("%d/%d FE and %d/%d CN pods ready", obs.feReady, fe, obs.cnReady, cn)
	switch {
	case fe == 0 || obs.feReady < fe:
		cond.Reason = "FEsNotReady"
	case obs.cnReady < cn:
		cond.Reason = "CNsNotReady"
	default:
		cond.Status, cond.Reason = metav1.ConditionTrue, "PodsReady"
	}
	cond.Message = counts
	return cond
}

// computeStatus is the pure part of status reporting.
func computeStatus(c *strata.StrataCluster, obs observed, d DRDecision, waiting []string, applyErr error,
	now time.Time) strata.StrataClusterStatus {
	st := *c.Status.DeepCopy()
	st.ObservedGeneration = c.Generation
	st.DisasterRecoveryStatus = d.Status
	st.FE = strata.ComponentStatus{Replicas: obs.feTotal, ReadyReplicas: obs.feReady}
	st.CN = strata.ComponentStatus{Replicas: obs.cnTotal, ReadyReplicas: obs.cnReady}

	conds := append([]metav1.Condition(nil), d.Conditions...)
	conds = append(conds, configCondition(c), rolloutCondition(waiting))
	if applyErr != nil {
		conds = append(conds, metav1.Condition{Type: CondReconciled, Status: metav1.ConditionFalse,
			Reason: "ApplyFailed", Message: applyErr.Error()})
	} else {
		conds = append(conds, metav1.Condition{Type: CondReconciled, Status: metav1.ConditionTrue, Reason: "Applied"})
	}
	readyCond := readiness(c, obs)
	ready := readyCond.Status == metav1.ConditionTrue
	conds = append(conds, readyCond)
	for _, cond := range conds {
		cond.ObservedGeneration = c.Generation
		cond.LastTransitionTime = metav1.NewTime(now)
		meta.SetStatusCondition(&st.Conditions, cond) // keeps the old time if status is unchanged
	}

	switch {
	case d.Status != nil && (d.Status.Phase == strata.DRTodo || d.Status.Phase == strata.DRDoing):
		st.Phase = strata.ClusterRecovering
	case d.Status != nil && d.Status.Phase == strata.DRFailed && c.Spec.DisasterRecovery != nil &&
		c.Spec.DisasterRecovery.Enabled:
		st.Phase = strata.ClusterFailed
	case ready:
		st.Phase = strata.ClusterRunning
	default:
		st.Phase = strata.ClusterPending
	}
	return st
}

func (r *Reconciler) writeStatus(ctx context.Context, c *strata.StrataCluster, obs observed, d DRDecision,
	waiting []string, applyErr error, now time.Time) error {
	st := computeStatus(c, obs, d, waiting, applyErr, now)
	if equality.Semantic.DeepEqual(st, c.Status) {
		return nil
	}
	c.Status = st
	return r.Status().Update(ctx, c)
}
