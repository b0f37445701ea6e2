{{- define "strata.name" -}}
{{- default .Release.Name .Values.cluster.name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "strata.labels" -}}
app.kubernetes.io/part-of: strata
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "strata.image" -}}
{{- if .tag -}}{{ .repository }}:{{ .tag }}{{- else -}}{{ .repository }}{{- end -}}
{{- end -}}

{{/* The fields FE and CN share; . is fe or cn of the values. */}}
{{- define "strata.component" -}}
image: {{ include "strata.image" .image | quote }}
replicas: {{ .replicas }}
{{- with .resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .config }}
config: |
  {{- . | trimSuffix "\n" | nindent 2 }}
{{- end }}
{{- with .configMaps }}
configMaps:
{{- range . }}
  - name: {{ .name | quote }}
    mountPath: {{ .mountPath | quote }}
    {{- with .subPath }}
    subPath: {{ . | quote }}
    {{- end }}
{{- end }}
{{- end }}
{{- with .env }}
env:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .probes }}
probes:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
