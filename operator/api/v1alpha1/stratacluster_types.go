package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// StrataClusterSpec is the desired state of one Strata cluster: FEs, CNs, the object-store
// credentials and the disaster-recovery request.
type StrataClusterSpec struct {
	// FE is the frontend (catalog, SQL) tier.
	FE FESpec `json:"fe"`

	// CN is the compute-node tier. Omitted: no CNs.
	// +optional
	CN *CNSpec `json:"cn,omitempty"`

	// StorageCredentials names the Secret holding the object-store keys. They reach the pods as
	// environment variables taken from the Secret, never inline in any manifest.
	// +optional
	StorageCredentials *StorageCredentials `json:"storageCredentials,omitempty"`

	// DisasterRecovery restores the cluster from a cluster snapshot (see docs: the
	// cluster_snapshot.yaml ConfigMap must be mounted into the FE through fe.configMaps).
	// +optional
	DisasterRecovery *DisasterRecoverySpec `json:"disasterRecovery,omitempty"`
}

// ComponentSpec is what FEs and CNs have in common.
type ComponentSpec struct {
	// Image is the container image, e.g. registry/strata:1.0.
	// +kubebuilder:validation:MinLength=1
	Image string `json:"image"`

	// Replicas is the number of pods. Defaults to 1.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default=1
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`

	// Resources are the container's requests and limits.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Config is the text of fe.conf / cn.conf (`key = value` lines). The operator appends the
	// keys it owns (ports, host, meta_dir and credentials for the FE; ports, host, fe_address
	// and the cache directory for the CN); giving those here is reported as ConfigValid=False
	// and overridden.
	// +optional
	Config string `json:"config,omitempty"`

	// ConfigMaps are extra ConfigMaps mounted into the container, e.g. cluster_snapshot.yaml.
	// +listType=map
	// +listMapKey=name
	// +optional
	ConfigMaps []ConfigMapMount `json:"configMaps,omitempty"`

	// Env adds environment variables to the container.
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// Probes override the operator's default probes.
	// +optional
	Probes *ProbeOverrides `json:"probes,omitempty"`
}

// FESpec describes the FEs.
type FESpec struct {
	ComponentSpec `json:",inline"`

	// MetaStorage is the volume for meta_dir (the FE's local catalog cache). Omitted: emptyDir,
	// which is safe because meta_dir is only a cache.
	// +optional
	MetaStorage *StorageSpec `json:"metaStorage,omitempty"`
}

// CNSpec describes the CNs.
type CNSpec struct {
	ComponentSpec `json:",inline"`

	// CacheStorage is the volume for the CN's data cache. Omitted: emptyDir.
	// +optional
	CacheStorage *StorageSpec `json:"cacheStorage,omitempty"`
}

// ConfigMapMount mounts one ConfigMap (as in the StarRocks chart's fe.configMaps).
type ConfigMapMount struct {
	// Name of the ConfigMap in the cluster's namespace.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// MountPath inside the container.
	// +kubebuilder:validation:Pattern=`^/`
	MountPath string `json:"mountPath"`
	// SubPath mounts a single key as a file at MountPath.
	// +optional
	SubPath string `json:"subPath,omitempty"`
}

// StorageSpec asks for a PersistentVolumeClaim per pod.
type StorageSpec struct {
	// Size of the claim, e.g. 10Gi.
	Size resource.Quantity `json:"size"`
	// StorageClassName of the claim; omitted: the cluster default.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// ProbeOverrides replace the operator's default probes wholesale, one probe at a time.
type ProbeOverrides struct {
	// +optional
	Readiness *corev1.Probe `json:"readiness,omitempty"`
	// +optional
	Liveness *corev1.Probe `json:"liveness,omitempty"`
	// +optional
	Startup *corev1.Probe `json:"startup,omitempty"`
}

// StorageCredentials points at the Secret with the object-store keys.
type StorageCredentials struct {
	// SecretName in the cluster's namespace.
	// +kubebuilder:validation:MinLength=1
	SecretName string `json:"secretName"`
	// AccessKeyKey is the Secret key of the access key id.
	// +kubebuilder:default=access_key
	// +optional
	AccessKeyKey string `json:"accessKeyKey,omitempty"`
	// SecretKeyKey is the Secret key of the secret access key.
	// +kubebuilder:default=secret_key
	// +optional
	SecretKeyKey string `json:"secretKeyKey,omitempty"`
}

// DisasterRecoverySpec requests a restore from a cluster snapshot.
type DisasterRecoverySpec struct {
	// Enabled turns disaster recovery on.
	Enabled bool `json:"enabled"`
	// Generation identifies one restore request. Raising it runs a new restore; a generation
	// that already ran (done or failed) never runs again.
	// +kubebuilder:validation:Minimum=1
	Generation int64 `json:"generation"`
	// TimeoutSeconds bounds the `doing` phase; past it the phase becomes `failed`.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:default=3600
	// +optional
	TimeoutSeconds *int64 `json:"timeoutSeconds,omitempty"`
}
