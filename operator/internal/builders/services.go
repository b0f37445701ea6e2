package builders

import (
	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func tcpPort(name string, port int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP}
}

// FEService is the clients' entry point: MySQL protocol on 9030 and HTTP on 8030, ready FEs
// only; and the CNs' first contact, rpc on 9020 (cn.conf fe_address).
func FEService(c *strata.StrataCluster) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: objectMeta(c, FEName(c), ComponentFE),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: Labels(c, ComponentFE),
			Ports: []corev1.ServicePort{tcpPort("query", FEQueryPort), tcpPort("http", FEHTTPPort),
				tcpPort("rpc", FERPCPort)},
		},
	}
}

// FEPeerService is the headless Service that gives each FE pod a stable DNS name
// (<pod>.<name>-fe-peer.<ns>.svc.<domain>), its FE name. Not-ready pods are published so FEs
// can find each other while they start.
func FEPeerService(c *strata.StrataCluster) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: objectMeta(c, FEPeerServiceName(c), ComponentFE),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			PublishNotReadyAddresses: true,
			Selector:                 Labels(c, ComponentFE),
			Ports: []corev1.ServicePort{tcpPort("http", FEHTTPPort), tcpPort("rpc", FERPCPort),
				tcpPort("query", FEQueryPort)},
		},
	}
}

// CNService is the headless Service of the CN pods, which gives each its DNS name (its cn.conf
// host; the FEs call it there); nil when the cluster has no CNs.
func CNService(c *strata.StrataCluster) *corev1.Service {
	if c.Spec.CN == nil {
		return nil
	}
	return &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: objectMeta(c, CNName(c), ComponentCN),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			PublishNotReadyAddresses: true,
			Selector:                 Labels(c, ComponentCN),
			Ports: []corev1.ServicePort{tcpPort("http", CNHTTPPort), tcpPort("heartbeat", CNHeartbeatPort),
				tcpPort("rpc", CNRPCPort)},
		},
	}
}
