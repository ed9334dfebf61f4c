"""Pages of the events service: the printable agenda sheet."""
