"""Server side of sync: push (exactly once, each mutation in a savepoint), pull (xid8 horizon)."""
