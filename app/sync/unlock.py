"""Offline unlock: after one online sign-in the cache keeps an argon2id verifier of the password,
so the user can open the cache and work with no connection (DESIGN §5: a gate for now; encrypting
the cache comes later)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from app.sync import cache

_VERIFIER = "unlock_verifier"
# lighter than the server's hashes: it guards a file on this machine and runs on every unlock
_hasher = PasswordHasher(time_cost=2, memory_cost=32 * 1024, parallelism=1)


def remember(db: Engine, username: str, password: str) -> None:
    """Keep a verifier of the password just accepted by the server."""
    with db.begin() as conn:
        cache.set_state(conn, _VERIFIER, _hasher.hash(password))


def can_unlock(db: Engine, username: str) -> bool:
    """Whether this cache was opened online by `username` before (so it can be unlocked offline)."""
    with cache.reading(db) as conn:
        return cache.get_state(conn, "username") == username and cache.get_state(conn, _VERIFIER) is not None


def unlock(db: Engine, username: str, password: str) -> bool:
    """Check the password against the verifier, offline."""
    with cache.reading(db) as conn:
        owner, verifier = cache.get_state(conn, "username"), cache.get_state(conn, _VERIFIER)
    if owner != username or verifier is None:
        return False
    try:
        return _hasher.verify(verifier, password)
    except (VerificationError, InvalidHashError):
        return False


def forget(db: Engine) -> None:
    with db.begin() as conn:
        cache.set_state(conn, _VERIFIER, None)
