"""Domain errors that carry their HTTP status, so endpoints stay thin."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every business-rule failure a client can act on."""

    status_code = 400
    code = "bad_request"
    headers: dict[str, str] | None = None

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""

    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status_code = 403
    code = "forbidden"


class Unauthorized(DomainError):
    """No valid credentials."""

    status_code = 401
    code = "unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="smefin"'}


class Conflict(DomainError):
    """The request clashes with current state (duplicate, wrong lifecycle step)."""

    status_code = 409
    code = "conflict"


class Unprocessable(DomainError):
    """Well-formed but semantically invalid input."""

    status_code = 422
    code = "unprocessable"
