"""The API gateway: one address in front of the four services."""
