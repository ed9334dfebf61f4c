"""Alembic environment of loan-matching: the shared body, this service's metadata."""

import loan_matching.db.tables  # noqa: F401 - registers every table on the metadata
from loan_matching.db.tables import Base
from smefin.migrations import run_env

run_env(Base.metadata)
