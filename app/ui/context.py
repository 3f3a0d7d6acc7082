"""What every page is given: the session (cache + sync), the background ops, the preferences, and
the window's shared actions (so pages never reach for a global)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.ui.ops import Ops
from app.ui.prefs import Prefs
from app.ui.session import Session


@dataclass
class AppContext:
    session: Session
    ops: Ops
    prefs: Prefs
    #: the window's shared actions, set by the main window: "open_inbox", "open_record",
    #: "set_language", "sign_out", "go_to" (page key)
    actions: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def act(self, name: str, *args: Any) -> Any:
        action = self.actions.get(name)
        return action(*args) if action is not None else None
