"""The house rules for every workload of every overlay: locked-down pods, probes on /healthz and
/readyz, requests and limits, named ports, scrape annotations, and a shutdown that fits its grace."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.deploy.manifests import (
    OVERLAYS,
    SERVICES,
    WORKLOAD_KINDS,
    Obj,
    containers,
    named,
    of_kind,
    pod_spec,
    pod_template,
    render,
)


def each_workload(
    overlay: str, check: Callable[[Obj], None], kinds: tuple[str, ...] = WORKLOAD_KINDS
) -> None:
    """Run `check` on every workload of the overlay; report every one that fails, by name."""
    failures = []
    checked = 0
    for workload in render(f"overlays/{overlay}"):
        if workload["kind"] not in kinds:
            continue
        checked += 1
        try:
            check(workload)
        except AssertionError as exc:
            failures.append(f"{workload['kind']}/{workload['metadata']['name']}: {exc}")
    assert checked, f"no workloads of kinds {kinds} in {overlay}"
    assert not failures, "\n".join(failures)


LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_locked_down(overlay: str) -> None:
    each_workload(overlay, pod_is_locked_down)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_containers_have_requests_limits_named_ports_and_pinned_images(overlay: str) -> None:
    each_workload(overlay, containers_are_bounded_and_named)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_long_running_pods_have_probes_and_scrape_annotations(overlay: str) -> None:
    each_workload(overlay, probes_and_scrape_annotations, LONG_RUNNING)


def pod_is_locked_down(workload: Obj) -> None:
    spec = pod_spec(workload)
    pod_ctx = spec.get("securityContext", {})
    assert pod_ctx.get("runAsNonRoot") is True
    assert pod_ctx.get("runAsUser", 1) != 0
    assert spec.get("automountServiceAccountToken") is False, "no workload talks to the Kubernetes API"
    for host_namespace in ("hostNetwork", "hostPID", "hostIPC"):
        assert not spec.get(host_namespace), host_namespace
    for c in containers(workload):
        ctx = c.get("securityContext", {})
        seccomp = ctx.get("seccompProfile") or pod_ctx.get("seccompProfile") or {}
        assert seccomp.get("type") == "RuntimeDefault", c["name"]
        assert ctx.get("allowPrivilegeEscalation") is False, c["name"]
        assert ctx.get("readOnlyRootFilesystem") is True, c["name"]
        assert ctx.get("privileged", False) is False, c["name"]
        assert ctx.get("capabilities", {}).get("drop") == ["ALL"], c["name"]
        assert not ctx.get("capabilities", {}).get("add"), c["name"]
        assert ctx.get("runAsUser", 1) != 0, c["name"]


def containers_are_bounded_and_named(workload: Obj) -> None:
    for c in containers(workload):
        resources = c.get("resources", {})
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{c['name']}: {kind}"
        for port in c.get("ports", []):
            assert port.get("name"), f"{c['name']}: port {port['containerPort']} has no name"
        image = c["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag not in ("", "latest"), f"{c['name']}: image {image} has no pinned tag"


def probes_and_scrape_annotations(workload: Obj) -> None:
    template = pod_template(workload)
    annotations = template["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/scrape") == "true", "no prometheus.io/scrape annotation"
    ports = {p["containerPort"] for c in containers(workload) for p in c.get("ports", [])}
    assert int(annotations["prometheus.io/port"]) in ports
    assert annotations.get("prometheus.io/path") == "/metrics"
    for c in containers(workload):
        assert "livenessProbe" in c, f"{c['name']}: no liveness probe"
        assert "readinessProbe" in c, f"{c['name']}: no readiness probe"
    if workload["metadata"]["labels"].get("app.kubernetes.io/component") == "api":
        (c,) = pod_spec(workload)["containers"]
        assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert c["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert "http" in {p["name"] for p in c["ports"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_shut_down_within_their_grace_period(overlay: str) -> None:
    """uvicorn's graceful timeout (in which the relay and consumer stop) plus preStop fits the grace."""
    for svc in SERVICES:
        deployment = named(render(f"overlays/{overlay}"), "Deployment", svc.name)
        (c,) = pod_spec(deployment)["containers"]
        command = c["command"]
        graceful = int(command[command.index("--timeout-graceful-shutdown") + 1])
        pre_stop = c["lifecycle"]["preStop"]["sleep"]["seconds"]
        grace = pod_spec(deployment)["terminationGracePeriodSeconds"]
        assert pre_stop + graceful < grace, svc.name
        assert command[:3] == ["uvicorn", "--factory", f"{svc.package}.main:create_app"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_its_service_hpa_pdb_and_migration_job(overlay: str) -> None:
    objs = render(f"overlays/{overlay}")
    for svc in SERVICES:
        deployment = named(objs, "Deployment", svc.name)
        pod_labels = pod_template(deployment)["metadata"]["labels"]
        service = named(objs, "Service", svc.name)
        assert service["spec"]["selector"].items() <= pod_labels.items()
        assert service["spec"]["ports"][0]["targetPort"] == "http"
        hpa = named(objs, "HorizontalPodAutoscaler", svc.name)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": svc.name,
        }
        pdb = named(objs, "PodDisruptionBudget", svc.name)
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        job = named(objs, "Job", f"{svc.name}-migrate")
        (migrate,) = pod_spec(job)["containers"]
        assert migrate["command"] == ["python", "-m", "smefin.cli", "migrate", svc.name]
        assert migrate["image"] == pod_spec(deployment)["containers"][0]["image"]
        named(objs, "ServiceAccount", svc.name)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaled_deployments_leave_the_replica_count_to_the_autoscaler(overlay: str) -> None:
    objs = render(f"overlays/{overlay}")
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(objs, "HorizontalPodAutoscaler")}
    for deployment in of_kind(objs, "Deployment"):
        if deployment["metadata"]["name"] in scaled:
            assert "replicas" not in deployment["spec"], (
                f"{deployment['metadata']['name']}: an apply would reset it"
            )
        else:
            assert deployment["spec"]["replicas"] == 1, deployment["metadata"]["name"]


def test_dev_runs_one_replica_of_everything() -> None:
    objs = render("overlays/dev")
    assert {h["spec"]["minReplicas"] for h in of_kind(objs, "HorizontalPodAutoscaler")} == {1}
    assert {h["spec"]["maxReplicas"] for h in of_kind(objs, "HorizontalPodAutoscaler")} == {1}
    assert named(objs, "KafkaNodePool", "dual-role")["spec"]["replicas"] == 1
    assert named(objs, "Cluster", "smefin-pg")["spec"]["instances"] == 1


def test_prod_is_replicated() -> None:
    objs = render("overlays/prod")
    for svc in SERVICES:
        assert named(objs, "HorizontalPodAutoscaler", svc.name)["spec"]["minReplicas"] >= 2, svc.name
    assert named(objs, "KafkaNodePool", "dual-role")["spec"]["replicas"] == 3
    config = named(objs, "Kafka", "smefin")["spec"]["kafka"]["config"]
    assert config["min.insync.replicas"] == 2
    assert config["default.replication.factor"] == 3
    for topic in of_kind(objs, "KafkaTopic"):
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
    cluster = named(objs, "Cluster", "smefin-pg")
    assert cluster["spec"]["instances"] == 3
    (backup,) = of_kind(objs, "ScheduledBackup")
    assert backup["spec"]["cluster"]["name"] == "smefin-pg"
    assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"].startswith("s3://")
