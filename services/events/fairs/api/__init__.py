"""HTTP API of events: one router per resource."""
