"""Every overlay renders, and every object it renders is valid offline: built-in kinds against the
Kubernetes schemas kubernetes-validate ships, custom resources against the vendored Strimzi and
CloudNativePG schemas in tests/deploy/schemas/."""

from __future__ import annotations

import copy

import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.manifests import KUBERNETES_VERSION, OVERLAYS, Obj, named, render, schema_for


def validate(obj: Obj) -> None:
    """Raise unless `obj` is valid for its kind."""
    schema = schema_for(obj["apiVersion"], obj["kind"])
    if schema is not None:
        jsonschema.Draft7Validator(schema).validate(obj)
        return
    group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
    if "." in group and not group.endswith(".k8s.io"):
        raise AssertionError(f"no vendored schema for {obj['apiVersion']} {obj['kind']}")
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_there_are_dev_and_prod_overlays() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_the_whole_platform(overlay: str) -> None:
    kinds = {o["kind"] for o in render(f"overlays/{overlay}")}
    assert {
        "Deployment",
        "Service",
        "ServiceAccount",
        "ConfigMap",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Job",
        "NetworkPolicy",
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
        "KafkaUser",
        "Cluster",
        "Database",
    } <= kinds


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_offline(overlay: str) -> None:
    failures = []
    for obj in render(f"overlays/{overlay}"):
        try:
            validate(obj)
        except (kubernetes_validate.ValidationError, jsonschema.ValidationError, AssertionError) as exc:
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {str(exc).splitlines()[0]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_objects_are_namespaced_by_the_overlay(overlay: str) -> None:
    objs = render(f"overlays/{overlay}")
    (namespace,) = [o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"]
    for obj in objs:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == namespace, f"{obj['kind']}/{obj['metadata']['name']}"


def test_the_validators_refuse_typos() -> None:
    """The checks above can fail: a misspelt field is refused in a built-in kind and in a CRD."""
    objs = render("overlays/prod")
    deployment = copy.deepcopy(named(objs, "Deployment", "loan-matching"))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(deployment)
    topic = copy.deepcopy(named(objs, "KafkaTopic", "smefin.financing"))
    topic["spec"]["partition"] = topic["spec"].pop("partitions")
    with pytest.raises(jsonschema.ValidationError):
        validate(topic)
    cluster = copy.deepcopy(named(objs, "Cluster", "smefin-pg"))
    cluster["spec"]["backup"]["retentionPolicy"] = "30 days"
    with pytest.raises(jsonschema.ValidationError):
        validate(cluster)
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    with pytest.raises(AssertionError, match="no vendored schema"):
        validate(unknown)
