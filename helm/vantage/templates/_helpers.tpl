{{- define "vantage.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every object's name: fullnameOverride, else the release name (with the chart's name unless it has it). */}}
{{- define "vantage.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "vantage.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "vantage.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vantage.labels" -}}
app.kubernetes.io/name: {{ include "vantage.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "vantage.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vantage.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* One ServiceAccount per component (dict root component): the aggregator's may carry an AWS role, the agents' never. */}}
{{- define "vantage.serviceAccountName" -}}
{{- $settings := index .root.Values.serviceAccount .component -}}
{{- if .root.Values.serviceAccount.create -}}
{{- default (printf "%s-%s" (include "vantage.fullname" .root) .component) $settings.name -}}
{{- else -}}
{{- default "default" $settings.name -}}
{{- end -}}
{{- end -}}

{{/* An image reference from {registry, repository, tag, digest}: the digest, when set, pins it (tag kept for people). */}}
{{- define "vantage.image" -}}
{{- $name := .repository -}}
{{- with .registry }}{{ $name = printf "%s/%s" . $name }}{{ end -}}
{{- if .digest -}}
{{- printf "%s%s@%s" $name (ternary (printf ":%s" .tag) "" (not (empty .tag))) .digest -}}
{{- else -}}
{{- printf "%s:%s" $name .tag -}}
{{- end -}}
{{- end -}}

{{- define "vantage.secretName" -}}
{{- default (printf "%s-tokens" (include "vantage.fullname" .)) .Values.secret.existingSecret -}}
{{- end -}}

{{/*
The one pod spec of both components. Arguments: root, component (agent|aggregator), image, port, config
(the rendered config file, hashed into checksum/config), identityEnv (extra env entries), settings
(the component's values: resources, nodeSelector, tolerations, affinity), tlsSecret (served over HTTPS when set),
tokenKeys / optionalTokenKeys (the tokens Secret's keys the component reads, mounted under /etc/vantage/tokens).
*/}}
{{- define "vantage.podTemplate" -}}
{{- $scheme := ternary "HTTPS" "HTTP" (not (empty .tlsSecret)) }}
metadata:
  labels:
    {{- include "vantage.selectorLabels" . | nindent 4 }}
    {{- with .root.Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ .config | sha256sum }}
    {{- if and .root.Values.secret.tokens (not .root.Values.secret.existingSecret) }}
    checksum/secret: {{ toJson .root.Values.secret.tokens | sha256sum }}
    {{- end }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ .port | quote }}
    prometheus.io/scheme: {{ lower $scheme | quote }}
    {{- with .root.Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "vantage.serviceAccountName" (dict "root" .root "component" .component) }}
  automountServiceAccountToken: false
  {{- with .settings.priorityClassName }}
  priorityClassName: {{ . | quote }}
  {{- end }}
  {{- with .root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .root.Values.podSecurityContext | nindent 4 }}
  containers:
    - name: {{ .component }}
      image: {{ include "vantage.image" .image | quote }}
      imagePullPolicy: {{ .image.pullPolicy | default "IfNotPresent" }}
      args: ["--config", "/etc/vantage/{{ .component }}.yaml"]
      env:
        - name: VANTAGE_HEALTH_PORT
          value: {{ .port | quote }}
        {{- with .identityEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with .settings.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: http
          containerPort: {{ .port }}
          protocol: TCP
      # The server's own scheme: under TLS (tlsSecret) plain HTTP gets no answer and the pod would never start.
      livenessProbe:
        httpGet: {path: /healthz, port: http, scheme: {{ $scheme }}}
        periodSeconds: 10
        failureThreshold: 3
      readinessProbe:
        httpGet: {path: /readyz, port: http, scheme: {{ $scheme }}}
        periodSeconds: 5
      startupProbe:
        httpGet: {path: /healthz, port: http, scheme: {{ $scheme }}}
        periodSeconds: 2
        failureThreshold: 30
      securityContext:
        {{- toYaml .root.Values.securityContext | nindent 8 }}
      resources:
        {{- toYaml .settings.resources | nindent 8 }}
      volumeMounts:
        - {name: config, mountPath: /etc/vantage, readOnly: true}
        {{- if .tokenKeys }}
        - {name: tokens, mountPath: /etc/vantage/tokens, readOnly: true}
        {{- end }}
        {{- with .tlsSecret }}
        - {name: tls, mountPath: /etc/vantage/tls, readOnly: true}
        {{- end }}
        {{- with .caSecret }}
        - {name: aggregator-ca, mountPath: /etc/vantage/aggregator-ca, readOnly: true}
        {{- end }}
        - {name: tmp, mountPath: /tmp}
        {{- with .settings.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "vantage.fullname" .root }}-{{ .component }}
    {{- if .tokenKeys }}
    # Only the keys this component reads: an agent pod holds its own token, never the other agents'.
    - name: tokens
      projected:
        sources:
          - secret:
              name: {{ include "vantage.secretName" .root }}
              items:
                {{- range .tokenKeys }}
                - {key: {{ . }}, path: {{ . }}}
                {{- end }}
          {{- with .optionalTokenKeys }}
          - secret:
              name: {{ include "vantage.secretName" $.root }}
              optional: true
              items:
                {{- range . }}
                - {key: {{ . }}, path: {{ . }}}
                {{- end }}
          {{- end }}
    {{- end }}
    {{- with .tlsSecret }}
    - name: tls
      secret:
        secretName: {{ . }}
    {{- end }}
    {{- with .caSecret }}
    # only the CA certificate of the aggregator's TLS Secret: what this release's agents verify it with
    - name: aggregator-ca
      secret:
        secretName: {{ .name }}
        items:
          - {key: {{ .key }}, path: {{ .key }}}
    {{- end }}
    - name: tmp
      emptyDir: {medium: Memory, sizeLimit: 16Mi}
    {{- with .settings.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .settings.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .settings.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .settings.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .settings.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml .settings.topologySpreadConstraints | nindent 4 }}
  {{- else if or (eq .component "aggregator") (and (eq .component "agent") (eq .root.Values.agent.kind "Deployment") (gt (int .root.Values.agent.replicas) 1)) }}
  # Replicas apart by default (soft): a node or a zone lost takes one replica (one member of a vantage point), not all.
  topologySpreadConstraints:
    {{- range $key := list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
    - maxSkew: 1
      topologyKey: {{ $key }}
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "vantage.selectorLabels" $ | nindent 10 }}
    {{- end }}
  {{- end }}
{{- end -}}

{{- define "vantage.agentConfig" -}}
agent:
  region: {{ .Values.agent.region | quote }}
  pushInterval: {{ .Values.agent.pushInterval }}
  targetsRefresh: {{ .Values.agent.targetsRefresh }}
  maxInFlight: {{ .Values.agent.maxInFlight }}
  aggregators:
  {{- range .Values.agent.aggregators }}
    - url: {{ .url | quote }}
      tokenFile: /etc/vantage/tokens/agent-token
      {{- with .caFile }}
      caFile: {{ . | quote }}
      {{- end }}
  {{- else }}
  {{- if .Values.aggregator.enabled }}
  {{- /* the aggregator of this release: every replica by its own address */}}
  {{- $scheme := ternary "https" "http" (not (empty .Values.aggregator.tls.secretName)) }}
  {{- range $i, $e := until (int .Values.aggregator.replicas) }}
    - url: {{ printf "%s://%s-aggregator-%d.%s-aggregator-headless.%s.svc:%d" $scheme (include "vantage.fullname" $) $i (include "vantage.fullname" $) (default "default" $.Release.Namespace) (int $.Values.aggregator.port) | quote }}
      tokenFile: /etc/vantage/tokens/agent-token
      {{- with $.Values.aggregator.tls.caKey }}
      caFile: {{ printf "/etc/vantage/aggregator-ca/%s" . | quote }}
      {{- end }}
  {{- end }}
  {{- else }} []
  {{- end }}
  {{- end }}
server:
  port: {{ .Values.agent.port }}
  {{- if .Values.readToken.enabled }}
  readToken: {tokenFile: /etc/vantage/tokens/read-token}
  {{- end }}
targets:
{{- if .Values.agent.targets }}
{{ toYaml .Values.agent.targets | indent 2 }}
{{- else }} []
{{- end }}
{{- if .Values.probe.enabled }}
{{- /* blackbox_exporter's /probe (templates/probe.yaml asks it); allowed: the given patterns, else each target's host */}}
probe:
  modules:
{{ toYaml .Values.probe.modules | indent 4 }}
  allow:
    {{- if .Values.probe.allow.anyTarget }}
    anyTarget: true
    {{- else if .Values.probe.allow.targets }}
    targets:
{{ toYaml .Values.probe.allow.targets | indent 6 }}
    {{- else }}
    {{- $hosts := list }}
    {{- range .Values.probe.targets }}
    {{- if contains "://" . }}
    {{- $hosts = append $hosts (urlParse .).hostname }}
    {{- else }}
    {{- $hosts = append $hosts (regexReplaceAll "[:/].*$" . "") }}
    {{- end }}
    {{- end }}
    targets:
{{ toYaml ($hosts | uniq) | indent 6 }}
    {{- end }}
{{- end }}
{{- end -}}

{{- define "vantage.aggregatorConfig" -}}
{{- with .Values.aggregator.deployment }}
deployment: {{ . | quote }}
{{- end }}
server:
  port: {{ .Values.aggregator.port }}
  {{- with .Values.aggregator.tls.secretName }}
  tls: {certFile: /etc/vantage/tls/tls.crt, keyFile: /etc/vantage/tls/tls.key}
  {{- end }}
  {{- if .Values.readToken.enabled }}
  readToken: {tokenFile: /etc/vantage/tokens/read-token}
  {{- else }}
  anonymousStatus: {{ .Values.aggregator.anonymousStatus }}
  {{- end }}
{{- /* this release's own agent, when it runs as a Deployment: its replicas are the members its entry expects */}}
{{- $ownId := "" }}
{{- if and .Values.agent.enabled (eq .Values.agent.kind "Deployment") }}
{{- $ownId = include "vantage.agentId" . }}
{{- end }}
agents:
{{- range .Values.aggregator.agents }}
  - id: {{ .id | quote }}
    region: {{ .region | quote }}
    tokenFile: {{ printf "/etc/vantage/tokens/token-%s" .id | quote }}
    {{- if hasKey . "members" }}
    members: {{ int .members }}
    {{- if and (eq .id $ownId) (gt (int $.Values.agent.replicas) (int .members)) }}
    {{- fail (printf "aggregator.agents: %s allows %d members, but agent.replicas runs %d pods of it; raise members (keep room for a rollout's extra pod)" .id (int .members) (int $.Values.agent.replicas)) }}
    {{- end }}
    {{- end }}
    {{- if hasKey . "perVantage" }}
    perVantage: {{ int .perVantage }}
    {{- end }}
    {{- if hasKey . "expectedMembers" }}
    expectedMembers: {{ int .expectedMembers }}
    {{- else if eq .id $ownId }}
    expectedMembers: {{ int $.Values.agent.replicas }}
    {{- end }}
    {{- if or .rotating (hasKey $.Values.secret.tokens (printf "token-%s-previous" .id)) }}
    previousTokenFile: {{ printf "/etc/vantage/tokens/token-%s-previous" .id | quote }}
    {{- end }}
{{- end }}
ingest:
{{ toYaml .Values.aggregator.ingest | indent 2 }}
cloudwatch:
{{ toYaml .Values.aggregator.cloudwatch | indent 2 }}
alarm:
{{ toYaml .Values.aggregator.alarm | indent 2 }}
route53:
{{ toYaml .Values.aggregator.route53 | indent 2 }}
targets:
{{- if .Values.aggregator.targets }}
{{ toYaml .Values.aggregator.targets | indent 2 }}
{{- else }} []
{{- end }}
{{- with .Values.aggregator.observe }}
observe:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .Values.aggregator.drills }}
drills:
{{ toYaml . | indent 2 }}
{{- end }}
{{- end -}}

{{/* The id of this release's agent: the vantage point its pods are members of. */}}
{{- define "vantage.agentId" -}}
{{- default (printf "agent-%s" .Values.agent.region) .Values.agent.id -}}
{{- end -}}
