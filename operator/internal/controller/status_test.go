package controller

import (
	"errors"
	"strings"
	"testing"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestComputeStatus(t *testing.T) {
	c := testCluster(nil)
	c.Generation = 4
	c.Spec.FE.Config = "aws_s3_secret_key = oops\nrun_mode = shared_data\n"
	st := computeStatus(c, observed{feReady: 3, feTotal: 3, cnReady: 1, cnTotal: 2}, DRDecision{}, nil, nil, t0)
	if cond := meta.FindStatusCondition(st.Conditions, CondReady); st.Phase != strata.ClusterPending ||
		cond.Reason != "CNsNotReady" || cond.Message != "3/3 FE and 1/2 CN pods ready" {
		t.Errorf("one CN short: phase %s, Ready %+v", st.Phase, cond)
	}
	st = computeStatus(c, observed{feReady: 3, feTotal: 3, cnReady: 2, cnTotal: 2}, DRDecision{}, nil, nil, t0)
	if st.Phase != strata.ClusterRunning || st.ObservedGeneration != 4 || st.FE.ReadyReplicas != 3 ||
		!meta.IsStatusConditionTrue(st.Conditions, CondReady) {
		t.Errorf("status = %+v", st)
	}
	cond := meta.FindStatusCondition(st.Conditions, CondConfigOK)
	if cond == nil || cond.Status != metav1.ConditionFalse || !strings.Contains(cond.Message, "aws_s3_secret_key") ||
		strings.Contains(cond.Message, "oops") {
		t.Errorf("config condition = %+v", cond)
	}
	st = computeStatus(c, observed{feReady: 1}, DRDecision{}, nil, errors.New("quota"), t0)
	if st.Phase != strata.ClusterPending || !meta.IsStatusConditionFalse(st.Conditions, CondReconciled) {
		t.Errorf("apply failure status = %+v", st)
	}
	d := DRDecision{Status: &strata.DisasterRecoveryStatus{Phase: strata.DRDoing, ObservedGeneration: 1}}
	if st = computeStatus(c, observed{}, d, nil, nil, t0); st.Phase != strata.ClusterRecovering {
		t.Errorf("phase during DR = %s", st.Phase)
	}
}

func TestConditionTransitionTimeKept(t *testing.T) {
	c := testCluster(nil)
	c.Status = computeStatus(c, observed{}, DRDecision{}, nil, nil, t0)
	later := computeStatus(c, observed{}, DRDecision{}, nil, nil, t0.Add(1e12))
	if got := meta.FindStatusCondition(later.Conditions, CondReady).LastTransitionTime.Time; !got.Equal(t0) {
		t.Errorf("unchanged condition moved its transition time to %v", got)
	}
}
