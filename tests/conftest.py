"""Shared fixtures: one PostgreSQL server and one broker per test session, isolated per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.infra import Infra, start_infra


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """The session's real PostgreSQL server and Kafka-protocol broker."""
    yield from start_infra()


@pytest.fixture
def topic_prefix() -> str:
    """A topic namespace of this test's own, so tests never read each other's events."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture(scope="module")
def module_topic_prefix() -> str:
    """A topic namespace shared by the tests of one module: a journey split into one test per step."""
    return f"m{uuid.uuid4().hex[:10]}."
