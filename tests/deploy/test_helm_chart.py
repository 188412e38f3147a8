"""The Helm chart in deploy/helm/concord, rendered and linted by Helm's own Go SDK
(helm-python-sdk, no helm binary) and every manifest validated against the strict
Kubernetes JSON schemas (kubernetes-validate) — with the default values and with each
ci/*.yaml example, as CI would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

import graphql
import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from servicekit.events import STREAM
from servicekit.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "concord"
COMPONENTS = (*SERVICES, "gateway")
RELEASE = "concord"
NAMESPACE = "concord-test"
# The oldest Kubernetes the chart supports and the newest kubernetes-validate knows.
KUBE_VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version())

CI_FILES = sorted((CHART / "ci").glob("*.yaml"))
VALUE_SETS: dict[str, dict[str, Any]] = {"default": {}}
VALUE_SETS.update({f"ci/{p.name}": yaml.safe_load(p.read_text()) or {} for p in CI_FILES})

Manifest = dict[str, Any]


# --------------------------------------------------------------------------- helpers


@cache
def _render_cached(values_json: str) -> tuple[tuple[str, str], ...]:
    with helm.Chart.load(CHART) as chart:
        rendered = chart.render(json.loads(values_json), name=RELEASE, namespace=NAMESPACE)
    return tuple(sorted(rendered.items()))


def render_files(values: dict[str, Any]) -> dict[str, str]:
    return dict(_render_cached(json.dumps(values, sort_keys=True)))


def render(values: dict[str, Any]) -> list[Manifest]:
    docs: list[Manifest] = []
    for path, text in render_files(values).items():
        if path.endswith("NOTES.txt"):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def of_kind(docs: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def name(component: str) -> str:
    return f"{RELEASE}-{component}"


def worker(service: str) -> str:
    return name(f"{service}-worker")


def containers_of(deployment: Manifest) -> Manifest:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def secret_files(pod: Manifest) -> dict[str, tuple[str, str, bool]]:
    """The projected Secret volume "secrets": file name -> (Secret, key, optional)."""
    (volume,) = [v for v in pod.get("volumes", []) if v["name"] == "secrets"]
    files = {}
    for source in volume["projected"]["sources"]:
        secret = source["secret"]
        for item in secret["items"]:
            files[item["path"]] = (secret["name"], item["key"], secret.get("optional", False))
    return files


def pod_specs(docs: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    for d in docs:
        if d["kind"] in ("Deployment", "Job"):
            yield f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"]["spec"]


def env_of(container: Manifest) -> dict[str, Manifest]:
    return {e["name"]: e for e in container.get("env", [])}


def enabled_services(values: dict[str, Any]) -> set[str]:
    overrides = values.get("services", {})
    return {s for s in SERVICES if overrides.get(s, {}).get("enabled", True)}


def merged(values: dict[str, Any]) -> dict[str, Any]:
    with helm.Chart.load(CHART) as chart:
        return chart.merge_values(values)


@pytest.fixture(params=list(VALUE_SETS), ids=list(VALUE_SETS))
def value_set(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param, VALUE_SETS[request.param]


# --------------------------------------------------------------------------- lint, schema


def test_ci_examples_exist() -> None:
    names = {p.name for p in CI_FILES}
    assert "production-values.yaml" in names, names
    assert len(CI_FILES) >= 2


def test_helm_lint_is_clean(value_set: tuple[str, dict[str, Any]]) -> None:
    _, values = value_set
    report = helm.lint(CHART, values, strict=True, kube_version="v1.30.0")
    assert report["total_charts_linted"] == 1
    assert report["errors"] == []
    # Severity 2 = warning, 3 = error. The only INFO is "icon is recommended".
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert problems == []


def test_values_satisfy_schema(value_set: tuple[str, dict[str, Any]]) -> None:
    _, values = value_set
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(values)


def _walk_schema_objects(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            yield path, node
        for key, value in node.items():
            yield from _walk_schema_objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_schema_objects(value, f"{path}/{i}")


def test_schema_is_strict_at_every_level() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    objects = list(_walk_schema_objects(schema))
    assert len(objects) > 20
    loose = [path for path, node in objects if node.get("additionalProperties") is not False]
    assert loose == []


TYPOS = [
    {"replica": 3},
    {"defaults": {"resouces": {"requests": {"cpu": "1"}}}},
    {"defaults": {"probes": {"liveness": {"paht": "/healthz"}}}},
    {"services": {"memberhsip": {"enabled": True}}},
    {"services": {"finance": {"replcias": 3}}},
    {"services": {"finance": {"autoscaling": {"enable": True}}}},
    {"gateway": {"jwt": {"jwks_url": "https://auth.example.org/jwks.json"}}},
    {"networkPolicy": {"enable": True}},
    {"networkPolicy": {"egress": {"postgres": {"ports": [5432]}}}},
    {"secrets": {"values": {"MEMBERSHIP_DATABSE_URL": "postgresql+asyncpg://x"}}},
    {"migrations": {"backofLimit": 2}},
    {"defaults": {"securityContext": {"runAsUser": 0}}},
    {"environment": "prod"},
    {"secrets": {"values": {"SIGNING_SECRET": "too-short"}}},
    {"secrets": {"mountAsFile": True}},
    {"services": {"finance": {"worker": {"enabled": True}}}},
    {"services": {"finance": {"workers": {"keda": {"lag": 10}}}}},
    # the workers also run the outbox relay and the scheduled jobs: never scaled to zero
    {"defaults": {"workers": {"keda": {"minReplicaCount": 0}}}},
    {"defaults": {"workers": {"keda": {"natsServerMonitoringEndpoint": "http://nats:8222"}}}},
    {"gateway": {"workers": {"enabled": True}}},
]


@pytest.mark.parametrize("typo", TYPOS, ids=[json.dumps(t) for t in TYPOS])
def test_schema_rejects_typos(typo: dict[str, Any]) -> None:
    with helm.Chart.load(CHART) as chart:
        with pytest.raises(helm.HelmValuesError):
            chart.validate_schema(typo)
        # install/upgrade/template validate the same way before rendering anything
        with pytest.raises(helm.HelmValuesError):
            chart.render(typo, name=RELEASE, namespace=NAMESPACE)
    report = helm.lint(CHART, typo, strict=True)
    assert report["errors"], report


# --------------------------------------------------------------------------- kubernetes schemas


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_every_manifest_validates_against_kubernetes(
    value_set: tuple[str, dict[str, Any]], kube_version: str
) -> None:
    _, values = value_set
    docs = render(values)
    assert docs
    failures = []
    for doc in docs:
        if doc["apiVersion"] in CUSTOM_RESOURCES:
            continue  # no built-in schema: checked by the tests named beside CUSTOM_RESOURCES
        try:
            kubernetes_validate.validate(doc, kube_version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            failures.append(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            failures.append(exc.message)
    assert failures == []


CUSTOM_RESOURCES = {"monitoring.coreos.com/v1", "keda.sh/v1alpha1"}
"""API versions of operators' CRDs, not in Kubernetes' own schemas: the Prometheus Operator's
(test_service_monitors_scrape_every_service) and KEDA's
(test_keda_scales_each_worker_deployment_on_the_lag_of_its_consumers)."""


def test_only_known_custom_resources_are_rendered(value_set: tuple[str, dict[str, Any]]) -> None:
    _, values = value_set
    builtin = {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}
    custom = {(d["apiVersion"], d["kind"]) for d in render(values)} - {
        (d["apiVersion"], d["kind"]) for d in render(values) if d["apiVersion"] in builtin
    }
    assert {a for a, _ in custom} <= CUSTOM_RESOURCES
    assert {k for _, k in custom} <= {
        "ServiceMonitor",
        "PodMonitor",
        "ScaledObject",
    }


def test_service_monitors_scrape_every_service() -> None:
    values = VALUE_SETS["ci/production-values.yaml"]
    docs = render(values)
    monitors = of_kind(docs, "ServiceMonitor")
    assert set(monitors) == {name(s) for s in SERVICES} | {name("gateway")}
    services = of_kind(docs, "Service")
    for monitor_name, monitor in monitors.items():
        spec = monitor["spec"]
        assert set(spec) == {"selector", "namespaceSelector", "endpoints"}
        assert spec["selector"]["matchLabels"] == services[monitor_name]["spec"]["selector"]
        endpoint = {"port": "http", "path": "/metrics", "interval": "30s"}
        if monitor_name == name("gateway"):
            # on the public port: the gateway answers only the Secret's METRICS_TOKEN
            endpoint["authorization"] = {
                "type": "Bearer",
                "credentials": {"name": "concord-prod", "key": "METRICS_TOKEN", "optional": True},
            }
        assert spec["endpoints"] == [endpoint]
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    # no Service selects the worker pods, which hold the outbox backlog and the consumer lag
    pod_monitors = of_kind(docs, "PodMonitor")
    assert set(pod_monitors) == {worker(s) for s in SERVICES}
    deployments = of_kind(docs, "Deployment")
    for monitor_name, monitor in pod_monitors.items():
        spec = monitor["spec"]
        assert spec["selector"] == deployments[monitor_name]["spec"]["selector"]
        assert spec["namespaceSelector"] == {"matchNames": [NAMESPACE]}
        assert spec["podMetricsEndpoints"] == [
            {"port": "http", "path": "/metrics", "interval": "30s"}
        ]
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert not of_kind(render({}), "ServiceMonitor")
    assert not of_kind(render({}), "PodMonitor")


def test_the_validator_catches_a_bad_manifest() -> None:
    """Guard against a validator that accepts anything (wrong version, non-strict mode)."""
    deployment = next(iter(of_kind(render({}), "Deployment").values()))
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["replica"] = 2  # typo, unknown field
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBE_VERSIONS[0], strict=True)


def test_every_object_is_namespaced_and_labelled(value_set: tuple[str, dict[str, Any]]) -> None:
    _, values = value_set
    for doc in render(values):
        meta = doc["metadata"]
        labels = meta["labels"]
        assert meta["namespace"] == NAMESPACE, meta["name"]
        assert labels["app.kubernetes.io/name"] == "concord"
        assert labels["app.kubernetes.io/instance"] == RELEASE
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/part-of"] == "concord"
        assert labels["helm.sh/chart"].startswith("concord-")
        if doc["kind"] in ("Deployment", "Job"):
            # pods carry the same labels (topologySpreadConstraints and policies select on them)
            pod_labels = doc["spec"]["template"]["metadata"]["labels"]
            assert labels.items() <= pod_labels.items(), meta["name"]


# --------------------------------------------------------------------------- workloads


def test_one_deployment_per_service_and_gateway() -> None:
    docs = render({})
    deployments = of_kind(docs, "Deployment")
    assert set(deployments) == {name(c) for c in COMPONENTS}
    assert set(of_kind(docs, "Service")) == {name(c) for c in COMPONENTS}
    for component in COMPONENTS:
        selector = deployments[name(component)]["spec"]["selector"]["matchLabels"]
        assert selector["app.kubernetes.io/component"] == component


def test_disabled_services_render_nothing() -> None:
    values = VALUE_SETS["ci/minimal-values.yaml"]
    docs = render(values)
    assert set(of_kind(docs, "Deployment")) == {name("membership"), name("gateway")}
    assert of_kind(docs, "Job") == {}
    assert of_kind(docs, "ServiceAccount") == {}
    gateway_env = of_kind(docs, "ConfigMap")[name("gateway")]["data"]
    assert [k for k in gateway_env if k.startswith("CONCORD_SUBGRAPH_")] == [
        "CONCORD_SUBGRAPH_MEMBERSHIP_URL"
    ]


def test_pods_are_hardened(value_set: tuple[str, dict[str, Any]]) -> None:
    _, values = value_set
    specs = list(pod_specs(render(values)))
    assert specs
    for where, spec in specs:
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True, where
        assert pod_sc["runAsUser"] > 0, where
        assert pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec["automountServiceAccountToken"] is False, where
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        containers = spec["containers"] + spec.get("initContainers", [])
        for container in containers:
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True, where
            assert sc.get("runAsUser", pod_sc["runAsUser"]) > 0, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc.get("privileged", False) is False, where
            assert sc["capabilities"]["drop"] == ["ALL"], where
            assert "add" not in sc["capabilities"], where
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, f"{where}: /tmp must be an emptyDir"
            assert container["resources"]["requests"], where
            assert container["resources"]["limits"]["memory"], where
            assert "image" in container and ":" in container["image"], where


def test_probes(value_set: tuple[str, dict[str, Any]]) -> None:
    _, values = value_set
    deployments = of_kind(render(values), "Deployment")
    for deployment_name, deployment in deployments.items():
        component = deployment["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        live, ready = container["livenessProbe"], container["readinessProbe"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert live["httpGet"]["port"] == ready["httpGet"]["port"] == "http"
        if component == "gateway":
            assert ports == {"http": 4000}
            assert (live["httpGet"]["path"], ready["httpGet"]["path"]) == (
                "/healthcheck",
                "/readiness",
            )
        else:
            assert ports == {"http": 8000}, deployment_name
            assert (live["httpGet"]["path"], ready["httpGet"]["path"]) == ("/healthz", "/readyz")


def test_services_run_the_conventional_command_and_env(
    value_set: tuple[str, dict[str, Any]],
) -> None:
    _, values = value_set
    docs = render(values)
    deployments, configmaps = of_kind(docs, "Deployment"), of_kind(docs, "ConfigMap")
    # the release name contains the chart name, so the prefix is just the release name
    secret = merged(values)["secrets"]["existingSecret"] or f"{RELEASE}-secrets"
    as_files = merged(values)["secrets"]["mountAsFiles"]
    for service in enabled_services(values):
        prefix = service.upper() + "_"
        pods = [deployments[name(service)]]
        if worker(service) in deployments:
            pods.append(deployments[worker(service)])
        for deployment in pods:
            container = containers_of(deployment)
            assert container["command"] == [
                "uvicorn",
                f"{service}.app:create_app",
                "--factory",
                "--host",
                "0.0.0.0",
                "--port",
                "8000",
                "--timeout-keep-alive",
                "30",
            ]
            assert container["envFrom"] == [{"configMapRef": {"name": name(service)}}]
            env = env_of(container)
            if as_files:
                # secrets as files of a mounted Secret, named like the variables they replace
                assert not [e for e in env.values() if "valueFrom" in e]
                secrets_dir = env[f"{prefix}SECRETS_DIR"]["value"]
                mounts = {m["name"]: m for m in container["volumeMounts"]}
                assert mounts["secrets"] == {
                    "name": "secrets",
                    "mountPath": secrets_dir,
                    "readOnly": True,
                }
                assert secret_files(deployment["spec"]["template"]["spec"]) == {
                    f"{prefix}DATABASE_URL": (secret, f"{prefix}DATABASE_URL", False),
                    f"{prefix}SIGNING_SECRET": (secret, "SIGNING_SECRET", False),
                    f"{prefix}SIGNING_SECRET_NEXT": (secret, "SIGNING_SECRET_NEXT", True),
                }
            else:
                assert env[f"{prefix}DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
                    "name": secret,
                    "key": f"{prefix}DATABASE_URL",
                }
                assert env[f"{prefix}SIGNING_SECRET"]["valueFrom"]["secretKeyRef"] == {
                    "name": secret,
                    "key": "SIGNING_SECRET",
                }
                assert f"{prefix}SECRETS_DIR" not in env
            # The runtime never gets the owner role.
            assert f"{prefix}MIGRATION_DATABASE_URL" not in env
            if as_files:
                assert f"{prefix}MIGRATION_DATABASE_URL" not in secret_files(
                    deployment["spec"]["template"]["spec"]
                )
        config = configmaps[name(service)]["data"]
        assert config[f"{prefix}NATS_URL"] == merged(values)["nats"]["url"]
        # the stream on every node of a three-node JetStream cluster in production
        assert config[f"{prefix}NATS_STREAM_REPLICAS"] == str(
            merged(values)["nats"].get("streamReplicas", 1)
        )
        assert config[f"{prefix}ENVIRONMENT"] in ("development", "production")
        assert config["OTEL_SERVICE_NAME"] == f"concord-{service}"
        assert not any("MIGRATION" in k for k in config)
        # Nothing secret in ConfigMaps.
        assert not any(k.endswith(("DATABASE_URL", "SECRET")) for k in config)


def test_gateway_wiring(value_set: tuple[str, dict[str, Any]]) -> None:
    _, values = value_set
    docs = render(values)
    config = of_kind(docs, "ConfigMap")[name("gateway")]["data"]
    services = of_kind(docs, "Service")
    for service in enabled_services(values):
        url = config[f"CONCORD_SUBGRAPH_{service.upper()}_URL"]
        port = services[name(service)]["spec"]["ports"][0]["port"]
        assert url == f"http://{name(service)}.{NAMESPACE}.svc:{port}/graphql"
    assert config["PORT"] == "4000"
    deployment = of_kind(docs, "Deployment")[name("gateway")]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volume = next(v for v in pod["volumes"] if v["name"] == "supergraph")
    assert volume["configMap"]["name"] == name("gateway-supergraph")
    assert config["CONCORD_SUPERGRAPH"] == f"{mounts['supergraph']}/supergraph.graphql"
    env = env_of(container)
    assert env["CONCORD_SIGNING_SECRET"]["valueFrom"]["secretKeyRef"]["key"] == "SIGNING_SECRET"
    jwks = merged(values)["gateway"]["jwt"]["jwksUrl"]
    if jwks:
        assert config["CONCORD_JWKS_URL"] == jwks
        assert "CONCORD_JWT_SECRET" not in env
    else:
        assert "CONCORD_JWKS_URL" not in config
        assert env["CONCORD_JWT_SECRET"]["valueFrom"]["secretKeyRef"]["key"] == (
            "CONCORD_JWT_SECRET"
        )


def test_supergraph_in_chart_matches_the_gateway() -> None:
    chart_copy = (CHART / "files" / "supergraph.graphql").read_text()
    composed = ROOT / "gateway" / "supergraph.graphql"
    if composed.exists():
        assert chart_copy == composed.read_text(), (
            "deploy/helm/concord/files/supergraph.graphql is stale: "
            "cp gateway/supergraph.graphql deploy/helm/concord/files/"
        )
    schema = graphql.build_schema(chart_copy)
    join_graph = schema.get_type("join__Graph")
    assert isinstance(join_graph, graphql.GraphQLEnumType)
    assert set(join_graph.values) == {s.upper() for s in SERVICES}
    rendered = of_kind(render({}), "ConfigMap")[name("gateway-supergraph")]["data"]
    assert rendered["supergraph.graphql"].rstrip("\n") == chart_copy.rstrip("\n")


def test_config_changes_roll_the_pods() -> None:
    base = of_kind(render({}), "Deployment")
    changed = of_kind(render({"nats": {"url": "nats://other:4222"}}), "Deployment")
    for service in SERVICES:
        before = base[name(service)]["spec"]["template"]["metadata"]["annotations"]
        after = changed[name(service)]["spec"]["template"]["metadata"]["annotations"]
        assert before["checksum/config"] != after["checksum/config"]


# --------------------------------------------------------------------------- migrations, secrets


def test_migration_hook_jobs(value_set: tuple[str, dict[str, Any]]) -> None:
    _, values = value_set
    docs = render(values)
    jobs = of_kind(docs, "Job")
    if not merged(values)["migrations"]["enabled"]:
        assert jobs == {}
        return
    services = enabled_services(values)
    assert set(jobs) == {name(f"{s}-migrate") for s in services}
    for service in services:
        job = jobs[name(f"{service}-migrate")]
        annotations = job["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(annotations["helm.sh/hook-weight"]) == merged(values)["migrations"]["hookWeight"]
        assert set(annotations["helm.sh/hook-delete-policy"].split(",")) == {
            "before-hook-creation",
            "hook-succeeded",
        }
        pod = job["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        (container,) = pod["containers"]
        assert container["command"] == ["concord-migrate", service]
        env = env_of(container)
        key = f"{service.upper()}_MIGRATION_DATABASE_URL"
        if merged(values)["secrets"]["mountAsFiles"]:
            assert not [e for e in env.values() if "valueFrom" in e]
            assert env[f"{service.upper()}_SECRETS_DIR"]["value"] == "/etc/concord/secrets"
            files = secret_files(pod)
            assert files[key][1:] == (key, False)
            assert set(files) == {
                key,
                f"{service.upper()}_DATABASE_URL",
                f"{service.upper()}_SIGNING_SECRET",
            }
        else:
            assert env[key]["valueFrom"]["secretKeyRef"]["key"] == key
        # the Job runs the image of its service
        deployment = of_kind(docs, "Deployment")[name(service)]
        assert (
            container["image"] == deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        )


def test_dev_secret_is_a_hook_that_runs_before_the_migrations() -> None:
    values = VALUE_SETS["ci/dev-values.yaml"]
    docs = render(values)
    (secret,) = of_kind(docs, "Secret").values()
    annotations = secret["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    job_weights = {
        int(j["metadata"]["annotations"]["helm.sh/hook-weight"])
        for j in of_kind(docs, "Job").values()
    }
    assert int(annotations["helm.sh/hook-weight"]) < min(job_weights)
    assert set(secret["stringData"]) == set(values["secrets"]["values"])
    assert secret["stringData"] == values["secrets"]["values"]


def test_no_secret_is_rendered_by_default_and_an_incomplete_dev_secret_fails() -> None:
    assert of_kind(render({}), "Secret") == {}
    assert of_kind(render(VALUE_SETS["ci/production-values.yaml"]), "Secret") == {}
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmRenderError, match="required"):
        chart.render({"secrets": {"create": True}}, name=RELEASE, namespace=NAMESPACE)


# --------------------------------------------------------------------------- optional resources


def test_inconsistent_settings_fail_to_render() -> None:
    bad = [
        {"defaults": {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}}},
        {"defaults": {"podDisruptionBudget": {"enabled": True, "maxUnavailable": 1}}},
        {"secrets": {"create": True, "existingSecret": "mine"}},
        # KEDA scales the worker Deployment: none without workers
        {"services": {"finance": {"workers": {"keda": {"enabled": True}}}}},
        {
            "defaults": {
                "workers": {
                    "enabled": True,
                    "keda": {"enabled": True, "minReplicaCount": 4, "maxReplicaCount": 2},
                }
            }
        },
    ]
    with helm.Chart.load(CHART) as chart:
        for values in bad:
            with pytest.raises(helm.HelmRenderError):
                chart.render(values, name=RELEASE, namespace=NAMESPACE)


def test_workers_run_in_every_api_pod_by_default() -> None:
    """What an existing install keeps on upgrade: no new Deployment, the same publishers."""
    deployments = of_kind(render({}), "Deployment")
    for service in SERVICES:
        assert worker(service) not in deployments
        env = env_of(containers_of(deployments[name(service)]))
        assert env[f"{service.upper()}_RUN_WORKERS"] == {
            "name": f"{service.upper()}_RUN_WORKERS",
            "value": "true",
        }


def test_workers_run_apart_in_a_deployment_of_their_own_when_enabled() -> None:
    values = {
        "services": {
            "governance": {
                "replicas": 3,
                "workers": {
                    "enabled": True,
                    "replicas": 2,
                    "resources": {"requests": {"cpu": "50m"}, "limits": {"memory": "1Gi"}},
                },
            }
        },
        "defaults": {"autoscaling": {"enabled": True}},
    }
    docs = render(values)
    deployments, services = of_kind(docs, "Deployment"), of_kind(docs, "Service")
    api, workers = deployments[name("governance")], deployments[worker("governance")]
    api_env, worker_env = env_of(containers_of(api)), env_of(containers_of(workers))
    assert api_env["GOVERNANCE_RUN_WORKERS"]["value"] == "false"
    assert worker_env["GOVERNANCE_RUN_WORKERS"]["value"] == "true"
    # the other services keep their workers in-process
    for service in set(SERVICES) - {"governance"}:
        assert worker(service) not in deployments
        assert (
            env_of(containers_of(deployments[name(service)]))[f"{service.upper()}_RUN_WORKERS"][
                "value"
            ]
            == "true"
        )
    # the HPA scales the API; the workers have their own replicas
    assert "replicas" not in api["spec"]
    assert workers["spec"]["replicas"] == 2
    hpas = of_kind(docs, "HorizontalPodAutoscaler")
    assert hpas[name("governance")]["spec"]["scaleTargetRef"]["name"] == name("governance")
    assert worker("governance") not in hpas
    # the same image, command, configuration; resources merged over the service's
    worker_container, api_container = containers_of(workers), containers_of(api)
    for key in ("image", "command", "envFrom", "livenessProbe", "readinessProbe", "ports"):
        assert worker_container[key] == api_container[key], key
    assert worker_container["resources"] == {
        "requests": {"cpu": "50m", "memory": "256Mi"},
        "limits": {"memory": "1Gi"},
    }
    assert workers["metadata"]["labels"]["concord.dev/role"] == "worker"
    # no Service: nothing routes GraphQL to a worker (its selector differs from the API's)
    worker_labels = workers["spec"]["template"]["metadata"]["labels"]
    assert worker("governance") not in services
    for service in services.values():
        assert not service["spec"]["selector"].items() <= worker_labels.items()
    assert workers["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == (
        "governance-worker"
    )
    assert worker_labels.items() >= workers["spec"]["selector"]["matchLabels"].items()


def test_the_chart_knows_every_durable_consumer_of_the_code() -> None:
    """The KEDA triggers name the consumers: files/consumers.json must follow the code."""
    known = json.loads((CHART / "files" / "consumers.json").read_text())
    actual = {s: [c.name for c in import_module(f"{s}.consumers").CONSUMERS] for s in SERVICES}
    assert known == actual, "update deploy/helm/concord/files/consumers.json"


def test_keda_scales_each_worker_deployment_on_the_lag_of_its_consumers() -> None:
    """ScaledObject has no built-in schema: its shape is checked here against KEDA's
    documented keda.sh/v1alpha1 fields and nats-jetstream trigger metadata."""
    values = VALUE_SETS["ci/production-values.yaml"]
    docs = render(values)
    scaled = of_kind(docs, "ScaledObject")
    keda_services = {s for s in SERVICES if values["services"][s].get("workers", {}).get("keda")}
    assert keda_services == {"governance", "notifications"}
    assert set(scaled) == {worker(s) for s in keda_services}
    deployments = of_kind(docs, "Deployment")
    known = json.loads((CHART / "files" / "consumers.json").read_text())
    for service in keda_services:
        scaled_object = scaled[worker(service)]
        assert scaled_object["apiVersion"] == "keda.sh/v1alpha1"
        spec = scaled_object["spec"]
        assert set(spec) == {
            "scaleTargetRef",
            "minReplicaCount",
            "maxReplicaCount",
            "pollingInterval",
            "cooldownPeriod",
            "triggers",
        }
        assert spec["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": worker(service),
        }
        # KEDA owns the worker replicas (its own HPA): the Deployment sets none
        assert "replicas" not in deployments[worker(service)]["spec"]
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        assert all(isinstance(spec[k], int) for k in ("minReplicaCount", "maxReplicaCount"))
        assert spec["maxReplicaCount"] == 8
        consumers = [t["metadata"]["consumer"] for t in spec["triggers"]]
        assert consumers == known[service]
        for trigger in spec["triggers"]:
            assert set(trigger) == {"type", "name", "metadata"}
            assert trigger["type"] == "nats-jetstream"
            metadata = trigger["metadata"]
            assert set(metadata) == {
                "natsServerMonitoringEndpoint",
                "account",
                "stream",
                "consumer",
                "lagThreshold",
                "activationLagThreshold",
                "useHttps",
            }
            # trigger metadata is a map of strings in KEDA's CRD
            assert all(isinstance(v, str) for v in metadata.values()), metadata
            assert metadata["stream"] == STREAM
            assert metadata["natsServerMonitoringEndpoint"] == "nats.messaging.svc:8222"
            assert metadata["account"] == "$G"
            assert metadata["lagThreshold"] == "200"
            assert metadata["useHttps"] == "false"
    assert scaled[worker("notifications")]["spec"]["minReplicaCount"] == 2
    assert not of_kind(render({}), "ScaledObject")


def test_topology_spread_spreads_each_deployments_own_pods() -> None:
    values = VALUE_SETS["ci/production-values.yaml"]
    given = values["defaults"]["topologySpreadConstraints"]
    for deployment_name, deployment in of_kind(render(values), "Deployment").items():
        constraints = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
        assert [c["topologyKey"] for c in constraints] == [c["topologyKey"] for c in given]
        for constraint in constraints:
            assert constraint["labelSelector"] == deployment["spec"]["selector"], deployment_name
    # a constraint with its own labelSelector is kept as given
    own = {"matchLabels": {"app.kubernetes.io/part-of": "concord"}}
    spread = [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]
    spread_own = [{**spread[0], "labelSelector": own}]
    for constraints, expected in ((spread_own, own), (spread, None)):
        docs = render({"defaults": {"topologySpreadConstraints": constraints}})
        for deployment in of_kind(docs, "Deployment").values():
            (constraint,) = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
            assert constraint["labelSelector"] == (expected or deployment["spec"]["selector"])


def test_optional_resources_are_off_by_default() -> None:
    kinds = {d["kind"] for d in render({})}
    assert not kinds & {
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ScaledObject",
        "PodMonitor",
    }
    assert "ServiceAccount" in kinds


def test_production_example_scales_and_protects() -> None:
    values = VALUE_SETS["ci/production-values.yaml"]
    docs = render(values)
    hpas = of_kind(docs, "HorizontalPodAutoscaler")
    deployments = of_kind(docs, "Deployment")
    # notifications turns autoscaling off over the shared default: false must win the merge
    assert set(hpas) == {name(c) for c in COMPONENTS if c != "notifications"}
    for hpa_name, hpa in hpas.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": hpa_name,
        }
        assert hpa["spec"]["minReplicas"] == 3
        assert "replicas" not in deployments[hpa_name]["spec"]
    assert deployments[name("notifications")]["spec"]["replicas"] == 2
    # the HPAs scale the API pods only; KEDA or `workers.replicas` the workers
    assert not {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()} & {
        worker(s) for s in SERVICES
    }
    pdbs = of_kind(docs, "PodDisruptionBudget")
    assert set(pdbs) == {name(c) for c in COMPONENTS} | {worker(s) for s in SERVICES}
    for service in SERVICES:
        assert pdbs[worker(service)]["spec"] == {
            "maxUnavailable": 1,
            "selector": deployments[worker(service)]["spec"]["selector"],
        }
    assert all(p["apiVersion"] == "policy/v1" for p in pdbs.values())
    assert pdbs[name("gateway")]["spec"] == {
        "minAvailable": "50%",
        "selector": deployments[name("gateway")]["spec"]["selector"],
    }
    assert pdbs[name("finance")]["spec"]["maxUnavailable"] == 1
    # per-service resources merge over the shared ones key by key
    (finance,) = deployments[name("finance")]["spec"]["template"]["spec"]["containers"]
    assert finance["resources"] == {
        "requests": {"cpu": "250m", "memory": "384Mi"},
        "limits": {"memory": "1Gi"},
    }
    (gateway,) = deployments[name("gateway")]["spec"]["template"]["spec"]["containers"]
    assert gateway["image"].endswith("@" + values["gateway"]["image"]["digest"])
    # every image pinned by digest (checkov's CKV_K8S_43), the digest winning over the tag
    for service in SERVICES:
        digest = values["services"][service]["image"]["digest"]
        for deployment in (name(service), worker(service)):
            image = containers_of(deployments[deployment])["image"]
            assert image == f"ghcr.io/concord/{service}@{digest}"
    assert containers_of(of_kind(render({}), "Deployment")[name("membership")])["image"] == (
        "ghcr.io/concord/membership:0.1.0"
    )


def _allows_dns(policy: Manifest) -> bool:
    for rule in policy["spec"]["egress"]:
        ports = {(p["port"], p["protocol"]) for p in rule.get("ports", [])}
        if {(53, "UDP"), (53, "TCP")} <= ports and "to" not in rule:
            return True
    return False


def _egress_ports(policy: Manifest) -> set[int]:
    return {p["port"] for rule in policy["spec"]["egress"] for p in rule.get("ports", [])}


def test_network_policies() -> None:
    values = VALUE_SETS["ci/production-values.yaml"]
    docs = render(values)
    policies = of_kind(docs, "NetworkPolicy")
    assert set(policies) == {name(c) for c in COMPONENTS} | {name("migrate")} | {
        worker(s) for s in SERVICES
    }
    deployments = of_kind(docs, "Deployment")
    # every pod is under a policy
    for deployment_name, deployment in deployments.items():
        assert policies[deployment_name]["spec"]["podSelector"] == (deployment["spec"]["selector"])
    gateway_selector = of_kind(docs, "Deployment")[name("gateway")]["spec"]["selector"]
    for policy_name, policy in policies.items():
        assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        assert _allows_dns(policy), policy_name
    for service in SERVICES:
        policy = policies[name(service)]["spec"]
        rule, scrape = policy["ingress"]
        assert rule["from"] == [{"podSelector": gateway_selector}]
        assert scrape["from"] == values["metrics"]["scrapeFrom"]  # Prometheus, for /metrics
        assert {5432, 4222, 4318} <= _egress_ports(policies[name(service)])
    gateway = policies[name("gateway")]["spec"]
    assert gateway["ingress"][0]["from"] == values["networkPolicy"]["gateway"]["ingressFrom"]
    to_services = [r for r in gateway["egress"] if {p["port"] for p in r["ports"]} == {8000}]
    (expression,) = to_services[0]["to"][0]["podSelector"]["matchExpressions"]
    assert set(expression["values"]) == set(SERVICES)
    assert 443 in _egress_ports(policies[name("gateway")])  # JWKS
    # the gateway reaches the API pods only, never the workers
    assert not {f"{s}-worker" for s in SERVICES} & set(expression["values"])
    for service in SERVICES:
        policy = policies[worker(service)]["spec"]
        # no ingress but Prometheus scraping /metrics
        (scrape,) = policy["ingress"]
        assert scrape == {
            "ports": [{"port": "http", "protocol": "TCP"}],
            "from": values["metrics"]["scrapeFrom"],
        }
        # egress to DNS, PostgreSQL, NATS and the OTLP collector, each to its own peers
        egress = policy["egress"]
        assert egress[1:] == [
            {
                "ports": [{"port": 5432, "protocol": "TCP"}],
                "to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}],
            },
            {
                "ports": [{"port": 4222, "protocol": "TCP"}],
                "to": values["networkPolicy"]["egress"]["nats"]["to"],
            },
            {
                "ports": [{"port": 4318, "protocol": "TCP"}],
                "to": values["networkPolicy"]["egress"]["otel"]["to"],
            },
        ]
    # without scrapers, the workers take no ingress at all
    quiet = {**values, "metrics": {"scrapeFrom": []}}
    policy = of_kind(render(quiet), "NetworkPolicy")[worker("finance")]["spec"]
    assert "ingress" not in policy and "Ingress" in policy["policyTypes"]
    migrate = policies[name("migrate")]["spec"]
    assert migrate["podSelector"]["matchLabels"]["concord.dev/role"] == "migration"
    assert "ingress" not in migrate
    for job in of_kind(docs, "Job").values():
        assert job["spec"]["template"]["metadata"]["labels"]["concord.dev/role"] == "migration"


def test_otel_settings() -> None:
    values = VALUE_SETS["ci/production-values.yaml"]
    configmaps = of_kind(render(values), "ConfigMap")
    names = set()
    for component in COMPONENTS:
        config = configmaps[name(component)]["data"]
        assert config["OTEL_EXPORTER_OTLP_ENDPOINT"] == values["otel"]["endpoint"]
        assert config["OTEL_TRACES_EXPORTER"] == "otlp"
        assert "k8s.cluster.name=prod-eu-1" in config["OTEL_RESOURCE_ATTRIBUTES"]
        names.add(config["OTEL_SERVICE_NAME"])
    assert len(names) == len(COMPONENTS)
    default = of_kind(render({}), "ConfigMap")[name("membership")]["data"]
    assert default["OTEL_TRACES_EXPORTER"] == "none"
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in default
    dev = of_kind(render(VALUE_SETS["ci/dev-values.yaml"]), "ConfigMap")[name("finance")]["data"]
    assert dev["OTEL_TRACES_EXPORTER"] == "console"  # a component's own env wins


def test_notes_render() -> None:
    notes = render_files(VALUE_SETS["ci/dev-values.yaml"])["concord/templates/NOTES.txt"]
    assert "port-forward svc/concord-gateway" in notes
    assert "/dashboard/" in notes  # the gateway serves the dashboards page too
    assert "secrets.create=true" in notes
