"""Shared fixtures: one embedded Postgres per test session, a migrated template database, and a
fresh tenant database per test made from the template (tens of milliseconds)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TEMPLATE_DB = "yiti__template"
_counter = itertools.count(1)


class FakeClock:
    """An injectable clock for expiry and throttling tests."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """The OS keyring stand-in for tests (DESIGN §8): secrets live in this process only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def pg_data_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="yiti-test-pg-"))
    base.chmod(0o755)  # the cluster runs as an unprivileged user when the tests run as root
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(pg_data_dir: Path):
    from server.settings import Settings

    return Settings(data_dir=pg_data_dir, database_url=None)


@pytest.fixture(scope="session")
def cluster(settings):
    """The session's Postgres cluster (embedded unless YITI_TEST_DATABASE_URL names one)."""
    from server.tenancy import Cluster, connect_cluster

    url = os.environ.get("YITI_TEST_DATABASE_URL")
    c = Cluster(url, settings) if url else connect_cluster(settings)
    yield c
    c.dispose()


@pytest.fixture(scope="session")
def template_db(cluster) -> str:
    """A database migrated to head once per session; tenants are copied from it."""
    from server import migrate

    if cluster.database_exists(TEMPLATE_DB):
        cluster.drop_database(TEMPLATE_DB)
    cluster.create_database(TEMPLATE_DB)
    engine = cluster.engine(TEMPLATE_DB)
    with engine.connect() as conn:
        migrate.upgrade(conn)
    cluster.drop_engine(TEMPLATE_DB)  # CREATE DATABASE ... TEMPLATE fails while anyone is connected
    return TEMPLATE_DB


@pytest.fixture
def make_tenant(cluster, template_db):
    """Factory for fresh tenants (own database each); all are dropped after the test."""
    from server.tenancy import Tenant

    made: list[Tenant] = []

    def make(slug: str | None = None) -> Tenant:
        t = cluster.create_tenant(slug or f"t{os.getpid()}_{next(_counter)}", template=template_db)
        made.append(t)
        return t

    yield make
    for t in made:
        cluster.drop_tenant(t.slug)


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(settings, cluster, clock):
    from server.main import create_app

    return create_app(settings, cluster=cluster, clock=clock)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def add_user(cluster, settings, clock):
    """Create a user directly in a tenant's database: add_user(tenant, name, role, password)."""
    from server import users

    def add(t, username: str, role: str = "sales_rep", password: str = "correct horse", **kw):
        with cluster.tenant_engine(t).begin() as conn:
            return users.create_user(conn, settings, clock(), username, password, role, **kw)

    return add


@pytest.fixture
def login(client):
    """Sign in over HTTP and return the token pair body (asserts success)."""

    def do(t, username: str, password: str = "correct horse") -> dict:
        response = client.post(
            f"/t/{t.slug}/v1/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return response.json()

    return do


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
