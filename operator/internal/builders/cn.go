package builders

import (
	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func selector(c *strata.StrataCluster, component string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: Labels(c, component)}
}

// CNStatefulSet is the desired CN StatefulSet; nil when the cluster has no CNs. A CN registers
// itself with the FEs by its first heartbeat to fe_address (the FE Service's rpc port, in
// cn.conf) under host:heartbeat_service_port, host being its DNS name through the CN headless
// Service (appended by the start script). CNs get no object-store credentials: the FE sends
// them with each request.
func CNStatefulSet(c *strata.StrataCluster, o Options) *appsv1.StatefulSet {
	if c.Spec.CN == nil {
		return nil
	}
	spec := c.Spec.CN
	conf := CNConf(c, o)
	env := append(startEnv(CNName(c), o), spec.Env...)

	ready, live, startup := probes(spec.Probes,
		httpProbe("/api/health", CNHTTPPort, 5, 3),
		httpProbe("/api/health", CNHTTPPort, 10, 3),
		// Covers the CN's start-up (opening its disk cache) on a slow node.
		httpProbe("/api/health", CNHTTPPort, 5, 30))

	vols, mounts := confVolumes(CNConfigMapName(c), CNConfDir)
	cacheVols, claims := storageVolume("cache", spec.CacheStorage)
	vols = append(vols, cacheVols...)
	mounts = append(mounts, corev1.VolumeMount{Name: "cache", MountPath: CNCacheDir})
	cmVols, cmMounts := configMapMounts(spec.ConfigMaps)
	vols = append(vols, cmVols...)
	mounts = append(mounts, cmMounts...)

	container := corev1.Container{
		Name:      "cn",
		Image:     spec.Image,
		Command:   []string{"/bin/sh", "-c", startScript("cn", CNConfDir, false)},
		Env:       env,
		Resources: spec.Resources,
		Ports: []corev1.ContainerPort{
			{Name: "http", ContainerPort: CNHTTPPort, Protocol: corev1.ProtocolTCP},
			{Name: "heartbeat", ContainerPort: CNHeartbeatPort, Protocol: corev1.ProtocolTCP},
			{Name: "rpc", ContainerPort: CNRPCPort, Protocol: corev1.ProtocolTCP},
		},
		ReadinessProbe: ready,
		LivenessProbe:  live,
		StartupProbe:   startup,
		VolumeMounts:   mounts,
	}
	sts := &appsv1.StatefulSet{
		TypeMeta:   typeMeta("apps/v1", "StatefulSet"),
		ObjectMeta: objectMeta(c, CNName(c), ComponentCN),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            replicas(spec.Replicas, o.CNReplicas),
			ServiceName:         CNName(c),
			Selector:            selector(c, ComponentCN),
			PodManagementPolicy: appsv1.ParallelPodManagement,
			UpdateStrategy:      rollingUpdate(),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      Labels(c, ComponentCN),
					Annotations: map[string]string{AnnotationConfHash: confHash(conf)},
				},
				Spec: corev1.PodSpec{Containers: []corev1.Container{container}, Volumes: vols},
			},
			VolumeClaimTemplates: claims,
		},
	}
	stampTemplateHash(&sts.Spec.Template)
	return sts
}
