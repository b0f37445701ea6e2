package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterPhase summarises the cluster for humans and printer columns; conditions carry detail.
// +kubebuilder:validation:Enum=Pending;Running;Recovering;Failed
type ClusterPhase string

const (
	ClusterPending    ClusterPhase = "Pending"
	ClusterRunning    ClusterPhase = "Running"
	ClusterRecovering ClusterPhase = "Recovering"
	ClusterFailed     ClusterPhase = "Failed"
)

// DRPhase is the phase of one disaster-recovery generation.
// +kubebuilder:validation:Enum=todo;doing;done;failed
type DRPhase string

const (
	DRTodo   DRPhase = "todo"
	DRDoing  DRPhase = "doing"
	DRDone   DRPhase = "done"
	DRFailed DRPhase = "failed"
)

// StrataClusterStatus is the observed state.
type StrataClusterStatus struct {
	// +optional
	Phase ClusterPhase `json:"phase,omitempty"`
	// ObservedGeneration is the metadata.generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// +optional
	FE ComponentStatus `json:"fe,omitempty"`
	// +optional
	CN ComponentStatus `json:"cn,omitempty"`
	// +optional
	DisasterRecoveryStatus *DisasterRecoveryStatus `json:"disasterRecoveryStatus,omitempty"`
}

// ComponentStatus counts the pods of one tier.
type ComponentStatus struct {
	// +optional
	Replicas int32 `json:"replicas,omitempty"`
	// +optional
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`
}

// DisasterRecoveryStatus follows the StarRocks operator's field names; timestamps are
// metav1.Time (RFC 3339) rather than unix-second strings.
type DisasterRecoveryStatus struct {
	Phase DRPhase `json:"phase"`
	// Reason says why the phase is what it is, in words.
	// +optional
	Reason string `json:"reason,omitempty"`
	// ObservedGeneration is the spec.disasterRecovery.generation this status is about.
	ObservedGeneration int64 `json:"observedGeneration"`
	// +optional
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
	// +optional
	EndTimestamp *metav1.Time `json:"endTimestamp,omitempty"`
	// Progress is the FE's restore state, when it reports one.
	// +optional
	Progress string `json:"progress,omitempty"`
}

// StrataCluster is a Strata cluster: FEs, CNs and their object store.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sc
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="FE",type=integer,JSONPath=`.status.fe.readyReplicas`
// +kubebuilder:printcolumn:name="CN",type=integer,JSONPath=`.status.cn.readyReplicas`
// +kubebuilder:printcolumn:name="DR",type=string,JSONPath=`.status.disasterRecoveryStatus.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type StrataCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   StrataClusterSpec   `json:"spec,omitempty"`
	Status StrataClusterStatus `json:"status,omitempty"`
}

// StrataClusterList is a list of StrataClusters.
//
// +kubebuilder:object:root=true
type StrataClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []StrataCluster `json:"items"`
}

func init() {
	SchemeBuilder.Register(&StrataCluster{}, &StrataClusterList{})
}
