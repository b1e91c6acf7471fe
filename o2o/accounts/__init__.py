"""accounts: users, sign-up and sign-in (throttling, lockout), API tokens."""
