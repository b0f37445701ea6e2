package main

import (
	"flag"
	"io"
	"testing"
	"time"
)

func TestFlagsDefaultsAndParse(t *testing.T) {
	var o options
	fs := flag.NewFlagSet("strata-operator", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags(fs, &o)
	if o.metricsAddr != ":8080" || o.probeAddr != ":8081" || o.leaderElect || o.pollInterval != 10*time.Second ||
		o.clusterDomain != "cluster.local" || o.leaderElectionID != "strata-operator.strata.io" || o.watchNamespace != "" {
		t.Fatalf("defaults: %+v", o)
	}
	// What the operator chart's Deployment passes, then a test's overrides (later flags win).
	err := fs.Parse([]string{"--leader-elect", "--namespace=db", "--cluster-domain=corp.local",
		"--dr-poll-interval=3s", "--zap-log-level=info", "--metrics-bind-address=:8080",
		"--health-probe-bind-address=:8081", "--health-probe-bind-address=127.0.0.1:9999", "--metrics-bind-address=0"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.leaderElect || o.watchNamespace != "db" || o.clusterDomain != "corp.local" || o.pollInterval != 3*time.Second ||
		o.probeAddr != "127.0.0.1:9999" || o.metricsAddr != "0" {
		t.Fatalf("parsed: %+v", o)
	}
	if err := fs.Parse([]string{"--dr-poll-interval=often"}); err == nil {
		t.Fatal("a bad duration was accepted")
	}
}
