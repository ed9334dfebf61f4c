"""Tables and repositories of events."""
