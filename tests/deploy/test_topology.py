"""The manifests agree with the code: topics with smefin.contracts, Kafka ACLs with each service's
CONSUMED_TOPICS, environment variables with each service's Settings, databases and roles with the
URLs the services get, network policies with who really calls whom, secrets only referenced."""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from smefin.contracts.envelope import Topic
from smefin.kafka import all_topics
from tests.deploy.manifests import (
    K8S,
    OVERLAYS,
    SERVICES,
    WORKLOAD_KINDS,
    Obj,
    Service,
    container_env,
    containers,
    named,
    of_kind,
    pod_spec,
    pod_template,
    render,
)

# Settings the gateway's identity work (another branch) introduces; until it lands, the gateway
# ignores them (extra="ignore"). Once its Settings has them, they are checked like the rest.
PENDING_GATEWAY_SETTINGS = {
    "GATEWAY_DATABASE_URL",
    "GATEWAY_INTERNAL_TOKEN_SECRET",
    "GATEWAY_ENVIRONMENT",
    "GATEWAY_COOKIE_SECURE",
    "REDIS_URL",
}
# smefin.db.Database's defaults: every connection pooled, none in overflow.
DEFAULT_POOL = {"POOL_SIZE": 20, "MAX_OVERFLOW": 0}
# Names Kubernetes only uses to build other values by $(NAME) expansion.
HELPER_VARIABLES = {"DATABASE_PASSWORD", "REDIS_PASSWORD", "REDISCLI_AUTH", "REDIS_ADDR"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_and_its_dead_letter_twin_is_a_kafka_topic(overlay: str) -> None:
    objs = render(f"overlays/{overlay}")
    kafka = named(objs, "Kafka", "smefin")
    topics = of_kind(objs, "KafkaTopic")
    assert sorted(t["metadata"]["name"] for t in topics) == sorted(all_topics())
    for t in topics:
        assert t["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert t["spec"]["partitions"] >= 1
        assert t["spec"]["config"]["retention.ms"] >= 7 * 24 * 3600 * 1000, "shorter than the outbox window"


def acl_table(user: Obj) -> dict[tuple[str, str, str], set[str]]:
    """(resource type, name, pattern) → operations."""
    table: dict[tuple[str, str, str], set[str]] = {}
    for acl in user["spec"]["authorization"]["acls"]:
        r = acl["resource"]
        assert acl.get("type", "allow") == "allow"
        key = (r["type"], r["name"], r.get("patternType", "literal"))
        table.setdefault(key, set()).update(acl["operations"])
    return table


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", [s for s in SERVICES if s.uses_kafka], ids=lambda s: s.name)
def test_each_service_writes_only_its_own_topics_and_reads_what_it_consumes(
    overlay: str, service: Service
) -> None:
    user = named(render(f"overlays/{overlay}"), "KafkaUser", service.name)
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    table = acl_table(user)
    writes = {name for (kind, name, _), ops in table.items() if kind == "topic" and "Write" in ops}
    reads = {name for (kind, name, _), ops in table.items() if kind == "topic" and "Read" in ops}
    assert writes == set(service.publishes) | {Topic.dlq(t) for t in service.consumes}
    assert reads == set(service.consumes)
    groups = {name for (kind, name, _), ops in table.items() if kind == "group" and "Read" in ops}
    assert groups == ({service.settings_cls().consumer_group} if service.consumes else set())
    # Topics are made by the topic operator; no service creates, deletes or reconfigures anything.
    every_op = set().union(*table.values())
    assert every_op <= {"Read", "Write", "Describe"}
    assert not [k for k in table if k[0] == "cluster"]
    # Prefix rules may grant Describe only (the relay lists every smefin topic before use).
    for (_, name, pattern), ops in table.items():
        if pattern == "prefix":
            assert ops == {"Describe"}, name


def resolved_env(objs: tuple[Obj, ...], container: Obj, secrets: dict[str, str]) -> dict[str, str]:
    """The container's environment as the kubelet would build it, secrets given by `secrets`."""
    env: dict[str, str] = {}
    for name, entry in container_env(objs, container).items():
        if "value" in entry:
            env[name] = re.sub(
                r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env[m.group(1)], str(entry["value"])
            )
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            env[name] = secrets[f"{ref['name']}/{ref['key']}"]
    return env


def secret_refs(container: Obj) -> list[str]:
    return [
        f"{e['valueFrom']['secretKeyRef']['name']}/{e['valueFrom']['secretKeyRef']['key']}"
        for e in container.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_variable_is_a_real_setting_and_the_settings_load(
    overlay: str, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    objs = render(f"overlays/{overlay}")
    fields = {
        # A field with a plain-string alias is read from that name, without the prefix.
        f.validation_alias.upper()
        if isinstance(f.validation_alias, str)
        else service.env_prefix + name.upper()
        for name, f in service.settings_cls.model_fields.items()
    }
    for workload in (named(objs, "Deployment", service.name), named(objs, "Job", f"{service.name}-migrate")):
        (container,) = pod_spec(workload)["containers"]
        names = set(container_env(objs, container))
        unknown = names - fields - HELPER_VARIABLES
        if service.package == "gateway":
            unknown -= PENDING_GATEWAY_SETTINGS
        assert not unknown, (
            f"{workload['kind']}/{workload['metadata']['name']}: not settings: {sorted(unknown)}"
        )
        # Load the settings from exactly that environment, with stand-in secrets.
        secrets = {
            ref: f"stand-in-secret-{i:02d}-" + "x" * 32 for i, ref in enumerate(secret_refs(container))
        }
        env = resolved_env(objs, container, secrets)
        for key in [k for k in os.environ if k.startswith(service.env_prefix)]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings: Any = service.settings_cls(_env_file=None)
        if service.package != "gateway":
            assert settings.environment == "production"
            assert settings.internal_token_secret.startswith("stand-in-secret")
            url = urlsplit(settings.database_url)
            assert url.hostname == "smefin-pg-rw"
            if workload["kind"] == "Deployment":
                assert settings.kafka_security_protocol == "SASL_SSL"
                assert settings.kafka_sasl_username == service.name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_its_database_and_role_with_the_password_it_is_given(overlay: str) -> None:
    objs = render(f"overlays/{overlay}")
    cluster = named(objs, "Cluster", "smefin-pg")
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    owners = {d["spec"]["name"]: d["spec"]["owner"] for d in of_kind(objs, "Database")}
    owners[initdb["database"]] = initdb["owner"]
    for service in SERVICES:
        (container,) = pod_spec(named(objs, "Deployment", service.name))["containers"]
        env = container_env(objs, container)
        url = urlsplit(str(env[f"{service.env_prefix}DATABASE_URL"]["value"]))
        database, role = url.path.lstrip("/"), url.username
        assert owners.get(database) == role, f"{service.name}: {database} is not owned by {role}"
        assert role in roles, f"no managed role {role}"
        assert roles[role]["login"] is True
        assert roles[role]["connectionLimit"] > 0
        password_secret = env["DATABASE_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
        assert roles[role]["passwordSecret"]["name"] == password_secret
    assert len(set(owners)) == len(SERVICES), "one database per service and the gateway"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_has_redis_for_its_rate_limits(overlay: str) -> None:
    objs = render(f"overlays/{overlay}")
    redis = named(objs, "Service", "redis")
    (container,) = pod_spec(named(objs, "Deployment", "gateway"))["containers"]
    url = urlsplit(str(container_env(objs, container)["REDIS_URL"]["value"]))
    assert url.hostname == redis["metadata"]["name"]
    assert url.port == redis["spec"]["ports"][0]["port"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_never_inlined(overlay: str) -> None:
    objs = render(f"overlays/{overlay}")
    assert not of_kind(objs, "Secret"), "a Secret in the manifests would put its value in git"
    readme = (K8S / "README.md").read_text()
    referenced: set[str] = set()
    for workload in (o for o in objs if o["kind"] in WORKLOAD_KINDS):
        for c in containers(workload):
            for name, entry in container_env(objs, c).items():
                if re.search(r"PASSWORD|SECRET|TOKEN|AUTH", name) and "value" in entry:
                    assert "$(" in str(entry["value"]), f"{name} has an inline value"
            referenced |= {ref.split("/")[0] for ref in secret_refs(c)}
        for volume in pod_spec(workload).get("volumes", []):
            if "secret" in volume:
                referenced.add(volume["secret"]["secretName"])
    cluster = named(objs, "Cluster", "smefin-pg")
    referenced |= {r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]}
    referenced.add(cluster["spec"]["bootstrap"]["initdb"]["secret"]["name"])
    if "backup" in cluster["spec"]:
        creds = cluster["spec"]["backup"]["barmanObjectStore"]["s3Credentials"]
        referenced |= {creds["accessKeyId"]["name"], creds["secretAccessKey"]["name"]}
    undocumented = sorted(s for s in referenced if f"`{s}`" not in readme)
    assert not undocumented, f"secrets not listed in deploy/k8s/README.md: {undocumented}"


def selects(selector: Obj, labels: dict[str, str]) -> bool:
    """Whether a matchLabels-only selector selects `labels` ({} selects everything)."""
    assert set(selector) <= {"matchLabels"}, "only matchLabels selectors are used here"
    return dict(selector.get("matchLabels", {})).items() <= labels.items()


def egress_peers(objs: tuple[Obj, ...], labels: dict[str, str]) -> set[str]:
    """What a pod may reach, as "<peer>:<port>" (peer by app.kubernetes.io/name, or the operator's cluster)."""
    targets = {
        "postgres": {"cnpg.io/cluster": "smefin-pg"},
        "kafka": {"strimzi.io/cluster": "smefin", "strimzi.io/kind": "Kafka"},
        "dns": {"k8s-app": "kube-dns"},
    }
    for d in of_kind(objs, "Deployment"):
        targets[d["metadata"]["name"]] = pod_template(d)["metadata"]["labels"]
    reached: set[str] = set()
    for policy in of_kind(objs, "NetworkPolicy"):
        if "Egress" not in policy["spec"]["policyTypes"] or not selects(
            policy["spec"]["podSelector"], labels
        ):
            continue
        for rule in policy["spec"].get("egress", []):
            ports = {str(p["port"]) for p in rule.get("ports", [])} or {"any"}
            for peer in rule.get("to", []):
                reached |= {
                    f"{n}:{port}"
                    for n, t in targets.items()
                    if selects(peer.get("podSelector", {}), t)
                    for port in ports
                }
    return reached


def egress_restricted(objs: tuple[Obj, ...], labels: dict[str, str]) -> bool:
    return any(
        "Egress" in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], labels)
        for p in of_kind(objs, "NetworkPolicy")
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_allow_only_the_real_callers(overlay: str) -> None:
    objs = render(f"overlays/{overlay}")
    ingress_default = [
        p
        for p in of_kind(objs, "NetworkPolicy")
        if p["spec"]["podSelector"] == {} and "ingress" not in p["spec"]
    ]
    assert ingress_default, "no default-deny ingress policy"
    services = [s.name for s in SERVICES if s.name != "gateway"]
    dns = {"dns:53"}
    expected = {
        "gateway": {*(f"{s}:http" for s in services), "redis:6379", "postgres:5432", *dns},
        **{s: {"postgres:5432", "kafka:9093", *dns} for s in services},
        "redis": dns,
    }
    for name, peers in expected.items():
        labels = pod_template(named(objs, "Deployment", name))["metadata"]["labels"]
        assert egress_restricted(objs, labels), f"{name}: egress not restricted"
        assert egress_peers(objs, labels) == peers, name
    for job in of_kind(objs, "Job"):
        labels = pod_template(job)["metadata"]["labels"]
        assert egress_peers(objs, labels) == {"postgres:5432", *dns}, job["metadata"]["name"]
    # Kafka admits exactly the pods the egress rule lets out.
    listener = named(objs, "Kafka", "smefin")["spec"]["kafka"]["listeners"][0]
    (peer,) = listener["networkPolicyPeers"]
    for service in SERVICES:
        labels = pod_template(named(objs, "Deployment", service.name))["metadata"]["labels"]
        assert selects(peer["podSelector"], labels) == service.uses_kafka, service.name


def test_role_connection_limits_cover_the_pools_at_full_scale_and_fit_postgres() -> None:
    """(HPA maximum + surge) x (pool + overflow) + the migration Job ≤ the role's limit; limits fit."""
    objs = render("overlays/prod")
    cluster = named(objs, "Cluster", "smefin-pg")
    roles = {r["name"]: r["connectionLimit"] for r in cluster["spec"]["managed"]["roles"]}
    for service in SERVICES:
        deployment = named(objs, "Deployment", service.name)
        (container,) = pod_spec(deployment)["containers"]
        env = container_env(objs, container)
        pool, overflow = (
            int(env[f"{service.env_prefix}DATABASE_{part}"]["value"])
            if f"{service.env_prefix}DATABASE_{part}" in env
            else DEFAULT_POOL[part]
            for part in ("POOL_SIZE", "MAX_OVERFLOW")
        )
        per_pod = pool + overflow
        pods = named(objs, "HorizontalPodAutoscaler", service.name)["spec"]["maxReplicas"]
        pods += deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
        role = urlsplit(str(env[f"{service.env_prefix}DATABASE_URL"]["value"])).username
        assert roles[str(role)] >= pods * per_pod + 1, service.name
    # Room left for replication, the operator and superuser_reserved_connections.
    assert sum(roles.values()) + 20 <= int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
