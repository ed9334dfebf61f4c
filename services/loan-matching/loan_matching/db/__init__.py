"""Tables and repositories of loan-matching."""
