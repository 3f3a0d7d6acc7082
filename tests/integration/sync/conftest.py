"""SyncClients on real SQLite cache files, talking to the in-process app (Starlette's TestClient
injected as their httpx client) on the test's own tenant database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.sync import SyncClient

PASSWORD = "correct horse"


@pytest.fixture
def make_client(client, tenant, add_user, tmp_path: Path) -> Iterator[Callable[..., SyncClient]]:
    """make_client("rep1", role="sales_rep"): a signed-in SyncClient with its own cache file."""
    opened: list[SyncClient] = []
    users: set[str] = set()

    def make(username: str, role: str = "sales_rep", cache: str | None = None, sign_in: bool = True) -> SyncClient:
        if username not in users:
            add_user(tenant, username, role, PASSWORD)
            users.add(username)
        path = tmp_path / (cache or f"{username}.sqlite")
        c = SyncClient.open(path, "http://testserver", tenant.slug, http=client)
        c.retry_delays = (0.0, 0.0)
        if sign_in:
            c.login(username, PASSWORD)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()
