"""A keyring backend for tests: secrets in a JSON file named by ``$YITI_TEST_KEYRING``, so the
test process and the ``yiti`` processes it starts share one sign-in, as on a desktop with a real
keyring. Select it in a child process with
``PYTHON_KEYRING_BACKEND=tests.e2e.filekeyring.FileKeyring`` (and the repository on PYTHONPATH)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

ENV = "YITI_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        # keyring weighs every backend class it has seen: this one only where its file is named
        if not os.environ.get(ENV):
            raise RuntimeError(f"${ENV} names no keyring file")
        return 1

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__()
        self.path = Path(path or os.environ[ENV])

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, str]]:
        """The stored secrets, under an exclusive lock; changes are written back atomically."""
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            secrets: dict[str, str] = json.loads(self.path.read_text()) if self.path.exists() else {}
            before = dict(secrets)
            yield secrets
            if secrets != before:
                partial = self.path.with_name(self.path.name + ".partial")
                partial.write_text(json.dumps(secrets))
                partial.replace(self.path)

    def get_password(self, service: str, username: str) -> str | None:
        with self._locked() as secrets:
            return secrets.get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._locked() as secrets:
            secrets[f"{service}\n{username}"] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._locked() as secrets:
            if secrets.pop(f"{service}\n{username}", None) is None:
                raise PasswordDeleteError(username)
