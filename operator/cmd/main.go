// Command strata-operator runs the StrataCluster controller in a controller-runtime manager.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	"github.com/strata-db/strata/operator/internal/controller"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// options are the command line; see flags().
type options struct {
	metricsAddr, probeAddr string
	leaderElect            bool
	leaderElectionNS       string
	leaderElectionID       string
	clusterDomain          string
	pollInterval           time.Duration
	watchNamespace         string
	zap                    zap.Options
}

func flags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080",
		"address of the Prometheus /metrics endpoint; 0 turns it off")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	fs.BoolVar(&o.leaderElect, "leader-elect", false,
		"elect a leader through a Lease, so that only one of several replicas reconciles")
	fs.StringVar(&o.leaderElectionNS, "leader-election-namespace", "",
		"namespace of the leader-election Lease; empty: the pod's own namespace (required out of cluster)")
	fs.StringVar(&o.leaderElectionID, "leader-election-id", "strata-operator.strata.io", "name of the Lease")
	fs.StringVar(&o.clusterDomain, "cluster-domain", "cluster.local", "the cluster's DNS suffix")
	fs.DurationVar(&o.pollInterval, "dr-poll-interval", controller.DRPollInterval,
		"how often a cluster in disaster recovery is looked at again (timeout, FE restore state)")
	fs.StringVar(&o.watchNamespace, "namespace", "", "watch only this namespace; empty: all")
	o.zap.BindFlags(fs)
}

func main() {
	var o options
	flags(flag.CommandLine, &o) // controller-runtime registers --kubeconfig there too
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&o.zap)))
	if err := run(ctrl.SetupSignalHandler(), o); err != nil {
		fmt.Fprintln(os.Stderr, "strata-operator:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	log := ctrl.Log.WithName("setup")
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := strata.AddToScheme(scheme); err != nil {
		return err
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	cacheOpts := cache.Options{ByObject: map[client.Object]cache.ByObject{
		// Only Strata's pods: a large cluster's other pods never enter the operator's memory.
		&corev1.Pod{}: {Label: labels.SelectorFromSet(controller.PodSelector())},
	}}
	if o.watchNamespace != "" {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{o.watchNamespace: {}}
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Cache:                         cacheOpts,
		Metrics:                       metricsserver.Options{BindAddress: o.metricsAddr},
		HealthProbeBindAddress:        o.probeAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              o.leaderElectionID,
		LeaderElectionNamespace:       o.leaderElectionNS,
		LeaderElectionReleaseOnCancel: true, // a rolling update hands over at once
	})
	if err != nil {
		return fmt.Errorf("manager: %w", err)
	}
	r := &controller.Reconciler{
		Client:        mgr.GetClient(),
		Recorder:      mgr.GetEventRecorderFor("strata-operator"), //nolint:staticcheck // core/v1 events, as the RBAC grants
		Prober:        controller.HTTPRestoreStateProber{},
		ClusterDomain: o.clusterDomain,
		PollInterval:  o.pollInterval,
	}
	if err := r.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	log.Info("starting", "leaderElection", o.leaderElect, "namespace", o.watchNamespace)
	return mgr.Start(ctx)
}
