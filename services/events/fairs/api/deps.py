"""Annotated dependency aliases for events endpoints."""

from smefin.auth import PrincipalDep
from smefin.web import OutboxDep, SessionDep

__all__ = ["OutboxDep", "PrincipalDep", "SessionDep"]
