"""Business rules of events: pure logic, no HTTP."""
