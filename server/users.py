"""Tenant users: create, change role, disable, set password, sign in."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.errors import AuthFailed, LastAdmin, NotFound, UserDisabled, UserExists
from app.core.ids import new_id
from app.core.protocol import UserOut
from app.core.schema import app_user
from server.auth import passwords, throttle, tokens
from server.settings import Settings
from server.tables import user_credential


def user_out(row: sa.Row) -> UserOut:
    return UserOut(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        disabled=row.disabled,
        locale=row.locale,
    )


def get_user(conn: Connection, user_id: uuid.UUID) -> sa.Row:
    row = conn.execute(sa.select(app_user).where(app_user.c.id == user_id)).first()
    if row is None:
        raise NotFound(what=str(user_id))
    return row


def find_user(conn: Connection, username: str) -> sa.Row:
    row = conn.execute(sa.select(app_user).where(app_user.c.username == username.strip().lower())).first()
    if row is None:
        raise NotFound(field="username", what=username)
    return row


def list_users(conn: Connection) -> list[sa.Row]:
    return list(conn.execute(sa.select(app_user).order_by(app_user.c.username)).all())


def create_user(
    conn: Connection,
    settings: Settings,
    now: dt.datetime,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    locale: str = "zh_CN",
    by: uuid.UUID | None = None,
) -> sa.Row:
    username = username.strip().lower()
    if conn.execute(sa.select(app_user.c.id).where(app_user.c.username == username)).first():
        raise UserExists(field="username", username=username)
    password_hash = passwords.hash_password(password, settings.min_password_length)
    user_id = new_id()
    row = {"id": user_id, "version": 1, "created_at": now, "updated_at": now, "updated_by": by,
           "archived": False, "username": username, "display_name": display_name or username,
           "role": role, "disabled": False, "locale": locale}
    try:
        with conn.begin_nested():  # two admins adding one name at once: the second gets a clean 409
            conn.execute(sa.insert(app_user).values(**row))
    except sa.exc.IntegrityError as exc:
        raise UserExists(field="username", username=username) from exc
    conn.execute(
        sa.insert(user_credential).values(
            user_id=user_id, password_hash=password_hash, password_changed_at=now
        )
    )
    return get_user(conn, user_id)


def _active_admins(conn: Connection) -> int:
    """Count the active admins, locking their rows: two admins demoting each other at once queue
    here, and the second one counts again after the first commits (never zero admins)."""
    rows = conn.execute(
        sa.select(app_user.c.id)
        .where(app_user.c.role == "admin", app_user.c.disabled.is_(False))
        .order_by(app_user.c.id)
        .with_for_update()
    ).all()
    return len(rows)


def update_user(
    conn: Connection,
    now: dt.datetime,
    user_id: uuid.UUID,
    *,
    role: str | None = None,
    disabled: bool | None = None,
    display_name: str | None = None,
    by: uuid.UUID | None = None,
) -> sa.Row:
    """Change role / enabled state / name; disabling revokes every token of the user."""
    row = get_user(conn, user_id)
    loses_admin = (
        row.role == "admin"
        and not row.disabled
        and ((role is not None and role != "admin") or disabled is True)
    )
    if loses_admin and _active_admins(conn) <= 1:
        raise LastAdmin(field="role" if role is not None else "disabled")
    values: dict[str, object] = {}
    if role is not None:
        values["role"] = role
    if disabled is not None:
        values["disabled"] = disabled
    if display_name is not None:
        values["display_name"] = display_name
    if values:
        values.update(updated_at=now, updated_by=by, version=app_user.c.version + 1)
        conn.execute(sa.update(app_user).where(app_user.c.id == user_id).values(**values))
    if disabled:
        tokens.revoke_user(conn, user_id, now)
    return get_user(conn, user_id)


def set_password(
    conn: Connection,
    settings: Settings,
    now: dt.datetime,
    user_id: uuid.UUID,
    password: str,
    field: str = "password",
) -> None:
    """Set a new password and revoke every token the user holds; a weak password names `field`."""
    password_hash = passwords.hash_password(password, settings.min_password_length, field)
    conn.execute(
        sa.update(user_credential)
        .where(user_credential.c.user_id == user_id)
        .values(password_hash=password_hash, password_changed_at=now)
    )
    tokens.revoke_user(conn, user_id, now)


def sign_in(
    conn: Connection, settings: Settings, now: dt.datetime, username: str, password: str
) -> tuple[sa.Row, tokens.IssuedTokens]:
    """Verify a password under the throttle and issue tokens; the caller commits even when this
    raises AuthFailed (the failure count must persist)."""
    user = verify_password(conn, settings, now, username, password)
    issued = tokens.issue(conn, user.id, now, settings.access_ttl_seconds, settings.refresh_ttl_seconds)
    return user, issued


def verify_password(
    conn: Connection, settings: Settings, now: dt.datetime, username: str, password: str, field: str = "password"
) -> sa.Row:
    """The user, if `password` is theirs; every wrong guess counts towards the sign-in throttle
    (sign-in and password change alike). The caller commits even when this raises AuthFailed."""
    name = username.strip().lower()
    gate = throttle.lock_row(conn, name)
    throttle.check(gate, now)
    user = conn.execute(
        sa.select(app_user, user_credential.c.password_hash)
        .join(user_credential, user_credential.c.user_id == app_user.c.id)
        .where(app_user.c.username == name)
    ).first()
    if not passwords.verify_password(user.password_hash if user else None, password):
        throttle.record_failure(
            conn,
            gate,
            now,
            settings.throttle_free_failures,
            settings.throttle_base_seconds,
            settings.throttle_max_seconds,
        )
        raise AuthFailed(field=field)
    assert user is not None
    throttle.record_success(conn, name)
    if user.disabled:
        raise UserDisabled()
    if passwords.needs_rehash(user.password_hash):
        conn.execute(
            sa.update(user_credential)
            .where(user_credential.c.user_id == user.id)
            .values(password_hash=passwords.hash_password(password, 1))
        )
    return user
