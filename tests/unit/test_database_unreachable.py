"""A database that is restarting is a 503 the caller may retry, not a 500 (found by the PostgreSQL fault)."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import DBAPIError

from smefin.db import database_unreachable
from smefin.web import database_unavailable_response


def test_connection_failures_are_recognised_through_the_wrapping() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed")
    assert database_unreachable(refused)
    starting = asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
    assert database_unreachable(DBAPIError("SELECT 1", None, starting))
    shutdown = asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command")
    wrapped = RuntimeError("session failed")
    wrapped.__cause__ = DBAPIError("SELECT 1", None, shutdown)
    assert database_unreachable(wrapped)


def test_other_errors_stay_500() -> None:
    assert not database_unreachable(ValueError("a bug"))
    assert not database_unreachable(
        DBAPIError("SELECT 1", None, asyncpg.exceptions.UniqueViolationError("dup"))
    )


def test_the_answer_is_503_with_retry_after() -> None:
    r = database_unavailable_response(ConnectionRefusedError(), "rid-1")
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "2"
    assert b"retry in a few seconds" in r.body
