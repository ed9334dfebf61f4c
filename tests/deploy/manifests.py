"""Render deploy/k8s with Kustomize and look objects up; the facts about each service come from its code."""

from __future__ import annotations

import functools
import importlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from smefin.contracts.envelope import Topic

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
IMAGES = ROOT / "deploy" / "images"
SCHEMAS = Path(__file__).parent / "schemas"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").exists())
# The oldest Kubernetes release the manifests are validated against (native preStop sleep: 1.30+).
KUBERNETES_VERSION = "1.32.0"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")

Obj = dict[str, Any]


@dataclass(frozen=True)
class Service:
    """One workload of base/, with what its code says about it."""

    name: str
    package: str
    # Topic families its outbox writes (the README's topic table; events carry no publisher).
    publishes: tuple[str, ...]

    @property
    def settings_cls(self) -> Any:
        return importlib.import_module(f"{self.package}.settings").Settings

    @property
    def env_prefix(self) -> str:
        return str(self.settings_cls.model_config["env_prefix"])

    @property
    def consumes(self) -> list[str]:
        if self.package == "gateway":
            return []
        return list(importlib.import_module(f"{self.package}.events.handlers").CONSUMED_TOPICS)

    @property
    def uses_kafka(self) -> bool:
        return self.package != "gateway"


SERVICES = [
    Service("credit-info", "credit_info", (Topic.ENTERPRISES, Topic.CREDIT)),
    Service("loan-matching", "loan_matching", (Topic.FINANCING,)),
    Service("guarantee-registry", "guarantee_registry", (Topic.GUARANTEES,)),
    Service("events", "fairs", (Topic.FAIRS,)),
    Service("gateway", "gateway", ()),
]


def kustomize_command() -> list[str]:
    """`kubectl kustomize`, or the standalone kustomize binary."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    raise RuntimeError("neither kubectl nor kustomize is on PATH; install kubectl (it carries kustomize)")


@functools.cache
def render(directory: str) -> tuple[Obj, ...]:
    """Every object Kustomize renders from `directory` (relative to deploy/k8s)."""
    out = subprocess.run(
        [*kustomize_command(), str(K8S / directory)], capture_output=True, text=True, timeout=120
    )
    if out.returncode != 0:
        raise AssertionError(f"kustomize failed for {directory}: {out.stderr.strip()}")
    return tuple(d for d in yaml.safe_load_all(out.stdout) if d)


def of_kind(objs: tuple[Obj, ...], kind: str) -> list[Obj]:
    """The objects of one kind."""
    return [o for o in objs if o["kind"] == kind]


def named(objs: tuple[Obj, ...], kind: str, name: str) -> Obj:
    """The one object of `kind` called `name`."""
    found = [o for o in of_kind(objs, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_spec(workload: Obj) -> Obj:
    """The pod spec inside a Deployment, StatefulSet, DaemonSet, Job or CronJob."""
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"])


def pod_template(workload: Obj) -> Obj:
    """The pod template (metadata and spec)."""
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"])


def containers(workload: Obj) -> list[Obj]:
    """Init and regular containers."""
    spec = pod_spec(workload)
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def schema_for(api_version: str, kind: str) -> Obj | None:
    """The vendored JSON schema of a custom resource, if there is one."""
    path = SCHEMAS / f"{api_version.split('/')[0]}-{kind.lower()}.json"
    return json.loads(path.read_text()) if path.exists() else None


def container_env(objs: tuple[Obj, ...], container: Obj) -> dict[str, Obj]:
    """Name → env entry, ConfigMap entries from envFrom included (as {"value": ...})."""
    env: dict[str, Obj] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        assert ref is not None, f"envFrom other than a ConfigMap in {container['name']}"
        for key, value in (named(objs, "ConfigMap", ref["name"]).get("data") or {}).items():
            env[key] = {"name": key, "value": value}
    for entry in container.get("env", []):
        env[entry["name"]] = entry
    return env
