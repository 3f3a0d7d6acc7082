"""argon2id password hashing (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.core.errors import WeakPassword

_hasher = PasswordHasher()  # argon2id, parameters from argon2-cffi's recommended profile
#: verified when the user does not exist, so a missing name costs the same time as a wrong password
_DUMMY_HASH = _hasher.hash("yiti-dummy-password-for-timing")


def hash_password(password: str, min_length: int, field: str = "password") -> str:
    """The argon2id hash of `password`; WeakPassword (naming `field`) when it is too short."""
    if len(password) < min_length:
        raise WeakPassword(field=field, min=min_length)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
