"""End-to-end fixtures: one data folder (embedded Postgres, tenant `acme`) per test module, and a
keyring file the test process shares with the client processes it starts."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.e2e.filekeyring import FileKeyring
from tests.e2e.serving import PASSWORD, SLUG, Deployment, cli, postgres_processes, wait_until_gone


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """A fresh data folder with tenant `acme` (created by the CLI) and, on demand, servers."""
    data_dir = Path(tempfile.mkdtemp(prefix="yiti-e2e-"))
    data_dir.chmod(0o755)  # as root the cluster runs as an unprivileged user
    d = Deployment(data_dir)
    try:
        made = cli(data_dir, "tenant", "create", SLUG, "--admin", "boss", "--password-stdin", stdin=f"{PASSWORD}\n")
        assert made.returncode == 0, made.stderr
        assert f"tenant {SLUG} created" in made.stdout
        # the CLI was the only user of the cluster: it stopped it on the way out
        assert wait_until_gone(d.pgdata) == []
        yield d
    finally:
        for server in d.servers:
            if server.proc is not None and server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()
        for proc in postgres_processes(d.pgdata):  # never leak a cluster, even after a failure
            proc.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def keyring_file(memory_keyring: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The test's keyring file, in place of the in-memory keyring: this process keeps sign-ins
    there, and client processes started with `client_env(keyring_file)` find them."""
    path = tmp_path_factory.mktemp("keyring") / "keyring.json"
    before = keyring.get_keyring()
    keyring.set_keyring(FileKeyring(path))
    yield path
    keyring.set_keyring(before)
