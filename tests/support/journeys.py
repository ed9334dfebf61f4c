"""A steady stream of SME journeys through the gateway of a running platform, and the end-to-end count.

Each journey: the SME registers, submits a financing request, it is matched, the bank offers, the SME
accepts, guarantee-registry issues the guarantee (over the broker), the bank disburses, credit-info
records the loan and the guarantee. Every write carries an Idempotency-Key and is retried through
outages (connection refused, 502/503/504, a key still in progress), so a retry can never act twice:
the counts afterwards prove it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from smefin.auth import Role
from smefin.kafka import all_topics
from smefin.reference import make_uscc
from tests.e2e.journey import enterprise_body, product_body
from tests.support.platform import PlatformUnderTest
from tests.support.services import bearer

BANK = bearer(Role.BANK, "bank-load")
GUARANTOR = bearer(Role.GUARANTOR, "gco-load")
OFFICE = bearer(Role.OFFICE, "office-load")
AMOUNT = "500000.00"
RETRYABLE = {502, 503, 504}


class JourneyFailed(AssertionError):
    """A step did not succeed within its deadline."""


@dataclass
class Stream:
    """Journeys started, finished, and what went wrong on the way (for the report)."""

    started: int = 0
    finished: list[dict[str, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retried: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)


class Journeys:
    """Drives journeys against `platform`'s gateway; `tag` keeps each run's enterprises apart."""

    def __init__(self, platform: PlatformUnderTest, tag: int, step_timeout: float = 120) -> None:
        self.platform = platform
        self.tag = tag
        self.step_timeout = step_timeout
        self.stream = Stream()
        self.client = httpx.AsyncClient(base_url=platform.gateway.url, timeout=30)
        self.company_id = ""
        self.product_id = ""

    async def aclose(self) -> None:
        await self.client.aclose()

    async def call(
        self, method: str, path: str, who: dict[str, str], *, key: str | None = None, **kw: Any
    ) -> httpx.Response:
        """One call, retried through outages until a non-retryable answer or the step deadline."""
        headers = who | ({"Idempotency-Key": key} if key else {})
        deadline = time.monotonic() + self.step_timeout
        while True:
            try:
                r = await self.client.request(method, path, headers=headers, **kw)
                if r.status_code >= 500 and r.status_code not in RETRYABLE:
                    self.stream.server_errors.append(f"{method} {path}: {r.status_code} {r.text[:300]}")
                in_progress = r.status_code == 409 and "still being processed" in r.text
                if r.status_code not in RETRYABLE and r.status_code < 500 and not in_progress:
                    return r
                self.stream.retried[str(r.status_code)] += 1
            except httpx.HTTPError as exc:
                self.stream.retried[type(exc).__name__] += 1
            if time.monotonic() > deadline:
                raise JourneyFailed(f"{method} {path} did not succeed within {self.step_timeout}s")
            await asyncio.sleep(0.5)

    async def until(self, method: str, path: str, who: dict[str, str], done: Any, **kw: Any) -> Any:
        """Poll until `done(body)` is truthy (read paths: no key needed)."""
        deadline = time.monotonic() + self.step_timeout
        while True:
            r = await self.call(method, path, who, **kw)
            if r.status_code < 400 and (found := done(r.json())):
                return found
            if time.monotonic() > deadline:
                raise JourneyFailed(f"{path}: not reached within {self.step_timeout}s (last {r.text[:300]})")
            await asyncio.sleep(0.3)

    async def setup(self) -> None:
        """A guarantee company with capital and a bank's published guaranteed product."""
        company = await self.call(
            "POST",
            "/api/v1/guarantee-companies",
            GUARANTOR,
            key=f"setup-company-{self.tag}",
            json={
                "uscc": make_uscc("150602", f"G{self.tag:03d}00001"),
                "name": "负载测试融资担保有限公司",
                "county_code": "150602",
                "licence_number": f"蒙融担L{self.tag}",
                "registered_capital": "80000000.00",
                "paid_in_capital": "80000000.00",
                "net_assets": "50000000.00",
                "ownership": "government",
            },
        )
        assert company.status_code == 201, company.text
        company_id = company.json()["id"]
        self.company_id = company_id
        injected = await self.call(
            "POST",
            "/api/v1/capital-injections",
            OFFICE,
            key=f"setup-capital-{self.tag}",
            json={
                "company_id": company_id,
                "amount": "300000000.00",
                "injected_on": date.today().isoformat(),
                "source": "regional_special_fund",
            },
        )
        assert injected.status_code == 201, injected.text
        product = await self.call(
            "POST",
            "/api/v1/products",
            BANK,
            key=f"setup-product-{self.tag}",
            json=product_body("负载担保贷", "guaranteed", accepted_guarantee_company_ids=[company_id])
            | {"quota_count": None},
        )
        assert product.status_code == 201, product.text
        self.product_id = product.json()["id"]
        published = await self.call(
            "POST", f"/api/v1/products/{product.json()['id']}/publish", BANK, key=f"setup-pub-{self.tag}"
        )
        assert published.status_code == 200, published.text

    def uscc(self, n: int) -> str:
        return make_uscc("150602", f"{self.tag:03d}{n:06d}")

    async def journey(self, n: int) -> dict[str, str]:
        """One SME from registration to a disbursed, guaranteed loan."""
        uscc = self.uscc(n)
        sme = bearer(Role.SME, f"ent-{uscc}", uscc)
        k = f"j{self.tag}-{n}"
        r = await self.call(
            "POST",
            "/api/v1/enterprises",
            sme,
            key=f"{k}-register",
            json=enterprise_body(uscc, f"负载企业{n}", "150602"),
        )
        assert r.status_code == 201, r.text
        body = {"amount": AMOUNT, "term_months": 12, "purpose": "季节性流动资金", "accepts_guarantee": True}
        deadline = time.monotonic() + self.step_timeout
        for attempt in range(10_000):  # loan-matching learns of the SME over the broker
            # A fresh key after a definite refusal (nothing was created); the same key through outages.
            key = f"{k}-request-{attempt}"
            r = await self.call("POST", "/api/v1/financing-requests", sme, key=key, json=body)
            if r.status_code == 201:
                break
            assert r.status_code == 409, r.text
            assert "not in the SME basic database" in r.text, r.text
            if time.monotonic() > deadline:
                raise JourneyFailed(f"{uscc} never reached loan-matching")
            await asyncio.sleep(0.3)
        request_id = r.json()["id"]
        await self.until(
            "GET", f"/api/v1/financing-requests/{request_id}", sme, lambda b: b["status"] != "submitted"
        )
        matches = await self.until(
            "GET", f"/api/v1/financing-requests/{request_id}/matches", sme, lambda b: b or None
        )
        offer = await self.call(
            "POST", f"/api/v1/matches/{matches[0]['id']}/offer", BANK, key=f"{k}-offer", json={}
        )
        assert offer.status_code == 201, offer.text
        offer_id = offer.json()["id"]
        accepted = await self.call("POST", f"/api/v1/offers/{offer_id}/accept", sme, key=f"{k}-accept")
        assert accepted.status_code == 200, accepted.text
        done = await self.until(
            "GET",
            f"/api/v1/offers/{offer_id}",
            sme,
            lambda b: b if b["status"] != "pending_guarantee" else None,
        )
        assert done["status"] == "accepted", done
        loan = await self.call("POST", "/api/v1/loans", BANK, key=f"{k}-loan", json={"offer_id": offer_id})
        assert loan.status_code == 201, loan.text
        return {"uscc": uscc, "request": request_id, "offer": offer_id, "loan": loan.json()["id"]}

    async def run(self, *, seconds: float, concurrency: int, first: int = 0) -> Stream:
        """Start journeys for `seconds` keeping `concurrency` in flight; wait for all to finish."""
        counter = iter(range(first, first + 100_000))
        stop_at = time.monotonic() + seconds

        async def lane() -> None:
            while time.monotonic() < stop_at:
                n = next(counter)
                self.stream.started += 1
                try:
                    self.stream.finished.append(await self.journey(n))
                except (JourneyFailed, AssertionError) as exc:
                    self.stream.failed.append(f"journey {n}: {exc}")

        await asyncio.gather(*(lane() for _ in range(concurrency)))
        return self.stream


