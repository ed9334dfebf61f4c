"""Event handlers of events: parse the contract, call the domain."""
