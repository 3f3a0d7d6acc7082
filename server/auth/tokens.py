"""Opaque bearer tokens, stored only as sha256 hashes, with expiry, rotation and revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.errors import NotAuthenticated, UserDisabled
from app.core.ids import new_id
from app.core.schema import app_user
from server.tables import auth_token


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    access_ttl: int
    refresh_ttl: int
    family: uuid.UUID


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def issue(
    conn: Connection,
    user_id: uuid.UUID,
    now: dt.datetime,
    access_ttl: int,
    refresh_ttl: int,
    family: uuid.UUID | None = None,
) -> IssuedTokens:
    family = family or new_id()
    access, refresh = _new_token("yta"), _new_token("ytr")
    conn.execute(
        sa.insert(auth_token),
        [
            dict(
                token_hash=token_hash(access),
                user_id=user_id,
                kind="access",
                family=family,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=access_ttl),
            ),
            dict(
                token_hash=token_hash(refresh),
                user_id=user_id,
                kind="refresh",
                family=family,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=refresh_ttl),
            ),
        ],
    )
    return IssuedTokens(access, refresh, access_ttl, refresh_ttl, family)


def _valid_token_row(conn: Connection, token: str, kind: str, now: dt.datetime) -> sa.Row:
    row = conn.execute(
        sa.select(auth_token, app_user.c.disabled)
        .join(app_user, app_user.c.id == auth_token.c.user_id)
        .where(auth_token.c.token_hash == token_hash(token), auth_token.c.kind == kind)
    ).first()
    if row is None or row.expires_at <= now:
        raise NotAuthenticated()
    if row.revoked_at is not None:
        if kind == "refresh":
            # a rotated refresh token used again: someone holds a copy; end the whole sign-in
            revoke_family(conn, row.family, now)
        raise NotAuthenticated()
    if row.disabled:
        raise UserDisabled()
    return row


def authenticate(conn: Connection, token: str, now: dt.datetime) -> tuple[uuid.UUID, uuid.UUID]:
    """(user id, token family) for a live access token; NotAuthenticated otherwise."""
    row = _valid_token_row(conn, token, "access", now)
    return row.user_id, row.family


def rotate(
    conn: Connection, refresh_token: str, now: dt.datetime, access_ttl: int, refresh_ttl: int
) -> tuple[uuid.UUID, IssuedTokens]:
    """Trade a refresh token for a new pair; the old refresh and access tokens stop working."""
    row = _valid_token_row(conn, refresh_token, "refresh", now)
    revoke_family(conn, row.family, now)
    return row.user_id, issue(conn, row.user_id, now, access_ttl, refresh_ttl, family=row.family)


def revoke_family(conn: Connection, family: uuid.UUID, now: dt.datetime) -> None:
    conn.execute(
        sa.update(auth_token)
        .where(auth_token.c.family == family, auth_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_user(conn: Connection, user_id: uuid.UUID, now: dt.datetime) -> None:
    conn.execute(
        sa.update(auth_token)
        .where(auth_token.c.user_id == user_id, auth_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def purge_expired(conn: Connection, now: dt.datetime, keep_days: int = 7) -> int:
    """Retention: drop tokens that expired more than `keep_days` ago."""
    result = conn.execute(
        sa.delete(auth_token).where(auth_token.c.expires_at < now - dt.timedelta(days=keep_days))
    )
    return result.rowcount or 0
