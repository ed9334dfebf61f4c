"""Annotated dependency aliases for loan-matching endpoints."""

from smefin.auth import PrincipalDep
from smefin.web import OutboxDep, SessionDep

__all__ = ["OutboxDep", "PrincipalDep", "SessionDep"]
