package controller

import (
	"context"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/builders"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete

// SetupWithManager registers the reconciler and its watches: the clusters, the objects they
// own, their pods (owned by the StatefulSets, so found by label) and the ConfigMaps their FEs
// mount (cluster_snapshot.yaml is created by the user, so it is not owned).
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("stratacluster").
		For(&strata.StrataCluster{}).
		Owns(&appsv1.StatefulSet{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&policyv1.PodDisruptionBudget{}).
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(podToCluster)).
		Watches(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(r.mountedConfigMapToClusters)).
		Complete(r)
}

// PodSelector is the label selector of every pod the operator looks at; the manager's cache
// holds only these pods.
func PodSelector() map[string]string {
	return map[string]string{builders.LabelManagedBy: "strata-operator", builders.LabelName: "strata"}
}

// podToCluster maps a Strata pod to its cluster through the instance label.
func podToCluster(_ context.Context, o client.Object) []reconcile.Request {
	l := o.GetLabels()
	if l[builders.LabelManagedBy] != "strata-operator" || l[builders.LabelInstance] == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(),
		Name: l[builders.LabelInstance]}}}
}

// mountedConfigMapToClusters maps a ConfigMap to the clusters whose FE mounts it.
func (r *Reconciler) mountedConfigMapToClusters(ctx context.Context, o client.Object) []reconcile.Request {
	var list strata.StrataClusterList
	if err := r.List(ctx, &list, client.InNamespace(o.GetNamespace())); err != nil {
		return nil // the periodic DR poll still picks the change up
	}
	var out []reconcile.Request
	for _, c := range list.Items {
		for _, m := range c.Spec.FE.ConfigMaps {
			if m.Name == o.GetName() {
				out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{
					Namespace: c.Namespace, Name: c.Name}})
				break
			}
		}
	}
	return out
}
