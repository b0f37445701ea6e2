package controller

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/strata-db/strata/operator/internal/builders"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// PodState is what the rollout needs to know of one pod of a StatefulSet.
type PodState struct {
	Ordinal     int32
	Ready       bool
	Terminating bool
	Hash        string // the pod's builders.AnnotationTemplateHash
}

func (p PodState) healthy() bool { return p.Ready && !p.Terminating }

// RolloutInput is what one StatefulSet's rollout decision depends on.
type RolloutInput struct {
	Name string              // the StatefulSet (pods are Name-<ordinal>)
	Want int32               // replicas the spec (or disaster recovery) asks for
	Hash string              // the desired pod template's hash
	Live *appsv1.StatefulSet // nil: not created yet
	Pods []PodState
	// StepScaleDown removes one pod at a time, each only once the previous one is gone and
	// the pods that stay are Ready (the FEs).
	StepScaleDown bool
	// Immediate applies replicas and template at once: the restore form of disaster recovery,
	// where the pods being replaced are the cluster being recovered, not a service to keep up.
	Immediate bool
}

// RolloutPlan is what the StatefulSet is given: its replicas and its RollingUpdate partition
// (pods with an ordinal at or above it get the new template). Waiting says why something is
// held back; empty when nothing is.
type RolloutPlan struct {
	Replicas  int32
	Partition int32
	Waiting   string
}

// PlanRollout takes at most one pod of the StatefulSet down at a time:
//   - scale up at once (adding pods takes none down);
//   - with StepScaleDown, scale down one pod at a time, only when no pod above the current
//     replicas is still going away and every pod that stays is Ready (or the pod to remove is
//     not Ready itself: removing it takes nothing more down); otherwise at once;
//   - a template change replaces pods from the highest ordinal down, one at a time: the
//     partition is lowered to the highest stale ordinal s only when every other pod is Ready
//     and no pod is going away, or when s itself is not Ready (replacing a pod that is already
//     down takes nothing more down, and may be the fix it needs); otherwise it stays at s+1;
//   - never both a scale-down step and a replacement in one decision.
//
// It is a pure function of its input; the StatefulSet controller does the rest.
func PlanRollout(in RolloutInput) RolloutPlan {
	if in.Live == nil || in.Immediate {
		return RolloutPlan{Replicas: in.Want}
	}
	cur := int32(1)
	if in.Live.Spec.Replicas != nil {
		cur = *in.Live.Spec.Replicas
	}
	byOrd := map[int32]PodState{}
	for _, p := range in.Pods {
		byOrd[p.Ordinal] = p
	}
	healthy := func(i int32) bool { p, ok := byOrd[i]; return ok && p.healthy() }
	goingAway := func(replicas int32) []int32 {
		var out []int32
		for _, p := range in.Pods {
			if p.Ordinal >= replicas {
				out = append(out, p.Ordinal)
			}
		}
		sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
		return out
	}
	notReady := func(n int32, except int32) []int32 {
		var out []int32
		for i := int32(0); i < n; i++ {
			if i != except && !healthy(i) {
				out = append(out, i)
			}
		}
		return out
	}

	plan := RolloutPlan{Replicas: in.Want}
	steppedDown := false
	if in.StepScaleDown && in.Want < cur {
		plan.Replicas = cur
		switch away, down := goingAway(cur), notReady(cur-1, -1); {
		case len(away) > 0:
			plan.Waiting = fmt.Sprintf("scale-down to %d: waiting for %s to be gone", in.Want, podNames(in.Name, away))
		case len(down) > 0 && healthy(cur-1):
			plan.Waiting = fmt.Sprintf("scale-down to %d: waiting for %s to be Ready", in.Want, podNames(in.Name, down))
		default:
			plan.Replicas, steppedDown = cur-1, true
			if plan.Replicas > in.Want {
				plan.Waiting = fmt.Sprintf("scale-down to %d: removing %s", in.Want, podNames(in.Name, []int32{cur - 1}))
			}
		}
	}

	s := int32(-1) // the highest stale ordinal that stays
	for i := plan.Replicas - 1; i >= 0; i-- {
		if p, ok := byOrd[i]; ok && p.Hash != in.Hash {
			s = i
			break
		}
	}
	if s < 0 {
		return plan
	}
	away, down := goingAway(plan.Replicas), notReady(plan.Replicas, s)
	if !steppedDown && (!healthy(s) || (len(away) == 0 && len(down) == 0)) {
		plan.Partition = s
		return plan
	}
	plan.Partition = s + 1
	var why string
	switch {
	case steppedDown:
		why = "a pod is being removed"
	case len(away) > 0:
		why = "waiting for " + podNames(in.Name, away) + " to be gone"
	default:
		why = "waiting for " + podNames(in.Name, down) + " to be Ready"
	}
	msg := fmt.Sprintf("rolling update: %s before replacing %s", why, podNames(in.Name, []int32{s}))
	if plan.Waiting != "" {
		msg = plan.Waiting + "; " + msg
	}
	plan.Waiting = msg
	return plan
}

func podNames(sts string, ords []int32) string {
	names := make([]string, len(ords))
	for i, o := range ords {
		names[i] = fmt.Sprintf("%s-%d", sts, o)
	}
	return strings.Join(names, ", ")
}

// podStates reads the pods of StatefulSet name; pods whose name has no ordinal are skipped.
func podStates(name string, pods []corev1.Pod) []PodState {
	var out []PodState
	for i := range pods {
		p := &pods[i]
		suffix, ok := strings.CutPrefix(p.Name, name+"-")
		if !ok {
			continue
		}
		ord, err := strconv.ParseInt(suffix, 10, 32)
		if err != nil || ord < 0 {
			continue
		}
		out = append(out, PodState{Ordinal: int32(ord), Ready: podReady(p),
			Terminating: p.DeletionTimestamp != nil, Hash: p.Annotations[builders.AnnotationTemplateHash]})
	}
	return out
}
