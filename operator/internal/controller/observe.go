package controller

import (
	"context"
	"path"
	"strconv"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/builders"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const snapshotFile = "cluster_snapshot.yaml"

// observed is what one reconcile read from the API server.
type observed struct {
	dr      DRObservation
	feSts   *appsv1.StatefulSet // nil if absent
	cnSts   *appsv1.StatefulSet
	fePods  []corev1.Pod
	cnPods  []corev1.Pod
	feReady int32
	feTotal int32
	cnReady int32
	cnTotal int32
}

func (r *Reconciler) observe(ctx context.Context, c *strata.StrataCluster) (observed, error) {
	var o observed
	var err error
	if o.feSts, err = r.getStatefulSet(ctx, c.Namespace, builders.FEName(c)); err != nil {
		return o, err
	}
	if o.cnSts, err = r.getStatefulSet(ctx, c.Namespace, builders.CNName(c)); err != nil {
		return o, err
	}
	if o.feSts != nil {
		o.dr.FEStatefulSetGeneration = parseGen(o.feSts.Annotations[builders.LabelDRGeneration])
	}
	pods, err := r.listPods(ctx, c, builders.ComponentFE)
	if err != nil {
		return o, err
	}
	o.fePods = pods
	gen := wantedRestoreGeneration(c)
	var restorePods []corev1.Pod
	for _, p := range pods {
		if gen > 0 && parseGen(p.Labels[builders.LabelDRGeneration]) == gen {
			restorePods = append(restorePods, p)
		}
		ready := podReady(&p)
		o.dr.FEPods = append(o.dr.FEPods, FEPod{Name: p.Name, Ready: ready,
			RestoreGeneration: parseGen(p.Labels[builders.LabelDRGeneration])})
		o.feTotal++
		if ready {
			o.feReady++
		}
	}
	cnPods, err := r.listPods(ctx, c, builders.ComponentCN)
	if err != nil {
		return o, err
	}
	o.cnPods = cnPods
	for _, p := range cnPods {
		o.cnTotal++
		if podReady(&p) {
			o.cnReady++
		}
	}
	if o.dr.Snapshot, err = r.observeSnapshot(ctx, c); err != nil {
		return o, err
	}
	if r.Prober != nil && gen > 0 {
		o.dr.Restore, o.dr.RestoreMessage = r.Prober.Probe(ctx, restorePods, gen)
	}
	return o, nil
}

// wantedRestoreGeneration is the generation whose restore may be running: the spec's, while
// DR is enabled and that generation has not reached done or failed. 0: none, and the FE is not
// asked (a finished generation is never probed again).
func wantedRestoreGeneration(c *strata.StrataCluster) int64 {
	dr := c.Spec.DisasterRecovery
	if dr == nil || !dr.Enabled {
		return 0
	}
	st := c.Status.DisasterRecoveryStatus
	if st != nil && st.ObservedGeneration == dr.Generation &&
		(st.Phase == strata.DRDone || st.Phase == strata.DRFailed) {
		return 0
	}
	return dr.Generation
}

func (r *Reconciler) getStatefulSet(ctx context.Context, ns, name string) (*appsv1.StatefulSet, error) {
	var sts appsv1.StatefulSet
	err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &sts)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &sts, nil
}

func (r *Reconciler) listPods(ctx context.Context, c *strata.StrataCluster, component string) ([]corev1.Pod, error) {
	var pods corev1.PodList
	err := r.List(ctx, &pods, client.InNamespace(c.Namespace), client.MatchingLabels(builders.Labels(c, component)))
	return pods.Items, err
}

// observeSnapshot finds the fe.configMaps entry that mounts cluster_snapshot.yaml and checks
// that its ConfigMap exists with the key.
func (r *Reconciler) observeSnapshot(ctx context.Context, c *strata.StrataCluster) (SnapshotConfig, error) {
	var sc SnapshotConfig
	for _, m := range c.Spec.FE.ConfigMaps {
		if m.SubPath != snapshotFile && path.Base(m.MountPath) != snapshotFile {
			continue
		}
		sc.Mounted, sc.ConfigMapName = true, m.Name
		key := m.SubPath
		if key == "" {
			key = snapshotFile
		}
		var cm corev1.ConfigMap
		err := r.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: m.Name}, &cm)
		if apierrors.IsNotFound(err) {
			return sc, nil
		}
		if err != nil {
			return sc, err
		}
		_, sc.Present = cm.Data[key]
		return sc, nil
	}
	return sc, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func parseGen(s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}
