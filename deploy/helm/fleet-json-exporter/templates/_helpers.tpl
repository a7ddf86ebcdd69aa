{{/* Names, labels and the pieces shared by the StatefulSet (aggregator), the Deployment (probe) and the sidecar. */}}

{{- define "fleet-json-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fleet-json-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fleet-json-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fleet-json-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fleet-json-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ .Values.mode }}
{{- end }}

{{- define "fleet-json-exporter.labels" -}}
helm.sh/chart: {{ include "fleet-json-exporter.chart" . }}
{{ include "fleet-json-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "fleet-json-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fleet-json-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "fleet-json-exporter.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "fleet-json-exporter.configMapName" -}}
{{- default (include "fleet-json-exporter.fullname" .) .Values.config.existingConfigMap }}
{{- end }}

{{- define "fleet-json-exporter.webConfigSecretName" -}}
{{- default (printf "%s-web-config" (include "fleet-json-exporter.fullname" .)) .Values.webConfig.existingSecret }}
{{- end }}

{{- define "fleet-json-exporter.credentialsSecretName" -}}
{{- default (printf "%s-credentials" (include "fleet-json-exporter.fullname" .)) .Values.credentials.existingSecret }}
{{- end }}

{{- define "fleet-json-exporter.hasCredentials" -}}
{{- if or .Values.credentials.existingSecret .Values.credentials.stringData }}true{{ end }}
{{- end }}

{{/*
The config file. Aggregator mode adds `fleet:`; its shard settings come from flags (--shard.total = aggregator.shards,
the index from the pod's ordinal), never from the file, so the two cannot disagree.
*/}}
{{- define "fleet-json-exporter.configYaml" -}}
{{- $config := dict "modules" (required "config.modules is required" .Values.config.modules) }}
{{- if eq .Values.mode "aggregator" }}
{{- $fleet := required "config.fleet is required in aggregator mode" .Values.config.fleet }}
{{- if hasKey $fleet "shard" }}
{{- fail "config.fleet.shard must not be set: the chart sets the shard total from aggregator.shards and each pod's index from its ordinal" }}
{{- end }}
{{- $_ := set $config "fleet" $fleet }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{- define "fleet-json-exporter.podAnnotations" -}}
{{- if not .Values.config.existingConfigMap }}
checksum/config: {{ include "fleet-json-exporter.configYaml" . | sha256sum }}
{{- end }}
{{- if and .Values.webConfig.enabled (not .Values.webConfig.existingSecret) }}
checksum/web-config: {{ toYaml .Values.webConfig.content | sha256sum }}
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The exporter container of the aggregator and probe workloads. */}}
{{- define "fleet-json-exporter.container" -}}
- name: exporter
  image: {{ include "fleet-json-exporter.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args:
    - --config.file=/etc/fleet-json-exporter/config.yml
    - --web.listen-address=:7979
    {{- if eq .Values.mode "aggregator" }}
    - --shard.total={{ int .Values.aggregator.shards }}
    {{- end }}
    {{- if .Values.webConfig.enabled }}
    - --web.config.file=/etc/fleet-json-exporter/web-config.yml
    {{- end }}
    {{- with .Values.extraArgs }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.env }}
  env:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    - name: http
      containerPort: 7979
      protocol: TCP
  livenessProbe:
    {{- toYaml .Values.livenessProbe | nindent 4 }}
  readinessProbe:
    {{- toYaml .Values.readinessProbe | nindent 4 }}
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: config
      mountPath: /etc/fleet-json-exporter
      readOnly: true
    {{- if include "fleet-json-exporter.hasCredentials" . }}
    - name: credentials
      mountPath: /etc/fleet-json-exporter-secrets
      readOnly: true
    {{- end }}
    - name: tmp
      mountPath: /tmp
{{- end }}

{{/*
The pod spec of the aggregator and probe workloads. One projected volume holds config.yml, targets/<file> (file_sd,
updated in place by the kubelet) and web-config.yml: nested mounts inside a read-only ConfigMap mount fail.
*/}}
{{- define "fleet-json-exporter.podSpec" -}}
serviceAccountName: {{ include "fleet-json-exporter.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ int .Values.terminationGracePeriodSeconds }}
containers:
  {{- include "fleet-json-exporter.container" . | nindent 2 }}
volumes:
  - name: config
    projected:
      sources:
        - configMap:
            name: {{ include "fleet-json-exporter.configMapName" . }}
            items:
              - key: config.yml
                path: config.yml
        {{- if and (eq .Values.mode "aggregator") .Values.fileSd }}
        - configMap:
            name: {{ include "fleet-json-exporter.fullname" . }}-targets
            items:
              {{- range $file, $_ := .Values.fileSd }}
              - key: {{ $file }}
                path: targets/{{ $file }}
              {{- end }}
        {{- end }}
        {{- if .Values.webConfig.enabled }}
        - secret:
            name: {{ include "fleet-json-exporter.webConfigSecretName" . }}
            items:
              - key: web-config.yml
                path: web-config.yml
        {{- end }}
  {{- if include "fleet-json-exporter.hasCredentials" . }}
  - name: credentials
    secret:
      secretName: {{ include "fleet-json-exporter.credentialsSecretName" . }}
  {{- end }}
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
