"""Business rules of guarantee-registry: pure logic, no HTTP."""
