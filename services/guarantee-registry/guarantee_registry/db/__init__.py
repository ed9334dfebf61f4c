"""Tables and repositories of guarantee-registry."""
