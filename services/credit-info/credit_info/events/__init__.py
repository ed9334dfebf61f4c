"""Event handlers of credit-info: parse the contract, call the domain."""
