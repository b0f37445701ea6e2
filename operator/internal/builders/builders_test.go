package builders

import (
	"reflect"
	"strings"
	"testing"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

func envMap(t *testing.T, c corev1.Container) map[string]corev1.EnvVar {
	t.Helper()
	m := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		m[e.Name] = e
	}
	return m
}

func TestFEProbesHitReadyAndHealth(t *testing.T) {
	ct := FEStatefulSet(cluster(), Options{}).Spec.Template.Spec.Containers[0]
	if p := ct.ReadinessProbe.HTTPGet; p.Path != "/api/ready" || p.Port.IntVal != 8030 {
		t.Errorf("readiness = %+v", p)
	}
	if p := ct.LivenessProbe.HTTPGet; p.Path != "/api/health" || p.Port.IntVal != 8030 {
		t.Errorf("liveness = %+v", p)
	}
}

func TestProbeOverrideWins(t *testing.T) {
	c := cluster()
	custom := &corev1.Probe{PeriodSeconds: 42}
	c.Spec.FE.Probes = &strata.ProbeOverrides{Liveness: custom}
	ct := FEStatefulSet(c, Options{}).Spec.Template.Spec.Containers[0]
	if ct.LivenessProbe.PeriodSeconds != 42 || ct.ReadinessProbe.HTTPGet.Path != "/api/ready" {
		t.Errorf("liveness %+v readiness %+v", ct.LivenessProbe, ct.ReadinessProbe)
	}
}

func TestRestoreEnvOnlyInDRForm(t *testing.T) {
	normal := envMap(t, FEStatefulSet(full(), Options{}).Spec.Template.Spec.Containers[0])
	if _, ok := normal[EnvRestoreSnapshot]; ok {
		t.Error("restore env present outside DR")
	}
	sts := FEStatefulSet(full(), Options{DRGeneration: 7, FEReplicas: ptr(int32(1))})
	dr := envMap(t, sts.Spec.Template.Spec.Containers[0])
	if dr[EnvRestoreSnapshot].Value != "true" || dr[EnvRestoreGeneration].Value != "7" {
		t.Errorf("DR env = %v / %v", dr[EnvRestoreSnapshot], dr[EnvRestoreGeneration])
	}
	if *sts.Spec.Replicas != 1 || sts.Spec.Template.Labels[LabelDRGeneration] != "7" {
		t.Errorf("replicas %d labels %v", *sts.Spec.Replicas, sts.Spec.Template.Labels)
	}
	fe := sts.Spec.Template.Spec.Containers[0]
	if fe.LivenessProbe != nil || fe.StartupProbe != nil || fe.ReadinessProbe == nil {
		t.Errorf("restore form probes: liveness %v startup %v readiness %v", fe.LivenessProbe, fe.StartupProbe, fe.ReadinessProbe)
	}
	if n := FEStatefulSet(full(), Options{}).Spec.Template.Spec.Containers[0]; n.LivenessProbe == nil || n.StartupProbe == nil {
		t.Error("the normal form lost its liveness or startup probe")
	}
	// The selector must not carry the generation label: it is immutable on a StatefulSet.
	if _, ok := sts.Spec.Selector.MatchLabels[LabelDRGeneration]; ok {
		t.Error("generation label in the selector")
	}
}

func TestCredentialsOnlyBySecretReference(t *testing.T) {
	env := envMap(t, FEStatefulSet(full(), Options{}).Spec.Template.Spec.Containers[0])
	for _, name := range []string{EnvS3AccessKey, EnvS3SecretKey} {
		e := env[name]
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil ||
			e.ValueFrom.SecretKeyRef.Name != "s3-keys" {
			t.Errorf("fe: %s = %+v", name, e)
		}
	}
	// CNs get the volume's credentials from the FE with each request (docs/operations/cn.md):
	// they need no copy of the Secret.
	cn := CNStatefulSet(full(), Options{}).Spec.Template.Spec.Containers[0]
	for _, e := range cn.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			t.Errorf("cn: env %s from Secret %s", e.Name, e.ValueFrom.SecretKeyRef.Name)
		}
	}
}

func TestCNReplicasOverride(t *testing.T) {
	if r := *CNStatefulSet(cluster(), Options{CNReplicas: ptr(int32(0))}).Spec.Replicas; r != 0 {
		t.Errorf("CN replicas = %d, want 0", r)
	}
	if r := *CNStatefulSet(cluster(), Options{}).Spec.Replicas; r != 2 {
		t.Errorf("CN replicas = %d, want 2", r)
	}
	c := cluster()
	c.Spec.CN = nil
	if CNStatefulSet(c, Options{}) != nil || CNService(c) != nil || CNConfigMap(c, Options{}) != nil {
		t.Error("CN objects without a CN spec")
	}
}

func TestFEConfOwnedKeysComeLast(t *testing.T) {
	c := cluster()
	c.Spec.FE.Config = "http_port = 1234\nrun_mode = shared_data"
	conf := FEConf(c)
	if !strings.HasPrefix(conf, "http_port = 1234\nrun_mode = shared_data\n# ---") ||
		!strings.Contains(conf, "\nhttp_port = 8030\n") {
		t.Errorf("conf = %q", conf)
	}
	if got := OwnedKeysInConfig(c.Spec.FE.Config); !reflect.DeepEqual(got, []string{"http_port"}) {
		t.Errorf("owned keys = %v", got)
	}
}

func TestConfChangeRollsPods(t *testing.T) {
	a := FEStatefulSet(cluster(), Options{}).Spec.Template.Annotations[AnnotationConfHash]
	c := cluster()
	c.Spec.FE.Config += "sys_log_level = DEBUG\n"
	if b := FEStatefulSet(c, Options{}).Spec.Template.Annotations[AnnotationConfHash]; a == b {
		t.Error("conf hash unchanged after a conf change")
	}
}

func TestBuildersArePure(t *testing.T) {
	c := full()
	o := Options{DRGeneration: 3, FEReplicas: ptr(int32(1))}
	if !reflect.DeepEqual(FEStatefulSet(c, o), FEStatefulSet(c, o)) {
		t.Error("two builds differ")
	}
	if !reflect.DeepEqual(c, full()) {
		t.Error("builder modified its input")
	}
}
