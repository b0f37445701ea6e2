package builders

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// startScript is the container command of FEs and CNs. `strata fe|cn` takes only --conf, and
// the one per-pod key, host, is the name the process advertises (the FE's name host:http_port;
// the CN's identity host:heartbeat_service_port). So the script copies the conf from the
// ConfigMap into the writable conf dir, appends
//
//	host = <pod>.<headless service>.<namespace>.svc.<cluster domain>
//
// (stable across restarts, unlike the pod IP), and execs the binary. It does not wait for that
// name to resolve: the conf's bind_address = 0.0.0.0 makes the listeners bind every interface
// rather than host, so nothing in the process needs its own name before others use it. For the
// FE it also appends the object-store keys from the environment (taken from the Secret), which
// the FE does not read from the environment itself; they never reach a manifest or a log.
func startScript(program, confDir string, credentials bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "set -eu\nconf=%s/%s.conf\n", confDir, program)
	fmt.Fprintf(&b, "cp %s/%s.conf \"$conf\"\n", confTemplateDir, program)
	b.WriteString("host=\"${POD_NAME}.${PEER_SERVICE}.${POD_NAMESPACE}.svc.${CLUSTER_DOMAIN}\"\n")
	b.WriteString("echo \"host = ${host}\" >> \"$conf\"\n")
	if credentials {
		b.WriteString(`if [ -n "${STRATA_S3_ACCESS_KEY:-}" ]; then
  echo "aws_s3_access_key = ${STRATA_S3_ACCESS_KEY}" >> "$conf"
  echo "aws_s3_secret_key = ${STRATA_S3_SECRET_KEY}" >> "$conf"
fi
`)
	}
	fmt.Fprintf(&b, "exec strata %s --conf \"$conf\"\n", program)
	return b.String()
}

// startEnv is what the start script reads: the pod's name and namespace (downward API), the
// headless Service that gives it a DNS name, and the cluster's DNS suffix.
func startEnv(headlessService string, o Options) []corev1.EnvVar {
	return append(podIdentityEnv(),
		corev1.EnvVar{Name: "PEER_SERVICE", Value: headlessService},
		corev1.EnvVar{Name: "CLUSTER_DOMAIN", Value: o.clusterDomain()})
}

// confVolumes are the ConfigMap (read-only template) and the writable conf dir.
func confVolumes(configMap, confDir string) ([]corev1.Volume, []corev1.VolumeMount) {
	vols := []corev1.Volume{
		{Name: "conf-template", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: configMap}}}},
		{Name: "conf", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	mounts := []corev1.VolumeMount{
		{Name: "conf-template", MountPath: confTemplateDir, ReadOnly: true},
		{Name: "conf", MountPath: confDir},
	}
	return vols, mounts
}
