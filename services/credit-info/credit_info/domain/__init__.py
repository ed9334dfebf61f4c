"""Business rules of credit-info: pure logic, no HTTP."""
