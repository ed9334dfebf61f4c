"""events: bank–enterprise matchmaking fairs (银企对接会), registrations, meeting schedules, outcomes."""
