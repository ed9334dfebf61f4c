"""Alembic environment of events: the shared body, this service's metadata."""

import fairs.db.tables  # noqa: F401 - registers every table on the metadata
from fairs.db.tables import Base
from smefin.migrations import run_env

run_env(Base.metadata)
