"""Fixtures of the sync property tests: an in-memory keyring, and a session template database
whose users already exist (argon2 hashing once per session, not once per example)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest

from tests.sync.world import PASSWORD, USERS, Servers

SYNC_TEMPLATE_DB = "yiti__sync_template"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """The OS keyring of the tests: it outlives a client that is killed and reopened."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture(scope="session")
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def sync_template(cluster, template_db, settings) -> Iterator[str]:
    """The migrated template plus one user per client seat (see world.USERS)."""
    from app.core.schema import utcnow
    from server import users

    if cluster.database_exists(SYNC_TEMPLATE_DB):
        cluster.drop_database(SYNC_TEMPLATE_DB)
    cluster.create_database(SYNC_TEMPLATE_DB, template=template_db)
    with cluster.engine(SYNC_TEMPLATE_DB).begin() as conn:
        for username, role in USERS:
            users.create_user(conn, settings, utcnow(), username, PASSWORD, role)
    cluster.drop_engine(SYNC_TEMPLATE_DB)  # a template must have no one connected
    yield SYNC_TEMPLATE_DB
    cluster.drop_database(SYNC_TEMPLATE_DB)


@pytest.fixture
def servers(cluster, settings, sync_template, memory_keyring) -> Servers:
    """What each example of a sync test needs to make its own tenant, server and clients."""
    return Servers(cluster, settings, sync_template)
