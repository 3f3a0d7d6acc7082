"""Client side of sync: SQLite cache, outbox, pull/push engine, conflict inbox (no Qt)."""
