package controller

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// fePod is an FE pod whose "http" port is the test server's.
func fePod(t *testing.T, name, url string) corev1.Pod {
	t.Helper()
	host, port, err := net.SplitHostPort(url[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	p := corev1.Pod{}
	p.Name = name
	p.Status.PodIP = host
	p.Spec.Containers = []corev1.Container{{Name: "fe", Ports: []corev1.ContainerPort{
		{Name: "query", ContainerPort: 1}, {Name: "http", ContainerPort: int32(n)}}}}
	return p
}

func serve(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != RestoreStatePath || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func TestHTTPRestoreStateProber(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		want       RestoreState
		wantMsg    string
	}{
		{"restoring", `{"cluster_snapshot_restore_state":"restoring","generation":"7"}`, 200, RestoreRunning, "fe-0 restoring"},
		{"finished", `{"cluster_snapshot_restore_state":"finished","generation":"7"}`, 200, RestoreFinished, "fe-0 finished"},
		{"failed carries the FE's error", `{"cluster_snapshot_restore_state":"failed","generation":"7","error":"snapshot not found"}`,
			200, RestoreFailedFE, "snapshot not found"},
		{"empty generation is this one", `{"cluster_snapshot_restore_state":"finished"}`, 200, RestoreFinished, "finished"},
		{"another generation says nothing", `{"cluster_snapshot_restore_state":"failed","generation":"6","error":"x"}`,
			200, RestoreUnknown, `generation "6"`},
		{"endpoint missing", `not found`, 404, RestoreUnknown, "HTTP 404"},
		{"not JSON", `<html>`, 200, RestoreUnknown, "not the restore-state JSON"},
		{"unknown state", `{"cluster_snapshot_restore_state":"sleeping"}`, 200, RestoreUnknown, "unknown restore state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, tc.status, tc.body)
			st, msg := HTTPRestoreStateProber{}.Probe(context.Background(), []corev1.Pod{fePod(t, "fe-0", s.URL)}, 7)
			if st != tc.want || !strings.Contains(msg, tc.wantMsg) {
				t.Fatalf("got %q %q, want %q with %q", st, msg, tc.want, tc.wantMsg)
			}
		})
	}
}

func TestHTTPRestoreStateProberSummarises(t *testing.T) {
	fin := serve(t, 200, `{"cluster_snapshot_restore_state":"finished","generation":"1"}`)
	run := serve(t, 200, `{"cluster_snapshot_restore_state":"restoring","generation":"1"}`)
	bad := serve(t, 200, `{"cluster_snapshot_restore_state":"failed","generation":"1","error":"boom"}`)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // connection refused

	noIP := corev1.Pod{}
	noIP.Name = "fe-9"
	p := HTTPRestoreStateProber{}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		pods []corev1.Pod
		want RestoreState
	}{
		{"no pods", nil, RestoreUnknown},
		{"pod without IP", []corev1.Pod{noIP}, RestoreUnknown},
		{"FE down", []corev1.Pod{fePod(t, "fe-0", downURL)}, RestoreUnknown},
		{"all finished", []corev1.Pod{fePod(t, "fe-0", fin.URL), fePod(t, "fe-1", fin.URL)}, RestoreFinished},
		{"finished and down is not finished", []corev1.Pod{fePod(t, "fe-0", fin.URL), fePod(t, "fe-1", downURL)}, RestoreUnknown},
		{"restoring wins over finished", []corev1.Pod{fePod(t, "fe-0", fin.URL), fePod(t, "fe-1", run.URL)}, RestoreRunning},
		{"failed wins over restoring", []corev1.Pod{fePod(t, "fe-0", run.URL), fePod(t, "fe-1", bad.URL)}, RestoreFailedFE},
	} {
		if st, msg := p.Probe(ctx, tc.pods, 1); st != tc.want {
			t.Errorf("%s: got %q (%s), want %q", tc.name, st, msg, tc.want)
		}
	}
}

func TestFEHTTPPortDefaults(t *testing.T) {
	if got := feHTTPPort(&corev1.Pod{}); got != 8030 {
		t.Fatalf("port %d", got)
	}
}
