{{/* vim: set filetype=mustache: */}}

{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "concord.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Fully qualified prefix of every resource name. */}}
{{- define "concord.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* chart label value: name-version */}}
{{- define "concord.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every resource. */}}
{{- define "concord.labels" -}}
helm.sh/chart: {{ include "concord.chart" . }}
app.kubernetes.io/name: {{ include "concord.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: concord
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of the whole release. */}}
{{- define "concord.selectorLabels" -}}
app.kubernetes.io/name: {{ include "concord.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Component helpers take a dict: (dict "root" $ "name" "membership").
*/}}
{{- define "concord.componentFullname" -}}
{{- printf "%s-%s" (include "concord.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "concord.componentLabels" -}}
{{ include "concord.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "concord.componentSelectorLabels" -}}
{{ include "concord.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/*
Deep-merge .src into .dst in place: maps merge key by key, everything else (lists, scalars,
false, 0, "") replaces. Sprig's mergeOverwrite cannot be used here: it ignores false/0/""
in the overriding map, so `enabled: false` over a default `true` would be lost.
*/}}
{{- define "concord.mergeInto" -}}
{{- $dst := .dst -}}
{{- range $key, $value := .src -}}
{{- $current := get $dst $key -}}
{{- if and (kindIs "map" $value) (kindIs "map" $current) -}}
{{- include "concord.mergeInto" (dict "dst" $current "src" $value) -}}
{{- else -}}
{{- $_ := set $dst $key (deepCopy $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The effective settings of one component as YAML (use with fromYaml):
(dict "root" $ "name" "membership" "values" .Values.services.membership)
*/}}
{{- define "concord.componentValues" -}}
{{- $merged := deepCopy .root.Values.defaults -}}
{{- include "concord.mergeInto" (dict "dst" $merged "src" (default (dict) .values)) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/* The enabled services, sorted, as a list. */}}
{{- define "concord.enabledServices" -}}
{{- $names := list -}}
{{- range $name, $svc := .Values.services -}}
{{- if $svc.enabled -}}
{{- $names = append $names $name -}}
{{- end -}}
{{- end -}}
{{- toJson (sortAlpha $names) -}}
{{- end -}}

{{/* Image reference: (dict "root" $ "name" "membership" "image" $c.image) */}}
{{- define "concord.image" -}}
{{- $repository := default (printf "concord/%s" .name) .image.repository -}}
{{- $ref := $repository -}}
{{- with .image.registry -}}
{{- $ref = printf "%s/%s" . $repository -}}
{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $ref .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (default .root.Chart.AppVersion .image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret holding DATABASE_URLs, SIGNING_SECRET, CONCORD_JWT_SECRET. */}}
{{- define "concord.secretName" -}}
{{- default (printf "%s-secrets" (include "concord.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "concord.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "concord.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Environment prefix of a service: MEMBERSHIP_ */}}
{{- define "concord.envPrefix" -}}
{{- printf "%s_" (upper .) -}}
{{- end -}}

{{/* In-cluster URL of a subgraph: (dict "root" $ "name" "membership" "port" 8000) */}}
{{- define "concord.subgraphUrl" -}}
{{- printf "http://%s.%s.svc:%v/graphql" (include "concord.componentFullname" .) .root.Release.Namespace .port -}}
{{- end -}}

{{/* OTEL_* variables: (dict "root" $ "name" "membership" "c" $c) */}}
{{- define "concord.otelEnv" -}}
OTEL_SERVICE_NAME: {{ default (printf "concord-%s" .name) .c.otelServiceName | quote }}
{{- $attrs := list (printf "service.namespace=concord") (printf "deployment.environment.name=%s" .root.Values.environment) -}}
{{- range $k, $v := .root.Values.otel.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%s" $k (toString $v)) -}}
{{- end }}
OTEL_RESOURCE_ATTRIBUTES: {{ join "," $attrs | quote }}
{{- if .root.Values.otel.endpoint }}
OTEL_TRACES_EXPORTER: "otlp"
OTEL_EXPORTER_OTLP_ENDPOINT: {{ .root.Values.otel.endpoint | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ .root.Values.otel.protocol | quote }}
{{- else }}
OTEL_TRACES_EXPORTER: "none"
{{- end }}
OTEL_METRICS_EXPORTER: "none"
OTEL_LOGS_EXPORTER: "none"
{{- end -}}

{{/* Pod-level security context (non-root, RuntimeDefault seccomp). Takes $c. */}}
{{- define "concord.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .securityContext.runAsUser }}
runAsGroup: {{ .securityContext.runAsGroup }}
fsGroup: {{ .securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context. Takes $c. */}}
{{- define "concord.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .securityContext.runAsUser }}
runAsGroup: {{ .securityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Probes. Takes (dict "c" $c "port" "http"). */}}
{{- define "concord.probes" -}}
livenessProbe:
  httpGet:
    path: {{ .c.probes.liveness.path }}
    port: {{ .port }}
  initialDelaySeconds: {{ .c.probes.liveness.initialDelaySeconds }}
  periodSeconds: {{ .c.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .c.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .c.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: {{ .c.probes.readiness.path }}
    port: {{ .port }}
  initialDelaySeconds: {{ .c.probes.readiness.initialDelaySeconds }}
  periodSeconds: {{ .c.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .c.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .c.probes.readiness.failureThreshold }}
{{- end -}}

{{/*
Scheduling and common pod spec fields. Takes (dict "root" $ "c" $c "selector" <pod selector
labels>); a topology spread constraint without a labelSelector gets the pods' own selector.
*/}}
{{- define "concord.podScheduling" -}}
{{- $selector := .selector -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .c.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- range . }}
  {{- $constraint := deepCopy . }}
  {{- if and (not (hasKey $constraint "labelSelector")) $selector }}
  {{- /* No labelSelector: spread this workload's own pods (the API and the workers apart). */}}
  {{- $_ := set $constraint "labelSelector" (dict "matchLabels" $selector) }}
  {{- end }}
  - {{ toYaml $constraint | nindent 4 | trim }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Non-secret environment of a service as YAML: (dict "root" $ "name" "membership" "c" $c) */}}
{{- define "concord.serviceConfig" -}}
{{- $prefix := include "concord.envPrefix" .name -}}
{{- $env := dict -}}
{{- $_ := set $env (printf "%sENVIRONMENT" $prefix) .root.Values.environment -}}
{{- $_ = set $env (printf "%sNATS_URL" $prefix) .root.Values.nats.url -}}
{{- $_ = set $env (printf "%sNATS_STREAM_REPLICAS" $prefix) (toString (.root.Values.nats.streamReplicas | default 1)) -}}
{{- $_ = set $env "PYTHONDONTWRITEBYTECODE" "1" -}}
{{- $_ = set $env "PYTHONUNBUFFERED" "1" -}}
{{- include "concord.componentEnv" (dict "root" .root "name" .name "c" .c "env" $env) -}}
{{- end -}}

{{/* Non-secret environment of the gateway as YAML: (dict "root" $ "c" $c) */}}
{{- define "concord.gatewayConfig" -}}
{{- $root := .root -}}
{{- $env := dict -}}
{{- $_ := set $env "CONCORD_ENV" $root.Values.environment -}}
{{- $_ = set $env "PORT" "4000" -}}
{{- $_ = set $env "NODE_ENV" "production" -}}
{{- $_ = set $env "CONCORD_SUPERGRAPH" "/etc/concord/supergraph/supergraph.graphql" -}}
{{- $_ = set $env "CONCORD_MAX_DEPTH" (toString .c.maxDepth) -}}
{{- $_ = set $env "CONCORD_MAX_TOKENS" (toString .c.maxTokens) -}}
{{- with .c.jwt.jwksUrl -}}
{{- $_ = set $env "CONCORD_JWKS_URL" . -}}
{{- end -}}
{{- with .c.jwt.issuer -}}
{{- $_ = set $env "CONCORD_JWT_ISSUER" . -}}
{{- end -}}
{{- with .c.jwt.audience -}}
{{- $_ = set $env "CONCORD_JWT_AUDIENCE" . -}}
{{- end -}}

{{- range $name := include "concord.enabledServices" $root | fromJsonArray -}}
{{- $svc := include "concord.componentValues" (dict "root" $root "values" (get $root.Values.services $name)) | fromYaml -}}
{{- $url := include "concord.subgraphUrl" (dict "root" $root "name" $name "port" (int $svc.service.port)) -}}
{{- $_ = set $env (printf "CONCORD_SUBGRAPH_%s_URL" (upper $name)) $url -}}
{{- end -}}
{{- include "concord.componentEnv" (dict "root" $root "name" "gateway" "c" .c "env" $env) -}}
{{- end -}}

{{/* Adds OTEL_* and the component's own `env` (which wins) to .env; prints it as YAML. */}}
{{- define "concord.componentEnv" -}}
{{- $env := .env -}}
{{- range $k, $v := (include "concord.otelEnv" . | fromYaml) -}}
{{- $_ := set $env $k $v -}}
{{- end -}}
{{- range $k, $v := .c.env -}}
{{- $_ := set $env $k (toString $v) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* Every enabled component (services, then the gateway) as a JSON list of names. */}}
{{- define "concord.enabledComponents" -}}
{{- $names := include "concord.enabledServices" . | fromJsonArray -}}
{{- if .Values.gateway.enabled -}}
{{- $names = append $names "gateway" -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/* The raw values block of a component: (dict "root" $ "name" "gateway") */}}
{{- define "concord.rawComponentValues" -}}
{{- if eq .name "gateway" -}}
{{- toYaml .root.Values.gateway -}}
{{- else -}}
{{- toYaml (get .root.Values.services .name) -}}
{{- end -}}
{{- end -}}

{{/* Effective values of any component by name: (dict "root" $ "name" "gateway") | fromYaml */}}
{{- define "concord.componentValuesByName" -}}
{{- include "concord.componentValues" (dict "root" .root "values" (include "concord.rawComponentValues" . | fromYaml)) -}}
{{- end -}}

{{/* DNS egress, always allowed when NetworkPolicies are on. */}}
{{- define "concord.dnsEgress" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{/* One egress rule from {ports: [...], to: [...]}; empty `to` means any destination. */}}
{{- define "concord.egressRule" -}}
- ports:
    {{- range .ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
  {{- with .to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}


{{/* Component name of a service's API pods (membership) or worker pods (membership-worker). */}}
{{- define "concord.serviceComponent" -}}
{{- if .worker -}}
{{- printf "%s-worker" .name -}}
{{- else -}}
{{- .name -}}
{{- end -}}
{{- end -}}

{{/* Where a service's secrets are mounted when secrets.mountAsFiles is on. */}}
{{- define "concord.secretsDir" -}}
/etc/concord/secrets
{{- end -}}

{{/*
The secrets of a service's container: with secrets.mountAsFiles, only <PREFIX>SECRETS_DIR
(servicekit reads each file named like the variable it replaces); otherwise environment
variables from the Secret. Takes (dict "root" $ "prefix" "MEMBERSHIP_" "migration" false).
*/}}
{{- define "concord.serviceSecretEnv" -}}
{{- $secretName := include "concord.secretName" .root -}}
{{- if .root.Values.secrets.mountAsFiles -}}
- name: {{ printf "%sSECRETS_DIR" .prefix }}
  value: {{ include "concord.secretsDir" . | quote }}
{{- else -}}
- name: {{ printf "%sDATABASE_URL" .prefix }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: {{ printf "%sDATABASE_URL" .prefix }}
- name: {{ printf "%sSIGNING_SECRET" .prefix }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: SIGNING_SECRET
{{- if .migration }}
- name: {{ printf "%sMIGRATION_DATABASE_URL" .prefix }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: {{ printf "%sMIGRATION_DATABASE_URL" .prefix }}
{{- else }}
# During a rotation of the signing secret (docs/operations.md): also accepted.
- name: {{ printf "%sSIGNING_SECRET_NEXT" .prefix }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: SIGNING_SECRET_NEXT
      optional: true
{{- end }}
{{- end -}}
{{- end -}}

{{/* The volumeMount of the secrets (secrets.mountAsFiles), or nothing. Takes $. */}}
{{- define "concord.secretVolumeMount" -}}
{{- if .Values.secrets.mountAsFiles -}}
- name: secrets
  mountPath: {{ include "concord.secretsDir" . }}
  readOnly: true
{{- end -}}
{{- end -}}

{{/*
The projected volume of a service's secrets (secrets.mountAsFiles), each key under the name of
the variable it replaces; SIGNING_SECRET_NEXT only while the Secret has it (a rotation).
Takes (dict "root" $ "prefix" "MEMBERSHIP_" "migration" false).
*/}}
{{- define "concord.secretVolume" -}}
{{- if .root.Values.secrets.mountAsFiles -}}
{{- $secretName := include "concord.secretName" .root -}}
- name: secrets
  projected:
    defaultMode: 288  # 0440: read-only, owner and group (fsGroup)
    sources:
      - secret:
          name: {{ $secretName }}
          items:
            - key: {{ printf "%sDATABASE_URL" .prefix }}
              path: {{ printf "%sDATABASE_URL" .prefix }}
            - key: SIGNING_SECRET
              path: {{ printf "%sSIGNING_SECRET" .prefix }}
            {{- if .migration }}
            - key: {{ printf "%sMIGRATION_DATABASE_URL" .prefix }}
              path: {{ printf "%sMIGRATION_DATABASE_URL" .prefix }}
            {{- end }}
      {{- if not .migration }}
      - secret:
          name: {{ $secretName }}
          optional: true
          items:
            - key: SIGNING_SECRET_NEXT
              path: {{ printf "%sSIGNING_SECRET_NEXT" .prefix }}
      {{- end }}
{{- end -}}
{{- end -}}

{{/* The durable JetStream consumers of each service (checked against the code by the tests). */}}
{{- define "concord.consumers" -}}
{{- .Files.Get "files/consumers.json" -}}
{{- end -}}
