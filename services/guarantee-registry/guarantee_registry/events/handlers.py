"""Which events guarantee-registry consumes, and what it does with each."""

from smefin.consumer import Handler

CONSUMED_TOPICS: list[str] = []
HANDLERS: dict[str, Handler] = {}
