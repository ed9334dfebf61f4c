"""guarantee-registry tables: one registry, so this service's metadata holds only its own tables."""

from sqlmodel import SQLModel

from smefin.db import new_registry
from smefin.outbox import MessagingTables


class Base(SQLModel, registry=new_registry()):
    """Base of every guarantee-registry table."""


messaging = MessagingTables.attach(Base.metadata)
