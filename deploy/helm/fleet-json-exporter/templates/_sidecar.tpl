{{/*
The exporter as a sidecar of an SRS pod, in the seed's layout: `args: ["--config.file", "/config.yml"]`, config.yml
from this chart's ConfigMap through a subPath mount. Add both to your SRS Deployment's pod template:

  containers:
    {{- include "fleet-json-exporter.sidecarContainer" . | nindent 4 }}
  volumes:
    {{- include "fleet-json-exporter.sidecarVolume" . | nindent 4 }}

(or copy what `helm install … --set mode=sidecar` prints in its notes). A subPath mount is not updated in place:
restart the SRS pods after changing the config.
*/}}
{{- define "fleet-json-exporter.sidecarContainer" -}}
- name: json-exporter
  image: {{ include "fleet-json-exporter.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args: ["--config.file", {{ .Values.sidecar.configPath | quote }}]
  ports:
    - name: {{ .Values.sidecar.portName }}
      containerPort: 7979
      protocol: TCP
  livenessProbe:
    httpGet: { path: /-/healthy, port: {{ .Values.sidecar.portName }} }
    periodSeconds: 10
  readinessProbe:
    httpGet: { path: /-/ready, port: {{ .Values.sidecar.portName }} }
    periodSeconds: 10
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  securityContext:
    {{- toYaml (merge (dict "runAsUser" 1000 "runAsGroup" 1000) .Values.securityContext) | nindent 4 }}
  volumeMounts:
    - name: json-exporter-config
      mountPath: {{ .Values.sidecar.configPath }}
      subPath: config.yml
      readOnly: true
{{- end }}

{{- define "fleet-json-exporter.sidecarVolume" -}}
- name: json-exporter-config
  configMap:
    name: {{ include "fleet-json-exporter.configMapName" . }}
{{- end }}
