"""Event handlers of loan-matching: parse the contract, call the domain."""
