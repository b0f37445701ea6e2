// Package builders computes the desired Kubernetes objects of a StrataCluster. Every function is
// pure: same cluster and options in, same objects out; nothing here talks to the API server.
package builders

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Ports of the FE (docs/operations/fe.md) and the CN. The operator owns them: it appends them
// to the generated conf so Services and probes always agree with what the process binds.
const (
	FEHTTPPort      int32 = 8030 // fe.conf http_port
	FERPCPort       int32 = 9020 // fe.conf rpc_port: CNs heartbeat here
	FEQueryPort     int32 = 9030 // fe.conf query_port: MySQL protocol
	CNHTTPPort      int32 = 8040 // cn.conf be_http_port
	CNHeartbeatPort int32 = 9050 // cn.conf heartbeat_service_port: with host, the CN's identity
	CNRPCPort       int32 = 9060 // cn.conf be_port: TabletRpc, called by the FEs

	// Label and annotation keys.
	LabelName          = "app.kubernetes.io/name"
	LabelInstance      = "app.kubernetes.io/instance"
	LabelComponent     = "app.kubernetes.io/component"
	LabelManagedBy     = "app.kubernetes.io/managed-by"
	LabelDRGeneration  = "strata.io/restore-generation"
	AnnotationConfHash = "strata.io/config-hash"
	// AnnotationTemplateHash is a hash of the whole pod template, stamped on it (and so on
	// every pod made from it): the reconciler tells up-to-date pods from stale ones by it,
	// whatever made the pod (the StatefulSet controller, or a test playing it).
	AnnotationTemplateHash = "strata.io/template-hash"

	ComponentFE = "fe"
	ComponentCN = "cn"

	// Env names the FE start script understands.
	EnvRestoreSnapshot   = "RESTORE_CLUSTER_SNAPSHOT"
	EnvRestoreGeneration = "RESTORE_CLUSTER_GENERATION"
	EnvS3AccessKey       = "STRATA_S3_ACCESS_KEY"
	EnvS3SecretKey       = "STRATA_S3_SECRET_KEY"

	defaultClusterDomain = "cluster.local"
)

// Options are the reconciler's decisions that are not in the spec: disaster-recovery overrides
// (from the DR state machine) and environment facts.
type Options struct {
	// DRGeneration > 0 builds the FE in restore form for that generation.
	DRGeneration int64
	// FEReplicas / CNReplicas override spec replicas when set (DR holds CNs at 0, FE at 1).
	FEReplicas *int32
	CNReplicas *int32
	// ClusterDomain is the cluster's DNS suffix; empty means cluster.local.
	ClusterDomain string
}

func (o Options) clusterDomain() string {
	if o.ClusterDomain == "" {
		return defaultClusterDomain
	}
	return o.ClusterDomain
}

// Names of the objects of cluster c.
func FEName(c *strata.StrataCluster) string            { return c.Name + "-fe" }
func FEPeerServiceName(c *strata.StrataCluster) string { return c.Name + "-fe-peer" }
func FEConfigMapName(c *strata.StrataCluster) string   { return c.Name + "-fe-conf" }
func CNName(c *strata.StrataCluster) string            { return c.Name + "-cn" }
func CNConfigMapName(c *strata.StrataCluster) string   { return c.Name + "-cn-conf" }

// Labels selects the pods of one component of cluster c. They are immutable selectors: never
// add a label that may change over the cluster's life here.
func Labels(c *strata.StrataCluster, component string) map[string]string {
	return map[string]string{
		LabelName:      "strata",
		LabelInstance:  c.Name,
		LabelComponent: component,
		LabelManagedBy: "strata-operator",
	}
}

func objectMeta(c *strata.StrataCluster, name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:      name,
		Namespace: c.Namespace,
		Labels:    Labels(c, component),
		OwnerReferences: []metav1.OwnerReference{{
			APIVersion:         strata.GroupVersion.String(),
			Kind:               "StrataCluster",
			Name:               c.Name,
			UID:                c.UID,
			Controller:         ptr(true),
			BlockOwnerDeletion: ptr(true),
		}},
	}
}

func replicas(spec *int32, override *int32) *int32 {
	switch {
	case override != nil:
		return ptr(*override)
	case spec != nil:
		return ptr(*spec)
	default:
		return ptr(int32(1))
	}
}

// credentialEnv takes the object-store keys from the Secret by reference; the values never
// appear in a manifest.
func credentialEnv(c *strata.StrataCluster) []corev1.EnvVar {
	sc := c.Spec.StorageCredentials
	if sc == nil {
		return nil
	}
	ref := func(key, def string) *corev1.EnvVarSource {
		if key == "" {
			key = def
		}
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: sc.SecretName},
			Key:                  key,
		}}
	}
	return []corev1.EnvVar{
		{Name: EnvS3AccessKey, ValueFrom: ref(sc.AccessKeyKey, "access_key")},
		{Name: EnvS3SecretKey, ValueFrom: ref(sc.SecretKeyKey, "secret_key")},
	}
}

func podIdentityEnv() []corev1.EnvVar {
	field := func(p string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: p}}
	}
	return []corev1.EnvVar{
		{Name: "POD_NAME", ValueFrom: field("metadata.name")},
		{Name: "POD_NAMESPACE", ValueFrom: field("metadata.namespace")},
	}
}

func configMapMounts(mounts []strata.ConfigMapMount) ([]corev1.Volume, []corev1.VolumeMount) {
	var vols []corev1.Volume
	var vms []corev1.VolumeMount
	for i, m := range mounts {
		vol := fmt.Sprintf("cm-%d", i)
		vols = append(vols, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: m.Name}},
		}})
		vms = append(vms, corev1.VolumeMount{Name: vol, MountPath: m.MountPath, SubPath: m.SubPath, ReadOnly: true})
	}
	return vols, vms
}

func ptr[T any](v T) *T { return &v }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// rollingUpdate: at most one pod down at a time. The partition starts at 0; the reconciler
// steps it (controller/rollout.go) so that a pod is replaced only while the others are Ready,
// which the StatefulSet controller alone does not guarantee.
func rollingUpdate() appsv1.StatefulSetUpdateStrategy {
	return appsv1.StatefulSetUpdateStrategy{
		Type: appsv1.RollingUpdateStatefulSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{
			Partition:      ptr(int32(0)),
			MaxUnavailable: ptr(intstr.FromInt32(1)),
		},
	}
}

// stampTemplateHash sets AnnotationTemplateHash to a hash of the template without it.
func stampTemplateHash(t *corev1.PodTemplateSpec) {
	delete(t.Annotations, AnnotationTemplateHash)
	b, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("marshal pod template: %v", err)) // a PodTemplateSpec always marshals
	}
	sum := sha256.Sum256(b)
	if t.Annotations == nil {
		t.Annotations = map[string]string{}
	}
	t.Annotations[AnnotationTemplateHash] = hex.EncodeToString(sum[:8])
}
