package builders

import (
	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// PodDisruptionBudget bounds voluntary evictions (node drains, cluster autoscaling) of one
// component's pods: never more than one pod down at a time, and never the last one. With
// replicas > 1 that is maxUnavailable 1 (an eviction waits while another pod of the component
// is not Ready); with one replica (a single FE, or the FE restoring in disaster recovery) it
// is minAvailable 1, so a drain waits for an operator decision instead of taking the tier down.
// replicas is the count the StatefulSet is given (DR overrides the spec's).
func PodDisruptionBudget(c *strata.StrataCluster, component string, replicas int32) *policyv1.PodDisruptionBudget {
	name := FEName(c)
	if component == ComponentCN {
		name = CNName(c)
	}
	pdb := &policyv1.PodDisruptionBudget{
		TypeMeta:   typeMeta("policy/v1", "PodDisruptionBudget"),
		ObjectMeta: objectMeta(c, name, component),
		Spec:       policyv1.PodDisruptionBudgetSpec{Selector: selector(c, component)},
	}
	one := intstr.FromInt32(1)
	if replicas <= 1 {
		pdb.Spec.MinAvailable = &one
	} else {
		pdb.Spec.MaxUnavailable = &one
	}
	return pdb
}
