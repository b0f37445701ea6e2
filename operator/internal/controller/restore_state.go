package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/strata-db/strata/operator/internal/builders"
	corev1 "k8s.io/api/core/v1"
)

// RestoreStatePath is the FE endpoint that reports a cluster-snapshot restore.
const RestoreStatePath = "/api/v2/get_cluster_snapshot_restore_state"

// restoreStateBodyBytesMax bounds what is read of one answer.
const restoreStateBodyBytesMax = 64 << 10

// RestoreStateProber reads the FE's restore state. Implementations must be safe for
// concurrent use and must not block past ctx.
type RestoreStateProber interface {
	// Probe asks the FE pods of restore generation gen and sums their answers up: failed wins
	// over restoring, restoring over finished. No answer (no pod IP, connection refused, a
	// non-200, an answer about another generation) is RestoreUnknown. The string says why
	// (the FE's error for failed).
	Probe(ctx context.Context, pods []corev1.Pod, gen int64) (RestoreState, string)
}

// restoreStateAnswer is the FE's JSON (docs/operations/kubernetes.md).
type restoreStateAnswer struct {
	State      string `json:"cluster_snapshot_restore_state"`
	Generation string `json:"generation"`
	Error      string `json:"error"`
}

// HTTPRestoreStateProber asks each FE pod directly at <podIP>:<its "http" container port>,
// not through a Service: a restoring FE is not Ready, so no Service would route to it.
type HTTPRestoreStateProber struct {
	// Client is used for the GETs; nil: a client with a 3 s timeout.
	Client *http.Client
}

var defaultProbeClient = &http.Client{Timeout: 3 * time.Second}

// Probe implements RestoreStateProber.
func (p HTTPRestoreStateProber) Probe(ctx context.Context, pods []corev1.Pod, gen int64) (RestoreState, string) {
	hc := p.Client
	if hc == nil {
		hc = defaultProbeClient
	}
	var states []RestoreState
	var why []string
	for i := range pods {
		st, msg := probeOne(ctx, hc, &pods[i], gen)
		states = append(states, st)
		why = append(why, msg)
	}
	return summarise(states, why)
}

// summarise picks the answer that matters most: failed, then restoring, then finished only if
// every pod finished; otherwise unknown.
func summarise(states []RestoreState, why []string) (RestoreState, string) {
	for _, want := range []RestoreState{RestoreFailedFE, RestoreRunning} {
		for i, s := range states {
			if s == want {
				return s, why[i]
			}
		}
	}
	if len(states) == 0 {
		return RestoreUnknown, "no FE pod of this generation to ask"
	}
	for i, s := range states {
		if s != RestoreFinished {
			return RestoreUnknown, why[i]
		}
	}
	return RestoreFinished, why[0]
}

func feHTTPPort(p *corev1.Pod) int32 {
	for _, c := range p.Spec.Containers {
		for _, port := range c.Ports {
			if port.Name == "http" && port.ContainerPort > 0 {
				return port.ContainerPort
			}
		}
	}
	return builders.FEHTTPPort
}

func probeOne(ctx context.Context, hc *http.Client, p *corev1.Pod, gen int64) (RestoreState, string) {
	if p.Status.PodIP == "" {
		return RestoreUnknown, p.Name + " has no IP yet"
	}
	url := "http://" + net.JoinHostPort(p.Status.PodIP, strconv.Itoa(int(feHTTPPort(p)))) + RestoreStatePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return RestoreUnknown, err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return RestoreUnknown, fmt.Sprintf("%s: %v", p.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, restoreStateBodyBytesMax))
	if err != nil {
		return RestoreUnknown, fmt.Sprintf("%s: reading the answer: %v", p.Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return RestoreUnknown, fmt.Sprintf("%s: HTTP %d", p.Name, resp.StatusCode)
	}
	var a restoreStateAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return RestoreUnknown, fmt.Sprintf("%s: not the restore-state JSON: %v", p.Name, err)
	}
	// An FE that reports another generation (a restore it finished long ago) says nothing
	// about this one. An empty generation is taken as this one.
	if a.Generation != "" && a.Generation != strconv.FormatInt(gen, 10) {
		return RestoreUnknown, fmt.Sprintf("%s reports generation %q, not %d", p.Name, a.Generation, gen)
	}
	switch st := RestoreState(a.State); st {
	case RestoreFailedFE:
		return st, a.Error
	case RestoreRunning, RestoreFinished:
		return st, p.Name + " " + a.State
	default:
		return RestoreUnknown, fmt.Sprintf("%s: unknown restore state %q", p.Name, a.State)
	}
}
