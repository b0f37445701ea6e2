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

// CNStatefulSet is the desired CN StatefulSet; nil when the cluster has no CNs. CNs find the
// FEs through the FE Service name in FE_SERVICE (the CN binary and its registration are not
// written yet; the contract is recorded in operator/README.md).
func CNStatefulSet(c *strata.StrataCluster, o Options) *appsv1.StatefulSet {
	if c.Spec.CN == nil {
		return nil
	}
	spec := c.Spec.CN
	conf := CNConf(c)
	env := append(podIdentityEnv(),
		corev1.EnvVar{Name: "FE_SERVICE", Value: FEName(c)},
		corev1.EnvVar{Name: "FE_QUERY_PORT", Value: itoa(int64(FEQueryPort))})
	env = append(env, credentialEnv(c)...)
	env = append(env, spec.Env...)

	ready, live, startup := probes(spec.Probes,
		httpProbe("/api/health", CNHTTPPort, 5, 3),
		httpProbe("/api/health", CNHTTPPort, 10, 3),
		nil)

	vols := []corev1.Volume{{Name: "conf", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: CNConfigMapName(c)}}}}}
	cacheVols, claims := storageVolume("cache", spec.CacheStorage)
	vols = append(vols, cacheVols...)
	mounts := []corev1.VolumeMount{
		{Name: "conf", MountPath: CNConfDir, ReadOnly: true},
		{Name: "cache", MountPath: CNCacheDir},
	}
	cmVols, cmMounts := configMapMounts(spec.ConfigMaps)
	vols = append(vols, cmVols...)
	mounts = append(mounts, cmMounts...)

	container := corev1.Container{
		Name:           "cn",
		Image:          spec.Image,
		Command:        []string{"strata", "cn", "--conf", CNConfDir + "/cn.conf"},
		Env:            env,
		Resources:      spec.Resources,
		Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: CNHTTPPort, Protocol: corev1.ProtocolTCP}},
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
	return sts
}
