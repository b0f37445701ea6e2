package builders

import (
	"fmt"

	strata "github.com/strata-db/strata/operator/api/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func httpProbe(path string, port int32, period, failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: path, Port: intstr.FromInt32(port), Scheme: corev1.URISchemeHTTP,
		}},
		PeriodSeconds:    period,
		TimeoutSeconds:   3,
		FailureThreshold: failures,
	}
}

// probes returns readiness, liveness and startup probes: the defaults unless overridden.
func probes(o *strata.ProbeOverrides, ready, live, startup *corev1.Probe) (*corev1.Probe, *corev1.Probe, *corev1.Probe) {
	if o == nil {
		return ready, live, startup
	}
	pick := func(override, def *corev1.Probe) *corev1.Probe {
		if override != nil {
			return override.DeepCopy()
		}
		return def
	}
	return pick(o.Readiness, ready), pick(o.Liveness, live), pick(o.Startup, startup)
}

func storageVolume(name string, s *strata.StorageSpec) ([]corev1.Volume, []corev1.PersistentVolumeClaim) {
	if s == nil {
		return []corev1.Volume{{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}, nil
	}
	pvc := corev1.PersistentVolumeClaim{}
	pvc.Name = name
	pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	pvc.Spec.StorageClassName = s.StorageClassName
	pvc.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: s.Size}
	return nil, []corev1.PersistentVolumeClaim{pvc}
}

// FEStatefulSet is the desired FE StatefulSet. With o.DRGeneration > 0 it is the restore form:
// the restore env and the generation label on the pods (the DR state machine decides replicas
// through o.FEReplicas).
func FEStatefulSet(c *strata.StrataCluster, o Options) *appsv1.StatefulSet {
	spec := c.Spec.FE
	conf := FEConf(c)
	podLabels := Labels(c, ComponentFE)
	if o.DRGeneration > 0 {
		podLabels[LabelDRGeneration] = itoa(o.DRGeneration)
	}

	env := append(startEnv(FEPeerServiceName(c), o), credentialEnv(c)...)
	if o.DRGeneration > 0 {
		env = append(env,
			corev1.EnvVar{Name: EnvRestoreSnapshot, Value: "true"},
			corev1.EnvVar{Name: EnvRestoreGeneration, Value: itoa(o.DRGeneration)})
	}
	env = append(env, spec.Env...)

	ready, live, startup := probes(spec.Probes,
		httpProbe("/api/ready", FEHTTPPort, 5, 3),
		httpProbe("/api/health", FEHTTPPort, 10, 3),
		httpProbe("/api/health", FEHTTPPort, 5, 60))
	if o.DRGeneration > 0 {
		// As the StarRocks operator does: a restore may take longer than any startup or
		// liveness budget, and a kill mid-restore only starts it over. The DR timeout
		// (timeoutSeconds) bounds it instead; readiness still says when the FE is done.
		live, startup = nil, nil
	}

	vols, mounts := confVolumes(FEConfigMapName(c), FEConfDir)
	metaVols, claims := storageVolume("meta", spec.MetaStorage)
	vols = append(vols, metaVols...)
	mounts = append(mounts, corev1.VolumeMount{Name: "meta", MountPath: FEMetaDir})
	cmVols, cmMounts := configMapMounts(spec.ConfigMaps)
	vols = append(vols, cmVols...)
	mounts = append(mounts, cmMounts...)

	container := corev1.Container{
		Name:      "fe",
		Image:     spec.Image,
		Command:   []string{"/bin/sh", "-c", startScript("fe", FEConfDir, true)},
		Env:       env,
		Resources: spec.Resources,
		Ports: []corev1.ContainerPort{
			{Name: "http", ContainerPort: FEHTTPPort, Protocol: corev1.ProtocolTCP},
			{Name: "rpc", ContainerPort: FERPCPort, Protocol: corev1.ProtocolTCP},
			{Name: "query", ContainerPort: FEQueryPort, Protocol: corev1.ProtocolTCP},
		},
		ReadinessProbe: ready,
		LivenessProbe:  live,
		StartupProbe:   startup,
		VolumeMounts:   mounts,
	}

	sts := &appsv1.StatefulSet{
		TypeMeta:   typeMeta("apps/v1", "StatefulSet"),
		ObjectMeta: objectMeta(c, FEName(c), ComponentFE),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            replicas(spec.Replicas, o.FEReplicas),
			ServiceName:         FEPeerServiceName(c),
			Selector:            selector(c, ComponentFE),
			PodManagementPolicy: appsv1.ParallelPodManagement,
			UpdateStrategy:      rollingUpdate(),
			Template: corev1.PodTemplateSpec{
				Spec: corev1.PodSpec{Containers: []corev1.Container{container}, Volumes: vols},
			},
			VolumeClaimTemplates: claims,
		},
	}
	sts.Spec.Template.Labels = podLabels
	sts.Spec.Template.Annotations = map[string]string{AnnotationConfHash: confHash(conf)}
	if o.DRGeneration > 0 {
		sts.Annotations = map[string]string{LabelDRGeneration: fmt.Sprint(o.DRGeneration)}
	}
	stampTemplateHash(&sts.Spec.Template)
	return sts
}
