"""Alembic environment of credit-info: the shared body, this service's metadata."""

import credit_info.db.tables  # noqa: F401 - registers every table on the metadata
from credit_info.db.tables import Base
from smefin.migrations import run_env

run_env(Base.metadata)
