"""The desktop client's own preferences (language, last server, tenant and user, remember me),
as a small JSON file in the user config folder. Secrets never go here: tokens live in the keyring."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "locale": None,  # None: the system's language
    "server": "http://127.0.0.1:8080",
    "tenant": "",
    "username": "",
    "remember": True,
    "sync_interval": 60,
}


def config_dir() -> Path:
    override = os.environ.get("YITI_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path("yiti", appauthor=False)


class Prefs:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "prefs.json"
        self._values = dict(DEFAULTS)
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(stored, dict):
                self._values.update({k: v for k, v in stored.items() if k in DEFAULTS})
        except FileNotFoundError:
            pass
        except (OSError, ValueError):
            log.warning("preferences at %s unreadable; using defaults", self.path)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def update(self, **values: Any) -> None:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise KeyError(f"unknown preferences: {sorted(unknown)}")
        self._values.update(values)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._values, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(self.path)
