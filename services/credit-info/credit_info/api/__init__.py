"""HTTP API of credit-info: one router per resource."""
