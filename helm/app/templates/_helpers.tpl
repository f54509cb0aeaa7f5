{{/*
Shared template pieces: names, labels, and the pod/container pieces every workload repeats.
*/}}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of release-wide objects (ServiceAccount, RBAC, CronJob, monitoring objects). */}}
{{- define "app.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object of component NAME; call with (dict "root" $ "name" NAME). */}}
{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: incident-lab
{{ include "app.selectorLabels" . }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "name" NAME). */}}
{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* Container resources: requests and the memory limit (at most 256Mi, see values.schema.json). */}}
{{- define "app.resources" -}}
resources:
  {{- toYaml .Values.resources | nindent 2 }}
{{- end -}}

{{/* Restricted security context of every container. */}}
{{- define "app.containerSecurityContext" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
{{- end -}}

{{/* Pod security context: non-root, default seccomp profile; volumes (a reports PVC) writable by 10001. */}}
{{- define "app.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  fsGroup: 10001
  fsGroupChangePolicy: OnRootMismatch
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* Tag of the project's image (root Dockerfile, .Values.labImage): the chart's appVersion unless set. */}}
{{- define "app.labImageTag" -}}
{{- .Values.labImage.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/*
Environment of a container of the project's image with a read-only root filesystem: everything
matplotlib, Jupyter and IPython write goes under /tmp (an emptyDir). A YAML list of env vars.
*/}}
{{- define "app.tmpEnv" -}}
- {name: HOME, value: /tmp}
- {name: MPLCONFIGDIR, value: /tmp/matplotlib}
- {name: JUPYTER_RUNTIME_DIR, value: /tmp/jupyter-runtime}
- {name: IPYTHONDIR, value: /tmp/ipython}
{{- end -}}

{{/*
Prometheus credentials of a container that queries .Values.prometheusUrl, read by the library from
PROMETHEUS_TOKEN (bearer) or PROMETHEUS_USER and PROMETHEUS_PASSWORD (basic): references to the keys
of the existing Secret .Values.prometheusAuth.existingSecret, each optional so that a Secret holding
only a token, or only a username and password, works. A YAML list of env vars; empty without a Secret
or without a Prometheus URL (nothing to authenticate to).
*/}}
{{- define "app.prometheusAuthEnv" -}}
{{- with .Values.prometheusAuth }}
{{- if and .existingSecret $.Values.prometheusUrl }}
{{- $secret := .existingSecret }}
{{- range list (list "PROMETHEUS_TOKEN" .tokenKey) (list "PROMETHEUS_USER" .usernameKey) (list "PROMETHEUS_PASSWORD" .passwordKey) }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef: {name: {{ $secret | quote }}, key: {{ index . 1 | quote }}, optional: true}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
A Deployment of one HTTP component with /health (liveness) and /ready (readiness) probes.
Call with (dict "root" $ "name" NAME "deployment" DEPLOYMENT-NAME "version" v1|v2 "replicas" N
               "image" IMAGE-VALUES "tag" TAG "port" PORT "env" LIST-OF-ENV-VARS), and optionally
"serviceAccount" NAME (the pod gets its API token; without it, none), "volumes" LIST,
"volumeMounts" LIST and "strategy" (Recreate for a pod that mounts a ReadWriteOnce claim; default
RollingUpdate).
*/}}
{{- define "app.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .deployment }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
    app: {{ .name }}
    version: {{ .version }}
spec:
  replicas: {{ .replicas }}
  {{- with .strategy }}
  strategy:
    type: {{ . }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "app.selectorLabels" . | nindent 6 }}
      version: {{ .version }}
  template:
    metadata:
      labels:
        {{- include "app.labels" . | nindent 8 }}
        app: {{ .name }}
        version: {{ .version }}
    spec:
      {{- with .serviceAccount }}
      serviceAccountName: {{ . }}
      automountServiceAccountToken: true
      {{- else }}
      automountServiceAccountToken: false
      {{- end }}
      {{- include "app.podSecurityContext" $root | nindent 6 }}
      containers:
        - name: {{ .name }}
          image: "{{ .image.repository }}:{{ .tag }}"
          imagePullPolicy: {{ .image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .port }}
              protocol: TCP
          {{- with .env }}
          env:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          readinessProbe:
            httpGet: {path: /ready, port: http}
            periodSeconds: {{ $root.Values.probes.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.failureThreshold }}
          livenessProbe:
            httpGet: {path: /health, port: http}
            initialDelaySeconds: 5
            periodSeconds: {{ $root.Values.probes.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.failureThreshold }}
          {{- include "app.resources" $root | nindent 10 }}
          {{- include "app.containerSecurityContext" $root | nindent 10 }}
          {{- with .volumeMounts }}
          volumeMounts:
            {{- toYaml . | nindent 12 }}
          {{- end }}
      {{- with .volumes }}
      volumes:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{/* A ClusterIP Service in front of one component; call with (dict "root" $ "name" NAME "port" PORT). */}}
{{- define "app.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
    app: {{ .name }}
spec:
  type: ClusterIP
  selector:
    {{- include "app.selectorLabels" . | nindent 4 }}
  ports:
    # Named "http" so Istio treats the traffic as HTTP; the ServiceMonitor scrapes this port.
    - name: http
      appProtocol: http
      port: {{ .port }}
      targetPort: http
      protocol: TCP
{{- end -}}
