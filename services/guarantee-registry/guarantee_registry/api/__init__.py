"""HTTP API of guarantee-registry: one router per resource."""
