package controller

import (
	"context"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DRPollInterval is how often a cluster in disaster recovery is looked at again, besides the
// watch events, so that the timeout fires and the FE's restore state is read.
const DRPollInterval = 10 * time.Second

// Reconciler reconciles one StrataCluster: read the world, decide (pure), apply, report.
type Reconciler struct {
	client.Client
	Recorder      record.EventRecorder
	Now           func() time.Time   // nil: time.Now
	Prober        RestoreStateProber // nil: the FE's restore state is not read
	ClusterDomain string             // empty: cluster.local
	// PollInterval is how often a cluster in DR is looked at again; 0: DRPollInterval.
	PollInterval time.Duration
}

// +kubebuilder:rbac:groups=strata.io,resources=strataclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=strata.io,resources=strataclusters/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=apps,resources=statefulsets,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",resources=services;configmaps,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Reconcile is level-based: the same world always leads to the same objects and status.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var c strata.StrataCluster
	if err := r.Get(ctx, req.NamespacedName, &c); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil // deleted: owner references collect the rest
		}
		return ctrl.Result{}, err
	}
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	obs, err := r.observe(ctx, &c)
	if err != nil {
		return ctrl.Result{}, err
	}
	d := DecideDR(c.Spec.DisasterRecovery, c.Status.DisasterRecoveryStatus, obs.dr, now)
	waiting, applyErr := r.apply(ctx, &c, d, obs)
	// Status is written even when apply failed, so the DR phase and the error are visible.
	if err := r.writeStatus(ctx, &c, obs, d, waiting, applyErr, now); err != nil {
		// Typically a conflict with a newer cluster: the retry decides again, and records
		// the transition's events then, so each is recorded once.
		return ctrl.Result{}, err
	}
	for _, e := range d.Events {
		if r.Recorder != nil {
			r.Recorder.Event(&c, e.Type, e.Reason, e.Message)
		}
	}
	if applyErr != nil {
		return ctrl.Result{}, applyErr
	}
	if st := d.Status; st != nil && (st.Phase == strata.DRTodo || st.Phase == strata.DRDoing) {
		if r.PollInterval > 0 {
			return ctrl.Result{RequeueAfter: r.PollInterval}, nil
		}
		return ctrl.Result{RequeueAfter: DRPollInterval}, nil
	}
	return ctrl.Result{}, nil
}
