"""Development tooling: the local stack behind ``make run``, dev tokens, embedded PostgreSQL, test fixtures.

Never installed into a service image; services must not import it (import-linter enforces that).
"""
