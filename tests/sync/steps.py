"""What the sync machine's rules draw, and the guard every step runs under.

Values come from small sets on purpose: equal values make the merge rules' corner cases (a write
that is already there, a base that came back) likely.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import event
from hypothesis import strategies as st

from tests.sync.model import PARTY_FIELDS

F = TypeVar("F", bound=Callable[..., Any])

SEAT = st.integers(0, 3)
PICK = st.integers(0, 1000)
FIELD = st.sampled_from(PARTY_FIELDS)
VALUE = st.integers(0, 3)
#: four values per edited field (status may not be empty)
VALUES: dict[str, tuple[Any, ...]] = {
    "phone": (None, "13800000001", "13800000002", "021-5555"),
    "notes": (None, "", "VIP", "回访两次"),
    "city": (None, "上海", "北京", "深圳"),
    "credit_limit": (None, "0.00", "1000.00", "2500.50"),
    "status": ("prospect", "active", "dormant", "lost"),
}
#: matching requests let through before a fault fires (a later page, the next push batch)
SKIP = st.integers(0, 2).map(lambda n: max(0, n - 1))
NAMES = st.sampled_from(["上海华联", "北京同仁堂", "Acme Ltd", "张伟"])
#: attempts per call: the first try and one per retry delay
ATTEMPTS = 5


def step(fn: F) -> F:
    """Marks the machine broken when a step fails, so teardown does not pile a second failure on it."""

    @functools.wraps(fn)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        event(f"step {fn.__name__}")
        try:
            return fn(self, *args, **kwargs)
        except BaseException:
            self.broken = True
            raise

    return run  # type: ignore[return-value]


def as_json(value: Any) -> Any:
    """A cached value as the user's patch carries it (exact decimals as strings)."""
    return str(value) if isinstance(value, Decimal) else value
