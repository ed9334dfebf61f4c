"""Alembic environment of guarantee-registry: the shared body, this service's metadata."""

import guarantee_registry.db.tables  # noqa: F401 - registers every table on the metadata
from guarantee_registry.db.tables import Base
from smefin.migrations import run_env

run_env(Base.metadata)
