"""Commands a cluster runs around the services: `python -m smefin.cli migrate <service>` and `topics`.

No service migrates on start-up; in Kubernetes a Job runs `migrate` before each rollout (see
deploy/k8s). `topics` creates every topic and its dead-letter twin on a Kafka that has no topic
operator (with Strimzi, the KafkaTopic resources in deploy/k8s do that instead). Both read the same
environment variables as the services: `migrate credit-info` reads CREDIT_INFO_DATABASE_URL,
`topics` reads SMEFIN_KAFKA_BOOTSTRAP_SERVERS and the SMEFIN_KAFKA_* security settings.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from smefin.kafka import all_topics, ensure_topics, security_options
from smefin.migrations import upgrade
from smefin.settings import ServiceSettings

# Service name (as in deploy/k8s and devrun) → Python package.
SERVICE_PACKAGES = {
    "credit-info": "credit_info",
    "loan-matching": "loan_matching",
    "guarantee-registry": "guarantee_registry",
    "events": "fairs",
    "gateway": "gateway",
}


def migrate(service: str) -> str:
    """Upgrade `service`'s database to head; returns what was done, for the Job's log."""
    package = SERVICE_PACKAGES[service]
    migrations: Path | None = getattr(importlib.import_module(f"{package}.main"), "MIGRATIONS", None)
    if migrations is None:
        return f"{service}: no migrations defined; nothing to do"
    settings = importlib.import_module(f"{package}.settings").Settings()
    upgrade(migrations, settings.database_url)
    return f"{service}: database migrated to head"


def topics(*, partitions: int | None, replication: int) -> list[str]:
    """Create the missing topics (with their `.dlq` twins); returns the ones created."""
    settings = ServiceSettings()
    names = [settings.topic_prefix + t for t in all_topics()]
    return asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers,
            names,
            partitions=partitions or settings.topic_partitions,
            replication=replication,
            security=security_options(settings),
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m smefin.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("migrate", help="upgrade one service's database to the latest migration")
    m.add_argument("service", choices=sorted(SERVICE_PACKAGES))
    t = sub.add_parser("topics", help="create every topic and its dead-letter twin if missing")
    t.add_argument("--partitions", type=int, default=None, help="default: SMEFIN_TOPIC_PARTITIONS")
    t.add_argument("--replication", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "migrate":
        print(migrate(args.service), flush=True)
        return 0
    if (args.partitions is not None and not 1 <= args.partitions <= 1000) or not 1 <= args.replication <= 7:
        parser.error("--partitions must be 1..1000 and --replication 1..7")
    created = topics(partitions=args.partitions, replication=args.replication)
    print(json.dumps({"created": created}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
