package controller

import (
	"context"
	"fmt"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/builders"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// apply creates or updates the desired objects. It never deletes a StatefulSet; with hold it
// leaves both StatefulSets exactly as they are.
func (r *Reconciler) apply(ctx context.Context, c *strata.StrataCluster, d DRDecision) error {
	o := builders.Options{DRGeneration: d.DRGeneration, FEReplicas: d.FEReplicas, CNReplicas: d.CNReplicas,
		ClusterDomain: r.ClusterDomain}
	if err := r.applyConfigMap(ctx, builders.FEConfigMap(c)); err != nil {
		return err
	}
	for _, svc := range []*corev1.Service{builders.FEService(c), builders.FEPeerService(c)} {
		if err := r.applyService(ctx, svc); err != nil {
			return err
		}
	}
	if c.Spec.CN != nil {
		if err := r.applyConfigMap(ctx, builders.CNConfigMap(c)); err != nil {
			return err
		}
		if err := r.applyService(ctx, builders.CNService(c)); err != nil {
			return err
		}
	}
	if d.HoldStatefulSets {
		return nil
	}
	if err := r.applyStatefulSet(ctx, builders.FEStatefulSet(c, o)); err != nil {
		return err
	}
	if c.Spec.CN != nil {
		return r.applyStatefulSet(ctx, builders.CNStatefulSet(c, o))
	}
	return nil
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
