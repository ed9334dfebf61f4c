"""HTTP API of loan-matching: one router per resource."""
