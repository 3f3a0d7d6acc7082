"""Client side of sync: SQLite cache, outbox, pull/push engine, conflict inbox (no Qt)."""

from app.sync.client import CacheOfAnotherTenant, CacheOfAnotherUser, ConflictNotFound, SyncClient
from app.sync.exchange import SyncReport
from app.sync.loop import SyncLoop

__all__ = ["CacheOfAnotherTenant", "CacheOfAnotherUser", "ConflictNotFound", "SyncClient", "SyncLoop", "SyncReport"]
