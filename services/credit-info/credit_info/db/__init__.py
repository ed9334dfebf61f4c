"""Tables and repositories of credit-info."""