async def table_counts(platform: PlatformUnderTest) -> dict[str, int]:
    """Rows on every side, straight from each service's database (the services' own truth)."""
    queries = {
        "loan-matching": {
            "requests": "SELECT count(*) FROM financing_request",
            "matches": "SELECT count(*) FROM match",
            "offers": "SELECT count(*) FROM offer",
            "disbursed offers": "SELECT count(*) FROM offer WHERE status = 'disbursed'",
            "loans": "SELECT count(*) FROM loan",
        },
        "guarantee-registry": {
            "guarantees": "SELECT count(*) FROM guarantees WHERE status = 'issued'",
            "guarantee offers (distinct)": "SELECT count(DISTINCT offer_id) FROM guarantees",
            "all guarantees": "SELECT count(*) FROM guarantees",
        },
        "credit-info": {
            "enterprises": "SELECT count(*) FROM enterprises",
            "loan records": "SELECT count(*) FROM credit_records WHERE source = 'loan'",
            "loan records (distinct)": (
                "SELECT count(DISTINCT payload->>'loan_id') FROM credit_records WHERE source = 'loan'"
            ),
            "guarantee records": "SELECT count(*) FROM credit_records WHERE source = 'guarantee'",
        },
        "events": {
            "seen enterprises": "SELECT count(*) FROM enterprise",
            "seen requests": "SELECT count(*) FROM financing_request",
            "seen matches": "SELECT count(*) FROM match",
            "seen loans": "SELECT count(*) FROM loan",
        },
    }
    out: dict[str, int] = {}
    for service, named in queries.items():
        conn = await asyncpg.connect(platform[service].database_url)
        try:
            for name, sql in named.items():
                out[f"{service}: {name}"] = int(await conn.fetchval(sql))
        finally:
            await conn.close()
    return out


