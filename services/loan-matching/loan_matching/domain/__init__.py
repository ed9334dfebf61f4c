"""Business rules of loan-matching: pure logic, no HTTP."""
