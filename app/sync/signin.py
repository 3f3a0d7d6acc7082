"""Signing in to a cache: online when the server answers, offline with the local verifier when it
does not (DESIGN §5). One cache file per server, tenant and user under the user data folder."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import platformdirs
import sqlalchemy as sa

from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.schema import metadata
from app.sync import unlock
from app.sync.cache import reading
from app.sync.client import SyncClient
from app.sync.transport import Offline


class CannotUnlockOffline(DomainError):
    code = "auth.offline_never_signed_in"
    status = 401
    template = N_("The server cannot be reached, and %(user)s has not signed in on this computer yet. "
                  "Connect once to sign in; after that you can work offline.")


class WrongOfflinePassword(DomainError):
    code = "auth.offline_bad_password"
    status = 401
    template = N_("Wrong password (checked offline against your last online sign-in).")


def data_dir() -> Path:
    """Where the client keeps its caches (the user data folder)."""
    return platformdirs.user_data_path("yiti", appauthor=False)


def cache_path(base: Path, server: str, tenant: str, username: str) -> Path:
    """The cache file of one server, tenant and user."""
    host = urlsplit(server).netloc or server
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", host)
    return base / "caches" / safe / f"{tenant}-{re.sub(r'[^A-Za-z0-9._-]+', '_', username)}.sqlite"


@dataclass(frozen=True)
class Identity:
    """Who a cache is signed in as, as the screens show it."""

    server: str
    tenant: str
    username: str
    user_id: uuid.UUID | None
    role: str
    display_name: str


def identity_of(client: SyncClient) -> Identity:
    """Read from the cache (works offline); the display name once the directory has synced."""
    users = metadata.tables["app_user"]
    username, user_id, role = client.state("username"), client.state("user_id"), client.state("role")
    with reading(client.db) as conn:
        name = conn.execute(sa.select(users.c.display_name).where(users.c.username == username)).scalar()
    return Identity(
        server=client.state("server") or "", tenant=client.state("tenant") or "", username=username or "",
        user_id=uuid.UUID(user_id) if user_id else None, role=role or "", display_name=name or username or "",
    )


@dataclass
class SignedIn:
    client: SyncClient
    #: False when the server was out of reach and the cache was unlocked offline
    online: bool
    identity: Identity
    #: whether the sign-in outlives this process (False: the OS has no usable keyring)
    kept: bool = True


def sign_in(
    base: Path, server: str, tenant: str, username: str, password: str, http: httpx.Client | None = None
) -> SignedIn:
    """Open the user's cache and sign in: with the server if it answers (a wrong password is the
    server's answer), else offline against the verifier kept by the last online sign-in."""
    path = cache_path(base, server, tenant, username)
    path.parent.mkdir(parents=True, exist_ok=True)
    client = SyncClient.open(path, server, tenant, http=http)
    try:
        try:
            client.login(username, password)
        except Offline:
            if not unlock.can_unlock(client.db, username):
                raise CannotUnlockOffline(user=username) from None
            if not unlock.unlock(client.db, username, password):
                raise WrongOfflinePassword() from None
            return SignedIn(client, online=False, identity=identity_of(client))
        unlock.remember(client.db, username, password)
        return SignedIn(client, online=True, identity=identity_of(client), kept=client.sign_in_kept)
    except BaseException:
        client.close()
        raise
