"""Alembic environment of the gateway: the shared body, the identity metadata."""

import gateway.db.tables  # noqa: F401 - registers every table on the metadata
from gateway.db.tables import Base
from smefin.migrations import run_env

run_env(Base.metadata)
