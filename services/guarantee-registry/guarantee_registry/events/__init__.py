"""Event handlers of guarantee-registry: parse the contract, call the domain."""
