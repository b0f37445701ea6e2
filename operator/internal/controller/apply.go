package controller

import (
	"context"
	"fmt"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/builders"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// apply creates or updates the desired objects and returns what the rollouts wait for (one
// line per StatefulSet held back). It never deletes a StatefulSet; with hold it leaves both
// StatefulSets, and their PodDisruptionBudgets, exactly as they are.
func (r *Reconciler) apply(ctx context.Context, c *strata.StrataCluster, d DRDecision, obs observed) ([]string, error) {
	o := builders.Options{DRGeneration: d.DRGeneration, FEReplicas: d.FEReplicas, CNReplicas: d.CNReplicas,
		ClusterDomain: r.ClusterDomain}
	if err := r.applyConfigMap(ctx, builders.FEConfigMap(c)); err != nil {
		return nil, err
	}
	for _, svc := range []*corev1.Service{builders.FEService(c), builders.FEPeerService(c)} {
		if err := r.applyService(ctx, svc); err != nil {
			return nil, err
		}
	}
	if c.Spec.CN != nil {
		if err := r.applyConfigMap(ctx, builders.CNConfigMap(c, o)); err != nil {
			return nil, err
		}
		if err := r.applyService(ctx, builders.CNService(c)); err != nil {
			return nil, err
		}
	}
	if d.HoldStatefulSets {
		return nil, nil
	}
	var waiting []string
	fe := builders.FEStatefulSet(c, o)
	plan := planFor(fe, obs.feSts, obs.fePods, true, d.DRGeneration > 0)
	if err := r.applyRolledOut(ctx, c, builders.ComponentFE, fe, plan); err != nil {
		return nil, err
	}
	if plan.Waiting != "" {
		waiting = append(waiting, plan.Waiting)
	}
	if c.Spec.CN == nil {
		return waiting, nil
	}
	cn := builders.CNStatefulSet(c, o)
	// CNs keep no data (DESIGN §2): removing several at once loses nothing, their tablets move
	// to the next owners; a template change still replaces one CN at a time.
	plan = planFor(cn, obs.cnSts, obs.cnPods, false, d.DRGeneration > 0)
	if err := r.applyRolledOut(ctx, c, builders.ComponentCN, cn, plan); err != nil {
		return nil, err
	}
	if plan.Waiting != "" {
		waiting = append(waiting, plan.Waiting)
	}
	return waiting, nil
}

func planFor(want, live *appsv1.StatefulSet, pods []corev1.Pod, stepScaleDown, immediate bool) RolloutPlan {
	return PlanRollout(RolloutInput{Name: want.Name, Want: *want.Spec.Replicas,
		Hash: want.Spec.Template.Annotations[builders.AnnotationTemplateHash], Live: live,
		Pods: podStates(want.Name, pods), StepScaleDown: stepScaleDown, Immediate: immediate})
}

// applyRolledOut applies a StatefulSet with the plan's replicas and partition, then the
// component's PodDisruptionBudget for those replicas.
func (r *Reconciler) applyRolledOut(ctx context.Context, c *strata.StrataCluster, component string,
	sts *appsv1.StatefulSet, plan RolloutPlan) error {
	sts.Spec.Replicas = &plan.Replicas
	sts.Spec.UpdateStrategy.RollingUpdate.Partition = &plan.Partition
	if err := r.applyStatefulSet(ctx, sts); err != nil {
		return err
	}
	return r.applyPDB(ctx, builders.PodDisruptionBudget(c, component, plan.Replicas))
}

func (r *Reconciler) applyPDB(ctx context.Context, want *policyv1.PodDisruptionBudget) error {
	live := &policyv1.PodDisruptionBudget{}
	live.Name, live.Namespace = want.Name, want.Namespace
	_, err := controllerutil.CreateOrUpdate(ctx, r.Client, live, func() error {
		mergeMeta(live, want)
		live.Spec = want.Spec
		return nil
	})
	return wrap("PodDisruptionBudget", want.Name, err)
}

func mergeMeta(live, want client.Object) {
	live.SetLabels(want.GetLabels())
	live.SetOwnerReferences(want.GetOwnerReferences())
	if a := want.GetAnnotations(); a != nil || live.GetAnnotations() != nil {
		live.SetAnnotations(a)
	}
}

func (r *Reconciler) applyConfigMap(ctx context.Context, want *corev1.ConfigMap) error {
	live := &corev1.ConfigMap{}
	live.Name, live.Namespace = want.Name, want.Namespace
	_, err := controllerutil.CreateOrUpdate(ctx, r.Client, live, func() error {
		mergeMeta(live, want)
		live.Data = want.Data
		return nil
	})
	return wrap("ConfigMap", want.Name, err)
}

func (r *Reconciler) applyService(ctx context.Context, want *corev1.Service) error {
	live := &corev1.Service{}
	live.Name, live.Namespace = want.Name, want.Namespace
	_, err := controllerutil.CreateOrUpdate(ctx, r.Client, live, func() error {
		mergeMeta(live, want)
		// clusterIP is immutable and allocated by the server: keep what it chose.
		ip, ips := live.Spec.ClusterIP, live.Spec.ClusterIPs
		live.Spec = want.Spec
		if ip != "" {
			live.Spec.ClusterIP, live.Spec.ClusterIPs = ip, ips
		}
		return nil
	})
	return wrap("Service", want.Name, err)
}

func (r *Reconciler) applyStatefulSet(ctx context.Context, want *appsv1.StatefulSet) error {
	live := &appsv1.StatefulSet{}
	live.Name, live.Namespace = want.Name, want.Namespace
	_, err := controllerutil.CreateOrUpdate(ctx, r.Client, live, func() error {
		mergeMeta(live, want)
		created := live.ResourceVersion != ""
		claims := live.Spec.VolumeClaimTemplates
		live.Spec = want.Spec
		if created { // volumeClaimTemplates are immutable once created
			live.Spec.VolumeClaimTemplates = claims
		}
		return nil
	})
	return wrap("StatefulSet", want.Name, err)
}

func wrap(kind, name string, err error) error {
	if err != nil {
		return fmt.Errorf("apply %s %s: %w", kind, name, err)
	}
	return nil
}