def expected_counts(journeys: int, enterprises: int) -> dict[str, int]:
    """What every side holds after `journeys` finished journeys (one bank product: one match each)."""
    return {
        "loan-matching: requests": journeys,
        "loan-matching: matches": journeys,
        "loan-matching: offers": journeys,
        "loan-matching: disbursed offers": journeys,
        "loan-matching: loans": journeys,
        "guarantee-registry: guarantees": journeys,
        "guarantee-registry: guarantee offers (distinct)": journeys,
        "guarantee-registry: all guarantees": journeys,
        "credit-info: enterprises": enterprises,
        "credit-info: loan records": journeys,
        "credit-info: loan records (distinct)": journeys,
        "credit-info: guarantee records": journeys,
        "events: seen enterprises": enterprises,
        "events: seen requests": journeys,
        "events: seen matches": journeys,
        "events: seen loans": journeys,
    }


async def settled_counts(
    platform: PlatformUnderTest, expected: dict[str, int], timeout: float = 90
) -> dict[str, int]:
    """The counts once the events in flight have landed (or the last ones seen after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        counts = await table_counts(platform)
        if counts == expected or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(1)


async def dead_letters(platform: PlatformUnderTest) -> dict[str, int]:
    """Messages in each dead-letter topic of the platform's namespace (none expected)."""
    topics = [platform.topic_prefix + t for t in all_topics() if t.endswith(".dlq")]
    consumer = AIOKafkaConsumer(bootstrap_servers=platform.infra.bootstrap)
    await consumer.start()
    try:
        parts = [
            TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or {0, 1, 2})
        ]
        ends = await consumer.end_offsets(parts)
        begins = await consumer.beginning_offsets(parts)
        out: Counter[str] = Counter()
        for tp in parts:
            if ends[tp] - begins[tp]:
                out[tp.topic] += ends[tp] - begins[tp]
        return dict(out)
    finally:
        await consumer.stop()


async def replay_every_event_reversed(platform: PlatformUnderTest) -> int:
    """Produce every event of the platform's topics once more, newest first: each consumer then sees
    a duplicate of everything, and older versions after newer ones. Returns how many were produced."""
    from aiokafka import AIOKafkaProducer

    topics = [platform.topic_prefix + t for t in all_topics() if not t.endswith(".dlq")]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=platform.infra.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[tuple[str, int, bytes | None, bytes | None, list[tuple[str, bytes]]]] = []
    try:
        parts = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or set())]
        ends = await consumer.end_offsets(parts)
        wanted = {tp: end for tp, end in ends.items() if end > 0}
        consumer.assign(list(wanted))
        await consumer.seek_to_beginning(*wanted)
        remaining = dict(wanted)
        while remaining:
            batch = await consumer.getmany(timeout_ms=2000)
            if not batch:
                break
            for tp, messages in batch.items():
                for m in messages:
                    records.append((tp.topic, tp.partition, m.key, m.value, list(m.headers)))
                    if m.offset + 1 >= remaining.get(tp, 0):
                        remaining.pop(tp, None)
    finally:
        await consumer.stop()
    producer = AIOKafkaProducer(bootstrap_servers=platform.infra.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for topic, partition, key, value, headers in reversed(records):
            await producer.send_and_wait(topic, value, key=key, partition=partition, headers=headers)
    finally:
        await producer.stop()
    return len(records)


async def consumers_caught_up(platform: PlatformUnderTest, timeout: float = 90) -> None:
    """Wait until every service's consumer group has committed the end of every topic it reads."""
    topics = [platform.topic_prefix + t for t in all_topics() if not t.endswith(".dlq")]
    groups = [f"smefin.{name}" for name in platform.processes if name != "gateway"]
    # Not joining the groups: a consumer with the group id only reads their committed offsets.
    readers = [
        AIOKafkaConsumer(bootstrap_servers=platform.infra.bootstrap, group_id=g, enable_auto_commit=False)
        for g in groups
    ]
    for reader in readers:
        await reader.start()
    deadline = time.monotonic() + timeout
    try:
        parts = [TopicPartition(t, p) for t in topics for p in (readers[0].partitions_for_topic(t) or set())]
        while True:
            ends = await readers[0].end_offsets(parts)
            behind: dict[str, int] = {}
            for group, reader in zip(groups, readers, strict=True):
                for tp in parts:
                    committed = await reader.committed(tp)
                    if committed is not None and committed < ends[tp]:
                        behind[group] = behind.get(group, 0) + ends[tp] - committed
            if not behind:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"consumers still behind after {timeout}s: {behind}")
            await asyncio.sleep(1)
    finally:
        for reader in readers:
            await reader.stop()
